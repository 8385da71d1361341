"""What is sent by the clock, from a job the queue runs every hour, which writes what is due
to the outbox (once per recipient and day: the outbox's key) and leaves delivery to it: the
evening before each day of the fair (`DIGEST_HOUR` on the event's clock) each person's
meetings of that day; each morning (`SUMMARY_HOUR`) until the fair's last day, every
organiser's summary of the last day's requests, answers and warnings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from web.auth.models import Organiser
from web.companies.models import Company
from web.db import transaction, utc_now
from web.events.models import Event
from web.events.overview import overview
from web.meeting_requests.models import MeetingRequest
from web.notifications.models import Notification
from web.notifications.outbox import organiser_summary, write
from web.schedules.drift import published_drift
from web.schedules.models import Publication
from web.schedules.operations import Published, published_state, told_meeting

DIGEST_HOUR = 18  # "your meetings tomorrow" goes out from this hour the evening before
SUMMARY_HOUR = 8  # the organisers' summary of the day before, each morning of the event's clock


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


def write_summaries(engine: Engine, now: datetime | None = None) -> int:
    """Each organiser's summary of each event still to come or running, from SUMMARY_HOUR."""
    now = now or utc_now()
    written = 0
    with transaction(engine) as session:
        for event in session.scalars(select(Event)):
            local = now.astimezone(ZoneInfo(event.timezone))
            last = max((d.date for d in event.days), default=None)
            if last is None or local.date() > last or local.time() < time(SUMMARY_HOUR):
                continue
            payload = summary_of(session, event, now)
            for organiser in _told(session, event):
                written += len(organiser_summary(session, event, organiser, local.date(), payload))
    return written


def _told(session: Session, event: Event) -> list[Organiser]:
    """The event's owners, editors and viewers (not the help desk: the summary is the
    organisers' view of the whole event)."""
    from web.members.models import Membership

    return list(
        session.scalars(
            select(Organiser)
            .join(Membership, Membership.organiser_id == Organiser.id)
            .where(Membership.event_id == event.id, Membership.role != "desk")
            .order_by(Organiser.id)
        )
    )


def summary_of(session: Session, event: Event, now: datetime) -> dict:
    """What changed in the event over the last day, and what waits for the organiser."""
    since = now - timedelta(days=1)

    def count(model, *where) -> int:
        query = select(func.count()).select_from(model).where(model.event_id == event.id)
        return session.scalar(query.where(*where)) or 0

    answered = MeetingRequest.answered_at >= since
    drift = published_drift(session, event)
    return {
        "new_requests": count(MeetingRequest, MeetingRequest.created_at >= since),
        "accepted": count(MeetingRequest, answered, MeetingRequest.status == "accepted"),
        "declined": count(MeetingRequest, answered, MeetingRequest.status == "declined"),
        "awaiting": count(MeetingRequest, MeetingRequest.status == "requested"),
        "opened": count(Company, Company.link_opened_at >= since),
        "not_opened": count(Company, Company.link_opened_at.is_(None)),
        "warnings": len(overview(session, event).warnings),
        "affected": len(drift.affected) if drift else 0,
        "waiting": drift.waiting if drift else 0,
        "failed_mail": count(Notification, Notification.status == "failed"),
    }


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
