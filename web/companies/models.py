"""Companies (corporates and delegation members), their attendees, and the times either
cannot meet."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.db import Base, UTCDateTime, one_of

if TYPE_CHECKING:
    from web.events.models import Event

ROLES = ("corporate", "delegation")
NAME_LONGEST = 200  # characters of a name or title: a badge's worth, with room
EMAIL_LONGEST = 320  # the longest address SMTP carries


def new_access_token() -> str:
    """A company's or a person's private link: 256 random bits, unguessable, URL-safe."""
    return secrets.token_urlsafe(32)


class Company(Base):
    __tablename__ = "companies"
    __table_args__ = (
        UniqueConstraint("event_id", "external_id"),
        one_of("role", ROLES),
        CheckConstraint("max_meetings_per_day > 0", name="max_meetings_per_day_positive"),
        CheckConstraint("max_meetings > 0", name="max_meetings_positive"),
        CheckConstraint("min_meetings > 0", name="min_meetings_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))  # the id in files and sheets
    name: Mapped[str] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(20))
    delegation: Mapped[str | None] = mapped_column(Text)
    max_meetings_per_day: Mapped[int | None] = mapped_column(Integer)
    # The package it bought: the most meetings over the whole event (a rule), and the
    # meetings it is guaranteed (a goal that comes before the count).
    max_meetings: Mapped[int | None] = mapped_column(Integer)
    min_meetings: Mapped[int | None] = mapped_column(Integer)
    # The company's private link (/c/<token>/); the organiser can rotate it.
    access_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_access_token)
    link_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first visit
    # Messages: its language (None: the event's) and the kinds it does not want.
    language: Mapped[str | None] = mapped_column(String(8))
    mail_off: Mapped[list[str]] = mapped_column(JSON, default=list)
    version_id: Mapped[int] = mapped_column(Integer)  # edits in forms: no lost updates
    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 - read by SQLAlchemy

    event: Mapped[Event] = relationship()
    # The people it sends now: one taken off after a schedule placed them stays as a row
    # (`removed_at`) for the kept versions, and is in no list, file or solve any more.
    attendees: Mapped[list[Attendee]] = relationship(
        back_populates="company",
        cascade="all, delete-orphan",
        order_by="Attendee.id",
        primaryjoin="and_(Company.id == Attendee.company_id, Attendee.removed_at.is_(None))",
    )
    unavailable: Mapped[list[UnavailableBlock]] = relationship(
        back_populates="company",
        cascade="all, delete-orphan",
        order_by="UnavailableBlock.start",
    )

    def __repr__(self) -> str:
        return f"<Company {self.external_id}>"


class Attendee(Base):
    __tablename__ = "attendees"
    # Attendee ids are unique in the whole event (FORMAT.md), not only in their company.
    __table_args__ = (UniqueConstraint("event_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    bio: Mapped[str | None] = mapped_column(Text)  # a few lines on the directory's profile
    email: Mapped[str | None] = mapped_column(Text)
    # The person's own agenda link (/p/<token>/): their meetings and feed, read only.
    access_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_access_token)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # see Company.attendees
    version_id: Mapped[int] = mapped_column(Integer)  # edits in forms: no lost updates
    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 - read by SQLAlchemy

    company: Mapped[Company] = relationship(back_populates="attendees")
    unavailable: Mapped[list[UnavailableBlock]] = relationship(
        back_populates="attendee",
        cascade="all, delete-orphan",
        order_by="UnavailableBlock.start",
    )


class UnavailableBlock(Base):
    """A time when a company, or one of its attendees, cannot meet."""

    __tablename__ = "unavailable_blocks"
    __table_args__ = (
        CheckConstraint(
            "(company_id IS NULL) <> (attendee_id IS NULL)", name="company_or_attendee"
        ),
        CheckConstraint('"end" > start', name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    company_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    attendee_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)

    company: Mapped[Company | None] = relationship(back_populates="unavailable")
    attendee: Mapped[Attendee | None] = relationship(back_populates="unavailable")
