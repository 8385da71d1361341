"""Words the pages show for stored values, in the visitor's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from web.meeting_requests.operations import TRANSITIONS

STATUS = {
    "requested": _l("awaiting answer"),
    "accepted": _l("accepted"),
    "declined": _l("declined"),
    "cancelled": _l("cancelled"),
}
STATUS_ACTION = {
    "requested": _l("Ask again"),
    "accepted": _l("Accept"),
    "declined": _l("Decline"),
    "cancelled": _l("Cancel"),
}
ROLE = {"corporate": _l("Corporate"), "delegation": _l("Delegation member")}
RUN_STATUS = {
    "queued": _l("queued"),
    "running": _l("running"),
    "succeeded": _l("finished"),
    "failed": _l("failed"),
    "cancelled": _l("cancelled"),
}
ANSWERS = ("accepted", "declined")  # what the asked side, or the organiser, may answer


def next_statuses(request) -> list[str]:
    """Buttons for a request: accept or decline while open, and the other way after."""
    return [s for s in ("accepted", "declined") if s in TRANSITIONS[request.status]]


def helpers() -> dict:
    return {
        "status_label": lambda s: STATUS.get(s, s),
        "status_action": lambda s: STATUS_ACTION.get(s, s),
        "role_label": lambda r: ROLE.get(r, r),
        "run_status_label": lambda s: RUN_STATUS.get(s, s),
        "next_statuses": next_statuses,
    }
