"""Printable reports: the whole event, and one delegation (its companies and their meetings).

Figures of the days of the fair (held, no-shows, follow-ups) are added per company by the
fair days' area through `company_columns`: a function returning {company row id: {column:
value}}, shown once it returns anything.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from web.analytics.loads import last_version
from web.companies.models import Company
from web.events.models import Event
from web.meeting_requests.models import MeetingRequest
from web.schedules.models import ScheduledMeeting
from web.schedules.operations import current_version

ColumnSource = Callable[[Session, Event], dict[int, dict[str, object]]]
COMPANY_COLUMNS: dict[str, ColumnSource] = {}  # heading -> source, registered after the fair


def company_columns(heading: str) -> Callable[[ColumnSource], ColumnSource]:
    def register(source: ColumnSource) -> ColumnSource:
        COMPANY_COLUMNS[heading] = source
        return source

    return register


@dataclass
class MeetingLine:
    start: datetime
    end: datetime
    counterpart: str
    location: str


@dataclass
class CompanyLine:
    id: int
    name: str
    role: str
    requests: int
    meetings: list[MeetingLine] = field(default_factory=list)
    extra: dict[str, object] = field(default_factory=dict)


@dataclass
class DelegationReport:
    name: str
    version: int | None
    published: bool
    companies: list[CompanyLine]
    extra_columns: list[str]


@dataclass
class EventReport:
    version: int | None
    published: bool
    companies: Counter
    requests: Counter
    meetings: int
    delegations: list[tuple[str, int, int, int]]  # name, companies, meetings, fewest
    without_meeting: list[str]


def _version(session: Session, event: Event):
    current = current_version(session, event)
    return (current, True) if current else (last_version(session, event), False)


def _meetings_by_company(session: Session, version) -> dict[int, list[MeetingLine]]:
    found: dict[int, list[MeetingLine]] = defaultdict(list)
    if version is None:
        return found
    names = {i: n for i, n in session.execute(select(Company.id, Company.name))}
    for meeting in session.scalars(
        select(ScheduledMeeting).where(ScheduledMeeting.schedule_version_id == version.id)
    ):
        r = meeting.request
        for mine, other in ((r.requester_id, r.requested_id), (r.requested_id, r.requester_id)):
            found[mine].append(
                MeetingLine(meeting.start, meeting.end, names[other], meeting.location.name)
            )
    for lines in found.values():
        lines.sort(key=lambda m: m.start)
    return found


def _asked(session: Session, event: Event) -> Counter:
    counted: Counter = Counter()
    rows = session.execute(
        select(MeetingRequest.requester_id, MeetingRequest.requested_id).where(
            MeetingRequest.event_id == event.id, MeetingRequest.status == "accepted"
        )
    )
    for a, b in rows:
        counted[a] += 1
        counted[b] += 1
    return counted


def delegation_report(session: Session, event: Event, delegation: str) -> DelegationReport | None:
    companies = session.scalars(
        select(Company)
        .where(Company.event_id == event.id, Company.delegation == delegation)
        .order_by(Company.name)
    ).all()
    if not companies:
        return None
    version, published = _version(session, event)
    meetings = _meetings_by_company(session, version)
    asked = _asked(session, event)
    extras = {heading: source(session, event) for heading, source in COMPANY_COLUMNS.items()}
    columns = [h for h, values in extras.items() if values]
    lines = [
        CompanyLine(
            c.id,
            c.name,
            c.role,
            asked[c.id],
            meetings.get(c.id, []),
            {h: extras[h].get(c.id, {}) for h in columns},
        )
        for c in companies
    ]
    number = version.number if version else None
    return DelegationReport(delegation, number, published, lines, columns)


def event_report(session: Session, event: Event) -> EventReport:
    version, published = _version(session, event)
    meetings = _meetings_by_company(session, version)
    companies = session.scalars(select(Company).where(Company.event_id == event.id)).all()
    groups: dict[str, list[int]] = defaultdict(list)
    for c in companies:
        if c.delegation:
            groups[c.delegation].append(len(meetings.get(c.id, [])))
    requests = Counter(
        session.scalars(
            select(MeetingRequest.status).where(MeetingRequest.event_id == event.id)
        ).all()
    )
    return EventReport(
        version.number if version else None,
        published,
        Counter(c.role for c in companies),
        requests,
        sum(len(v) for v in meetings.values()) // 2,
        sorted((name, len(v), sum(v), min(v)) for name, v in groups.items()),
        sorted(c.name for c in companies if version and not meetings.get(c.id)),
    )
