"""Creating, finding and setting up events."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    """Shared tables T001, T002, ...: add the missing ones; remove extra ones not in use by a
    kept schedule (those stay, since history must stay whole)."""
    tables = {loc.external_id: loc for loc in event.locations if loc.owner_id is None}
    numbered = [f"T{n:03d}" for n in range(1, count + 1)]
    for ext in numbered:
        if ext not in tables:
            event.locations.append(Location(external_id=ext, name=f"Table {int(ext[1:])}"))
    for ext, location in tables.items():
        if ext.startswith("T") and ext not in numbered and not _in_use(session, location):
            event.locations.remove(location)
    session.flush()


def _in_use(session: Session, location: Location) -> bool:
    from web.schedules.models import ScheduledMeeting

    if location.id is None:
        return False
    found = select(ScheduledMeeting.id).where(ScheduledMeeting.location_id == location.id)
    return session.scalar(found.limit(1)) is not None
