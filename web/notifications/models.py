"""The outbox: one row per message to one person for one cause.

A row is written in the same transaction as the change that causes it (a request made, a
schedule published), so a change is never left untold and a rolled-back change tells
nothing. `key` is unique: the same cause for the same person is one message, however often
it is written. Delivery (web.notifications.delivery) moves a row from queued to sent, or to
failed with the server's answer; the organiser may queue it again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.auth.models import Organiser
from web.companies.models import Attendee, Company
from web.db import Base, UTCDateTime, utc_now
from web.events.models import Event

# What a message is about; each can be switched off per event (and all but the organisers'
# summary per company).
KINDS = (
    "link",
    "request",
    "answer",
    "reply",
    "expired",
    "reminder",
    "schedule",
    "booking",
    "digest",
    "summary",
)
STATES = ("queued", "sending", "sent", "failed")


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_due", "status", "next_attempt_at"),  # what delivery looks for
        Index("ix_notifications_event", "event_id", "id"),  # the outbox page
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    # Who is told: a company's person, or (the daily summary) an organiser.
    company_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    attendee_id: Mapped[int | None] = mapped_column(ForeignKey("attendees.id", ondelete="CASCADE"))
    organiser_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(20))
    key: Mapped[str] = mapped_column(String(300), unique=True)  # kind, cause and person
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what to tell
    status: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    address: Mapped[str | None] = mapped_column(Text)  # as sent (the person's may change)
    subject: Mapped[str | None] = mapped_column(Text)  # as sent, for the outbox page
    last_error: Mapped[str | None] = mapped_column(Text)  # the server's answer

    event: Mapped[Event] = relationship()
    company: Mapped[Company | None] = relationship()
    attendee: Mapped[Attendee | None] = relationship()
    organiser: Mapped[Organiser | None] = relationship()

    @property
    def recipient(self) -> tuple[str, str | None]:
        """(name, address) of whoever the message is for."""
        person = self.organiser or self.attendee
        # An invitation is for an address that may have no account yet.
        return (person.name if person else ""), (person.email if person else self.address)
