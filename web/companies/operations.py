"""Edits to companies and attendees, safe against two organisers editing at once, and the
times either cannot meet."""

from __future__ import annotations

import hmac
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from web.companies.models import Attendee, Company, UnavailableBlock, new_access_token
from web.db import apply_edit, utc_now

COMPANY_FIELDS = {
    "name",
    "role",
    "delegation",
    "max_meetings_per_day",
    "max_meetings",
    "min_meetings",
}
ATTENDEE_FIELDS = {"name", "title", "email", "company_id"}


def update_company(session: Session, company: Company, version: int, **changes) -> None:
    """Save a form: raises EditConflict if the company changed since `version` was shown."""
    _only(changes, COMPANY_FIELDS)
    apply_edit(session, company, version, changes)


def update_attendee(session: Session, attendee: Attendee, version: int, **changes) -> None:
    _only(changes, ATTENDEE_FIELDS)
    apply_edit(session, attendee, version, changes)


def _only(changes: dict, allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")


def company_by_token(session: Session, token: str) -> Company | None:
    """The company whose private link this is, or None."""
    return _by_token(session, Company, token)


def mark_opened(session: Session, company_id: int) -> None:
    """The first time a company opens its link: kept for the organiser, who sends the link
    again to those that have not. Written without the form version, so that an organiser
    editing the company meanwhile is not told of a conflict for it."""
    session.execute(
        update(Company)
        .where(Company.id == company_id, Company.link_opened_at.is_(None))
        .values(link_opened_at=utc_now())
        .execution_options(synchronize_session=False)
    )


def attendee_by_token(session: Session, token: str) -> Attendee | None:
    """The person whose own agenda link this is, or None."""
    return _by_token(session, Attendee, token)


def _by_token(session: Session, model, token: str):
    """The row whose link this is. The lookup uses the unique index; the constant-time
    comparison keeps a timing difference from telling how close a guess is."""
    if not token or len(token) > 64:
        return None
    row = session.scalar(select(model).where(model.access_token == token))
    if row is None or not hmac.compare_digest(row.access_token, token):
        return None
    if getattr(row, "removed_at", None) is not None:
        return None  # a person taken off: their link ends with them
    return row


def rotate_token(session: Session, company: Company) -> str:
    """New private links for the company and each of its people; the old ones stop working at
    once (forwarded too widely, say)."""
    company.access_token = new_access_token()
    for attendee in company.attendees:
        attendee.access_token = new_access_token()
    session.flush()
    return company.access_token


def add_company(
    session: Session,
    event_id: int,
    name: str,
    role: str,
    attendee_names: list[str],
    delegation: str | None = None,
    max_meetings_per_day: int | None = None,
    max_meetings: int | None = None,
    min_meetings: int | None = None,
) -> Company:
    """A company entered by hand, with its attendees; ids are made from a counter."""
    company = Company(
        event_id=event_id,
        external_id=_free_id(session, Company, event_id, "C"),
        name=name,
        role=role,
        delegation=delegation,
        max_meetings_per_day=max_meetings_per_day,
        max_meetings=max_meetings,
        min_meetings=min_meetings,
    )
    session.add(company)
    session.flush()
    once: dict[str, str] = {}
    for name in attendee_names:
        once.setdefault(name.strip().casefold(), name)  # a name given twice is one person
    for person in once.values():
        add_attendee(session, company, person)
    return company


class AttendeeExists(ValueError):
    """The company already has a person of that name (a form sent twice, most likely)."""


def add_attendee(
    session: Session,
    company: Company,
    name: str,
    title: str | None = None,
    email: str | None = None,
) -> Attendee:
    """A person of the company, as a form gives them (spaces around, blanks for none);
    AttendeeExists if the company has one of that name already."""
    name = name.strip()
    if any(a.name.casefold() == name.casefold() for a in company.attendees):
        raise AttendeeExists(name)
    attendee = Attendee(
        event_id=company.event_id,
        company=company,
        external_id=_free_id(session, Attendee, company.event_id, "P"),
        name=name,
        title=(title or "").strip() or None,
        email=(email or "").strip() or None,
    )
    session.add(attendee)
    session.flush()
    return attendee


class CompanyInSchedule(ValueError):
    """A company whose requests a kept schedule version holds: history stays whole."""


def remove_company(session: Session, company: Company) -> None:
    """Delete a company with its people, requests and blocked times (a double entry, a
    company that never came); refused once a kept schedule version names one of its
    requests, placed or not: cancel its requests instead."""
    from web.meeting_requests.models import MeetingRequest
    from web.schedules.models import ScheduledMeeting, ScheduleVersion, UnscheduledRequest

    mine = select(MeetingRequest.id).where(
        (MeetingRequest.requester_id == company.id) | (MeetingRequest.requested_id == company.id)
    )
    placed = select(ScheduledMeeting.schedule_version_id).where(
        ScheduledMeeting.request_id.in_(mine)
    )
    listed = select(UnscheduledRequest.schedule_version_id).where(
        UnscheduledRequest.request_id.in_(mine)
    )
    numbers = session.scalars(
        select(ScheduleVersion.number)
        .where(ScheduleVersion.id.in_(placed.union(listed)))
        .order_by(ScheduleVersion.number)
    ).all()
    if numbers:
        raise CompanyInSchedule(", ".join(str(n) for n in numbers))
    session.delete(company)
    session.flush()


class LastAttendee(ValueError):
    """A company taking away its own last person: it could meet no one (the organiser may)."""


def remove_attendee(session: Session, attendee: Attendee, keep_one: bool = False) -> None:
    """Take a person off the company (their requests' attendee lists and blocked times go
    with them); refused with `keep_one` (the company's own page) when they are its last. Placed
    by a kept schedule version, they stay as a row for its history (`removed_at`), in no list,
    file or solve any more: their published meetings are affected until the next publication
    gives them to a colleague (the overview says so)."""
    company = attendee.company
    if keep_one and len(company.attendees) <= 1:
        raise LastAttendee(attendee.name)
    if not placed_in(session, attendee):
        company.attendees.remove(attendee)
        session.flush()
        return
    from web.meeting_requests.models import FixedMeetingAttendee, RequestAttendee

    for model in (RequestAttendee, FixedMeetingAttendee):
        session.execute(delete(model).where(model.attendee_id == attendee.id))
    session.execute(delete(UnavailableBlock).where(UnavailableBlock.attendee_id == attendee.id))
    attendee.removed_at = utc_now()
    session.flush()
    session.expire(company, ["attendees"])
    session.expire(attendee, ["unavailable"])


def placed_in(session: Session, attendee: Attendee) -> list[int]:
    """The numbers of the kept schedule versions that place this person in a meeting."""
    from web.schedules.models import ScheduledMeeting, ScheduledMeetingAttendee, ScheduleVersion

    return list(
        session.scalars(
            select(ScheduleVersion.number)
            .join(ScheduledMeeting, ScheduledMeeting.schedule_version_id == ScheduleVersion.id)
            .join(
                ScheduledMeetingAttendee, ScheduledMeetingAttendee.meeting_id == ScheduledMeeting.id
            )
            .where(ScheduledMeetingAttendee.attendee_id == attendee.id)
            .distinct()
            .order_by(ScheduleVersion.number)
        )
    )


def _free_id(session: Session, model, event_id: int, prefix: str) -> str:
    """The next unused id like C0041 in this event (files may have used any ids)."""
    taken = set(session.scalars(select(model.external_id).where(model.event_id == event_id)))
    number = len(taken) + 1
    while f"{prefix}{number:04d}" in taken:
        number += 1
    return f"{prefix}{number:04d}"


# What a company's link may write: enough for any real agenda, not an unbounded store.
BLOCKS_PER_COMPANY = 100


class AlreadyBlocked(ValueError):
    """The same span is blocked already for the same company or attendee."""


class TooManyBlocks(ValueError):
    """The company has BLOCKS_PER_COMPANY blocked times of its own."""


def block_time(
    session: Session,
    company: Company,
    start: datetime,
    end: datetime,
    attendee: Attendee | None = None,
) -> UnavailableBlock:
    """The company, or one of its attendees, cannot meet from `start` to `end` (a talk, a
    flight). The same rules whoever enters it, the company or the organiser's desk."""
    if attendee is not None and attendee.company_id != company.id:
        raise ValueError(f"{attendee.external_id} is not an attendee of {company.external_id}")
    if end <= start:
        raise ValueError("a blocked time ends after it starts")
    own = attendee.unavailable if attendee else company.unavailable
    if any(b.start == start and b.end == end for b in own):
        raise AlreadyBlocked
    if attendee is None and len(company.unavailable) >= BLOCKS_PER_COMPANY:
        raise TooManyBlocks
    block = UnavailableBlock(
        event_id=company.event_id,
        company=None if attendee else company,
        attendee=attendee,
        start=start,
        end=end,
    )
    session.add(block)
    session.flush()
    return block


def local_span(zone_name: str, day: date, start: time, end: time) -> tuple[datetime, datetime]:
    """A span given as a day and two clock times in the event's zone, as aware instants."""
    zone = ZoneInfo(zone_name)
    return datetime.combine(day, start, zone), datetime.combine(day, end, zone)


def outside_sessions(event, start: datetime, end: datetime) -> bool:
    """Whether a span misses every session of the event: blocking it changes nothing, which
    whoever blocked it should be told (they may have meant another time)."""
    return not any(s.start < end and start < s.end for d in event.days for s in d.sessions)


def blocks_of(company: Company) -> list[UnavailableBlock]:
    """The company's own blocked times and its attendees', in time order."""
    blocks = list(company.unavailable)
    for attendee in company.attendees:
        blocks += attendee.unavailable
    return sorted(blocks, key=lambda b: (b.start, b.end, b.id))


def block_owner(block: UnavailableBlock) -> Company:
    """The company a blocked time belongs to (its own, or that of its attendee)."""
    return block.company if block.company is not None else block.attendee.company


def remove_block(session: Session, block: UnavailableBlock) -> None:
    session.delete(block)
    session.flush()
