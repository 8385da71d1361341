"""Free slots for self-booking: the times of the published schedule when a company and
another are both free (their people's meetings and bookings, blocked times, the sessions, the
companies' meeting limits) and a table is free, with the table and the people it would take.

Read only; web.fairdays.operations books one under the event's lock and the database's
unique constraints, so that what this reads cannot be taken twice."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from scheduler.calendars.revisions import Placement, companies_of
from scheduler.words import N_, Refusal
from web.companies.models import Attendee, Company, UnavailableBlock
from web.events.models import Event, EventDay, EventSession, Location
from web.fairdays.models import Booking
from web.meeting_requests.models import MeetingRequest, RequestAttendee
from web.meeting_requests.operations import existing_pair, status_words
from web.schedules.operations import Published, published_state

Span = tuple[datetime, datetime]
MOST_SHOWN = 200  # slots listed at once: a fair's days hold more than a phone can show


class NotBookable(Refusal):
    """The two companies cannot book a meeting (declined before, already meeting, ...)."""


@dataclass(frozen=True)
class FreeSlot:
    start: datetime
    end: datetime
    location_id: int
    location_name: str
    people: tuple[int, ...]  # attendees.id: the booking company's people, then the other's


def pair_refusal(
    session: Session, event: Event, company: Company, other: Company, published: Published
) -> NotBookable | None:
    """Why the two cannot book a meeting, or None."""
    request = existing_pair(session, event, company, other)
    if request is not None and request.status in ("declined", "cancelled"):
        return NotBookable(
            N_("{other} and you have a request that was {status}: it cannot be booked"),
            other=other.name,
            status=status_words(request.status),
        )
    if request is not None and request.external_id in published.request_ids:
        return NotBookable(N_("you already meet {other}"), other=other.name)
    waiting = session.scalar(
        select(Booking.id).where(
            Booking.event_id == event.id,
            Booking.status == "pending",
            or_(
                (Booking.requester_id == company.id) & (Booking.requested_id == other.id),
                (Booking.requester_id == other.id) & (Booking.requested_id == company.id),
            ),
        )
    )
    if waiting is not None:
        return NotBookable(N_("a booking with {other} awaits an answer"), other=other.name)
    return None


def partners(session: Session, event: Event, company: Company) -> list[Company]:
    """The companies this one may book a meeting with (of the other role, as requests go)."""
    published = published_state(session, event)
    if published is None:
        return []
    others = session.scalars(
        select(Company)
        .where(Company.event_id == event.id, Company.id != company.id)
        .order_by(Company.name)
    )
    blocked = _closed_pairs(session, event, company, published)
    return [
        o
        for o in others
        if o.id not in blocked and o.external_id in published.instance.company_by_id
    ]


def _closed_pairs(session, event, company, published) -> set[int]:
    """The companies this one has a declined, cancelled or already published request with."""
    rows = session.execute(
        select(
            MeetingRequest.requester_id,
            MeetingRequest.requested_id,
            MeetingRequest.status,
            MeetingRequest.external_id,
        ).where(
            MeetingRequest.event_id == event.id,
            or_(
                MeetingRequest.requester_id == company.id, MeetingRequest.requested_id == company.id
            ),
        )
    )
    closed = set()
    for requester, requested, status, external in rows:
        if status in ("declined", "cancelled") or external in published.request_ids:
            closed.add(requested if requester == company.id else requester)
    return closed


def free_slots(
    session: Session,
    event: Event,
    company: Company,
    other: Company,
    at: datetime,
    ignore: int | None = None,
) -> list[FreeSlot]:
    """The slots after `at` that the two could book, earliest first (at most MOST_SHOWN);
    `ignore`, a pending booking not to count (the one being accepted)."""
    published = published_state(session, event)
    if published is None:
        return []
    busy = _Busy.of(session, event, published, ignore)
    zone = ZoneInfo(event.timezone)
    named = _named(session, event, company, other)
    sides = [_side(session, c, published, named) for c in (company, other)]
    places = _places(session, event, published, {company.id, other.id})
    found: list[FreeSlot] = []
    for start, end in _slots(session, event, at):
        day = start.astimezone(zone).date()
        if any(not side.may_meet(start, end, day, busy) for side in sides):
            continue
        people = [side.free_people(start, end, busy) for side in sides]
        place = next((p for p in places if busy.place_free(p.external_id, start, end)), None)
        if not all(people) or place is None:
            continue
        taken = tuple(person for side in people for person in side)
        found.append(FreeSlot(start, end, place.id, place.name, taken))
        if len(found) >= MOST_SHOWN:
            break
    return found


def _slots(session: Session, event: Event, at: datetime) -> list[Span]:
    """Every slot of the event's sessions that starts after `at`."""
    step = timedelta(minutes=event.slot_minutes)
    sessions = session.execute(
        select(EventSession.start, EventSession.end)
        .join(EventDay, EventDay.id == EventSession.day_id)
        .where(EventDay.event_id == event.id, EventSession.end > at)
        .order_by(EventSession.start)
    )
    out = []
    for start, end in sessions:
        moment = start
        while moment + step <= end:
            if moment > at:
                out.append((moment, moment + step))
            moment += step
    return out


def _places(session, event, published, owners: set[int]) -> list[Location]:
    """Tables a meeting of these companies may take: the ones they own first, then any
    table with no owner (another company's own table holds only its meetings)."""
    rows = session.scalars(
        select(Location).where(Location.event_id == event.id).order_by(Location.id)
    )
    known = published.instance.location_by_id
    usable = [
        r for r in rows if r.external_id in known and (r.owner_id is None or r.owner_id in owners)
    ]
    return sorted(usable, key=lambda r: r.owner_id is None)


def _overlaps(spans, start: datetime, end: datetime) -> bool:
    return any(s < end and start < e for s, e in spans)


@dataclass
class _Busy:
    """What is taken: by person (external id), by table (external id), and how many meetings
    each company (external id) has per local day and in all."""

    people: dict[str, list[Span]]
    places: dict[str, list[Span]]
    per_day: Counter
    in_all: Counter

    @classmethod
    def of(cls, session, event, published: Published, ignore: int | None) -> _Busy:
        zone = ZoneInfo(event.timezone)
        busy = cls(defaultdict(list), defaultdict(list), Counter(), Counter())
        for m in published.schedule.meetings:
            busy._take(
                m.start,
                m.end,
                m.location,
                m.attendees,
                companies_of(published.instance, Placement.of(m)),
                zone,
            )
        attendee_ext = dict(
            session.execute(
                select(Attendee.id, Attendee.external_id).where(Attendee.event_id == event.id)
            ).all()
        )
        company_ext = dict(
            session.execute(
                select(Company.id, Company.external_id).where(Company.event_id == event.id)
            ).all()
        )
        location_ext = dict(
            session.execute(
                select(Location.id, Location.external_id).where(Location.event_id == event.id)
            ).all()
        )
        pending = session.scalars(
            select(Booking).where(Booking.event_id == event.id, Booking.status == "pending")
        )
        for b in pending:
            if b.id == ignore:
                continue
            people = tuple(attendee_ext[a.attendee_id] for a in b.attendees)
            sides = (company_ext[b.requester_id], company_ext[b.requested_id])
            busy._take(b.start, b.end, location_ext[b.location_id], people, sides, zone)
        return busy

    def _take(self, start, end, location, people, companies, zone) -> None:
        self.places[location].append((start, end))
        for person in people:
            self.people[person].append((start, end))
        day = start.astimezone(zone).date()
        for company in companies:
            self.per_day[(company, day)] += 1
            self.in_all[company] += 1

    def place_free(self, location: str, start: datetime, end: datetime) -> bool:
        return not _overlaps(self.places.get(location, ()), start, end)


@dataclass
class _Side:
    company: Company
    blocked: list[Span]
    people: list[tuple[int, str, list[Span]]]  # (row id, external id, blocked)
    named: list[int]  # the people the pair's request names, who must go

    def may_meet(self, start, end, day, busy: _Busy) -> bool:
        c = self.company
        if _overlaps(self.blocked, start, end):
            return False
        if c.max_meetings_per_day and busy.per_day[(c.external_id, day)] >= c.max_meetings_per_day:
            return False
        return not (c.max_meetings and busy.in_all[c.external_id] >= c.max_meetings)

    def free_people(self, start, end, busy: _Busy) -> tuple[int, ...]:
        """The people it sends: every one the pair's request names (all must be free), else
        the first one free; () if none can go."""
        free = [
            row_id
            for row_id, external, blocked in self.people
            if not _overlaps(blocked, start, end)
            and not _overlaps(busy.people.get(external, ()), start, end)
        ]
        if self.named:
            return tuple(self.named) if set(self.named) <= set(free) else ()
        return tuple(free[:1])


def _named(session: Session, event: Event, company: Company, other: Company) -> list[int]:
    """The attendees the two companies' request names, where they have one."""
    request = existing_pair(session, event, company, other)
    if request is None:
        return []
    return list(
        session.scalars(
            select(RequestAttendee.attendee_id)
            .where(RequestAttendee.request_id == request.id)
            .order_by(RequestAttendee.position)
        )
    )


def _side(session: Session, company: Company, published: Published, named: list[int]) -> _Side:
    blocks = session.execute(
        select(UnavailableBlock.attendee_id, UnavailableBlock.start, UnavailableBlock.end).where(
            or_(
                UnavailableBlock.company_id == company.id,
                UnavailableBlock.attendee_id.in_([a.id for a in company.attendees]),
            )
        )
    ).all()
    own = [(s, e) for who, s, e in blocks if who is None]
    known = published.instance.attendee_by_id
    people = [
        (a.id, a.external_id, [(s, e) for who, s, e in blocks if who == a.id])
        for a in company.attendees
        if a.external_id in known
    ]
    mine = {a.id for a in company.attendees}
    return _Side(company, own, people, [a for a in named if a in mine])
