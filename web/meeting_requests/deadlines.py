"""The request rules' clock, run by a periodic job (web.jobs): unanswered requests expire
after the event's number of days (declined with the reason "expired", the asking company
told), and companies with requests to them still unanswered are reminded before the request
window closes. Both are idempotent: an expired request is no longer waiting, and a reminder
is one outbox row per company and window (the outbox's key)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from web.companies.models import Company
from web.db import EditConflict, transaction, utc_now
from web.events.models import Event
from web.meeting_requests.models import EXPIRED, MeetingRequest, RequestRules
from web.meeting_requests.operations import set_status
from web.notifications.outbox import request_expired, window_closing

REMIND_BEFORE = timedelta(hours=48)  # the reminder goes out this long before the close
EXPIRED_BY = "rules:expired"  # answered_by of an expired request


def expire_due(session: Session, event: Event, now: datetime, everything: bool = False) -> int:
    """Decline as expired every request of `event` unanswered for its rules' days (or, with
    `everything`, every one still waiting: a solve that closes them); return how many. A
    request answered meanwhile by someone else (a newer version) is left to that answer."""
    rules = session.get(RequestRules, event.id)
    if rules is None or (rules.expire_days is None and not everything):
        return 0
    query = select(MeetingRequest).where(
        MeetingRequest.event_id == event.id, MeetingRequest.status == "requested"
    )
    if not everything:
        query = query.where(MeetingRequest.asked_at <= now - timedelta(days=rules.expire_days))
    expired = 0
    for row in session.scalars(query.order_by(MeetingRequest.id)).all():
        try:
            with session.begin_nested():
                set_status(session, row, "declined", row.version_id, EXPIRED_BY, EXPIRED)
        except EditConflict:
            continue
        request_expired(session, row)
        expired += 1
    return expired


def remind_before_close(session: Session, event: Event, now: datetime) -> int:
    """Within REMIND_BEFORE of the window's close, each company with requests to it still
    unanswered hears how many (once per company and window); return the messages written."""
    rules = session.get(RequestRules, event.id)
    if rules is None or rules.closes_at is None:
        return 0
    if not rules.closes_at - REMIND_BEFORE <= now < rules.closes_at:
        return 0
    waiting = {
        company_id: count
        for company_id, count in session.execute(
            select(MeetingRequest.requested_id, func.count())
            .where(MeetingRequest.event_id == event.id, MeetingRequest.status == "requested")
            .group_by(MeetingRequest.requested_id)
        )
    }
    written = 0
    for company in session.scalars(select(Company).where(Company.id.in_(waiting))):
        written += len(window_closing(session, company, rules.closes_at, waiting[company.id]))
    return written


def apply_rules(engine: Engine, now: datetime | None = None) -> tuple[int, int]:
    """Every event's expiries and reminders due at `now`, one transaction per event; return
    (requests expired, reminders written)."""
    now = now or utc_now()
    with transaction(engine) as session:
        event_ids = list(session.scalars(select(RequestRules.event_id)))
    expired = reminded = 0
    for event_id in event_ids:
        with transaction(engine) as session:
            event = session.get(Event, event_id)
            if event is None:
                continue
            expired += expire_due(session, event, now)
            reminded += remind_before_close(session, event, now)
    return expired, reminded
