"""An event's setup: its days, sessions and slot length in its own time zone, and its
tables, rooms and booths."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scheduler.calendars.video import MODES as VIDEO_MODES
from web.db import Base, UTCDateTime, one_of, utc_now

LOCATION_KINDS = ("table", "room", "booth")


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (one_of("video_mode", VIDEO_MODES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(Text)
    venue: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64))
    slot_minutes: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # Messages: the language of companies that chose none, the kinds not sent at all
    # (web.notifications.models.KINDS), the calendars' reminder before each meeting.
    language: Mapped[str] = mapped_column(String(8), default="en")
    mail_off: Mapped[list[str]] = mapped_column(JSON, default=list)
    alarm_minutes: Mapped[int] = mapped_column(Integer, default=15)  # 0: no reminder
    # Hybrid meetings (scheduler.calendars.video): none, a link per table (Location.video_url)
    # or per meeting from an https template; the service's name as calendars label the link.
    video_mode: Mapped[str] = mapped_column(String(10), default="none")
    video_label: Mapped[str | None] = mapped_column(Text)
    video_template: Mapped[str | None] = mapped_column(Text)
    # Self-booking of free slots after publication (web.fairdays): "off", "accept" (the
    # other side accepts) or "confirm" (confirmed at once).
    booking_mode: Mapped[str] = mapped_column(String(10), default="off", server_default="off")
    version_id: Mapped[int] = mapped_column(Integer)  # edits in forms: no lost updates
    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 - read by SQLAlchemy

    days: Mapped[list[EventDay]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventDay.date"
    )
    locations: Mapped[list[Location]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Location.id"
    )

    def __repr__(self) -> str:
        return f"<Event {self.slug}>"


class EventDay(Base):
    __tablename__ = "event_days"
    __table_args__ = (UniqueConstraint("event_id", "date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    date: Mapped[date] = mapped_column(Date)

    event: Mapped[Event] = relationship(back_populates="days")
    sessions: Mapped[list[EventSession]] = relationship(
        back_populates="day", cascade="all, delete-orphan", order_by="EventSession.start"
    )


class EventSession(Base):
    """A block of back-to-back slots on one day (the morning before lunch, say)."""

    __tablename__ = "event_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("event_days.id", ondelete="CASCADE"))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)

    day: Mapped[EventDay] = relationship(back_populates="sessions")


class Location(Base):
    """A table, room or booth; one with an owner holds only that company's meetings."""

    __tablename__ = "locations"
    __table_args__ = (
        UniqueConstraint("event_id", "external_id"),
        one_of("kind", LOCATION_KINDS),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(10), default="table")
    video_url: Mapped[str | None] = mapped_column(Text)  # the table's video link, if any
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("companies.id", ondelete="SET NULL"), index=True
    )
    version_id: Mapped[int] = mapped_column(Integer)  # edits in forms: no lost updates
    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 - read by SQLAlchemy

    event: Mapped[Event] = relationship(back_populates="locations")
