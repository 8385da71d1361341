"""What an import carries, in plain values: ids as in the file, instants in UTC.

The JSON reader and the sheet readers both produce `ImportData`; one writer stores it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from scheduler.domain import Location
from scheduler.words import Words

Window = tuple[datetime, datetime]  # [start, end) in UTC
Owner = tuple[str, str]  # ("company" | "attendee", external id)


@dataclass(frozen=True)
class EventSetup:
    name: str
    timezone: str
    slot_minutes: int
    days: tuple[tuple[date, tuple[Window, ...]], ...]  # each day with its sessions
    venue: str | None = None


# A company's limits on its meetings, in this order wherever they are copied field by field
# (records, sheets, the instance document): a new limit is added here once.
LIMIT_FIELDS = ("max_meetings_per_day", "max_meetings", "min_meetings")


@dataclass(frozen=True)
class ProfileRecord:
    """The profile columns of a company's row: only those the sheet has (the others stay)."""

    values: tuple[tuple[str, object], ...] = ()  # (field, value) as web.profiles stores them
    hidden: bool | None = None  # the organiser's hiding; None: not in the sheet


@dataclass(frozen=True)
class CompanyRecord:
    id: str
    name: str
    role: str
    delegation: str | None = None
    max_meetings_per_day: int | None = None
    max_meetings: int | None = None
    min_meetings: int | None = None
    profile: ProfileRecord | None = None  # sheets only: an instance file has no profile


@dataclass(frozen=True)
class AttendeeRecord:
    id: str
    company: str
    name: str
    title: str | None = None
    email: str | None = None
    place: str | Words = field(default="", compare=False)  # where it was read, for messages
    bio: str | None = None


@dataclass(frozen=True)
class RequestRecord:
    id: str
    requester: str
    requested: str
    status: str = "accepted"
    priority: int = 1
    slots: int = 1
    attendees: tuple[str, ...] = ()
    within: tuple[Window, ...] = ()
    notes: str | None = None
    asked_by: str | None = None
    place: str | Words = field(default="", compare=False)  # where it was read, for messages
    message: str | None = None  # the asking company's message (sheets only)


@dataclass(frozen=True)
class FixedRecord:
    request: str
    start: datetime
    location: str | None = None
    attendees: tuple[str, ...] = ()


@dataclass
class ImportData:
    """One file's content. Fields named in `keep` (e.g. "attendee.title") are not in the
    file, so existing values stay. `unavailable` replaces the blocks of the owners it names."""

    source: str
    setup: EventSetup | None = None
    locations: list[Location] = field(default_factory=list)  # as the solver reads them
    companies: list[CompanyRecord] = field(default_factory=list)
    attendees: list[AttendeeRecord] = field(default_factory=list)
    requests: list[RequestRecord] = field(default_factory=list)
    fixed: list[FixedRecord] = field(default_factory=list)
    unavailable: dict[Owner, tuple[Window, ...]] | None = None
    keep: frozenset[str] = frozenset()
