"""Schedule versions: every schedule the organiser kept, numbered per event, and which one is
current (the one published to attendees). Versions are never changed once written."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, ForeignKey, Integer, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.db import Base, UTCDateTime, utc_now

if TYPE_CHECKING:
    from web.companies.models import Attendee
    from web.events.models import Event, Location
    from web.meeting_requests.models import MeetingRequest


class ScheduleVersion(Base):
    __tablename__ = "schedule_versions"
    __table_args__ = (UniqueConstraint("event_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per event
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    solver_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("solver_runs.id", ondelete="SET NULL"), unique=True
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # first made current
    summary: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(Text)
    # The instance document it was solved from: its agendas and calendars read the event as
    # it was then, even after companies or requests change.
    instance: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    event: Mapped[Event] = relationship()
    meetings: Mapped[list[ScheduledMeeting]] = relationship(
        cascade="all, delete-orphan", order_by="ScheduledMeeting.id"
    )
    unscheduled: Mapped[list[UnscheduledRequest]] = relationship(
        cascade="all, delete-orphan", order_by="UnscheduledRequest.position"
    )

    @property
    def published(self) -> bool:
        return self.published_at is not None


class CurrentSchedule(Base):
    """The event's current version: one row per event at most (its primary key)."""

    __tablename__ = "current_schedules"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    schedule_version_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_versions.id", ondelete="CASCADE"), unique=True
    )

    schedule: Mapped[ScheduleVersion] = relationship()


class ScheduledMeeting(Base):
    __tablename__ = "scheduled_meetings"
    __table_args__ = (UniqueConstraint("schedule_version_id", "request_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_version_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_versions.id", ondelete="CASCADE")
    )
    # A request in a kept version cannot be deleted (cancel it instead): history stays whole.
    request_id: Mapped[int] = mapped_column(ForeignKey("meeting_requests.id"), index=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), index=True)

    request: Mapped[MeetingRequest] = relationship()
    location: Mapped[Location] = relationship()
    attendees: Mapped[list[ScheduledMeetingAttendee]] = relationship(
        cascade="all, delete-orphan", order_by="ScheduledMeetingAttendee.position"
    )


class ScheduledMeetingAttendee(Base):
    __tablename__ = "scheduled_meeting_attendees"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("scheduled_meetings.id", ondelete="CASCADE"), primary_key=True
    )
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    attendee: Mapped[Attendee] = relationship()


class UnscheduledRequest(Base):
    __tablename__ = "unscheduled_requests"

    schedule_version_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_versions.id", ondelete="CASCADE"), primary_key=True
    )
    request_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_requests.id"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    reason: Mapped[str] = mapped_column(Text)

    request: Mapped[MeetingRequest] = relationship()


class Publication(Base):
    """One act of publishing: which version became current, and the calendars' state then
    (each meeting's SEQUENCE, the cancelled ones: `published.json` of scheduler.calendars), so
    that subscribed calendars update rather than duplicate after every re-publish."""

    __tablename__ = "publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    schedule_version_id: Mapped[int] = mapped_column(
        ForeignKey("schedule_versions.id", ondelete="CASCADE"), index=True
    )
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)

    schedule: Mapped[ScheduleVersion] = relationship()
