"""Capacity jobs: the capacity page's figures worked out by the queue's worker, not in the
page's request (at BioJapan size they take seconds: the event read from the database, a
maximum flow per number of tables). One row per event and state of its requests; the page
shows the latest row's progress until its figures are there."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from web.db import Base, UTCDateTime, one_of, utc_now

CAPACITY_STATUSES = ("queued", "running", "succeeded", "failed")


class CapacityRun(Base):
    __tablename__ = "capacity_runs"
    __table_args__ = (one_of("status", CAPACITY_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # What the figures were worked out from (`web.analytics.loads.fingerprint`): a row for
    # an older state of the event is out of date and another is queued.
    fingerprint: Mapped[str] = mapped_column(String(200))
    target: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)  # 0..1, for the bar
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
