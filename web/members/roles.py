"""What each role may do, keyed by endpoint: the one registry that `web.members.access`
enforces before any organiser view runs, and that tests/web/test_roles.py walks.

Reading: every organiser page is open to owners, editors and viewers; the help desk opens
only `DESK_PAGES`. Writing: a POST endpoint must be listed here (`EDITS`, `DESK_ACTIONS`,
`MEMBER_ACTIONS` or `ACCOUNT_ACTIONS`); one that is not is refused to everyone (default
deny), and the roles test fails until it is listed. No Flask here."""

from __future__ import annotations

ROLES = ("owner", "editor", "viewer", "desk")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# The blueprints whose pages are the organisers' (login, then a role on the event in the URL).
ORGANISER_BLUEPRINTS = frozenset(
    {
        "events",
        "companies",
        "meeting_requests",
        "solving",
        "schedules",
        "notifications",
        "members",
        "audit",
        "integrations",
        "analytics",
        "fairdays",
        "profiles",
    }
)

# The help desk at the fair: the live board and marking attendance where those exist; today
# the event's overview and the companies' pages and agendas, read only. The fair days' pages
# add their endpoints here (DESK_PAGES to see, DESK_ACTIONS to mark attendance).
DESK_PAGES = frozenset(
    {
        "events.dashboard",
        "companies.index",
        "companies.detail",
        "schedules.agenda",
        "fairdays.board",  # web.fairdays.desk.DESK_ENDPOINTS: the live board, a table's sheet
        "fairdays.table",
    }
)
DESK_ACTIONS = frozenset({"fairdays.mark"})  # attendance, marked at the desk

# Changes to the event's data: editors and owners.
EDITS = frozenset(
    {
        "companies.block",
        "companies.delete",
        "companies.delete_attendee",
        "companies.edit",
        "companies.edit_attendee",
        "companies.new",
        "companies.new_attendee",
        "companies.rotate",
        "companies.unblock",
        "events.delete_location",
        "events.edit",
        "events.edit_location",
        "events.import_data",
        "events.new_location",
        "meeting_requests.add",
        "meeting_requests.set_status",
        "notifications.resend_one",
        "notifications.send_link",
        "notifications.send_links",
        "schedules.publish",
        "solving.cancel",
        "solving.index",
        "solving.fill_in",
        "events.request_rules",
        "integrations.keys",  # a read-write key can do what an editor can, and no more
        "integrations.revoke",
        "integrations.webhooks",
        "integrations.remove",
        "integrations.replay",
        "profiles.edit",
        "profiles.hide",
        "profiles.upload_logo",
        "profiles.delete_logo",
        "fairdays.booking_mode",
    }
)

# Who works on the event: owners only.
MEMBER_ACTIONS = frozenset(
    {"members.invite_one", "members.set_role", "members.remove", "members.withdraw"}
)
# The event as a whole, which cannot be undone: owners only as well.
OWNER_ACTIONS = MEMBER_ACTIONS | {"events.delete", "companies.erase_attendee"}

# POSTs of an organiser that concern no event in the URL: any logged-in organiser (a new
# event makes its maker the owner; an import into an existing event checks the role there).
ACCOUNT_ACTIONS = frozenset({"events.new", "events.import_event", "auth.logout"})

WHO_WRITES = {
    **{endpoint: frozenset({"owner", "editor"}) for endpoint in EDITS},
    **{endpoint: frozenset({"owner", "editor", "desk"}) for endpoint in DESK_ACTIONS},
    **{endpoint: frozenset({"owner"}) for endpoint in OWNER_ACTIONS},
}


def is_organisers(endpoint: str | None) -> bool:
    return bool(endpoint) and endpoint.rpartition(".")[0] in ORGANISER_BLUEPRINTS


def classified(endpoint: str, method: str) -> bool:
    """Whether the registry says who may use `method` on `endpoint` (a read always is)."""
    return method in READ_METHODS or endpoint in WHO_WRITES or endpoint in ACCOUNT_ACTIONS


def may(role: str, endpoint: str, method: str) -> bool:
    """Whether a member with `role` on the event may use `method` on `endpoint`."""
    if method in READ_METHODS:
        return role != "desk" or endpoint in DESK_PAGES
    return role in WHO_WRITES.get(endpoint, frozenset())


def may_change_data(role: str | None) -> bool:
    """Whether the pages show this member the forms that change the event's data."""
    return role in ("owner", "editor")
