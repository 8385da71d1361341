"""Creating and finding events."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from web.events.models import Event


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
