"""Storing an import: add and update rows by their ids, in bulk, in the caller's transaction.

Rows are compared with what is stored and only those that differ are written (and get a new
version number), which is what makes a second import of the same file change nothing.
Nothing is deleted: a company missing from the file stays, as do its requests.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from scheduler.formats.problems import InvalidInput, Problem
from scheduler.words import N_, Words
from web.companies.models import Attendee, Company, UnavailableBlock
from web.events.models import Event, EventDay, EventSession, Location
from web.importing.records import (
    LIMIT_FIELDS,
    EventSetup,
    ImportData,
    Owner,
    RequestRecord,
    Window,
)
from web.meeting_requests.models import (
    FixedMeeting,
    FixedMeetingAttendee,
    MeetingRequest,
    RequestAttendee,
    RequestWindow,
)
from web.meeting_requests.operations import named_attendees, request_windows
from web.profiles.writing import write_profiles

CHUNK = 900  # ids per IN (...) list, below every database's parameter limit


@dataclass
class ImportReport:
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, kind: str, what: str, n: int = 1) -> None:
        if n:
            self.counts[kind][what] += n

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts.values())

    def lines(self) -> list[str]:
        return [
            f"{kind}: {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
            for kind, c in self.counts.items()
        ]


@dataclass(frozen=True)
class StoredRequest:
    """A stored request's companies and the people it names, by external id."""

    requester: str
    requested: str
    attendees: tuple[str, ...] = ()
    asked_by: str | None = None
    fixed_attendees: tuple[str, ...] = ()  # of its fixed meeting, if it has one


@dataclass
class Known:
    """What the event already holds, by external id: for checking references in a file."""

    companies: dict[str, int]
    attendees: dict[str, tuple[int, str]]  # id -> (row id, company external id)
    locations: dict[str, int]
    pairs: dict[frozenset[str], str]  # unordered company pair -> request external id
    requests: dict[str, StoredRequest] = field(default_factory=dict)


def load_known(session: Session, event: Event) -> Known:
    companies = dict(
        session.execute(
            select(Company.external_id, Company.id).where(Company.event_id == event.id)
        ).all()
    )
    by_row = {row_id: ext for ext, row_id in companies.items()}
    attendees = {
        ext: (row_id, by_row[company_id])
        for ext, row_id, company_id in session.execute(
            select(Attendee.external_id, Attendee.id, Attendee.company_id).where(
                Attendee.event_id == event.id
            )
        )
    }
    locations = dict(
        session.execute(
            select(Location.external_id, Location.id).where(Location.event_id == event.id)
        ).all()
    )
    pairs = {
        frozenset((by_row[a], by_row[b])): ext
        for ext, a, b in session.execute(
            select(
                MeetingRequest.external_id, MeetingRequest.requester_id, MeetingRequest.requested_id
            ).where(MeetingRequest.event_id == event.id)
        )
    }
    return Known(companies, attendees, locations, pairs, _stored_requests(session, event))


def _stored_requests(session: Session, event: Event) -> dict[str, StoredRequest]:
    company = dict(
        session.execute(
            select(Company.id, Company.external_id).where(Company.event_id == event.id)
        ).all()
    )
    person = dict(
        session.execute(
            select(Attendee.id, Attendee.external_id).where(Attendee.event_id == event.id)
        ).all()
    )
    named: dict[int, list[str]] = defaultdict(list)
    for request_id, attendee_id in session.execute(
        select(RequestAttendee.request_id, RequestAttendee.attendee_id)
        .join(MeetingRequest, MeetingRequest.id == RequestAttendee.request_id)
        .where(MeetingRequest.event_id == event.id)
        .order_by(RequestAttendee.position)
    ):
        named[request_id].append(person[attendee_id])
    fixed: dict[int, list[str]] = defaultdict(list)
    for request_id, attendee_id in session.execute(
        select(FixedMeeting.request_id, FixedMeetingAttendee.attendee_id)
        .join(FixedMeetingAttendee, FixedMeetingAttendee.fixed_meeting_id == FixedMeeting.id)
        .join(MeetingRequest, MeetingRequest.id == FixedMeeting.request_id)
        .where(MeetingRequest.event_id == event.id)
        .order_by(FixedMeetingAttendee.position)
    ):
        fixed[request_id].append(person[attendee_id])
    return {
        ext: StoredRequest(
            company[a],
            company[b],
            tuple(named[row]),
            person.get(asked_by) if asked_by is not None else None,
            tuple(fixed[row]),
        )
        for row, ext, a, b, asked_by in session.execute(
            select(
                MeetingRequest.id,
                MeetingRequest.external_id,
                MeetingRequest.requester_id,
                MeetingRequest.requested_id,
                MeetingRequest.asked_by_id,
            ).where(MeetingRequest.event_id == event.id)
        )
    }


def check_pairs(data: ImportData, known: Known) -> list[Problem]:
    """A pair of companies can be asked to meet once per event (either way round)."""
    problems = []
    for request in data.requests:
        other = known.pairs.get(frozenset((request.requester, request.requested)))
        if other is not None and other != request.id:
            problems.append(
                Problem.of(
                    request.place or request.id,
                    N_(
                        '"{one}" and "{other}" already have request "{request}"; a pair of '
                        "companies meets once, so change that request instead"
                    ),
                    one=request.requester,
                    other=request.requested,
                    request=other,
                )
            )
    return problems


def check_people(data: ImportData, known: Known) -> list[Problem]:
    """Every person a request (or its fixed meeting) names works for one of its two companies,
    after the import too: a file that moves an attendee to another company, or changes a
    request's companies but not the people it names, is refused rather than stored broken."""
    company_of = {a: c for a, (_row, c) in known.attendees.items()}
    moved = {a.id: a for a in data.attendees if company_of.get(a.id, a.company) != a.company}
    company_of |= {a.id: a.company for a in data.attendees}
    incoming = {r.id: r for r in data.requests}
    fixed = {f.request: f.attendees for f in data.fixed}
    problems = []
    for ext in dict.fromkeys([*known.requests, *incoming]):
        stored, record = known.requests.get(ext), incoming.get(ext)
        if record is None and stored is None:
            continue
        if record is not None:
            both = (record.requester, record.requested)
            named = record.attendees
            if stored is not None and "request.attendees" in data.keep:
                named = stored.attendees
            asked_by = record.asked_by
            if stored is not None and "request.asked_by_id" in data.keep:
                asked_by = stored.asked_by
        else:
            both, named = (stored.requester, stored.requested), stored.attendees
            asked_by = stored.asked_by
        people = [*named, asked_by, *fixed.get(ext, stored.fixed_attendees if stored else ())]
        for person in dict.fromkeys(p for p in people if p is not None):
            company = company_of.get(person)
            if company is None or company in both:
                continue
            if person in moved:
                place = moved[person].place or Words.of(N_("attendee {id}"), id=person)
                problems.append(
                    Problem.of(
                        place,
                        N_(
                            'moves "{person}" to "{company}", but request "{request}" between '
                            '"{one}" and "{other}" names them; change that request first, '
                            "or keep their company"
                        ),
                        person=person,
                        company=company,
                        request=ext,
                        one=both[0],
                        other=both[1],
                    )
                )
            elif record is not None:
                problems.append(
                    Problem.of(
                        record.place or Words.of(N_("request {id}"), id=ext),
                        N_(
                            'request "{request}" would be between "{one}" and "{other}" but '
                            'still names "{person}" of "{company}" (as stored); name people of '
                            "those two companies in its attendees and asked_by"
                        ),
                        request=ext,
                        one=both[0],
                        other=both[1],
                        person=person,
                        company=company,
                    )
                )
    return problems


def write_import(session: Session, event: Event, data: ImportData) -> ImportReport:
    """Store `data` in `event`; raise InvalidInput (writing nothing) on a conflict."""
    _lock_rows(session, event)
    known = load_known(session, event)
    problems = check_pairs(data, known) + check_people(data, known)
    if problems:
        raise InvalidInput(problems)
    report = ImportReport()
    if data.setup is not None:
        _write_setup(session, event, data.setup, report)
    companies = _write_companies(session, event, data, report)
    write_profiles(session, event, [(companies[c.id], c.profile) for c in data.companies])
    attendees = _write_attendees(session, event, data, companies, report)
    locations = _write_locations(session, event, data, companies, report)
    if data.unavailable is not None:
        _write_unavailable(session, event, data.unavailable, companies, attendees, report)
    requests = _write_requests(session, event, data, companies, attendees, report)
    _write_fixed(session, data, requests, locations, attendees, report)
    session.flush()
    return report


def _lock_rows(session: Session, event: Event) -> None:
    """Hold the event's edited rows until the import commits, so that everything it reads
    stays as read: a form saved meanwhile waits, then finds a newer version and asks for a
    reload, instead of being overwritten with what the import read before it (PostgreSQL;
    SQLite's writer lock, taken at BEGIN, already keeps everyone else out)."""
    for model in (Event, Company, Attendee, Location, MeetingRequest):
        column = model.id if model is Event else model.event_id
        session.execute(select(model.id).where(column == event.id).with_for_update())


# --- the event's setup ---------------------------------------------------------------------


def _write_setup(session: Session, event: Event, setup: EventSetup, report: ImportReport) -> None:
    stored = EventSetup(
        event.name,
        event.timezone,
        event.slot_minutes,
        tuple((d.date, tuple((s.start, s.end) for s in d.sessions)) for d in event.days),
        event.venue,
    )
    if stored == setup:
        report.add("event", "unchanged")
        return
    event.name, event.timezone, event.slot_minutes = setup.name, setup.timezone, setup.slot_minutes
    event.venue = setup.venue
    if stored.days != setup.days:
        event.days.clear()
        session.flush()  # the old days go before new ones with the same dates come
        event.days.extend(
            EventDay(date=day, sessions=[EventSession(start=s, end=e) for s, e in sessions])
            for day, sessions in setup.days
        )
    report.add("event", "updated")


# --- rows with an external id: the one upsert every kind uses --------------------------------


def _upsert(
    session: Session,
    table: Table,
    event_id: int,
    incoming: dict[str, dict[str, Any]],
    keep: Iterable[str],
    report: ImportReport,
    kind: str,
    touched: set[str] = frozenset(),  # type: ignore[assignment]
) -> tuple[dict[str, int], set[str]]:
    """Insert new rows and update changed ones (or ones in `touched`); return every stored
    id by external id, and the external ids written."""
    keep = set(keep)
    columns = sorted({c for values in incoming.values() for c in values})
    stored = {
        row.external_id: row
        for row in session.execute(
            select(
                table.c.id, table.c.external_id, table.c.version_id, *map(table.c.get, columns)
            ).where(table.c.event_id == event_id)
        )
    }
    inserts, updates = [], []
    for ext, values in incoming.items():
        row = stored.get(ext)
        if row is None:
            inserts.append({**values, "event_id": event_id, "external_id": ext, "version_id": 1})
            continue
        merged = {c: getattr(row, c) if c in keep else values[c] for c in columns}
        if ext in touched or any(getattr(row, c) != merged[c] for c in columns):
            updates.append({f"v_{c}": v for c, v in merged.items()} | _key(row))
    if inserts:
        session.execute(insert(table), inserts)
    if updates:
        values = {c: bindparam(f"v_{c}") for c in columns} | {"version_id": bindparam("v_version")}
        statement = update(table).where(table.c.id == bindparam("k_id")).values(values)
        session.execute(statement, updates)
    report.add(kind, "created", len(inserts))
    report.add(kind, "updated", len(updates))
    report.add(kind, "unchanged", len(incoming) - len(inserts) - len(updates))
    ids = dict(
        session.execute(
            select(table.c.external_id, table.c.id).where(table.c.event_id == event_id)
        ).all()
    )
    written = {r["external_id"] for r in inserts} | {
        ext for ext, row in stored.items() if row.id in {u["k_id"] for u in updates}
    }
    return ids, written


def _key(row) -> dict[str, int]:
    return {"k_id": row.id, "v_version": row.version_id + 1}


def _chunks(items: Iterable[Any]) -> Iterator[list[Any]]:
    items = list(items)
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def _delete_where_in(session: Session, table: Table, column: str, ids: Iterable[int]) -> None:
    for chunk in _chunks(ids):
        session.execute(delete(table).where(table.c[column].in_(chunk)))


# --- companies, attendees, locations, availability ------------------------------------------


def _write_companies(session, event, data: ImportData, report) -> dict[str, int]:
    incoming = {
        c.id: {
            "name": c.name,
            "role": c.role,
            "delegation": c.delegation,
            **{field: getattr(c, field) for field in LIMIT_FIELDS},
        }
        for c in data.companies
    }
    keep = _kept(data, "company")
    ids, _ = _upsert(session, Company.__table__, event.id, incoming, keep, report, "companies")
    return ids


def _write_attendees(session, event, data: ImportData, companies, report) -> dict[str, int]:
    incoming = {
        a.id: {
            "company_id": companies[a.company],
            "name": a.name,
            "title": a.title,
            "bio": a.bio,
            "email": a.email,
            "removed_at": None,  # a file naming a person taken off brings them back
        }
        for a in data.attendees
    }
    keep = _kept(data, "attendee")
    ids, _ = _upsert(session, Attendee.__table__, event.id, incoming, keep, report, "attendees")
    return ids


def _write_locations(session, event, data: ImportData, companies, report) -> dict[str, int]:
    incoming = {
        loc.id: {
            "name": loc.name,
            "kind": loc.kind,
            "owner_id": companies[loc.owner] if loc.owner else None,
        }
        for loc in data.locations
    }
    ids, _ = _upsert(session, Location.__table__, event.id, incoming, (), report, "locations")
    return ids


def _kept(data: ImportData, kind: str) -> set[str]:
    return {name.split(".", 1)[1] for name in data.keep if name.startswith(f"{kind}.")}


def _write_unavailable(
    session, event, wanted: dict[Owner, tuple[Window, ...]], companies, attendees, report
) -> None:
    """Replace the blocks of every owner named whose blocks differ."""
    row_of = {("company", k): v for k, v in companies.items()} | {
        ("attendee", k): v for k, v in attendees.items()
    }
    owner_of = {(kind, row): (kind, ext) for (kind, ext), row in row_of.items()}
    stored: dict[Owner, list[Window]] = defaultdict(list)
    table = UnavailableBlock.__table__
    for company_id, attendee_id, start, end in session.execute(
        select(
            UnavailableBlock.company_id,
            UnavailableBlock.attendee_id,
            UnavailableBlock.start,
            UnavailableBlock.end,
        ).where(UnavailableBlock.event_id == event.id)
    ):
        key = ("company", company_id) if company_id is not None else ("attendee", attendee_id)
        stored[owner_of[key]].append((start, end))
    changed = [o for o, blocks in wanted.items() if sorted(blocks) != sorted(stored.get(o, []))]
    for kind in ("company", "attendee"):
        rows = [row_of[o] for o in changed if o[0] == kind and o in stored]
        _delete_where_in(session, table, f"{kind}_id", rows)
    inserts = [
        {
            "event_id": event.id,
            f"{owner[0]}_id": row_of[owner],
            f"{'attendee' if owner[0] == 'company' else 'company'}_id": None,
            "start": start,
            "end": end,
        }
        for owner in changed
        for start, end in sorted(wanted[owner])
    ]
    if inserts:
        session.execute(insert(table), inserts)
    fresh = sum(1 for o in changed if o not in stored)
    report.add("availability", "created", fresh)
    report.add("availability", "updated", len(changed) - fresh)
    report.add("availability", "unchanged", len(wanted) - len(changed))


# --- requests and fixed meetings -------------------------------------------------------------


def _write_requests(session, event, data: ImportData, companies, attendees, report):
    stored_named = named_attendees(session, event, MeetingRequest.external_id)
    stored_within = request_windows(session, event, MeetingRequest.external_id)
    incoming, touched = {}, set()
    records = [_keep_children(r, data.keep, stored_named, stored_within) for r in data.requests]
    for r in records:
        low, high = sorted((companies[r.requester], companies[r.requested]))
        incoming[r.id] = {
            "requester_id": companies[r.requester],
            "requested_id": companies[r.requested],
            "company_low_id": low,
            "company_high_id": high,
            "status": r.status,
            "priority": r.priority,
            "slots": r.slots,
            "notes": r.notes,
            "message": r.message,
            "asked_by_id": attendees[r.asked_by] if r.asked_by else None,
            "entered_by": data.source,  # new rows only: see keep below
        }
        within = tuple(sorted(r.within))
        if r.attendees != stored_named.get(r.id, ()) or within != stored_within.get(r.id, ()):
            touched.add(r.id)
    keep = _kept(data, "request") | {"entered_by"}
    table = MeetingRequest.__table__
    ids, written = _upsert(session, table, event.id, incoming, keep, report, "requests", touched)
    by_id = {r.id: r for r in records}
    rewrite = [ids[ext] for ext in written]
    _delete_where_in(session, RequestAttendee.__table__, "request_id", rewrite)
    _delete_where_in(session, RequestWindow.__table__, "request_id", rewrite)
    named = [
        {"request_id": ids[ext], "attendee_id": attendees[a], "position": i}
        for ext in written
        for i, a in enumerate(by_id[ext].attendees)
    ]
    windows = [
        {"request_id": ids[ext], "start": s, "end": e}
        for ext in written
        for s, e in sorted(by_id[ext].within)
    ]
    if named:
        session.execute(insert(RequestAttendee.__table__), named)
    if windows:
        session.execute(insert(RequestWindow.__table__), windows)
    return ids


def _keep_children(r: RequestRecord, keep, named, within) -> RequestRecord:
    """A sheet without an attendees or within column leaves those of a stored request alone."""
    if "request.attendees" in keep and r.id in named:
        r = replace(r, attendees=named[r.id])
    if "request.within" in keep and r.id in within:
        r = replace(r, within=within[r.id])
    return r


def _write_fixed(session, data: ImportData, requests, locations, attendees, report) -> None:
    """Fixed meetings are few (placed by hand): plain ORM objects, replaced where changed."""
    if not data.fixed:
        return
    row_ids = [requests[f.request] for f in data.fixed]
    stored = {
        f.request_id: f
        for chunk in _chunks(row_ids)
        for f in session.scalars(select(FixedMeeting).where(FixedMeeting.request_id.in_(chunk)))
    }
    location_ext = {row: ext for ext, row in locations.items()}
    attendee_ext = {row: ext for ext, row in attendees.items()}
    for record in data.fixed:
        old = stored.get(requests[record.request])
        if old is not None and (
            old.start,
            location_ext.get(old.location_id),
            tuple(attendee_ext[a.attendee_id] for a in old.attendees),
        ) == (record.start, record.location, record.attendees):
            report.add("fixed meetings", "unchanged")
            continue
        if old is not None:
            session.delete(old)
            session.flush()
        session.add(
            FixedMeeting(
                request_id=requests[record.request],
                start=record.start,
                location_id=locations[record.location] if record.location else None,
                attendees=[
                    FixedMeetingAttendee(attendee_id=attendees[a], position=i)
                    for i, a in enumerate(record.attendees)
                ],
            )
        )
        report.add("fixed meetings", "created" if old is None else "updated")
