"""Creating, finding and setting up events."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import delete as sa_delete
from sqlalchemy import select
from sqlalchemy.orm import Session

from web.db import apply_edit
from web.events.models import Event, EventDay, EventSession, Location


class EventNotFound(LookupError):
    pass


def get_event(session: Session, slug: str) -> Event:
    event = session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise EventNotFound(f'no event "{slug}"')
    return event


def create_event(
    session: Session,
    slug: str,
    name: str,
    timezone: str,
    slot_minutes: int,
    venue: str | None = None,
) -> Event:
    """An event without days yet (an import or the web app's setup form gives them)."""
    event = Event(slug=slug, name=name, timezone=timezone, slot_minutes=slot_minutes, venue=venue)
    session.add(event)
    session.flush()
    return event


def set_days(
    session: Session, event: Event, days: list[tuple[date, list[tuple[time, time]]]]
) -> None:
    """Replace the event's days and sessions, given as local dates and clock times."""
    zone = ZoneInfo(event.timezone)
    wanted = [
        (day, [(_at(day, s, zone), _at(day, e, zone)) for s, e in sessions])
        for day, sessions in days
    ]
    stored = [(d.date, [(s.start, s.end) for s in d.sessions]) for d in event.days]
    if stored == wanted:
        return
    event.days.clear()
    session.flush()  # the old days go before new ones with the same dates come
    event.days.extend(
        EventDay(date=day, sessions=[EventSession(start=s, end=e) for s, e in sessions])
        for day, sessions in wanted
    )
    session.flush()


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, zone).astimezone(UTC)


def set_table_count(session: Session, event: Event, count: int) -> None:
    """Make the event have `count` shared tables (those without an owner): new ones get free
    ids T001, T002, ...; surplus ones go from the last added, but for those a kept schedule
    version uses (history must stay whole). Imported tables keep their ids and names."""
    shared = sorted(
        (loc for loc in event.locations if loc.owner_id is None), key=lambda loc: loc.id or 0
    )
    for _ in range(count - len(shared)):
        number = len([loc for loc in event.locations if loc.owner_id is None]) + 1
        event.locations.append(
            Location(external_id=_free_location_id(event, "T"), name=f"Table {number}")
        )
    surplus = len(shared) - count
    for location in reversed(shared):
        if surplus <= 0:
            break
        if not versions_using(session, location):
            event.locations.remove(location)
            surplus -= 1
    session.flush()


def _free_location_id(event: Event, prefix: str) -> str:
    taken = {loc.external_id for loc in event.locations}
    number = 1
    while f"{prefix}{number:03d}" in taken:
        number += 1
    return f"{prefix}{number:03d}"


# --- tables, rooms and booths, one at a time ----------------------------------------------------

ID_PREFIX = {"table": "T", "room": "R", "booth": "B"}
LOCATION_FIELDS = {"name", "kind", "owner_id", "video_url"}


class LocationInUse(ValueError):
    """A kept schedule version places meetings there: removing it would break its history."""

    def __init__(self, location: Location, versions: list[int]) -> None:
        super().__init__(f"{location.external_id} is used by schedule versions {versions}")
        self.versions = versions


def add_location(
    session: Session, event: Event, name: str, kind: str = "table", owner_id: int | None = None
) -> Location:
    """A table, room or booth; with an owner it holds only that company's meetings."""
    location = Location(
        external_id=_free_location_id(event, ID_PREFIX[kind]),
        name=name,
        kind=kind,
        owner_id=owner_id,
    )
    event.locations.append(location)
    session.flush()
    return location


def update_location(session: Session, location: Location, version: int, **changes) -> None:
    """Rename it, or change its kind or owner; EditConflict if it changed since `version`."""
    unknown = set(changes) - LOCATION_FIELDS
    if unknown:
        raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")
    apply_edit(session, location, version, changes)


def remove_location(session: Session, location: Location) -> None:
    """Remove a table or room no kept schedule version uses (the published one included)."""
    used = versions_using(session, location)
    if used:
        raise LocationInUse(location, used)
    location.event.locations.remove(location)
    session.flush()


def versions_using_each(session: Session, event: Event) -> dict[int, list[int]]:
    """For each of the event's locations in use, the numbers of the schedule versions with a
    meeting there (one query for the locations page, not one per location)."""
    from web.schedules.models import ScheduledMeeting, ScheduleVersion

    rows = session.execute(
        select(ScheduledMeeting.location_id, ScheduleVersion.number)
        .join(ScheduleVersion, ScheduledMeeting.schedule_version_id == ScheduleVersion.id)
        .where(ScheduleVersion.event_id == event.id)
        .distinct()
        .order_by(ScheduledMeeting.location_id, ScheduleVersion.number)
    )
    used: dict[int, list[int]] = {}
    for location_id, number in rows:
        used.setdefault(location_id, []).append(number)
    return used


def versions_using(session: Session, location: Location) -> list[int]:
    """The numbers of the schedule versions with a meeting at `location`."""
    from web.schedules.models import ScheduledMeeting, ScheduleVersion

    if location.id is None:
        return []
    return list(
        session.scalars(
            select(ScheduleVersion.number)
            .join(ScheduledMeeting, ScheduledMeeting.schedule_version_id == ScheduleVersion.id)
            .where(ScheduledMeeting.location_id == location.id)
            .distinct()
            .order_by(ScheduleVersion.number)
        )
    )


def delete_event(session: Session, event: Event) -> None:
    """Delete an event and everything in it: companies, requests, runs, versions and their
    publications. Versions go first: their meetings hold requests, people and tables without
    a cascade (history is never deleted piecemeal); then the database's ON DELETE CASCADE from
    events does the rest."""
    from web.schedules.models import ScheduleVersion

    session.execute(sa_delete(ScheduleVersion).where(ScheduleVersion.event_id == event.id))
    session.execute(sa_delete(Event).where(Event.id == event.id))
    session.expunge(event)
