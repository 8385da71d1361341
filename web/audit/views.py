"""The audit trail's pages: per event and per company, newest first, paginated, filtered by
who acted and by what was changed."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import Select, select

from web.audit.models import AuditCompany, AuditEntry
from web.companies.models import Company
from web.events.models import Event
from web.http import db, event_or_404, row_or_404

audit = Blueprint("audit", __name__, template_folder="templates")
PAGE = 50

# What a row is, in the organiser's words (a table not named here shows as its own name).
TABLE_NAMES = {
    "events": _l("event"),
    "event_days": _l("day"),
    "event_sessions": _l("session"),
    "locations": _l("table or room"),
    "companies": _l("company"),
    "attendees": _l("attendee"),
    "unavailable_blocks": _l("blocked time"),
    "meeting_requests": _l("request"),
    "request_attendees": _l("attendee of a request"),
    "request_windows": _l("time window of a request"),
    "fixed_meetings": _l("fixed meeting"),
    "fixed_meeting_attendees": _l("attendee of a fixed meeting"),
    "solver_runs": _l("solve"),
    "schedule_versions": _l("schedule version"),
    "scheduled_meetings": _l("meeting"),
    "scheduled_meeting_attendees": _l("attendee of a meeting"),
    "unscheduled_requests": _l("unscheduled request"),
    "current_schedules": _l("published schedule"),
    "publications": _l("publication"),
    "memberships": _l("member"),
    "invitations": _l("invitation"),
}
# The named actions (web.audit.trail.audit_action) and their lines.
ACTION_NAMES = {"import": _l("import"), "solve": _l("solve result")}
OPS = {"insert": _l("added"), "update": _l("changed"), "delete": _l("removed")}
ACTORS = {
    "company": _l("company (its private link)"),
    "person": _l("attendee (own link)"),
    "cli": _l("command line"),
    "job": _l("job"),
    "unknown": _l("unknown"),
}


@audit.before_request
@login_required
def _organisers_only() -> None:
    """Every page here is the organiser's (roles: web.members.access)."""


def kind_name(kind: str) -> str:
    return str(ACTION_NAMES.get(kind) or TABLE_NAMES.get(kind) or kind)


def actor_name(entry: AuditEntry) -> str:
    if entry.actor_kind == "organiser":
        return entry.actor
    kind = str(ACTORS.get(entry.actor_kind, entry.actor_kind))
    return f"{kind}: {entry.actor}" if entry.actor else kind


@audit.route("/events/<slug>/audit/")
def event_trail(slug: str):
    event = event_or_404(slug)
    query = select(AuditEntry).where(AuditEntry.event_id == event.id)
    return _page(event, None, query)


@audit.route("/events/<slug>/companies/<int:company_id>/audit/")
def company_trail(slug: str, company_id: int):
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    query = (
        select(AuditEntry)
        .join(AuditCompany, AuditCompany.entry_id == AuditEntry.id)
        .where(AuditEntry.event_id == event.id, AuditCompany.company_id == company.id)
    )
    return _page(event, company, query)


def _page(event: Event, company: Company | None, query: Select):
    who, what = request.args.get("who", ""), request.args.get("what", "")
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    filtered = _filtered(query, who, what)
    rows = (
        db()
        .scalars(filtered.order_by(AuditEntry.id.desc()).offset((page - 1) * PAGE).limit(PAGE + 1))
        .all()
    )
    return render_template(
        "audit/trail.html",
        event=event,
        company=company,
        entries=rows[:PAGE],
        more=len(rows) > PAGE,
        page=page,
        who=who,
        what=what,
        people=_people(query),
        kinds=_kinds(query),
        table_names=TABLE_NAMES,
        ops=OPS,
        kind_name=kind_name,
        actor_name=actor_name,
        as_instant=as_instant,
    )


def as_instant(value) -> datetime | None:
    """A recorded value that is an instant (ISO text with a time and an offset), to be shown
    on the event's clock; None for any other value."""
    if not isinstance(value, str) or len(value) < 20 or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _filtered(query: Select, who: str, what: str) -> Select:
    """`who`: an organiser's id ("o12") or a kind of actor ("cli"); `what`: an entry's kind."""
    if who.startswith("o") and who[1:].isdecimal():
        query = query.where(AuditEntry.actor_id == int(who[1:]))
    elif who:
        query = query.where(AuditEntry.actor_kind == who)
    if what:
        query = query.where(AuditEntry.kind == what)
    return query


def _people(query: Select) -> list[tuple[str, str]]:
    """The filter's choices: each organiser who acted, then each other kind of actor."""
    base = query.subquery()
    organisers = db().execute(
        select(base.c.actor_id, base.c.actor)
        .where(base.c.actor_kind == "organiser", base.c.actor_id.is_not(None))
        .distinct()
        .order_by(base.c.actor)
    )
    seen: dict[str, str] = {}
    for actor_id, label in organisers:
        seen.setdefault(f"o{actor_id}", label)
    others = db().scalars(
        select(base.c.actor_kind).where(base.c.actor_kind != "organiser").distinct()
    )
    for kind in others:
        seen[kind] = str(ACTORS.get(kind, kind))
    return list(seen.items())


def _kinds(query: Select) -> list[tuple[str, str]]:
    base = query.subquery()
    kinds = db().scalars(select(base.c.kind).distinct())
    return sorted(((k, kind_name(k)) for k in kinds), key=lambda pair: pair[1])
