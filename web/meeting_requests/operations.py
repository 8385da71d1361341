"""A request's life: asked, accepted or declined, perhaps cancelled; one per company pair."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, joinedload

from scheduler.words import N_, Refusal
from web.companies.models import Attendee, Company
from web.db import apply_edit, grouped, utc_now
from web.events.models import Event
from web.meeting_requests.conversation import clean_message
from web.meeting_requests.models import MeetingRequest, RequestAttendee, RequestWindow
from web.meeting_requests.rules import check_may_ask
from web.meeting_requests.statuses import status_words
from web.notifications.outbox import request_made
from web.webhooks import operations as webhooks

# Which status may follow which: a declined or cancelled request may be asked again.
TRANSITIONS = {
    "requested": {"accepted", "declined", "cancelled"},
    "accepted": {"cancelled", "declined"},
    "declined": {"requested", "accepted"},
    "cancelled": {"requested"},
}


class DuplicateRequest(Refusal):
    """The two companies already have a request (either way round)."""


class BadTransition(Refusal):
    """A status that may not follow the current one (say, accepting a withdrawn request)."""


# The statuses in words, for messages made here (web.labels has the pages' words for them).


def existing_pair(session: Session, event: Event, a: Company, b: Company) -> MeetingRequest | None:
    low, high = sorted((a.id, b.id))
    return session.scalar(
        select(MeetingRequest).where(
            MeetingRequest.event_id == event.id,
            MeetingRequest.company_low_id == low,
            MeetingRequest.company_high_id == high,
        )
    )


def add_request(
    session: Session,
    event: Event,
    requester: Company,
    requested: Company,
    external_id: str,
    **fields,
) -> MeetingRequest:
    """Ask for a meeting; DuplicateRequest if the pair is taken, also when two people ask at
    the same moment (the unique constraint decides, not this check)."""
    other = existing_pair(session, event, requester, requested)
    if other is not None:
        raise DuplicateRequest(
            N_("{one} and {other} already have request {request} ({status})"),
            one=requester.name,
            other=requested.name,
            request=other.external_id,
            status=status_words(other.status),
        )
    request = MeetingRequest(
        event=event, external_id=external_id, requester=requester, requested=requested, **fields
    )
    session.add(request)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as error:
        raise DuplicateRequest(
            N_("{one} and {other} already have a request"),
            one=requester.name,
            other=requested.name,
        ) from error
    if request.status == "requested":
        request_made(session, request)
    webhooks.request_created(session, request)
    return request


def set_status(
    session: Session,
    request: MeetingRequest,
    status: str,
    version: int,
    by: str | None = None,
    reason: str | None = None,
) -> None:
    """Move the request to `status` if it may follow the current one; `by` names who answered
    ("company:<id>" or "organiser:<event>"), kept with the time for the other side to see;
    `reason`, why it was declined (DECLINE_REASONS, or EXPIRED)."""
    if status not in TRANSITIONS[request.status]:
        raise BadTransition(
            N_("a request that is {status} cannot become {new}"),
            status=status_words(request.status),
            new=status_words(status),
        )
    now = utc_now()
    changes = {"status": status, "answered_by": by, "answered_at": now}
    changes["decline_reason"] = reason if status == "declined" else None
    if status == "requested":
        changes["asked_at"] = now  # asked again: its time to expire starts anew
    apply_edit(session, request, version, changes)


def update_request(session: Session, request: MeetingRequest, version: int, **changes) -> None:
    allowed = {"priority", "slots", "notes", "asked_by_id"}
    if set(changes) - allowed:
        raise TypeError(f"not editable here: {', '.join(sorted(set(changes) - allowed))}")
    apply_edit(session, request, version, changes)


def ask(
    session: Session,
    event: Event,
    requester: Company,
    requested: Company,
    priority: int,
    entered_by: str,
    notes: str | None = None,
    message: str | None = None,
    *,
    within: tuple[tuple[datetime, datetime], ...] = (),
    by_organiser: bool = False,
    now: datetime | None = None,
) -> MeetingRequest:
    """A request made in the web app, with the asking company's `message` to the other (the
    conversation's start) and the windows it would like to meet in (`within`, aware
    instants): the other side still has to accept it. A company asks under the event's
    request rules (the window, the cap: a Refusal in words); the organiser, who set them,
    enters a request at any time."""
    if not by_organiser:
        check_may_ask(session, event, requester, now)
    return add_request(
        session,
        event,
        requester,
        requested,
        f"W-{secrets.token_hex(5)}",
        priority=priority,
        notes=notes,
        message=clean_message(message),
        entered_by=entered_by,
        status="requested",
        asked_at=now or utc_now(),
        within=[RequestWindow(start=start, end=end) for start, end in within],
    )


def involving(company: Company):
    """The condition for requests to or from `company`."""
    return or_(MeetingRequest.requester_id == company.id, MeetingRequest.requested_id == company.id)


def requests_of(session: Session, company: Company) -> list[MeetingRequest]:
    """Every request to or from `company`, oldest first, with both companies loaded: what the
    organiser's company page and the company's own page list."""
    query = (
        select(MeetingRequest)
        .where(involving(company))
        .order_by(MeetingRequest.created_at)
        .options(joinedload(MeetingRequest.requester), joinedload(MeetingRequest.requested))
    )
    return list(session.scalars(query))


def named_attendees(session: Session, event: Event, key=MeetingRequest.id) -> dict:
    """Per request of the event (by `key`: its row id or its external id), the external ids
    of the attendees it names, in the order given."""
    return grouped(
        session,
        select(key, Attendee.external_id)
        .join(RequestAttendee, RequestAttendee.request_id == MeetingRequest.id)
        .join(Attendee, Attendee.id == RequestAttendee.attendee_id)
        .where(MeetingRequest.event_id == event.id)
        .order_by(RequestAttendee.position),
    )


def request_windows(session: Session, event: Event, key=MeetingRequest.id) -> dict:
    """Per request of the event (by `key`), the (start, end) windows it must be held in."""
    return grouped(
        session,
        select(key, RequestWindow.start, RequestWindow.end)
        .join(RequestWindow, RequestWindow.request_id == MeetingRequest.id)
        .where(MeetingRequest.event_id == event.id)
        .order_by(RequestWindow.start, RequestWindow.end),
    )


def name_attendees(
    session: Session, request: MeetingRequest, company: Company, attendees: list[Attendee]
) -> None:
    """Who of `company` must be at this meeting (none named: the solver picks whoever is
    free). The other side's named people stay as they are."""
    if company.id not in (request.requester_id, request.requested_id):
        raise ValueError(f"{company.external_id} is not a side of {request.external_id}")
    if any(a.company_id != company.id for a in attendees):
        raise ValueError("only the company's own people")
    wanted = {a.id: a for a in attendees}
    for named in list(request.named_attendees):  # the same row stays (its key is the pair)
        if named.attendee.company_id == company.id and named.attendee_id not in wanted:
            request.named_attendees.remove(named)
    present = {n.attendee_id for n in request.named_attendees}
    for attendee in attendees:
        if attendee.id not in present:
            request.named_attendees.append(RequestAttendee(attendee=attendee))
    for position, named in enumerate(request.named_attendees):
        named.position = position
    session.flush()


def named_by(session: Session, company: Company) -> dict[int, set[int]]:
    """Per request of `company` (row id), which of its own people the request names."""
    rows = session.execute(
        select(RequestAttendee.request_id, RequestAttendee.attendee_id)
        .join(Attendee, Attendee.id == RequestAttendee.attendee_id)
        .where(Attendee.company_id == company.id)
    )
    named: dict[int, set[int]] = {}
    for request_id, attendee_id in rows:
        named.setdefault(request_id, set()).add(attendee_id)
    return named
