"""The published meetings as the fair's pages need them: each with its request's row id (what
attendance and feedback point at) and its description, read from the latest publication."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.calendars.details import MeetingDetails, meeting_details
from scheduler.calendars.revisions import Placement
from web.companies.models import Company
from web.events.models import Event
from web.meeting_requests.models import MeetingRequest
from web.schedules.operations import Published, published_state


@dataclass(frozen=True)
class FairMeeting:
    request_id: int  # meeting_requests.id
    details: MeetingDetails
    company_ids: tuple[int, ...]  # companies.id of both sides

    @property
    def start(self) -> datetime:
        return self.details.start

    @property
    def end(self) -> datetime:
        return self.details.end


def request_ids(session: Session, event: Event) -> dict[str, int]:
    """Request external id -> row id, for the event."""
    rows = session.execute(
        select(MeetingRequest.external_id, MeetingRequest.id).where(
            MeetingRequest.event_id == event.id
        )
    )
    return {external: row_id for external, row_id in rows}


def fair_meetings(session: Session, event: Event, published: Published | None = None):
    """Every meeting of the latest publication in time order ([] before the first)."""
    published = published or published_state(session, event)
    if published is None:
        return []
    ids = request_ids(session, event)
    companies = {
        external: row_id
        for external, row_id in session.execute(
            select(Company.external_id, Company.id).where(Company.event_id == event.id)
        )
    }
    out = []
    for meeting in sorted(published.schedule.meetings, key=lambda m: (m.start, m.location)):
        if meeting.request not in ids:
            continue
        details = meeting_details(published.instance, Placement.of(meeting))
        sides = tuple(companies[s.id] for s in details.sides if s.id in companies)
        out.append(FairMeeting(ids[meeting.request], details, sides))
    return out


def company_meeting(
    session: Session, event: Event, company_external_id: str, request_id: int
) -> FairMeeting | None:
    """One of the company's published meetings by its request's row id; None if the request
    is not the company's or has no published meeting (the company sees a 404)."""
    published = published_state(session, event)
    request = session.get(MeetingRequest, request_id)
    if published is None or request is None or request.event_id != event.id:
        return None
    for details in published.agenda(company_external_id):
        if details.request == request.external_id:
            ids = (request.requester_id, request.requested_id)
            return FairMeeting(request.id, details, ids)
    return None
