"""Per-company figures of the capacity bound for an event: what each company is wanted for
against what it can hold, the companies at risk before the solve, and demand signals.

Building the solver's view of a BioJapan-size event takes seconds, so the figures are kept
per event until its requests or companies change (a small in-process cache).
"""

from __future__ import annotations

from dataclasses import dataclass

from cachetools import TTLCache
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scheduler.capacity import CompanyLoad, company_loads
from scheduler.domain import Instance
from scheduler.formats.problems import InvalidInput
from scheduler.solver.prepare import Prepared
from web.companies.models import Company
from web.conversion import instance_from_event
from web.events.models import Event
from web.meeting_requests.models import MeetingRequest
from web.schedules.models import ScheduledMeeting, ScheduleVersion, UnscheduledRequest

_CACHE: TTLCache = TTLCache(maxsize=16, ttl=600)


@dataclass(frozen=True)
class EventLoads:
    instance: Instance
    prepared: Prepared
    loads: dict[str, CompanyLoad]  # by the company's external id


def fingerprint(session: Session, event: Event) -> tuple:
    """What the figures depend on: requests, companies and the setup, as their last change."""
    requests = session.execute(
        select(func.count(), func.max(MeetingRequest.updated_at)).where(
            MeetingRequest.event_id == event.id
        )
    ).one()
    companies = session.scalar(
        select(func.count()).select_from(Company).where(Company.event_id == event.id)
    )
    return (event.id, event.version_id, tuple(requests), companies)


def event_loads(session: Session, event: Event) -> EventLoads | None:
    """The bound's per-company figures, or None while the event cannot be solved yet."""
    key = fingerprint(session, event)
    if key not in _CACHE:
        try:
            instance = instance_from_event(session, event)
        except InvalidInput:
            return None
        prepared = Prepared(instance)
        _CACHE[key] = EventLoads(instance, prepared, company_loads(prepared))
    return _CACHE[key]


@dataclass(frozen=True)
class DemandSignal:
    company: str  # its name
    wanted: int  # meeting slots asked of it by accepted requests that can be held
    holds: int  # meetings it can hold at most
    chance: float  # that one more request to it is placed (0..1)
    source: str  # "solve": the share placed in the last solve; "bound": holds / wanted

    @property
    def oversubscribed(self) -> bool:
        return self.wanted > self.holds


def last_version(session: Session, event: Event) -> ScheduleVersion | None:
    return session.scalar(
        select(ScheduleVersion)
        .where(ScheduleVersion.event_id == event.id)
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
    )


def placed_shares(session: Session, version: ScheduleVersion) -> dict[int, tuple[int, int]]:
    """Per requested company (row id): (requests to it placed, requests to it considered)."""
    shares: dict[int, list[int]] = {}
    placed = (
        select(MeetingRequest.requested_id)
        .join(ScheduledMeeting, ScheduledMeeting.request_id == MeetingRequest.id)
        .where(ScheduledMeeting.schedule_version_id == version.id)
    )
    left = (
        select(MeetingRequest.requested_id)
        .join(UnscheduledRequest, UnscheduledRequest.request_id == MeetingRequest.id)
        .where(UnscheduledRequest.schedule_version_id == version.id)
    )
    for (company_id,) in session.execute(placed):
        shares.setdefault(company_id, [0, 0])[0] += 1
        shares[company_id][1] += 1
    for (company_id,) in session.execute(left):
        shares.setdefault(company_id, [0, 0])[1] += 1
    return {k: (v[0], v[1]) for k, v in shares.items()}


def demand_signal(session: Session, event: Event, company_id: int) -> DemandSignal | None:
    """How oversubscribed a company is and the chance one more request to it is placed: from
    the last solve (the share of requests to it placed) where there is one, else from the
    bound (what it can hold over what it is wanted for)."""
    company = session.get(Company, company_id)
    if company is None or company.event_id != event.id:
        return None
    version = last_version(session, event)
    shares = placed_shares(session, version) if version is not None else {}
    return _signal(event_loads(session, event), company, shares)


def demand_signals(session: Session, event: Event, companies: list[Company]) -> list[DemandSignal]:
    """The same for many companies, the last solve read once."""
    version = last_version(session, event)
    shares = placed_shares(session, version) if version is not None else {}
    loads = event_loads(session, event)
    found = (_signal(loads, company, shares) for company in companies)
    return [signal for signal in found if signal is not None]


def _signal(
    loads: EventLoads | None, company: Company, shares: dict[int, tuple[int, int]]
) -> DemandSignal | None:
    load = loads.loads.get(company.external_id) if loads else None
    if load is None:
        return None
    if shares:
        placed, asked = shares.get(company.id, (0, 0))
        if asked:
            return DemandSignal(company.name, load.wanted, load.holds, placed / asked, "solve")
    chance = 1.0 if load.wanted <= load.holds else load.holds / load.wanted
    return DemandSignal(company.name, load.wanted, load.holds, chance, "bound")


@dataclass(frozen=True)
class Crowded:
    """A company many of an at-risk company's requests go to."""

    name: str
    requests: int  # of the at-risk company's requests, to it
    wanted: int
    holds: int


@dataclass(frozen=True)
class AtRisk:
    company_id: int
    name: str
    delegation: str | None
    requests: int  # its accepted requests that can be held
    guaranteed: int | None
    expected: float  # meetings it may expect, each request weighed by its counterpart's room
    most: int  # meetings it can have at most
    kind: str  # "none": may get no meeting at all; "short": below its guaranteed meetings
    crowded: tuple[Crowded, ...]


def companies_at_risk(session: Session, event: Event, limit: int = 200) -> list[AtRisk]:
    """Before the solve: companies whose requests cannot give them their guaranteed meetings,
    or may not give them even one, with the crowded companies their requests go to."""
    loads = event_loads(session, event)
    if loads is None:
        return []
    rows = {
        c.external_id: c
        for c in session.scalars(select(Company).where(Company.event_id == event.id))
    }
    found = []
    for company in loads.instance.companies:
        found += _at_risk(loads, company.id, rows[company.id])
    found.sort(key=lambda r: (r.kind != "none", r.expected, r.name))
    return found[:limit]


def _room(load: CompanyLoad) -> float:
    return 1.0 if load.wanted <= load.holds else load.holds / load.wanted


def _at_risk(loads: EventLoads, external_id: str, row: Company) -> list[AtRisk]:
    mine = [r for r in loads.prepared.requests_of_company[external_id] if r.start_mask and r.pools]
    load = loads.loads[external_id]
    others = [next(c for c in r.request.companies if c != external_id) for r in mine]
    expected = sum(_room(loads.loads[o]) for o in others)
    most = load.holds
    guaranteed = row.min_meetings
    if (guaranteed and min(most, len(mine)) < guaranteed) or (guaranteed and expected < guaranteed):
        kind = "short"
    elif expected < 1.0:
        kind = "none"
    else:
        return []
    counted: dict[str, int] = {}
    for other in others:
        if loads.loads[other].wanted > loads.loads[other].holds:
            counted[other] = counted.get(other, 0) + 1
    names = loads.instance.company_by_id
    crowded = tuple(
        Crowded(names[o].name, n, loads.loads[o].wanted, loads.loads[o].holds)
        for o, n in sorted(counted.items(), key=lambda kv: -kv[1])[:3]
    )
    return [
        AtRisk(
            row.id,
            row.name,
            row.delegation,
            len(mine),
            guaranteed,
            expected,
            min(most, len(mine)),
            kind,
            crowded,
        )
    ]
