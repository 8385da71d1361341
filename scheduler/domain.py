"""The organiser's world as plain, immutable data: the solver reads it and writes schedules.

Everything here is already resolved and checked (times are aware datetimes in the event's
time zone, ids refer to existing things), so the solver and the greedy planner only iterate.
Readers in `scheduler.formats` build these objects; nothing here knows about files, Flask or a
database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Literal

Role = Literal["delegation", "corporate"]
LocationKind = Literal["table", "room", "booth"]


@dataclass(frozen=True)
class Interval:
    """A half-open span of time [start, end) with aware datetimes."""

    start: datetime
    end: datetime

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end

    def contains(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end


@dataclass(frozen=True)
class Session:
    """A block of back-to-back meeting slots on one day (e.g. the morning before lunch)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class EventDay:
    date: date
    sessions: tuple[Session, ...]


@dataclass(frozen=True)
class Event:
    name: str
    timezone: str
    slot_minutes: int
    days: tuple[EventDay, ...]
    venue: str | None = None  # where the fair is, for calendar locations


@dataclass(frozen=True)
class Location:
    """A table, room or booth; an owned one is reserved for its owner's meetings."""

    id: str
    name: str
    kind: LocationKind
    owner: str | None = None


@dataclass(frozen=True)
class Attendee:
    id: str
    name: str
    company: str
    email: str | None = None
    unavailable: tuple[Interval, ...] = ()


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    role: Role
    attendees: tuple[Attendee, ...]
    delegation: str | None = None
    unavailable: tuple[Interval, ...] = ()
    max_meetings_per_day: int | None = None
    max_meetings: int | None = None  # over the whole event: a rule (the package bought)
    min_meetings: int | None = None  # guaranteed: a goal ahead of the count, not a rule


@dataclass(frozen=True)
class Request:
    """An accepted meeting request between two companies, weighted by its priority."""

    id: str
    requester: str  # "from" in the exchange format
    requested: str  # "to" in the exchange format
    priority: int = 1
    attendees: tuple[str, ...] = ()
    slots: int = 1
    within: tuple[Interval, ...] = ()
    notes: str | None = None

    @property
    def companies(self) -> tuple[str, str]:
        return (self.requester, self.requested)


@dataclass(frozen=True)
class FixedMeeting:
    """A meeting placed before solving (published earlier or by hand): kept exactly."""

    request: str
    start: datetime
    location: str | None = None
    attendees: tuple[str, ...] = ()


@dataclass(frozen=True)
class Instance:
    event: Event
    locations: tuple[Location, ...]
    companies: tuple[Company, ...]
    requests: tuple[Request, ...]
    fixed: tuple[FixedMeeting, ...] = ()

    @cached_property
    def company_by_id(self) -> dict[str, Company]:
        return {c.id: c for c in self.companies}

    @cached_property
    def attendee_by_id(self) -> dict[str, Attendee]:
        return {a.id: a for c in self.companies for a in c.attendees}

    @cached_property
    def request_by_id(self) -> dict[str, Request]:
        return {r.id: r for r in self.requests}

    @cached_property
    def location_by_id(self) -> dict[str, Location]:
        return {loc.id: loc for loc in self.locations}

    @cached_property
    def fixed_by_request(self) -> dict[str, FixedMeeting]:
        return {f.request: f for f in self.fixed}


@dataclass(frozen=True)
class Meeting:
    """A scheduled request: when, where and who."""

    request: str
    start: datetime
    end: datetime
    location: str
    attendees: tuple[str, ...]


@dataclass(frozen=True)
class Unscheduled:
    request: str
    reason: str


@dataclass
class Schedule:
    meetings: list[Meeting]
    unscheduled: list[Unscheduled]
    summary: dict[str, object] = field(default_factory=dict)
