"""Words the pages show for stored values, in the visitor's language."""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from babel.dates import get_timezone_name
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from scheduler.solver.reasons import read_reason
from scheduler.words import Words, told
from web.meeting_requests.conversation import REASON_WORDS
from web.meeting_requests.models import MESSAGE_LONGEST
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
    "cancelled": _l("Withdraw"),
}
ROLE = {"corporate": _l("Corporate"), "delegation": _l("Delegation member")}
RUN_STATUS = {
    "queued": _l("queued"),
    "running": _l("running"),
    "succeeded": _l("finished"),
    "failed": _l("failed"),
    "cancelled": _l("cancelled"),
}
# The solver's stages (scheduler.solver.solve reports them by these names).
STAGE = {
    "preparing": _l("preparing"),
    "first come, first served": _l("first come, first served"),
    "session relaxation": _l("estimating per session"),
    "LP relaxation": _l("estimating the bound"),
    "building the model": _l("building the model"),
    "searching": _l("searching"),
    "fewer breaks": _l("fewer breaks"),
    "fairness": _l("fairness"),
    "guaranteed meetings": _l("guaranteed meetings"),
    "improving": _l("improving"),
    "moving published meetings": _l("moving published meetings"),
    "done": _l("done"),
}
# How far the solver proved its schedule (the summary's status).
SOLVE_STATUS = {
    "OPTIMAL": _l("proven best"),
    "FEASIBLE": _l("not proven best"),
}
# Two organisers saved the same row: the later save is refused and the form shown afresh.
EDIT_CONFLICT = _l(
    "Someone else saved this meanwhile. The form now shows their version: "
    "make your change again and save."
)
# The outbox's states and kinds of message (web.notifications.models).
MAIL_STATUS = {
    "queued": _l("waiting to be sent"),
    "sending": _l("sending"),
    "sent": _l("sent"),
    "failed": _l("failed"),
}
MAIL_KIND = {
    "link": _l("private link"),
    "request": _l("new request"),
    "answer": _l("answer to a request"),
    "reply": _l("a reply in a request's conversation"),
    "expired": _l("a request of yours expired unanswered"),
    "reminder": _l("reminder before requests close, while some await your answer"),
    "schedule": _l("agenda published or changed"),
    "booking": _l("a meeting booked with you, or the answer to your booking"),
    "digest": _l("your meetings tomorrow, the evening before"),
    "summary": _l("the organisers' summary each morning"),
    "invitation": _l("invitation to work on the event"),
}
ANSWERS = ("accepted", "declined")  # what the asked side, or the organiser, may answer


# Why a published meeting no longer fits the event (the kinds of web.schedules.drift).
AFFECTED = {
    "answer": _l("its request is no longer accepted"),
    "setup": _l("the event's days, sessions or slot length changed"),
    "attendees": _l("an attendee was removed or changed"),
    "table": _l("its table was removed or changed"),
    "blocked": _l("a time blocked since covers it"),
    "daily": _l("a company is now over its daily maximum"),
    "fixed": _l("its fixed time was changed"),
}


# The kinds of reason a request is not scheduled (scheduler.solver.reasons.REASON_KINDS).
REASON_KIND = {
    "tables": _l("no table free"),
    "daily": _l("daily maximum reached"),
    "event_max": _l("maximum for the event reached"),
    "busy": _l("agenda full"),
    "several": _l("several causes"),
    "unavailable": _l("never free together"),
    "attendee": _l("named attendee not free"),
    "window": _l("requested window too narrow"),
    "too_long": _l("longer than any session"),
    "no_room": _l("no table or room it may use"),
    "other": _l("other reasons"),
}


# Why an accepted request has no meeting, as the company may be told it: the kind of reason
# only, never the other side's agenda, people or blocked times.
NOT_PLACED = {
    "tables": _l("no table was free at the times you are both free"),
    "daily": _l("a daily maximum of meetings was reached on the days you are both free"),
    "event_max": _l("a maximum of meetings for the whole event was reached"),
    "busy": _l("the agendas were full at the times you are both free"),
    "several": _l("every time you are both free was taken"),
    "unavailable": _l("you are never free at the same time"),
    "attendee": _l("the person named for it is not free when the other side is"),
    "window": _l("the times asked for hold no free time of the sessions"),
    "too_long": _l("no session is long enough for it"),
    "no_room": _l("no table or room may hold it"),
    "other": _l("it could not be placed"),
}


# Why a company has fewer meetings than its package guarantees (scheduler.solver.reasons
# .SHORT_KINDS), for the organiser.
SHORT_KIND = {
    "too_few_requests": _l("too few accepted requests"),
    "no_common_time": _l("too few requests with a time both sides are free"),
    "partners_event_max": _l("its partners have their maximum for the event"),
    "partners_daily": _l("its partners have their daily maximum"),
    "partners_busy": _l("its partners' people are in other meetings"),
    "own_agenda": _l("its own people are in other meetings"),
    "tables": _l("no table free"),
}


def answered(status: str | None, by: str | None, at: datetime | None, names: dict) -> str:
    """'declined by Takeda on 2026-10-14 09:12': what became of a published meeting's request,
    by whom (`by` as set_status keeps it; `names` maps company ids to names) and when (on the
    event's clock, which `at` is given in)."""
    if by == "rules:expired":  # web.meeting_requests.deadlines.EXPIRED_BY
        return _("expired: not answered in time")
    kind, _colon, ident = (by or "").partition(":")
    who = names.get(ident, ident) if kind == "company" else _("the organiser") if by else None
    when = at.strftime("%Y-%m-%d %H:%M") if at else ""
    if status == "declined":
        return _("declined by %(who)s on %(when)s", who=who, when=when) if who else _("declined")
    if status == "cancelled":
        return _("cancelled by %(who)s on %(when)s", who=who, when=when) if who else _("cancelled")
    if status == "requested":
        return _("asked again, awaiting an answer")
    if status is None:
        return _("its request was deleted")
    return str(AFFECTED["answer"])


def withdrawn_notes(requests, zone: ZoneInfo) -> dict[str, str]:
    """Per request id, what the agenda says under a published meeting whose request was
    declined or cancelled since (web.schedules.drift.withdrawn_answers)."""
    notes = {}
    for r in requests:
        names = {c.external_id: c.name for c in (r.requester, r.requested)}
        at = r.answered_at.astimezone(zone) if r.answered_at else None
        what = answered(r.status, r.answered_by, at, names)
        if r.status == "requested":
            notes[r.external_id] = _(
                "%(what)s: cancelled for both companies when the organiser publishes the "
                "updated schedule, unless %(name)s accepts it again before",
                what=what,
                name=r.requested.name,
            )
            continue
        notes[r.external_id] = _(
            "%(what)s: cancelled for both companies when the organiser publishes the "
            "updated schedule",
            what=what,
        )
    return notes


def affected_reason(affected) -> str:
    """Why a published meeting (a web.schedules.drift.Affected) will change, in words."""
    zone = affected.meeting.start.tzinfo
    names = {side.id: side.name for side in affected.meeting.sides}
    at = affected.answered_at.astimezone(zone) if affected.answered_at else None
    words = [
        answered(affected.status, affected.answered_by, at, names)
        if kind == "answer"
        else str(AFFECTED[kind])
        for kind in affected.kinds
    ]
    return "; ".join(words)


def next_statuses(request) -> list[str]:
    """Buttons for a request: accept or decline while open, and the other way after."""
    return [s for s in ("accepted", "declined") if s in TRANSITIONS[request.status]]


# Zones a fair can be held in: the IANA names of places, not the aliases ("Japan", "US/Pacific")
# or the system's entries ("Factory", "localtime", "posix/...") that the full list carries.
REGIONS = ("Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe")
REGIONS += ("Indian", "Pacific")


@cache
def event_zones() -> tuple[str, ...]:
    places = (z for z in available_timezones() if z.split("/")[0] in REGIONS and "/" in z)
    return (*sorted(places), "UTC")


def zone_label(name: str) -> str:
    """ "Japan Time (Asia/Tokyo)" in the visitor's language: a zone in words, and its name."""
    return _zone_label(name, str(get_locale() or "en"))


@cache
def _zone_label(name: str, locale: str) -> str:
    if name == "UTC":
        return name
    try:
        words = get_timezone_name(name, locale=locale)
    except LookupError:
        return name
    return f"{words} ({name})"


def zone_choices(current: str | None = None) -> list[tuple[str, str]]:
    """The setup form's zones; an imported event's own zone stays among them."""
    zones = event_zones()
    if current and current not in zones:
        zones = (current, *zones)
    return [(z, zone_label(z)) for z in zones]


def event_time(moment: datetime | None, zone_name: str) -> str:
    """A stored instant (UTC) as the event's clock shows it: organisers think in fair time."""
    if moment is None:
        return ""
    return moment.astimezone(ZoneInfo(zone_name)).strftime("%Y-%m-%d %H:%M")


# --- the scheduler's words (import problems, reasons, refusals) in the visitor's language ------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH = {m: i for i, m in enumerate(_MONTHS, 1)}
_SHORT_TIME = re.compile(r"\b(" + "|".join(_MONTH) + r") ([0-9]{1,2}) ([0-9]{2}:[0-9]{2})\b")


def _translate(template: str) -> str:
    return _(template) if template else template


def _local_dates(text: str) -> str:
    """'Oct 14 13:30' (scheduler.times.describe_time) as Japanese writes it: '10月14日 13:30'."""
    if not str(get_locale() or "en").startswith("ja"):
        return text
    return _SHORT_TIME.sub(lambda m: f"{_MONTH[m[1]]}月{int(m[2])}日 {m[3]}", text)


def say(message: Words | Exception | str) -> str:
    """A message of the scheduler or the service layer (Words, a Refusal, or plain text) in
    the visitor's language."""
    if isinstance(message, Exception):
        message = told(message)
    if isinstance(message, Words):
        return _local_dates(message.translated(_translate))
    return str(message)


def problem_told(problem) -> tuple[str, str]:
    """An import problem's (place, message) in the visitor's language."""
    place, message = problem.translated(_translate)
    return place, _local_dates(message)


def reason_told(reason: str) -> str:
    """Why a request is not scheduled, in the visitor's language: the solver's reasons are
    read back from the schedule's text; a reason from another tool stays as written."""
    words = read_reason(reason)
    return say(words) if words else reason


def helpers() -> dict:
    return {
        "status_label": lambda s: STATUS.get(s, s),
        "status_action": lambda s: STATUS_ACTION.get(s, s),
        "role_label": lambda r: ROLE.get(r, r),
        "run_status_label": lambda s: RUN_STATUS.get(s, s),
        "stage_label": lambda s: STAGE.get(s, s),
        "solve_status_label": lambda s: SOLVE_STATUS.get(s, s),
        "next_statuses": next_statuses,
        "zone_label": zone_label,
        "event_time": event_time,
        "affected_reason": affected_reason,
        "reason_kind_label": lambda k: REASON_KIND.get(k, k),
        "short_kind_label": lambda k: SHORT_KIND.get(k, k),
        "not_placed_label": lambda k: NOT_PLACED.get(k, NOT_PLACED["other"]),
        "reason_told": reason_told,
        "mail_status_label": lambda s: MAIL_STATUS.get(s, s),
        "mail_kind_label": lambda k: MAIL_KIND.get(k, k),
        "problem_told": problem_told,
        "decline_reason_label": decline_reason_label,
        "message_longest": MESSAGE_LONGEST,
    }


def decline_reason_label(reason: str) -> str:
    """Why a request was declined, in the visitor's language (expired too)."""
    return _(REASON_WORDS[reason]) if reason in REASON_WORDS else reason
