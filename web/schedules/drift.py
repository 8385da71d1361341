"""How far the event has moved from its published schedule.

A decline, a cancelled request, a blocked time, an attendee or a table taken away, a new setup:
each can leave a published meeting that the next re-solve will cancel or move, while it still
stands on both companies' agendas and in their calendars. The published schedule is judged
against the event as it is now by the independent validator (`scheduler.validate`), so every
change that breaks one of the format's rules is caught, whichever page made it; and accepted
requests the published version never saw are counted as waiting for a place.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.calendars.details import MeetingDetails, meeting_details
from scheduler.calendars.revisions import Placement
from scheduler.domain import Instance, Schedule
from scheduler.formats.schedule_io import schedule_to_document
from scheduler.validate.check import check_schedule
from web.conversion import document_from_event
from web.events.models import Event
from web.meeting_requests.models import MeetingRequest
from web.schedules.models import ScheduleVersion
from web.schedules.operations import Published, published_state

# What changed, by the validator's rule the published meeting now breaks (FORMAT.md, rules).
RULE_KINDS = {
    1: "answer",  # its request is no longer accepted
    2: "setup",  # outside the sessions or off the slots
    3: "attendees",  # someone it names is gone or no longer of that company
    4: "attendees",  # two meetings of one person now overlap
    5: "table",  # its table is gone, or too small
    6: "blocked",  # a time blocked since covers it
    7: "daily",  # over a company's daily maximum
    8: "fixed",  # a fixed meeting was moved
}
_MEETING = re.compile(r"meetings\[(\d+)\]")


@dataclass(frozen=True)
class Affected:
    """A published meeting the event no longer allows, and why (kinds of RULE_KINDS)."""

    meeting: MeetingDetails
    kinds: tuple[str, ...]
    status: str | None  # the request's status now; None if it was deleted
    answered_by: str | None  # who declined or cancelled it, where known
    answered_at: datetime | None

    @property
    def companies(self) -> tuple[str, ...]:
        return tuple(side.id for side in self.meeting.sides)


@dataclass(frozen=True)
class Drift:
    """The published schedule against the event as it is now."""

    affected: list[Affected]
    waiting: int  # accepted requests the published version did not include
    newer: int | None = None  # the latest version made since publishing, to review first

    @property
    def out_of_date(self) -> bool:
        return bool(self.affected or self.waiting)

    def companies(self) -> set[str]:
        return {company for a in self.affected for company in a.companies}

    def of_company(self, external_id: str) -> dict[str, Affected]:
        """The company's affected meetings, by request id (for its agenda to mark them)."""
        return {a.meeting.request: a for a in self.affected if external_id in a.companies}


def published_drift(session: Session, event: Event) -> Drift | None:
    """None before the first publication; else what the next re-solve would change."""
    published = published_state(session, event)
    if published is None:
        return None
    newer = session.scalar(
        select(ScheduleVersion.number)
        .where(
            ScheduleVersion.event_id == event.id,
            ScheduleVersion.created_at > published.published_at,
        )
        .order_by(ScheduleVersion.number.desc())
        .limit(1)
    )
    return replace(drift(session, event, published.instance, published.schedule), newer=newer)


def drift(session: Session, event: Event, instance: Instance, schedule: Schedule) -> Drift:
    """A schedule (solved from `instance`) against the event as it is now: the published one,
    or a version about to be published, which may be older than changes made since."""
    now = document_from_event(session, event)
    document = schedule_to_document(schedule, instance)
    kinds: dict[int, set[str]] = defaultdict(set)
    for violation in check_schedule(now, document):
        found = _MEETING.match(violation.place)
        if found and violation.rule in RULE_KINDS:
            kinds[int(found.group(1))].add(RULE_KINDS[violation.rule])
    meetings = schedule.meetings
    answers = _answers(session, event, [meetings[i].request for i in kinds])
    affected = []
    for i in sorted(kinds, key=lambda i: (meetings[i].start, meetings[i].request)):
        status, by, at = answers.get(meetings[i].request, (None, None, None))
        details = meeting_details(instance, Placement.of(meetings[i]))
        affected.append(Affected(details, tuple(sorted(kinds[i])), status, by, at))
    waiting = sum(1 for r in now["requests"] if r["id"] not in instance.request_by_id)
    return Drift(affected, waiting)


def _answers(
    session: Session, event: Event, request_ids: list[str]
) -> dict[str, tuple[str, str | None, datetime | None]]:
    """Status, who answered and when, of the requests (a setup change can touch every one of
    a fair's requests: past a few hundred, the event's rows are read rather than listed)."""
    if not request_ids:
        return {}
    query = select(
        MeetingRequest.external_id,
        MeetingRequest.status,
        MeetingRequest.answered_by,
        MeetingRequest.answered_at,
    ).where(MeetingRequest.event_id == event.id)
    if len(request_ids) <= 500:
        query = query.where(MeetingRequest.external_id.in_(request_ids))
    return {external_id: (status, by, at) for external_id, status, by, at in session.execute(query)}


def withdrawn_answers(
    published: Published | None, requests: list[MeetingRequest]
) -> list[MeetingRequest]:
    """Of a company's requests, those no longer accepted since their meeting was published
    (declined, withdrawn, or withdrawn and asked again): the meeting stands on both agendas and
    in both calendars until the organiser publishes again, which drops it unless it is
    accepted by then, so both companies' pages mark it (from the rows the page already read)."""
    if published is None:
        return []
    return [
        r
        for r in requests
        if r.status in ("declined", "cancelled", "requested")
        and r.external_id in published.request_ids
    ]
