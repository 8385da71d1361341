"""The fair's changes: attendance marked, feedback given, the booking mode set, and meetings
booked into free slots and made part of the published schedule.

Booking holds one rule under concurrency: a table is booked once per slot and a person once
per time. Each booking takes the event's row lock first (SELECT ... FOR UPDATE on
PostgreSQL; on SQLite every writing request already began IMMEDIATE, which serialises
writers), then re-reads what is free, then inserts under the unique constraints of
`bookings` and `booking_attendees` (the last word if anything slipped past the check)."""

from __future__ import annotations

import secrets
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from scheduler.domain import Instance, Meeting, Request
from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.schedule_io import schedule_to_document
from scheduler.times import describe_time
from scheduler.validate.check import check_schedule, entitlements_short, objective
from scheduler.words import N_, Refusal
from web.companies.models import Attendee, Company
from web.conversion import add_booked_version, document_from_event
from web.db import utc_now
from web.events.models import Event, Location
from web.fairdays.attendance import check_window
from web.fairdays.free import NotBookable, free_slots, pair_refusal
from web.fairdays.meetings import FairMeeting
from web.fairdays.models import BOOKING_MODES, Attendance, Booking, BookingAttendee, Feedback
from web.meeting_requests.models import MeetingRequest
from web.meeting_requests.operations import add_request, existing_pair, set_status
from web.notifications.outbox import write
from web.schedules.models import Publication, ScheduleVersion
from web.schedules.operations import publish, published_state

NOTE_LONGEST = 2000  # characters of a private note after a meeting


class SlotTaken(Refusal):
    """The slot was free when the page was shown, and is not any more (someone else booked
    it meanwhile): the loser of a race is told so, in these words."""


class BadFeedback(Refusal):
    """A rating outside 1-5, a note too long, or feedback before the meeting."""


# --- attendance -----------------------------------------------------------------------------


def _mark(
    session: Session, event: Event, meeting: FairMeeting, company_id: int, status: str, by: str
):
    row = session.get(Attendance, (meeting.request_id, company_id))
    if row is None:
        row = Attendance(request_id=meeting.request_id, company_id=company_id, event_id=event.id)
        session.add(row)
    row.status, row.marked_by, row.marked_at = status, by, utc_now()


def mark_attendance(
    session: Session,
    event: Event,
    company: Company,
    meeting: FairMeeting,
    status: str,
    at: datetime,
    by: str | None = None,
) -> None:
    """One side's tap: `held` (both came) or `no_show` (the other side did not come; this one
    did). Within the meeting's window only (OutsideWindow otherwise). `by`: who tapped, when
    not the company's own page (one of its people on their own link)."""
    if status not in ("held", "no_show"):
        raise Refusal(N_("choose held or no-show"))
    check_window(meeting, at, ZoneInfo(event.timezone))
    by = by or f"company:{company.id}"
    for side in meeting.company_ids:
        mine = side == company.id
        _mark(session, event, meeting, side, "held" if mine or status == "held" else "no_show", by)
    session.flush()


def desk_attendance(
    session: Session, event: Event, meeting: FairMeeting, absent: int | None, by: str
) -> None:
    """The desk's mark at any time: held by both (`absent` None) or `absent` (a company id of
    the meeting) did not come."""
    if absent is not None and absent not in meeting.company_ids:
        raise Refusal(N_("that company is not in this meeting"))
    for side in meeting.company_ids:
        _mark(session, event, meeting, side, "no_show" if side == absent else "held", by)
    session.flush()


# --- feedback -------------------------------------------------------------------------------


def give_feedback(
    session: Session,
    event: Event,
    company: Company,
    meeting: FairMeeting,
    rating: int,
    follow_up: bool,
    note: str | None,
    at: datetime,
) -> Feedback:
    """The side's rating (1-5), follow-up and private note; once the meeting has begun."""
    if at < meeting.start:
        zone = ZoneInfo(event.timezone)
        raise BadFeedback(
            N_("feedback opens when the meeting starts, at {start}"),
            start=describe_time(meeting.start, zone),
        )
    if not 1 <= rating <= 5:
        raise BadFeedback(N_("rating: give 1 to 5"))
    note = (note or "").strip() or None
    if note and len(note) > NOTE_LONGEST:
        raise BadFeedback(N_("note: at most {most} characters"), most=NOTE_LONGEST)
    row = session.get(Feedback, (meeting.request_id, company.id))
    if row is None:
        row = Feedback(request_id=meeting.request_id, company_id=company.id, event_id=event.id)
        session.add(row)
    row.rating, row.follow_up, row.note = rating, follow_up, note
    session.flush()
    return row


# --- self-booking ---------------------------------------------------------------------------


def set_booking_mode(session: Session, event: Event, mode: str) -> None:
    if mode not in BOOKING_MODES:
        raise Refusal(N_("choose off, accept or confirm"))
    event.booking_mode = mode
    session.flush()


def lock_event(session: Session, event: Event) -> None:
    """Take the event's row lock for the rest of the transaction: bookings of one event go
    one after the other (PostgreSQL; SQLite's IMMEDIATE transactions are already serial)."""
    session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def book(
    session: Session, event: Event, company: Company, other: Company, start: datetime, at: datetime
) -> Booking:
    """Book the free slot at `start` with `other`: confirmed at once (and published), or
    waiting for the other side's answer, as the organiser chose. SlotTaken if it is no longer
    free; NotBookable if the two cannot book (self-booking off, declined before, ...)."""
    if event.booking_mode not in ("accept", "confirm"):
        raise NotBookable(N_("the organiser has not opened self-booking"))
    lock_event(session, event)
    published = published_state(session, event)
    if published is None:
        raise NotBookable(N_("there is no published schedule yet"))
    refusal = pair_refusal(session, event, company, other, published)
    if refusal is not None:
        raise refusal
    slot = next(
        (s for s in free_slots(session, event, company, other, at) if s.start == start), None
    )
    if slot is None:
        raise _taken(event, start)
    booking = Booking(
        event_id=event.id,
        publication_id=published.key.id,
        requester_id=company.id,
        requested_id=other.id,
        start=slot.start,
        end=slot.end,
        location_id=slot.location_id,
        attendees=[
            BookingAttendee(attendee_id=p, publication_id=published.key.id, start=slot.start)
            for p in slot.people
        ],
    )
    session.add(booking)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise _taken(event, start) from error
    if event.booking_mode == "confirm":
        confirm(session, event, booking, company)
    else:
        _tell(session, other, booking, "asked", company)
    return booking


def _taken(event: Event, start: datetime) -> SlotTaken:
    return SlotTaken(
        N_("{time} was just booked by someone else or is no longer free: choose another time"),
        time=describe_time(start, ZoneInfo(event.timezone)),
    )


def answer_booking(
    session: Session, event: Event, booking: Booking, company: Company, accept: bool, at: datetime
) -> str:
    """The asked side accepts (the meeting is published: "accepted") or declines (the
    booking goes and the booking side is told: "declined"); a time taken meanwhile by a
    re-published schedule withdraws the booking and tells its booker ("gone")."""
    if booking.requested_id != company.id or booking.status != "pending":
        raise NotBookable(N_("this booking is not waiting for your answer"))
    lock_event(session, event)
    requester = session.get(Company, booking.requester_id)
    if not accept:
        _tell(session, requester, booking, "declined", company)
        session.delete(booking)
        session.flush()
        return "declined"
    free = free_slots(session, event, requester, company, at, ignore=booking.id)
    if not any(s.start == booking.start for s in free):
        _tell(session, requester, booking, "no_longer_free", company)
        session.delete(booking)
        session.flush()
        return "gone"
    confirm(session, event, booking, company)
    return "accepted"


def confirm(session: Session, event: Event, booking: Booking, by: Company) -> Publication:
    """The booked meeting into the published schedule: its request accepted (made if the two
    had none), a new version = the published one + this meeting, checked by the format's
    rules and published (calendars: the new meeting at SEQUENCE 0, nothing else changes; both
    companies are told by the outbox as for any publication)."""
    requester = session.get(Company, booking.requester_id)
    requested = session.get(Company, booking.requested_id)
    request = _accepted_request(session, event, requester, requested, by)
    booking.request_id, booking.status, booking.answered_at = request.id, "confirmed", utc_now()
    published = published_state(session, event)
    version = session.get(ScheduleVersion, published.schedule_version_id)
    # Shallow: the kept document's rows are shared, never changed; only its list of
    # requests is new where the booking made a request (a deep copy took a second at scale).
    document = dict(version.instance) if version.instance else document_from_event(session, event)
    requests = document.get("requests") or []
    added = not any(r.get("id") == request.external_id for r in requests)
    if added:
        document["requests"] = [
            *requests,
            {
                "id": request.external_id,
                "from": requester.external_id,
                "to": requested.external_id,
                "priority": request.priority,
            },
        ]
    people = tuple(session.get(Attendee, a.attendee_id).external_id for a in booking.attendees)
    place = session.get(Location, booking.location_id).external_id
    meeting = Meeting(request.external_id, booking.start, booking.end, place, people)
    schedule = replace(
        published.schedule,
        meetings=[*published.schedule.meetings, meeting],
        unscheduled=[u for u in published.schedule.unscheduled if u.request != request.external_id],
    )
    if version.instance is None:  # published before versions kept their document
        instance = instance_from_document(document)[0]
    else:
        instance = _instance_of(published.instance, document, request if added else None)
    schedule = replace(schedule, summary=_summary_of(document, schedule, instance))
    if check_schedule(document, schedule_to_document(schedule, instance)):
        raise _taken(event, booking.start)  # the published schedule does not allow it now
    new = add_booked_version(session, version, schedule, meeting, f"booked: {request.external_id}")
    new.instance = document
    both = frozenset((requester.external_id, requested.external_id))
    return publish(session, new, made=(instance, schedule), touched=both)


def _instance_of(published: Instance, document: dict, added: MeetingRequest | None) -> Instance:
    """The booked version's instance: the published one, with the request the booking made
    where it made one, as reading `document` would give it (a fair's instance is not read
    again: a second at BioJapan size; tests/web/test_fairdays_booking.py compares the two)."""
    if added is None:
        return published
    row = document["requests"][-1]
    request = Request(added.external_id, row["from"], row["to"], added.priority)
    return replace(published, requests=(*published.requests, request))


def _summary_of(document: dict, schedule, instance) -> dict:
    """The published summary with its counts and objective made true again: a solver's
    summary said them of the schedule before the booking (the checker compares them)."""
    draft = schedule_to_document(replace(schedule, summary=None), instance)
    return {
        **(schedule.summary or {}),
        "objective": objective(document, draft),
        "scheduled": len(draft["meetings"]),
        "requests": len(document.get("requests") or []),
        "entitlements_short": entitlements_short(document, draft),
    }


def _accepted_request(session, event, requester, requested, by: Company) -> MeetingRequest:
    request = existing_pair(session, event, requester, requested)
    answer = f"company:{by.id}"
    if request is None:
        return add_request(
            session,
            event,
            requester,
            requested,
            f"booked-{secrets.token_hex(4)}",
            status="accepted",
            answered_by=answer,
            answered_at=utc_now(),
            entered_by="self-booking",
        )
    if request.status == "requested":
        set_status(session, request, "accepted", request.version_id, by=answer)
    return request


def _tell(session: Session, company: Company, booking: Booking, state: str, by: Company) -> None:
    """A booking asked of `company`, or its answer, through the outbox (kind "booking")."""
    place = session.get(Location, booking.location_id)
    payload = {
        "booking": booking.id,
        "state": state,
        "with": by.name,
        "start": booking.start.isoformat(),
        "location": place.name if place else "",
    }
    write(session, company, "booking", f"{booking.id}:{state}", payload)
