"""What happens at the fair itself: who came to each published meeting, what each side
thought of it, and the meetings companies book themselves into free slots.

Rows point at the meeting request (`meeting_requests.id`), which stays the same across
re-solves, rather than at one version's meeting row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.db import Base, UTCDateTime, one_of, utc_now

ATTENDANCE = ("held", "no_show")
BOOKING_MODES = ("off", "accept", "confirm")  # the event's setting (Event.booking_mode)
BOOKING_STATES = ("pending", "confirmed")  # a declined booking is deleted (and told)


class Attendance(Base):
    """Whether one company came to one meeting: `held` (it was there) or `no_show`. Either
    side marks it (its own presence, and the other's absence), and the desk can too."""

    __tablename__ = "attendance"
    __table_args__ = (one_of("status", ATTENDANCE),)

    request_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_requests.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    # "company:<id>", "person:<attendee id>" (their own link) or "organiser:<email>"
    marked_by: Mapped[str] = mapped_column(Text)
    marked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Feedback(Base):
    """One side's view of one meeting: private to that side and the organiser."""

    __tablename__ = "feedback"
    __table_args__ = (CheckConstraint("rating BETWEEN 1 AND 5", name="rating_1_to_5"),)

    request_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_requests.id", ondelete="CASCADE"), primary_key=True
    )
    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    rating: Mapped[int] = mapped_column(Integer)
    follow_up: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)


class Booking(Base):
    """A meeting a company booked into a free slot of the published schedule.

    The database holds the rule that one table is booked once per slot: (the publication it
    was booked against, start, location) is unique, and so is (publication, start, person)
    in `booking_attendees`. Of two companies booking the last table at 14:00 at once, the
    second insert fails whatever the application checked before (SECURITY.md)."""

    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("publication_id", "start", "location_id", name="uq_booking_table"),
        one_of("status", BOOKING_STATES),
        CheckConstraint("requester_id <> requested_id", name="two_companies"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    publication_id: Mapped[int] = mapped_column(
        ForeignKey("publications.id", ondelete="CASCADE"), index=True
    )
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    requested_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    request_id: Mapped[int | None] = mapped_column(  # set once confirmed
        ForeignKey("meeting_requests.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attendees: Mapped[list[BookingAttendee]] = relationship(
        cascade="all, delete-orphan", order_by="BookingAttendee.attendee_id"
    )


class BookingAttendee(Base):
    """A person a booking takes: nobody is booked twice at one time (the unique constraint)."""

    __tablename__ = "booking_attendees"
    __table_args__ = (
        UniqueConstraint("publication_id", "start", "attendee_id", name="uq_booking_person"),
    )

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    publication_id: Mapped[int] = mapped_column(Integer)  # as the booking's: the constraint
    start: Mapped[datetime] = mapped_column(UTCDateTime)
