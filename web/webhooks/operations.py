"""Subscribing to an event's webhooks, and writing what happened into the deliveries, inside
the caller's transaction (as the mail outbox is written: a rolled-back change tells no one).
No Flask here: the pages, the API and the service layer call these."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.words import N_, Refusal
from web.db import utc_now
from web.events.models import Event
from web.webhooks.models import KINDS, WebhookDelivery, WebhookSubscription

WEBHOOKS_WRITTEN = "partnering.webhooks_written"  # in session.info: deliver after the commit
MAX_URL = 2000


class BadTarget(Refusal):
    """A URL webhooks cannot be sent to."""


@dataclass(frozen=True)
class NewSubscription:
    row: WebhookSubscription
    secret: str  # shown once


def check_url(url: str, allow_private: bool) -> str:
    """The URL as it will be called; BadTarget says why not. The addresses it resolves to are
    checked at each delivery (web.webhooks.delivery), where they count."""
    url = url.strip()
    parts = urlsplit(url)
    if len(url) > MAX_URL or any(ord(c) < 0x21 for c in url):
        raise BadTarget(N_("is not a URL; give one such as https://example.org/hooks"))
    if parts.scheme == "http" and not allow_private:
        raise BadTarget(
            N_("must start with https:// (plain http only to this machine, when allowed)")
        )
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise BadTarget(N_("is not a URL; give one such as https://example.org/hooks"))
    if parts.username or parts.password:
        raise BadTarget(N_("must not carry a user name or password"))
    try:
        parts.port  # noqa: B018 - urlsplit checks the port only when it is read
    except ValueError:
        raise BadTarget(N_("has a port that is not a number from 1 to 65535")) from None
    return url


def subscribe(
    session: Session,
    event: Event,
    url: str,
    kinds: Iterable[str],
    allow_private: bool = False,
    made_by: int | None = None,
) -> NewSubscription:
    chosen = [k for k in KINDS if k in set(kinds)]
    if not chosen:
        raise BadTarget(N_("choose at least one kind of event to send"))
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    row = WebhookSubscription(
        event_id=event.id,
        url=check_url(url, allow_private),
        kinds=chosen,
        secret=secret,
        allow_private=allow_private,
        created_by_id=made_by,
    )
    session.add(row)
    session.flush()
    return NewSubscription(row, secret)


def unsubscribe(session: Session, row: WebhookSubscription) -> None:
    if row.removed_at is None:
        row.removed_at = utc_now()


def unsubscribe_made_by(session: Session, event_id: int, organiser_id: int) -> int:
    """Remove the live subscriptions this organiser made on this event; how many."""
    rows = session.scalars(
        select(WebhookSubscription).where(
            WebhookSubscription.event_id == event_id,
            WebhookSubscription.created_by_id == organiser_id,
            WebhookSubscription.removed_at.is_(None),
        )
    ).all()
    for row in rows:
        unsubscribe(session, row)
    return len(rows)


def subscriptions_of(session: Session, event: Event) -> list[WebhookSubscription]:
    return list(
        session.scalars(
            select(WebhookSubscription)
            .where(
                WebhookSubscription.event_id == event.id, WebhookSubscription.removed_at.is_(None)
            )
            .order_by(WebhookSubscription.id)
        )
    )


def emit(session: Session, event: Event, kind: str, data: dict) -> list[WebhookDelivery]:
    """One delivery of `kind` to each of the event's subscriptions that asked for it."""
    if kind not in KINDS:
        raise ValueError(kind)
    rows = []
    for subscription in subscriptions_of(session, event):
        if kind not in subscription.kinds:
            continue
        message_id = "msg_" + secrets.token_hex(12)
        payload = {
            "type": kind,
            "timestamp": utc_now().isoformat(),
            "event": event.slug,
            "data": data,
        }
        rows.append(
            WebhookDelivery(
                subscription_id=subscription.id, message_id=message_id, kind=kind, payload=payload
            )
        )
    session.add_all(rows)
    if rows:
        session.info[WEBHOOKS_WRITTEN] = True
    return rows


# --- the causes -------------------------------------------------------------------------------


def request_data(request) -> dict:
    return {
        "request": request.external_id,
        "from": request.requester.external_id,
        "to": request.requested.external_id,
        "status": request.status,
        "priority": request.priority,
        "answered_by": request.answered_by,
        "answered_at": request.answered_at.isoformat() if request.answered_at else None,
    }


def request_created(session: Session, request) -> None:
    emit(session, request.event, "request.created", request_data(request))


def request_answered(session: Session, request) -> None:
    emit(session, request.event, "request.answered", request_data(request))


def schedule_published(session: Session, event: Event, publication, latest, previous) -> None:
    """`latest` and `previous`: the publications as companies see them (Published objects of
    web.schedules.operations; previous None at the first). Each meeting a re-publication adds,
    moves, cancels or gives to other people is a meeting.changed of its own; the first
    publication is one schedule.published (read the schedule from the API)."""
    emit(
        session,
        event,
        "schedule.published",
        {
            "publication": publication.id,
            "version": publication.schedule.number,
            "meetings": len(latest.schedule.meetings),
            "first": previous is None,
        },
    )
    if previous is None:
        return
    now = {m.request: m for m in latest.schedule.meetings}
    before = {m.request: m for m in previous.schedule.meetings}
    for request in sorted(now.keys() | before.keys()):
        change = _change(before.get(request), now.get(request))
        if change:
            meeting = now.get(request) or before[request]
            emit(
                session,
                event,
                "meeting.changed",
                {"request": request, "change": change, **_placement(meeting)},
            )


def _change(before, now) -> str | None:
    if before is None:
        return "added"
    if now is None:
        return "cancelled"
    if (before.start, before.location) != (now.start, now.location):
        return "moved"
    if set(before.attendees) != set(now.attendees):
        return "reassigned"
    return None


def _placement(meeting) -> dict:
    return {
        "start": meeting.start.isoformat(),
        "end": meeting.end.isoformat(),
        "location": meeting.location,
        "attendees": list(meeting.attendees),
    }
