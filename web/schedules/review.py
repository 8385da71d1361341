"""What the organiser reviews before publishing: a grid per day (tables by slots) and the
changes against the published version. Plain functions of the domain objects."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from scheduler.domain import Company, Instance, Location, Meeting, Schedule, Unscheduled
from scheduler.solver.reasons import REASON_KINDS, reason_kind


@dataclass(frozen=True)
class Cell:
    meeting: Meeting
    label: str
    first: bool  # the meeting's first slot (a longer meeting covers the next ones too)
    span: int = 1  # slots the meeting covers (its first cell spans them all)


@dataclass
class DayGrid:
    date: date
    slots: list[datetime]  # local start times
    rows: list[tuple[Location, list[Cell | None]]]


def day_grids(instance: Instance, schedule: Schedule, only: int | None = None) -> list[DayGrid]:
    """Tables by slots, a grid per day (`only`: that day's alone; a BioJapan-size fair's
    three days are two megabytes of page)."""
    zone = ZoneInfo(instance.event.timezone)
    step = timedelta(minutes=instance.event.slot_minutes)
    grids = []
    days = instance.event.days
    for day in days if only is None else days[only : only + 1]:
        slots = [t.astimezone(zone) for s in day.sessions for t in _starts(s.start, s.end, step)]
        cells: dict[tuple[str, datetime], Cell] = {}
        for meeting in schedule.meetings:
            label = _label(instance, meeting)
            starts = _starts(meeting.start, meeting.end, step)
            for index, t in enumerate(starts):
                cells[(meeting.location, t)] = Cell(meeting, label, index == 0, len(starts))
        rows = [
            (location, [cells.get((location.id, t)) for t in slots])
            for location in instance.locations
        ]
        grids.append(DayGrid(day.date, slots, rows))
    return grids


def _starts(start: datetime, end: datetime, step: timedelta) -> list[datetime]:
    times, t = [], start
    while t + step <= end:
        times.append(t)
        t += step
    return times


def _label(instance: Instance, meeting: Meeting) -> str:
    request = instance.request_by_id.get(meeting.request)
    if request is None:
        return meeting.request
    names = (instance.company_by_id[c].name for c in request.companies)
    return " × ".join(names)  # noqa: RUF001 - the sign calendars use too


@dataclass
class Changes:
    added: list[Meeting]
    moved: list[tuple[Meeting, Meeting]]  # (published, now)
    dropped: list[Meeting]
    kept: int
    # Same time and table, other people: the company's agenda stays, its people's do not.
    reassigned: list[tuple[Meeting, Meeting]] = field(default_factory=list)

    @property
    def any(self) -> bool:
        return bool(self.added or self.moved or self.dropped or self.reassigned)


def changes_against(schedule: Schedule, published: Schedule | None) -> Changes | None:
    """What publishing `schedule` would change for companies that have `published`."""
    if published is None:
        return None
    before = {m.request: m for m in published.meetings}
    now = {m.request: m for m in schedule.meetings}
    added = [m for r, m in now.items() if r not in before]
    dropped = [m for r, m in before.items() if r not in now]
    moved = [
        (before[r], m)
        for r, m in now.items()
        if r in before and (before[r].start, before[r].location) != (m.start, m.location)
    ]
    placed = {m.request for _, m in moved}
    reassigned = [
        (before[r], m)
        for r, m in now.items()
        if r in before and r not in placed and set(before[r].attendees) != set(m.attendees)
    ]
    kept = len(now) - len(added) - len(moved) - len(reassigned)
    return Changes(added, moved, dropped, kept, reassigned)


def companies_touched(
    schedule: Schedule, changes: Changes | None, *instances: Instance | None
) -> int:
    """How many companies' agendas publishing changes: those of the meetings that move, come
    or go; at the first publication, every company with a meeting."""
    if changes is None:
        meetings = schedule.meetings
    else:
        moved = [m for pair in (*changes.moved, *changes.reassigned) for m in pair]
        meetings = [*changes.added, *changes.dropped, *moved]
    companies: set[str] = set()
    for meeting in meetings:
        request = next(
            (
                i.request_by_id[meeting.request]
                for i in instances
                if i and meeting.request in i.request_by_id
            ),
            None,
        )
        if request is not None:
            companies.update(request.companies)
    return len(companies)


def describe(meeting: Meeting, *instances: Instance | None) -> str:
    """A meeting in words (its two companies, then day, time and table), from the first
    instance that knows its request: a dropped meeting's may be only in the published one."""
    for instance in instances:
        if instance is not None and meeting.request in instance.request_by_id:
            return f"{_label(instance, meeting)}, {where(meeting, instance)}"
    return meeting.request


def people(meeting: Meeting, *instances: Instance | None) -> str:
    """Who holds the meeting, by name ("Ann Acme, Bo Big"), from the first instance that
    knows them."""
    for instance in instances:
        if instance is not None and all(a in instance.attendee_by_id for a in meeting.attendees):
            return ", ".join(instance.attendee_by_id[a].name for a in meeting.attendees)
    return ", ".join(meeting.attendees)


def where(meeting: Meeting, instance: Instance) -> str:
    """'10-14 10:00, Partnering table 3' in the event's time zone."""
    start = meeting.start.astimezone(ZoneInfo(instance.event.timezone))
    location = instance.location_by_id.get(meeting.location)
    return f"{start:%m-%d %H:%M}, {location.name if location else meeting.location}"


def unscheduled_groups(schedule: Schedule) -> list[tuple[str, int]]:
    """How many unscheduled requests have each kind of reason, most telling kind first: at a
    large fair '760 no table free' is one capacity answer, not 760 problems to read."""
    counts = Counter(reason_kind(u.reason) for u in schedule.unscheduled)
    return [(kind, counts[kind]) for kind in REASON_KINDS if counts[kind]]


def unscheduled_of_kind(schedule: Schedule, kind: str | None) -> list[Unscheduled]:
    """The unscheduled requests with reasons of `kind` (all of them for None)."""
    return [u for u in schedule.unscheduled if kind is None or reason_kind(u.reason) == kind]


def companies_without_meetings(instance: Instance, schedule: Schedule) -> list[Company]:
    """Companies with an accepted request but no meeting (the summary's figure, by name)."""
    asked = {c for r in instance.requests for c in r.companies}
    met = {c for m in schedule.meetings for c in instance.request_by_id[m.request].companies}
    return sorted((instance.company_by_id[c] for c in asked - met), key=lambda c: c.name)
