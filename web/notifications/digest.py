"""The evening before each day of the fair, each person is sent their meetings of that day
(`DIGEST_HOUR` on the event's clock): a job the queue runs every hour, which writes what is
due to the outbox (once per person and day: the outbox's key) and leaves delivery to it."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from web.companies.models import Company
from web.db import transaction, utc_now
from web.events.models import Event
from web.notifications.outbox import write
from web.schedules.models import Publication
from web.schedules.operations import Published, published_state, told_meeting

DIGEST_HOUR = 18  # "your meetings tomorrow" goes out from this hour the evening before


def due_day(event: Event, now: datetime) -> date | None:
    """The event's day whose digest is due at `now`: from DIGEST_HOUR the evening before
    until the day begins; None at any other time."""
    zone = ZoneInfo(event.timezone)
    local = now.astimezone(zone)
    tomorrow = local.date() + timedelta(days=1)
    if local.time() < time(DIGEST_HOUR):
        return None
    return tomorrow if any(d.date == tomorrow for d in event.days) else None


def write_digests(engine: Engine, now: datetime | None = None) -> int:
    """Write every digest due now, for every event that has published; return how many."""
    now = now or utc_now()
    written = 0
    with transaction(engine) as session:
        events = session.scalars(select(Event).where(Event.id.in_(select(Publication.event_id))))
        for event in events:
            day = due_day(event, now)
            published = published_state(session, event) if day else None
            if published is not None:
                written += tell_tomorrow(session, event, published, day)
    return written


def tell_tomorrow(session: Session, event: Event, published: Published, day: date) -> int:
    """Each person with meetings on `day` gets theirs."""
    written = 0
    companies = session.scalars(select(Company).where(Company.event_id == event.id))
    for company in companies:
        for person in company.attendees:
            if not person.email or person.external_id not in published.instance.attendee_by_id:
                continue
            meetings = [
                m
                for m in published.person_agenda(company.external_id, person.external_id)
                if m.start.date() == day
            ]
            if meetings:
                payload = {
                    "day": day.isoformat(),
                    "meetings": [told_meeting(m, company.external_id) for m in meetings],
                }
                written += len(
                    write(session, company, "digest", day.isoformat(), payload, [person])
                )
    return written
