"""The numbers behind each plot of the analytics page, as plain tables: a plot is drawn from
exactly the rows shown beside it and downloaded as CSV.

Figures after the fair (held meetings, no-shows, feedback) come from other areas of the app:
they register a function with `after_fair` that returns a Figure once their data exists, and
the page shows "after the fair" until one does.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from web.analytics.loads import event_loads, last_version
from web.companies.models import Company
from web.events.models import Event, Location
from web.meeting_requests.models import MeetingRequest
from web.schedules.models import ScheduledMeeting

TOP = 15  # corporates on the oversubscription plot


@dataclass
class Figure:
    key: str
    title: str
    kind: str  # "lines", "bars", "stacked", "barh", "heatmap"
    columns: list[str]  # the table's headers: the first is the x (or row) label
    rows: list[list] = field(default_factory=list)
    note: str = ""
    x_label: str = ""
    y_label: str = ""
    series: list[int] | None = None  # the columns drawn; None: all after the first

    @property
    def empty(self) -> bool:
        return not self.rows


FigureSource = Callable[[Session, Event], "Figure | None"]
AFTER_FAIR: dict[str, FigureSource] = {}  # key -> source, registered by the fair days' area


def after_fair(key: str) -> Callable[[FigureSource], FigureSource]:
    """Register a figure of the days of the fair (held, no-shows, feedback): it returns None
    until its data exists."""

    def register(source: FigureSource) -> FigureSource:
        AFTER_FAIR[key] = source
        return source

    return register


def requests_over_time(session: Session, event: Event) -> Figure:
    """New requests and answers per day, in the event's zone, with the running totals."""
    zone = ZoneInfo(event.timezone)
    asked: Counter = Counter()
    accepted: Counter = Counter()
    declined: Counter = Counter()
    rows = session.execute(
        select(MeetingRequest.created_at, MeetingRequest.answered_at, MeetingRequest.status).where(
            MeetingRequest.event_id == event.id
        )
    )
    for created, answered, status in rows:
        asked[created.astimezone(zone).date()] += 1
        if answered is not None and status in ("accepted", "declined"):
            (accepted if status == "accepted" else declined)[answered.astimezone(zone).date()] += 1
    days = sorted(set(asked) | set(accepted) | set(declined))
    figure = Figure(
        "requests",
        str(_l("Requests and answers over time")),
        "lines",
        [
            str(_l("Day")),
            str(_l("Requests (total)")),
            str(_l("Accepted (total)")),
            str(_l("Declined (total)")),
        ],
        x_label=str(_l("Day")),
        y_label=str(_l("Requests")),
        note=str(
            _l(
                "From each request's time of asking and of its answer; requests answered "
                "by an import have no answer time."
            )
        ),
    )
    totals = [0, 0, 0]
    for day in days:
        totals = [totals[0] + asked[day], totals[1] + accepted[day], totals[2] + declined[day]]
        figure.rows.append([day.isoformat(), *totals])
    return figure


def _meetings(session: Session, event: Event) -> tuple[Counter, int | None]:
    """Meetings per company (row id) in the latest schedule version, and its number."""
    version = last_version(session, event)
    counts: Counter = Counter()
    if version is None:
        return counts, None
    rows = session.execute(
        select(MeetingRequest.requester_id, MeetingRequest.requested_id)
        .join(ScheduledMeeting, ScheduledMeeting.request_id == MeetingRequest.id)
        .where(ScheduledMeeting.schedule_version_id == version.id)
    )
    for requester, requested in rows:
        counts[requester] += 1
        counts[requested] += 1
    return counts, version.number


def meetings_per_company(session: Session, event: Event) -> Figure:
    """How many companies get 0, 1, 2 ... meetings, corporates and delegation companies
    apart: the left end is who goes home with few."""
    counts, number = _meetings(session, event)
    companies = session.execute(
        select(Company.id, Company.role).where(Company.event_id == event.id)
    )
    by_role: dict[str, Counter] = {"delegation": Counter(), "corporate": Counter()}
    for company_id, role in companies:
        by_role[role][counts[company_id]] += 1
    figure = Figure(
        "meetings",
        str(_l("Meetings per company")),
        "stacked",
        [str(_l("Meetings")), str(_l("Delegation companies")), str(_l("Corporates"))],
        x_label=str(_l("Meetings")),
        y_label=str(_l("Companies")),
    )
    if number is None:
        figure.note = str(_l("No schedule yet: solve first."))
        return figure
    figure.note = str(_l("Schedule version %(n)d.", n=number))
    top = max([*by_role["delegation"], *by_role["corporate"], 0])
    for n in range(top + 1):
        figure.rows.append([n, by_role["delegation"][n], by_role["corporate"][n]])
    return figure


def meetings_per_delegation(session: Session, event: Event) -> Figure:
    """Per delegation: its companies, their meetings, the fewest and the average."""
    counts, number = _meetings(session, event)
    groups: dict[str, list[int]] = defaultdict(list)
    rows = session.execute(
        select(Company.id, Company.delegation).where(
            Company.event_id == event.id, Company.role == "delegation"
        )
    )
    for company_id, delegation in rows:
        groups[delegation or str(_l("(no delegation)"))].append(counts[company_id])
    figure = Figure(
        "delegations",
        str(_l("Meetings per delegation")),
        "barh",
        [
            str(_l("Delegation")),
            str(_l("Average meetings")),
            str(_l("Fewest")),
            str(_l("Companies")),
        ],
        x_label=str(_l("Average meetings per company")),
        series=[1],
    )
    if number is None:
        figure.note = str(_l("No schedule yet: solve first."))
        return figure
    for name, values in sorted(groups.items(), key=lambda kv: sum(kv[1]) / len(kv[1])):
        figure.rows.append([name, round(sum(values) / len(values), 1), min(values), len(values)])
    return figure


def demand_against_capacity(session: Session, event: Event) -> Figure:
    """The most oversubscribed corporates: meeting slots wanted against meetings they can
    hold (the capacity bound's per-company figures)."""
    figure = Figure(
        "demand",
        str(_l("Demand against capacity: the most oversubscribed corporates")),
        "barh",
        [str(_l("Corporate")), str(_l("Wanted (meeting slots)")), str(_l("Can hold"))],
        x_label=str(_l("Meeting slots")),
        note=str(
            _l(
                "Accepted requests that both sides can attend; what a corporate can hold "
                "counts its attendees' free slots and its limits."
            )
        ),
    )
    loads = event_loads(session, event)
    if loads is None:
        figure.note = str(_l("The event cannot be solved yet (see the overview's warnings)."))
        return figure
    corporates = [c for c in loads.instance.companies if c.role == "corporate"]
    ranked = sorted(
        corporates,
        key=lambda c: (-(loads.loads[c.id].wanted - loads.loads[c.id].holds), c.name),
    )
    for company in ranked[:TOP]:
        load = loads.loads[company.id]
        if load.wanted > load.holds:
            figure.rows.append([company.name, load.wanted, load.holds])
    return figure


def table_use(session: Session, event: Event) -> Figure:
    """Share of tables and rooms in use per slot and day, in the latest schedule version: an
    idle afternoon shows as a pale row."""
    zone = ZoneInfo(event.timezone)
    version = last_version(session, event)
    figure = Figure(
        "tables",
        str(_l("Table use per slot and day")),
        "heatmap",
        [str(_l("Time"))],
        note=str(_l("Percent of tables and rooms in use.")),
    )
    days = [day.date for day in event.days]
    figure.columns += [day.isoformat() for day in days]
    if version is None:
        figure.note = str(_l("No schedule yet: solve first."))
        return figure
    tables = session.query(Location).filter(Location.event_id == event.id).count() or 1
    busy: Counter = Counter()
    rows = session.execute(
        select(ScheduledMeeting.start, ScheduledMeeting.end).where(
            ScheduledMeeting.schedule_version_id == version.id
        )
    )
    step = event.slot_minutes
    from datetime import timedelta

    for start, end in rows:
        moment = start
        while moment < end:
            local = moment.astimezone(zone)
            busy[(local.strftime("%H:%M"), local.date())] += 1
            moment += timedelta(minutes=step)
    times = sorted({t for t, _ in busy} | _slot_times(event, zone))
    for time in times:
        figure.rows.append([time, *(round(100 * busy[(time, d)] / tables) for d in days)])
    return figure


def _slot_times(event: Event, zone: ZoneInfo) -> set[str]:
    from datetime import timedelta

    found = set()
    for day in event.days:
        for session in day.sessions:
            moment = session.start
            while moment + timedelta(minutes=event.slot_minutes) <= session.end:
                found.add(moment.astimezone(zone).strftime("%H:%M"))
                moment += timedelta(minutes=event.slot_minutes)
    return found


SOURCES: dict[str, FigureSource] = {
    "requests": requests_over_time,
    "meetings": meetings_per_company,
    "delegations": meetings_per_delegation,
    "demand": demand_against_capacity,
    "tables": table_use,
}


def figure(session: Session, event: Event, key: str) -> Figure | None:
    source = SOURCES.get(key) or AFTER_FAIR.get(key)
    return source(session, event) if source else None


def after_fair_figures(session: Session, event: Event) -> list[Figure]:
    """The fair days' figures that have data; empty before the fair."""
    found = (source(session, event) for source in AFTER_FAIR.values())
    return [f for f in found if f is not None and not f.empty]
