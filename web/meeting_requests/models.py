"""Meeting requests through their life cycle, and meetings fixed before solving.

A request is asked (`requested`), then `accepted` or `declined` by the other side, and may be
`cancelled`; only accepted ones (and fixed ones) go to the solver. Two companies can be
asked to meet only once per event: the pair is stored in order (lower, higher company id)
under a unique constraint, so a request from B to A cannot slip in beside one from A to B.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.db import Base, UTCDateTime, one_of, utc_now

if TYPE_CHECKING:
    from web.companies.models import Attendee, Company
    from web.events.models import Event, Location

STATUSES = ("requested", "accepted", "declined", "cancelled")
TO_SOLVER = ("accepted",)


NOTES_LONGEST = 1000  # characters: a line or two for the other company, not a document
MESSAGE_LONGEST = 2000  # characters: a letter's opening paragraphs, not an attachment

# Why a request was declined: the receiver picks one (web.meeting_requests.conversation has
# their words); "expired" is the request rules' own, for a request left unanswered too long.
DECLINE_REASONS = ("not_a_fit", "no_time", "in_touch", "too_early", "other")
EXPIRED = "expired"
# After a withdrawal or a decline, whether the asking company may ask the same company again
# (the organiser's choice, RequestRules.ask_again); what becomes of requests still awaiting an
# answer when the organiser solves (RequestRules.at_solve): they wait for the next solve, or
# expire there and then.
ASK_AGAIN = ("never", "withdrawn", "both")
AT_SOLVE = ("wait", "expire")


class MeetingRequest(Base):
    __tablename__ = "meeting_requests"
    __table_args__ = (
        UniqueConstraint("event_id", "external_id"),
        UniqueConstraint("event_id", "company_low_id", "company_high_id", name="uq_request_pair"),
        one_of("status", STATUSES),
        CheckConstraint("requester_id <> requested_id", name="two_companies"),
        CheckConstraint(
            "(company_low_id = requester_id AND company_high_id = requested_id) OR "
            "(company_low_id = requested_id AND company_high_id = requester_id)",
            name="pair_in_order",
        ),
        CheckConstraint("company_low_id < company_high_id", name="pair_low_below_high"),
        CheckConstraint("priority > 0", name="priority_positive"),
        CheckConstraint("slots > 0", name="slots_positive"),
        one_of("decline_reason", (*DECLINE_REASONS, EXPIRED)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    external_id: Mapped[str] = mapped_column(String(200))
    requester_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    requested_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), index=True
    )
    company_low_id: Mapped[int] = mapped_column(Integer)  # set from the two, see below
    company_high_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default="requested")
    priority: Mapped[int] = mapped_column(Integer, default=1)
    slots: Mapped[int] = mapped_column(Integer, default=1)
    notes: Mapped[str | None] = mapped_column(Text)
    # The asking company's message to the other, written when asking: the conversation's
    # first entry (the replies are RequestMessage rows).
    message: Mapped[str | None] = mapped_column(Text)
    # When it was last asked (made, or asked again): unanswered requests expire from here.
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    decline_reason: Mapped[str | None] = mapped_column(String(20))  # while declined
    asked_by_id: Mapped[int | None] = mapped_column(  # the attendee who asked, where known
        ForeignKey("attendees.id", ondelete="SET NULL"), index=True
    )
    entered_by: Mapped[str | None] = mapped_column(Text)  # the account or file that entered it
    # Who last accepted, declined or cancelled it, and when: a company whose published meeting
    # is declined is told by whom ("company:<id>" or "organiser:<event>").
    answered_by: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
    version_id: Mapped[int] = mapped_column(Integer)  # edits in forms: no lost updates
    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 - read by SQLAlchemy

    event: Mapped[Event] = relationship()
    requester: Mapped[Company] = relationship(foreign_keys=[requester_id])
    requested: Mapped[Company] = relationship(foreign_keys=[requested_id])
    asked_by: Mapped[Attendee | None] = relationship()
    named_attendees: Mapped[list[RequestAttendee]] = relationship(
        cascade="all, delete-orphan", order_by="RequestAttendee.position"
    )
    within: Mapped[list[RequestWindow]] = relationship(
        cascade="all, delete-orphan", order_by="RequestWindow.start"
    )
    fixed: Mapped[FixedMeeting | None] = relationship(
        back_populates="request", cascade="all, delete-orphan"
    )
    replies: Mapped[list[RequestMessage]] = relationship(
        back_populates="request", cascade="all, delete-orphan", order_by="RequestMessage.id"
    )

    def __repr__(self) -> str:
        return f"<MeetingRequest {self.external_id} {self.status}>"


@event.listens_for(MeetingRequest, "before_insert")
@event.listens_for(MeetingRequest, "before_update")
def _order_pair(_mapper, _connection, request: MeetingRequest) -> None:
    """Keep the ordered pair in step with requester and requested, whoever set them."""
    request.company_low_id = min(request.requester_id, request.requested_id)
    request.company_high_id = max(request.requester_id, request.requested_id)


class RequestAttendee(Base):
    """An attendee the request names: they must be at the meeting."""

    __tablename__ = "request_attendees"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_requests.id", ondelete="CASCADE"), primary_key=True
    )
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    attendee: Mapped[Attendee] = relationship()


class RequestWindow(Base):
    """A window the meeting must lie in (the afternoon of day 2, say)."""

    __tablename__ = "request_windows"
    __table_args__ = (CheckConstraint('"end" > start', name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_requests.id", ondelete="CASCADE"), index=True
    )
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)


class FixedMeeting(Base):
    """A meeting placed before solving (published earlier, or by hand): kept exactly."""

    __tablename__ = "fixed_meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_requests.id", ondelete="CASCADE"), unique=True
    )
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    location_id: Mapped[int | None] = mapped_column(
        ForeignKey("locations.id", ondelete="SET NULL"), index=True
    )

    request: Mapped[MeetingRequest] = relationship(back_populates="fixed")
    location: Mapped[Location | None] = relationship()
    attendees: Mapped[list[FixedMeetingAttendee]] = relationship(
        cascade="all, delete-orphan", order_by="FixedMeetingAttendee.position"
    )


class FixedMeetingAttendee(Base):
    __tablename__ = "fixed_meeting_attendees"

    fixed_meeting_id: Mapped[int] = mapped_column(
        ForeignKey("fixed_meetings.id", ondelete="CASCADE"), primary_key=True
    )
    attendee_id: Mapped[int] = mapped_column(
        ForeignKey("attendees.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)

    attendee: Mapped[Attendee] = relationship()


class RequestMessage(Base):
    """A message in a request's conversation after the asking one: a reply from either side,
    or the note a decline came with (`reason` then says why, in the controlled words)."""

    __tablename__ = "request_messages"
    __table_args__ = (
        one_of("kind", ("reply", "decline")),
        one_of("reason", (*DECLINE_REASONS, EXPIRED)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("meeting_requests.id", ondelete="CASCADE"), index=True
    )
    # The side that wrote it (None: the organiser, on a company's behalf or to both).
    author_id: Mapped[int | None] = mapped_column(ForeignKey("companies.id", ondelete="CASCADE"))
    entered_by: Mapped[str | None] = mapped_column(Text)  # "company:<id>" or "organiser:<event>"
    kind: Mapped[str] = mapped_column(String(10), default="reply")
    reason: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    request: Mapped[MeetingRequest] = relationship(back_populates="replies")
    author: Mapped[Company | None] = relationship()


class RequestRules(Base):
    """The organiser's rules for asking, per event: when requests may be made (the window, on
    the event's clock), how many a company may have waiting at once, after how many days an
    unanswered one expires, whether a withdrawn or declined one may be asked again, and what a
    solve does with those still waiting. An event without a row has no rules (any time, no
    cap, no expiry; asking again after a withdrawal only)."""

    __tablename__ = "request_rules"
    __table_args__ = (
        CheckConstraint("pending_cap > 0", name="pending_cap_positive"),
        CheckConstraint("expire_days > 0", name="expire_days_positive"),
        CheckConstraint("closes_at > opens_at", name="closes_after_opening"),
        one_of("ask_again", ASK_AGAIN),
        one_of("at_solve", AT_SOLVE),
    )

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pending_cap: Mapped[int | None] = mapped_column(Integer)
    expire_days: Mapped[int | None] = mapped_column(Integer)
    ask_again: Mapped[str] = mapped_column(String(10), default="withdrawn")
    at_solve: Mapped[str] = mapped_column(String(10), default="wait")
    version_id: Mapped[int] = mapped_column(Integer)  # edits in forms: no lost updates
    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 - read by SQLAlchemy
