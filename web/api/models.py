"""API keys, and the answers kept for idempotent writes.

A key is shown once and stored as the SHA-256 of its text (keys are 256 random bits, not
passwords: a slow hash adds nothing); it is found by its public prefix, compared in constant
time, and opens one event, read-only or read-write."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.db import Base, UTCDateTime, utc_now

if TYPE_CHECKING:
    from web.events.models import Event


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)
    prefix: Mapped[str] = mapped_column(String(32), unique=True)  # public: finds the key
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the whole key, hex
    read_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The organiser who made it on the page (None: the command line, run by whoever runs the
    # server). A key can do what its maker may: it is revoked when they may no longer.
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL"), index=True
    )

    event: Mapped[Event] = relationship()

    @property
    def scope(self) -> str:
        return "read" if self.read_only else "write"


class IdempotentAnswer(Base):
    """The answer given to a write sent with an `Idempotency-Key`: the same key with the same
    request gets it again (a retry after a lost connection writes nothing twice)."""

    __tablename__ = "api_idempotent_answers"
    __table_args__ = (UniqueConstraint("api_key_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    api_key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_digest: Mapped[str] = mapped_column(String(64))  # method, path and body
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    content_type: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
