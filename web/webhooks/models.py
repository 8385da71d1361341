"""Webhook subscriptions of an event, and one delivery row per message to one subscription.

A delivery is written in the same transaction as the change it tells (request created or
answered, schedule published, meeting changed), then sent by a job on the queue: claimed,
posted, marked delivered with the receiver's status and the first bytes of its answer;
retried with backoff; replayed from the log by the organiser."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.db import Base, UTCDateTime, utc_now

if TYPE_CHECKING:
    from web.events.models import Event

# What a subscription may ask for, as the payload's "type" says it.
KINDS = ("request.created", "request.answered", "schedule.published", "meeting.changed")
STATES = ("queued", "sending", "delivered", "failed")


class WebhookSubscription(Base):
    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The signing secret ("whsec_" + base64 of 32 random bytes, as Standard Webhooks writes it):
    # kept as it is because signing needs it; shown to the organiser once.
    secret: Mapped[str] = mapped_column(String(100))
    # The organiser's explicit permission to deliver to private, loopback or link-local
    # addresses (an integration on the venue's network); without it they are refused.
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The organiser who subscribed it (None: made outside the pages); removed with their role.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL"), index=True
    )

    event: Mapped[Event] = relationship()


class WebhookDelivery(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_subscription", "subscription_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    message_id: Mapped[str] = mapped_column(String(40))  # webhook-id: the same on every retry
    kind: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)  # the first bytes of the answer
    last_error: Mapped[str | None] = mapped_column(Text)

    subscription: Mapped[WebhookSubscription] = relationship()
