"""The organiser's overview of an event: counts, and warnings to act on before solving."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from web.companies.models import Attendee, Company
from web.events.models import Event, Location
from web.meeting_requests.models import MeetingRequest

FAR_BEYOND = 2.0  # a corporate wanted for more than twice the meetings it can hold


@dataclass
class Warning:
    kind: str  # no_requests, no_attendees, over_capacity, short (of its guaranteed meetings)
    company: Company
    wanted: int = 0
    capacity: int = 0


@dataclass
class Overview:
    companies: Counter = field(default_factory=Counter)  # by role
    attendees: int = 0
    locations: int = 0
    requests: Counter = field(default_factory=Counter)  # by status
    slots: int = 0  # meeting slots over the whole event
    warnings: list[Warning] = field(default_factory=list)


def overview(session: Session, event: Event) -> Overview:
    result = Overview()
    companies = list(session.scalars(select(Company).where(Company.event_id == event.id)))
    result.companies = Counter(c.role for c in companies)
    people = Counter(
        dict(
            session.execute(
                select(Attendee.company_id, func.count())
                .where(Attendee.event_id == event.id, Attendee.removed_at.is_(None))
                .group_by(Attendee.company_id)
            ).all()
        )
    )
    result.attendees = sum(people.values())
    result.locations = session.scalar(
        select(func.count()).select_from(Location).where(Location.event_id == event.id)
    )
    result.requests = Counter(
        dict(
            session.execute(
                select(MeetingRequest.status, func.count())
                .where(MeetingRequest.event_id == event.id)
                .group_by(MeetingRequest.status)
            ).all()
        )
    )
    per_day = [_slots(day, event.slot_minutes) for day in event.days]
    result.slots = sum(per_day)
    wanted, asked = _wanted(session, event)
    for company in sorted(companies, key=lambda c: c.name):
        result.warnings += _warnings(company, people[company.id], wanted[company.id], per_day)
        if company.min_meetings and asked[company.id] < company.min_meetings:
            result.warnings.append(
                Warning("short", company, asked[company.id], company.min_meetings)
            )
    return result


def _slots(day, slot_minutes: int) -> int:
    return sum(int((s.end - s.start).total_seconds() // 60 // slot_minutes) for s in day.sessions)


def _wanted(session: Session, event: Event) -> tuple[Counter, Counter]:
    """Meeting slots asked of each company by live (requested or accepted) requests, and the
    number of those requests."""
    wanted: Counter = Counter()
    asked: Counter = Counter()
    rows = session.execute(
        select(
            MeetingRequest.requester_id, MeetingRequest.requested_id, MeetingRequest.slots
        ).where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.status.in_(("requested", "accepted")),
        )
    )
    for requester, requested, slots in rows:
        wanted[requester] += slots
        wanted[requested] += slots
        asked[requester] += 1
        asked[requested] += 1
    return wanted, asked


def _warnings(company: Company, people: int, wanted: int, per_day: list[int]) -> list[Warning]:
    if people == 0:
        return [Warning("no_attendees", company)]
    if wanted == 0:
        return [Warning("no_requests", company)]
    daily_limit = company.max_meetings_per_day or 10**6
    capacity = sum(min(slots * people, daily_limit) for slots in per_day)
    if company.role == "corporate" and wanted > FAR_BEYOND * capacity:
        return [Warning("over_capacity", company, wanted, capacity)]
    return []
