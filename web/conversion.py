"""Rows <-> the solver's plain objects and the exchange documents of FORMAT.md.

The one place that knows both sides: the solver stays free of the database, and the
database free of the solver's internals. Reading an event back goes through
`instance_from_document`, so an event is held to exactly the rules a file is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.orm import Session

from scheduler.domain import Instance, Meeting, Schedule, Unscheduled
from scheduler.formats.instance_reader import INSTANCE_FORMAT, instance_from_document
from scheduler.formats.problems import InvalidInput, Problem
from scheduler.times import format_local_time
from scheduler.words import N_
from web.companies.models import Attendee, Company, UnavailableBlock
from web.db import grouped
from web.events.models import Event, Location
from web.events.operations import create_event
from web.importing.records import (
    LIMIT_FIELDS,
    AttendeeRecord,
    CompanyRecord,
    EventSetup,
    FixedRecord,
    ImportData,
    RequestRecord,
)
from web.importing.writer import ImportReport, write_import
from web.meeting_requests.models import (
    FixedMeeting,
    MeetingRequest,
)
from web.meeting_requests.operations import named_attendees, request_windows
from web.schedules.models import (
    ScheduledMeeting,
    ScheduledMeetingAttendee,
    ScheduleVersion,
    UnscheduledRequest,
)
from web.solving.models import SolverRun

# An exchange file carries neither attendees' titles and bios nor who asked, nor the message a
# request was asked with: keep what is stored.
NOT_IN_EXCHANGE_FORMAT = frozenset(
    {"attendee.title", "attendee.bio", "request.asked_by_id", "request.message"}
)


# --- exchange document / Instance -> rows ------------------------------------------------------


def save_instance(
    session: Session, document_or_instance: dict | Instance, slug: str, source: str = ""
) -> tuple[Event, ImportReport]:
    """Create or update event `slug` from an instance; raise InvalidInput, writing nothing,
    if the document breaks a rule of the format or conflicts with what is stored."""
    if isinstance(document_or_instance, Instance):
        instance, venue = document_or_instance, None
    else:
        instance, _warnings = instance_from_document(document_or_instance)
        venue = (document_or_instance.get("event") or {}).get("venue")
    data = import_data_from_instance(instance, source or slug, venue)
    event = session.scalar(select(Event).where(Event.slug == slug))
    created = event is None
    if event is None:
        setup = data.setup
        event = create_event(session, slug, setup.name, setup.timezone, setup.slot_minutes)
    report = write_import(session, event, data)
    if created:
        report.counts["event"] = Counter(created=1)
    return event, report


def import_data_from_instance(instance: Instance, source: str, venue: str | None) -> ImportData:
    ev = instance.event
    setup = EventSetup(
        ev.name,
        ev.timezone,
        ev.slot_minutes,
        tuple((d.date, tuple((s.start, s.end) for s in d.sessions)) for d in ev.days),
        venue,
    )
    people = [a for c in instance.companies for a in c.attendees]
    unavailable = {("company", c.id): _windows(c.unavailable) for c in instance.companies} | {
        ("attendee", a.id): _windows(a.unavailable) for a in people
    }
    return ImportData(
        source=source,
        setup=setup,
        locations=list(instance.locations),
        companies=[
            CompanyRecord(
                c.id, c.name, c.role, c.delegation, *(getattr(c, f) for f in LIMIT_FIELDS)
            )
            for c in instance.companies
        ],
        attendees=[
            AttendeeRecord(a.id, a.company, a.name, email=a.email, place=f"{place}.company")
            for place, a in _people_with_places(instance)
        ],
        requests=[
            RequestRecord(
                r.id,
                r.requester,
                r.requested,
                "accepted",  # the format's requests are accepted ones
                r.priority,
                r.slots,
                r.attendees,
                _windows(r.within),
                r.notes,
                place=f"requests[{i}]",
            )
            for i, r in enumerate(instance.requests)
        ],
        fixed=[FixedRecord(f.request, f.start, f.location, f.attendees) for f in instance.fixed],
        unavailable=unavailable,
        keep=NOT_IN_EXCHANGE_FORMAT,
    )


def _people_with_places(instance: Instance):
    for i, company in enumerate(instance.companies):
        for j, person in enumerate(company.attendees):
            yield f"companies[{i}].attendees[{j}]", person


def _windows(intervals) -> tuple[tuple[datetime, datetime], ...]:
    return tuple((i.start, i.end) for i in intervals)


# --- rows -> exchange document / Instance ------------------------------------------------------


def instance_from_event(session: Session, event: Event) -> Instance:
    """The solver's view of the event: accepted requests (and fixed ones) only.

    Raises InvalidInput if the event is not ready to solve (say, a company without attendees).
    """
    instance, _warnings = instance_from_document(document_from_event(session, event))
    return instance


def document_from_event(session: Session, event: Event) -> dict:
    """The event as a `partnering-instance/1` document (accepted requests only)."""
    zone = ZoneInfo(event.timezone)
    companies = _company_documents(session, event, zone)
    company_ext = {row: doc["id"] for row, doc in companies.items()}
    document: dict = {"format": INSTANCE_FORMAT, "event": _event_document(event, zone)}
    document["locations"] = [
        _location_document(loc, company_ext)
        for loc in session.scalars(
            select(Location).where(Location.event_id == event.id).order_by(Location.id)
        )
    ]
    document["companies"] = list(companies.values())
    requests = _request_documents(session, event, zone, company_ext)
    document["requests"] = list(requests.values())
    document["fixed"] = _fixed_documents(session, event, zone, requests)
    return document


def _event_document(event: Event, zone: ZoneInfo) -> dict:
    document: dict = {"name": event.name}
    if event.venue:
        document["venue"] = event.venue
    document |= {
        "timezone": event.timezone,
        "slot_minutes": event.slot_minutes,
        "days": [
            {
                "date": day.date.isoformat(),
                "sessions": [
                    {"start": _clock(s.start, zone), "end": _clock(s.end, zone)}
                    for s in day.sessions
                ],
            }
            for day in event.days
        ],
    }
    return document


def _clock(value: datetime, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%H:%M")


def _span(start: datetime, end: datetime, zone: ZoneInfo) -> dict:
    return {"start": format_local_time(start, zone), "end": format_local_time(end, zone)}


def _location_document(location: Location, company_ext: dict[int, str]) -> dict:
    document = {"id": location.external_id, "name": location.name, "kind": location.kind}
    if location.owner_id is not None:
        document["owner"] = company_ext[location.owner_id]
    return document


def _company_documents(session: Session, event: Event, zone: ZoneInfo) -> dict[int, dict]:
    blocks = _blocks(session, event, zone)
    companies: dict[int, dict] = {}
    for c in session.execute(
        select(Company).where(Company.event_id == event.id).order_by(Company.id)
    ).scalars():
        document: dict = {"id": c.external_id, "name": c.name, "role": c.role}
        if c.delegation is not None:
            document["delegation"] = c.delegation
        document["attendees"] = []
        if ("company", c.id) in blocks:
            document["unavailable"] = blocks["company", c.id]
        for field in LIMIT_FIELDS:
            if getattr(c, field) is not None:
                document[field] = getattr(c, field)
        companies[c.id] = document
    for a in session.execute(
        select(Attendee)
        .where(Attendee.event_id == event.id, Attendee.removed_at.is_(None))
        .order_by(Attendee.id)
    ).scalars():
        person: dict = {"id": a.external_id, "name": a.name}
        if a.email is not None:
            person["email"] = a.email
        if ("attendee", a.id) in blocks:
            person["unavailable"] = blocks["attendee", a.id]
        companies[a.company_id]["attendees"].append(person)
    return companies


def _blocks(session: Session, event: Event, zone: ZoneInfo) -> dict[tuple[str, int], list]:
    blocks: dict[tuple[str, int], list] = defaultdict(list)
    rows = session.execute(
        select(
            UnavailableBlock.company_id,
            UnavailableBlock.attendee_id,
            UnavailableBlock.start,
            UnavailableBlock.end,
        )
        .where(UnavailableBlock.event_id == event.id)
        .order_by(UnavailableBlock.start, UnavailableBlock.end)
    )
    for company_id, attendee_id, start, end in rows:
        key = ("company", company_id) if company_id is not None else ("attendee", attendee_id)
        blocks[key].append(_span(start, end, zone))
    return blocks


def _request_documents(
    session: Session, event: Event, zone: ZoneInfo, company_ext: dict[int, str]
) -> dict[int, dict]:
    """Accepted requests, and requests with a fixed meeting unless declined or cancelled."""
    fixed = select(FixedMeeting.request_id)
    # Columns, not ORM rows: a BioJapan-size fair has 35,000 requests, and making an object
    # of each took most of this function's time (1.6 s of 1.9).
    chosen = select(
        MeetingRequest.id,
        MeetingRequest.external_id,
        MeetingRequest.requester_id,
        MeetingRequest.requested_id,
        MeetingRequest.priority,
        MeetingRequest.slots,
        MeetingRequest.notes,
    ).where(
        MeetingRequest.event_id == event.id,
        (MeetingRequest.status == "accepted")
        | ((MeetingRequest.status == "requested") & MeetingRequest.id.in_(fixed)),
    )
    named = named_attendees(session, event)
    within = request_windows(session, event)
    documents = {}
    for r in session.execute(chosen.order_by(MeetingRequest.id)):
        document: dict = {
            "id": r.external_id,
            "from": company_ext[r.requester_id],
            "to": company_ext[r.requested_id],
            "priority": r.priority,
        }
        if r.id in named:
            document["attendees"] = list(named[r.id])
        if r.slots != 1:
            document["slots"] = r.slots
        if r.id in within:
            document["within"] = [_span(s, e, zone) for s, e in within[r.id]]
        if r.notes is not None:
            document["notes"] = r.notes
        documents[r.id] = document
    return documents


def _fixed_documents(
    session: Session, event: Event, zone: ZoneInfo, requests: dict[int, dict]
) -> list[dict]:
    rows = session.scalars(
        select(FixedMeeting)
        .join(MeetingRequest, MeetingRequest.id == FixedMeeting.request_id)
        .where(MeetingRequest.event_id == event.id)
        .order_by(FixedMeeting.id)
    )
    documents = []
    for f in rows:
        if f.request_id not in requests:
            continue  # its request was declined or cancelled: nothing to keep
        document: dict = {
            "request": requests[f.request_id]["id"],
            "start": format_local_time(f.start, zone),
        }
        if f.location is not None:
            document["location"] = f.location.external_id
        if f.attendees:
            document["attendees"] = [a.attendee.external_id for a in f.attendees]
        documents.append(document)
    return documents


# --- schedules ---------------------------------------------------------------------------------


def add_schedule_version(
    session: Session,
    event: Event,
    schedule: Schedule,
    run: SolverRun | None = None,
    note: str | None = None,
) -> ScheduleVersion:
    """Keep `schedule` as the event's next version (1, 2, ...); versions are never changed."""
    requests = _ids(session, MeetingRequest, event)
    locations = _ids(session, Location, event)
    attendees = _ids(session, Attendee, event)
    unknown = [m.request for m in schedule.meetings if m.request not in requests]
    if unknown:
        raise InvalidInput(
            [
                Problem.of("meetings", N_('unknown request "{id}" in this event'), id=r)
                for r in unknown
            ]
        )
    last = session.scalar(
        select(func.max(ScheduleVersion.number)).where(ScheduleVersion.event_id == event.id)
    )
    version = ScheduleVersion(
        event_id=event.id,
        number=(last or 0) + 1,
        solver_run_id=run.id if run else None,
        summary=dict(schedule.summary),
        note=note,
    )
    session.add(version)
    session.flush()
    _insert_rows(session, version.id, schedule, requests, locations, attendees)
    return version


def add_booked_version(
    session: Session, base: ScheduleVersion, schedule: Schedule, booked: Meeting, note: str
) -> ScheduleVersion:
    """The next version: `base`'s rows copied inside the database, and the one `booked`
    meeting added (its request no longer unscheduled). `schedule` is what it then holds
    (`base`'s schedule with `booked` last): its summary is the version's. A booking's version
    without sending a fair's 36,000 meetings back to the database."""
    event = base.event
    last = session.scalar(
        select(func.max(ScheduleVersion.number)).where(ScheduleVersion.event_id == event.id)
    )
    version = ScheduleVersion(
        event_id=event.id, number=(last or 0) + 1, summary=dict(schedule.summary), note=note
    )
    session.add(version)
    session.flush()
    _copy_rows(session, base.id, version.id)
    request_id = _ids(session, MeetingRequest, event)[booked.request]
    session.execute(
        delete(UnscheduledRequest).where(
            UnscheduledRequest.schedule_version_id == version.id,
            UnscheduledRequest.request_id == request_id,
        )
    )
    one = Schedule([booked], [], {})
    _insert_rows(
        session,
        version.id,
        one,
        {booked.request: request_id},
        _ids(session, Location, event),
        _ids(session, Attendee, event),
    )
    return version


def _copy_rows(session: Session, source: int, target: int) -> None:
    """Every meeting (in id order, so the copy reads back in the same order), its people and
    every unscheduled request of version `source` into version `target`."""
    meetings = ScheduledMeeting.__table__
    session.execute(
        insert(meetings).from_select(
            ["schedule_version_id", "request_id", "start", "end", "location_id"],
            select(
                literal(target),
                meetings.c.request_id,
                meetings.c.start,
                meetings.c.end,
                meetings.c.location_id,
            )
            .where(meetings.c.schedule_version_id == source)
            .order_by(meetings.c.id),
        )
    )
    old, new = meetings.alias("old"), meetings.alias("new")
    people = ScheduledMeetingAttendee.__table__
    session.execute(
        insert(people).from_select(
            ["meeting_id", "attendee_id", "position"],
            select(new.c.id, people.c.attendee_id, people.c.position)
            .join(old, old.c.id == people.c.meeting_id)
            .join(
                new, (new.c.request_id == old.c.request_id) & (new.c.schedule_version_id == target)
            )
            .where(old.c.schedule_version_id == source),
        )
    )
    waiting = UnscheduledRequest.__table__
    session.execute(
        insert(waiting).from_select(
            ["schedule_version_id", "request_id", "position", "reason"],
            select(
                literal(target), waiting.c.request_id, waiting.c.position, waiting.c.reason
            ).where(waiting.c.schedule_version_id == source),
        )
    )


def _insert_rows(
    session: Session, version_id: int, schedule: Schedule, requests, locations, people
):
    """The version's meetings, their people and its unscheduled requests as bulk INSERTs: a
    fair's 17,000 meetings and 34,000 attendances in a second, where the unit of work took
    ten (a self-booking writes a whole version, while the companies wait)."""
    if schedule.meetings:
        rows = [
            {
                "schedule_version_id": version_id,
                "request_id": requests[m.request],
                "start": m.start,
                "end": m.end,
                "location_id": locations[m.location],
            }
            for m in schedule.meetings
        ]
        returning = insert(ScheduledMeeting).returning(
            ScheduledMeeting.id, sort_by_parameter_order=True
        )
        ids = session.scalars(returning, rows).all()
        attending = [
            {"meeting_id": meeting_id, "attendee_id": people[a], "position": i}
            for meeting_id, m in zip(ids, schedule.meetings, strict=True)
            for i, a in enumerate(m.attendees)
        ]
        if attending:
            session.execute(insert(ScheduledMeetingAttendee), attending)
    if schedule.unscheduled:
        session.execute(
            insert(UnscheduledRequest),
            [
                {
                    "schedule_version_id": version_id,
                    "request_id": requests[u.request],
                    "position": i,
                    "reason": u.reason,
                }
                for i, u in enumerate(schedule.unscheduled)
            ],
        )


def _ids(session: Session, model, event: Event) -> dict[str, int]:
    return dict(
        session.execute(select(model.external_id, model.id).where(model.event_id == event.id)).all()
    )


def schedule_from_version(session: Session, version: ScheduleVersion) -> Schedule:
    """The domain Schedule a version holds (for writing, checking or re-solving from it)."""
    request_ext = _external(session, MeetingRequest, version.event_id)
    location_ext = _external(session, Location, version.event_id)
    attendee_ext = _external(session, Attendee, version.event_id)
    who = grouped(
        session,
        select(ScheduledMeetingAttendee.meeting_id, ScheduledMeetingAttendee.attendee_id)
        .join(ScheduledMeeting)
        .where(ScheduledMeeting.schedule_version_id == version.id)
        .order_by(ScheduledMeetingAttendee.position),
    )
    meetings = [
        Meeting(
            request_ext[m.request_id],
            m.start,
            m.end,
            location_ext[m.location_id],
            tuple(attendee_ext[a] for a in who.get(m.id, ())),
        )
        for m in session.scalars(
            select(ScheduledMeeting)
            .where(ScheduledMeeting.schedule_version_id == version.id)
            .order_by(ScheduledMeeting.id)
        )
    ]
    unscheduled = [
        Unscheduled(request_ext[u.request_id], u.reason)
        for u in session.scalars(
            select(UnscheduledRequest)
            .where(UnscheduledRequest.schedule_version_id == version.id)
            .order_by(UnscheduledRequest.position)
        )
    ]
    return Schedule(meetings, unscheduled, dict(version.summary))


def _external(session: Session, model, event_id: int) -> dict[int, str]:
    return dict(
        session.execute(select(model.id, model.external_id).where(model.event_id == event_id)).all()
    )
