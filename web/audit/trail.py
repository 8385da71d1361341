"""The audit trail, written by one generic mechanism instead of a line in every operation.

While a session flushes, the ORM's row events record each inserted, updated and deleted row
of the audited tables (row events rather than `before_flush` alone: they also see the rows a
cascade deletes, such as an event's old days); bulk statements (`session.execute(insert(...),
rows)` in imports) are counted as they run. At commit the changes become one `AuditEntry`
per event, with the actor from a context variable that the request, the command line or the
job sets (`acting_as`). A service operation that writes many rows names itself
(`audit_action`): its entry says what it did in one line and counts the rows instead of
listing 30,000 of them. Secret columns (password hashes, tokens, key hashes) are recorded as
changed, never with their values.

No Flask here: the CLI and the job worker write the same trail."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import event as orm_events
from sqlalchemy import inspect, select
from sqlalchemy.orm import Mapper, Session, object_session
from sqlalchemy.orm.attributes import flag_modified

from web.audit.models import AuditCompany, AuditEntry
from web.db import SESSION_SETUP

# --- who is acting, and where ---------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """Who makes the changes: an organiser (by id, and named as they were), a company's
    link, the command line or a job."""

    label: str
    organiser_id: int | None = None
    kind: str = "unknown"  # organiser, company, person, cli, job (web.audit.views names them)


UNKNOWN = Actor("")
ACTOR: ContextVar[Actor | None] = ContextVar("partnering_actor", default=None)
# The event a request works in (the one in its URL): bulk statements name no row's event.
EVENT_IN_VIEW: ContextVar[int | None] = ContextVar("partnering_event_in_view", default=None)


@contextmanager
def acting_as(actor: Actor, event_id: int | None = None) -> Iterator[None]:
    tokens = ACTOR.set(actor), EVENT_IN_VIEW.set(event_id)
    try:
        yield
    finally:
        ACTOR.reset(tokens[0])
        EVENT_IN_VIEW.reset(tokens[1])


def organiser_actor(organiser) -> Actor:
    name = organiser.name if organiser.name and organiser.name != organiser.email else ""
    label = f"{name} <{organiser.email}>" if name else organiser.email
    return Actor(label, organiser.id, "organiser")


# --- what is recorded -----------------------------------------------------------------------

# Tables that are logs or accounts of their own, not the event's data; capacity_runs is the
# capacity page's figures worked out by a job (a cache that opening the page fills).
SKIPPED_TABLES = frozenset(
    {"audit_entries", "audit_companies", "notifications", "organisers", "capacity_runs"}
)
# Bookkeeping that no person changes: a row whose only changes are these is not an entry.
# (The directory's search columns are the profile's own words, normalised: web.profiles.search.)
IGNORED_COLUMNS = frozenset({"version_id", "link_opened_at", "search_text", "sort_name"})
# A solve's run row is written by its job all along (progress, heartbeat): only the start
# (its insert) and the organiser's cancel are entries; the result is the job's "solve".
ONLY_COLUMNS = {"solver_runs": frozenset({"cancel_requested"})}
SECRET = re.compile(r"password|token|secret|hash|api_?key|credential", re.IGNORECASE)
HIDDEN = "(secret: changed, not recorded)"
DETAILED_ROWS = 200  # a unit of work past this many rows is counted, not listed
TEXT_KEPT = 500  # characters of a long text value
PENDING = "partnering.audit"  # in session.info
COMPANY_COLUMNS = ("company_id", "requester_id", "requested_id", "owner_id")
LABEL_COLUMNS = ("name", "email", "external_id", "slug")


def is_secret(column) -> bool:
    return bool(column.info.get("secret")) or bool(SECRET.search(column.key))


@dataclass
class Action:
    """A named operation: one line of its own, its rows counted (not listed)."""

    kind: str
    summary: str
    details: dict[str, Any]
    event_id: int | None


@dataclass
class Pending:
    """What a session changed since its last commit."""

    changes: list[dict[str, Any]] = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)  # (event_id, table, op) -> rows
    more: Counter = field(default_factory=Counter)  # event_id -> rows not listed
    action: Action | None = None

    def events(self) -> set[int | None]:
        return {key[0] for key in self.counts}


def pending(session: Session) -> Pending:
    if PENDING not in session.info:
        session.info[PENDING] = Pending()
    return session.info[PENDING]


@contextmanager
def audit_action(
    session: Session, kind: str, summary: str, event_id: int | None = None, **details
) -> Iterator[Action]:
    """Within the block, the session's changes are one entry `kind` saying `summary`, with
    the rows counted per table (an import, a solve): readable, and small at any size."""
    state = pending(session)
    before, state.action = state.action, Action(kind, summary, details, event_id)
    try:
        yield state.action
    finally:
        if before is not None:
            state.action = before


# --- the row events -------------------------------------------------------------------------


def _value(value: Any) -> Any:
    """A column value as JSON: instants and dates in ISO form, long texts cut."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"({len(value)} bytes)"
    if isinstance(value, str) and len(value) > TEXT_KEPT:
        return value[:TEXT_KEPT] + "…"
    return value


def _columns(mapper: Mapper) -> list:
    table = mapper.local_table.name
    only = ONLY_COLUMNS.get(table)
    return [
        prop
        for prop in mapper.column_attrs
        if prop.key not in IGNORED_COLUMNS and (only is None or prop.key in only)
    ]


def _values(mapper: Mapper, target) -> dict[str, Any]:
    loaded = inspect(target).dict
    return {
        prop.key: HIDDEN if is_secret(prop.columns[0]) else _value(loaded.get(prop.key))
        for prop in mapper.column_attrs
        if prop.key not in IGNORED_COLUMNS and prop.key in loaded
    }


def _event_of(mapper: Mapper, target) -> int | None:
    """The row's event: its own column, else a loaded parent's (a session's day, an
    attendee of a request), else the event itself."""
    loaded = inspect(target).dict
    if mapper.local_table.name == "events":
        return loaded.get("id")
    if loaded.get("event_id") is not None:
        return loaded["event_id"]
    for relationship in mapper.relationships:
        parent = loaded.get(relationship.key)
        if parent is not None and not isinstance(parent, list):
            event_id = inspect(parent).dict.get("event_id")
            if event_id is not None:
                return event_id
    return None


def _companies_of(mapper: Mapper, values: dict[str, Any]) -> list[int]:
    ids = [values.get(name) for name in COMPANY_COLUMNS]
    if mapper.local_table.name == "companies":
        ids.append(values.get("id"))
    return sorted({i for i in ids if isinstance(i, int)})


def _label(values: dict[str, Any]) -> str:
    for name in LABEL_COLUMNS:
        if values.get(name) not in (None, "", HIDDEN):
            return str(values[name])
    return f"#{values.get('id', '?')}"


def _record(op: str, mapper: Mapper, target, before, after, keys=None) -> None:
    """One row's change into the session's pending trail; `keys`: the row's id, name and
    companies where `before` and `after` hold only what changed."""
    table = mapper.local_table.name
    if table in SKIPPED_TABLES:
        return
    session = object_session(target)
    if session is None:
        return
    state = pending(session)
    event_id = _event_of(mapper, target)
    state.counts[(event_id, table, op)] += 1
    if state.action is not None or len(state.changes) >= DETAILED_ROWS:
        state.more[event_id] += 1
        return
    if callable(after):  # an insert's values, read only when they are listed
        after = after()
    known = {**(before or {}), **(after or {}), **(keys or {})}
    state.changes.append(
        {
            "table": table,
            "op": op,
            "id": known.get("id"),
            "label": _label(known),
            "event_id": event_id,
            "companies": _companies_of(mapper, known),
            "before": before,
            "after": after,
        }
    )


def _after_insert(mapper: Mapper, _connection, target) -> None:
    _record("insert", mapper, target, None, lambda: _values(mapper, target))


def _before_update(mapper: Mapper, _connection, target) -> None:
    """Only the columns that changed, each before and after; nothing if only bookkeeping."""
    if mapper.local_table.name in SKIPPED_TABLES:
        return
    attributes = inspect(target).attrs
    before, after = {}, {}
    for prop in _columns(mapper):
        history = attributes[prop.key].history
        if not history.added and not history.deleted:
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        if old == new:
            continue
        secret = is_secret(prop.columns[0])
        before[prop.key] = HIDDEN if secret else _value(old)
        after[prop.key] = HIDDEN if secret else _value(new)
    if not after:
        return
    loaded = inspect(target).dict
    keys = {name: loaded.get(name) for name in ("id", *LABEL_COLUMNS, *COMPANY_COLUMNS)}
    keys = {name: _value(v) for name, v in keys.items() if v is not None}
    _record("update", mapper, target, before, after, keys)


def _after_delete(mapper: Mapper, _connection, target) -> None:
    _record("delete", mapper, target, _values(mapper, target), None)


def _bulk_statement(state) -> Any:
    """`session.execute(insert(table), rows)` and the like: counted as they run (the rows
    themselves are not listed: these are the imports' thousands)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return None
    table = getattr(getattr(state.statement, "table", None), "name", None)
    if table is None or table in SKIPPED_TABLES:
        return None
    if state.is_update and _bookkeeping_only(state):
        return None
    result = state.invoke_statement()
    rows = len(state.parameters) if isinstance(state.parameters, list) else result.rowcount
    op = "insert" if state.is_insert else "update" if state.is_update else "delete"
    record = pending(state.session)
    event_id = record.action.event_id if record.action else None
    event_id = event_id or EVENT_IN_VIEW.get()
    if rows and rows > 0:
        record.counts[(event_id, table, op)] += rows
        record.more[event_id] += rows
    return result


def _bookkeeping_only(state) -> bool:
    """An UPDATE that sets only `IGNORED_COLUMNS` (a company's link first opened)."""
    values = getattr(state.statement, "_values", None) or {}
    names = {getattr(key, "key", str(key)) for key in values}
    if not names and isinstance(state.parameters, list) and state.parameters:
        names = set(state.parameters[0])
    return bool(names) and names <= IGNORED_COLUMNS


# --- at commit: the entries -----------------------------------------------------------------


ERASED_VALUE = "(erased)"


def erase_row(session: Session, event_id: int, table: str, row_id: int) -> None:
    """A person's erasure (web.companies.personal_data): the values and label the trail keeps
    of their row, in the event's stored entries and in this session's pending ones (the
    erasure's own change included: call after its flush), become ERASED_VALUE."""

    def scrub(changes: list[dict[str, Any]]) -> bool:
        touched = False
        for change in changes:
            if change.get("table") != table or change.get("id") != row_id:
                continue
            for side in ("before", "after"):
                values = change.get(side)
                if isinstance(values, dict):
                    for column in values:
                        if column != "id" and values[column] is not None:
                            values[column] = ERASED_VALUE
            change["label"] = ERASED_VALUE
            touched = True
        return touched

    scrub(pending(session).changes)
    stored = select(AuditEntry).where(AuditEntry.event_id == event_id)
    for entry in session.scalars(stored):
        if scrub(entry.changes):
            flag_modified(entry, "changes")


def _write_entries(session: Session) -> None:
    state: Pending | None = session.info.pop(PENDING, None)
    if state is None or not state.counts:
        return
    actor = ACTOR.get() or UNKNOWN
    known = _events_still_there(session, state)
    default = _main_event(state, known)
    entries: dict[int | None, AuditEntry] = {}

    def entry_for(event_id: int | None) -> AuditEntry:
        event_id = event_id if event_id in known else (default if event_id is None else None)
        if event_id not in entries:
            action = state.action
            entries[event_id] = AuditEntry(
                event_id=event_id,
                actor=actor.label,
                actor_kind=actor.kind,
                actor_id=actor.organiser_id,
                kind=action.kind if action else "",
                summary=action.summary if action else None,
                details=action.details if action else {},
                changes=[],
                counts={},
                more=0,
            )
        return entries[event_id]

    for change in state.changes:
        entry_for(change["event_id"]).changes.append(change)
    for (event_id, table, op), rows in state.counts.items():
        counts = entry_for(event_id).counts
        counts.setdefault(table, {})[op] = counts.get(table, {}).get(op, 0) + rows
    for event_id, rows in state.more.items():
        entry_for(event_id).more += rows
    for entry in entries.values():
        entry.kind = entry.kind or _kind(entry)
        companies = {c for change in entry.changes for c in change["companies"]}
        entry.companies = [AuditCompany(company_id=c) for c in sorted(companies)]
        session.add(entry)


def _events_still_there(session: Session, state: Pending) -> set[int]:
    """The events the changes are in that still exist (an entry for an event deleted in the
    same unit of work is kept without its event)."""
    from web.events.models import Event

    ids = {event_id for event_id in state.events() if event_id is not None}
    if state.action and state.action.event_id:
        ids.add(state.action.event_id)
    if EVENT_IN_VIEW.get():
        ids.add(EVENT_IN_VIEW.get())
    if not ids:
        return set()
    with session.no_autoflush:
        return set(session.scalars(select(Event.id).where(Event.id.in_(ids))))


def _main_event(state: Pending, known: set[int]) -> int | None:
    """Where rows that name no event belong: the action's, the request's, else the one
    event the other rows are in."""
    for event_id in (state.action.event_id if state.action else None, EVENT_IN_VIEW.get()):
        if event_id in known:
            return event_id
    return next(iter(known)) if len(known) == 1 else None


def _kind(entry: AuditEntry) -> str:
    """An unnamed entry's kind: the table of its first row (`web.audit.views` names it)."""
    if entry.changes:
        return entry.changes[0]["table"]
    return next(iter(entry.counts), "")


def _forget(session: Session, *_args) -> None:
    session.info.pop(PENDING, None)


INSTALLED: list[bool] = []


def install() -> None:
    """Listen to every session and every mapped class (once; `web.db` calls this)."""
    if INSTALLED:
        return
    from web.db import Base

    orm_events.listen(Base, "after_insert", _after_insert, propagate=True)
    orm_events.listen(Base, "before_update", _before_update, propagate=True)
    orm_events.listen(Base, "after_delete", _after_delete, propagate=True)
    orm_events.listen(Session, "do_orm_execute", _bulk_statement)
    orm_events.listen(Session, "before_commit", _write_entries)
    orm_events.listen(Session, "after_rollback", _forget)
    INSTALLED.append(True)


SESSION_SETUP.append(install)  # run by web.db.make_session_factory
