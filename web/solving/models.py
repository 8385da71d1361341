"""Solver runs: what was asked (settings), how it went (status, progress, log) and what
came out (figures, and the schedule version it wrote)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.db import Base, UTCDateTime, one_of, utc_now

if TYPE_CHECKING:
    from web.events.models import Event
    from web.schedules.models import ScheduleVersion

RUN_STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


class SolverRun(Base):
    __tablename__ = "solver_runs"
    __table_args__ = (one_of("status", RUN_STATUSES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    progress: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # stage, objective, bound
    requests: Mapped[int | None] = mapped_column(Integer)  # accepted requests handed over
    scheduled: Mapped[int | None] = mapped_column(Integer)
    objective: Mapped[int | None] = mapped_column(Integer)
    bound: Mapped[int | None] = mapped_column(Integer)
    solver_status: Mapped[str | None] = mapped_column(String(20))  # OPTIMAL, FEASIBLE, ...
    log: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )  # the job stops
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Written by the worker while the run is under way; a running run whose heartbeat stops
    # had its worker killed (web/solving/operations.py: fail_stale_runs).
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    schedule: Mapped[ScheduleVersion | None] = relationship()
