"""One entry per unit of work that changed an event's data (`web.audit.trail` writes them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.db import Base, UTCDateTime, utc_now


class AuditEntry(Base):
    """What one request, command or job changed in one event: each row's values before and
    after (`changes`), or for a bulk action (an import, a solve) the rows counted per table
    and kind of change (`counts`). Secret columns are never stored, only that they changed."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_event", "event_id", "id"),
        Index("ix_audit_entries_actor", "event_id", "actor_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for an event deleted in the same unit of work (its entries go with it).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(Text)  # named as they were then: "Jane <jane@...>"
    actor_kind: Mapped[str] = mapped_column(String(20))  # organiser, company, cli, job...
    kind: Mapped[str] = mapped_column(String(40))  # a named action, else the table changed
    summary: Mapped[str | None] = mapped_column(Text)  # a named action's own words
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # a named action's
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    counts: Mapped[dict[str, dict[str, int]]] = mapped_column(JSON, default=dict)
    more: Mapped[int] = mapped_column(Integer, default=0)  # rows counted but not detailed

    companies: Mapped[list[AuditCompany]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class AuditCompany(Base):
    """An entry concerns this company: its page lists the entry. No foreign key, so that the
    trail of a company that was removed stays readable."""

    __tablename__ = "audit_companies"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("audit_entries.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)
