"""Keeping schedule versions, choosing the current (published) one, and what companies'
calendars show of it."""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from functools import cached_property
from typing import NamedTuple
from zoneinfo import ZoneInfo

from cachetools import LRUCache
from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.calendars.agenda import company_meetings
from scheduler.calendars.details import MeetingDetails, meeting_details
from scheduler.calendars.ical import EventTexts
from scheduler.calendars.published_file import publication_document, publication_from_document
from scheduler.calendars.revisions import Placement, PublishedMeeting, companies_of
from scheduler.calendars.revisions import Publication as CalendarPublication
from scheduler.calendars.revisions import publish as revise
from scheduler.calendars.video import VideoLinks
from scheduler.domain import Instance, Meeting, Schedule
from scheduler.formats.instance_reader import instance_from_document
from scheduler.solver.reasons import reason_kind
from web.companies.models import Attendee, Company
from web.conversion import add_schedule_version, instance_from_event, schedule_from_version
from web.db import utc_now
from web.events.models import Event
from web.notifications.outbox import schedule_published
from web.schedules.models import CurrentSchedule, Publication, ScheduleVersion
from web.webhooks import operations as webhooks

__all__ = [
    "AgendaUpdate",
    "AlreadyPublished",
    "PublicationKey",
    "Published",
    "add_schedule_version",
    "agenda_update",
    "current_version",
    "event_key",
    "latest_publication",
    "previous_state",
    "publish",
    "published_state",
    "schedule_from_version",
    "version_instance",
]


def event_key(event: Event) -> str:
    """The key of the event's meeting UIDs: its slug, which renaming the event keeps."""
    return f"event-{event.slug}"


class AlreadyPublished(ValueError):
    """The version is the one companies have now: publishing it again (a double click, a form
    sent twice) would change nothing but make its 'what changed' notice say nothing changed."""


def publish(
    session: Session,
    version: ScheduleVersion,
    *,
    made: tuple[Instance, Schedule] | None = None,
    touched: frozenset[str] | None = None,
) -> Publication:
    """Make `version` the event's current one; the earlier versions are kept. The calendars'
    state is worked out against the last publication (moved meetings get a higher SEQUENCE,
    dropped ones are cancelled) and kept with it. AlreadyPublished if it is the latest.
    `made`: the version's instance and schedule where the caller has them (not read back);
    `touched`: the only companies whose agendas can differ from the last publication (a
    booking's two), so that the others are not compared one by one."""
    latest = latest_publication(session, version.event)
    if latest is not None and latest.schedule_version_id == version.id:
        raise AlreadyPublished(version.number)
    current = session.get(CurrentSchedule, version.event_id)
    if current is None:
        session.add(CurrentSchedule(event_id=version.event_id, schedule_version_id=version.id))
    else:
        current.schedule_version_id = version.id
    if version.published_at is None:
        version.published_at = utc_now()
    instance, schedule = made or (
        version_instance(session, version),
        schedule_from_version(session, version),
    )
    previous = latest_publication(session, version.event)
    before = _previous_calendars(previous, instance) if previous else None
    state = revise(schedule, event_key(version.event), before)
    publication = Publication(
        event_id=version.event_id,
        schedule_version_id=version.id,
        document=publication_document(instance, schedule, state),
    )
    session.add(publication)
    session.flush()
    if version.instance is not None:  # kept as _state would read it back
        key = PublicationKey(publication.id, publication.published_at)
        kept = Published(key, version.id, instance, schedule, state)
        with _KEPT_LOCK:
            _KEPT[key] = kept
    tell_companies(session, version.event, publication, touched)
    return publication


def _previous_calendars(previous: Publication, instance: Instance) -> CalendarPublication:
    """The last publication's calendars as `instance` reads them: kept in this process where
    it is (they depend on the instance's time zone only), else read from its document."""
    with _KEPT_LOCK:
        kept = _KEPT.get(PublicationKey(previous.id, previous.published_at))
    if kept is not None and kept.instance.event.timezone == instance.event.timezone:
        return kept.calendars
    return _calendar_state(previous, instance)


def _calendar_state(publication: Publication, instance: Instance) -> CalendarPublication:
    return publication_from_document(
        publication.document, instance, event_key(publication.schedule.event)
    )


def version_instance(session: Session, version: ScheduleVersion) -> Instance:
    """The event as the version was solved from (the event as it is now for older rows)."""
    if version.instance is not None:
        instance, _warnings = instance_from_document(version.instance)
        return instance
    return instance_from_event(session, version.event)


def current_version(session: Session, event: Event) -> ScheduleVersion | None:
    return session.scalar(
        select(ScheduleVersion)
        .join(CurrentSchedule, CurrentSchedule.schedule_version_id == ScheduleVersion.id)
        .where(CurrentSchedule.event_id == event.id)
    )


def latest_publication(session: Session, event: Event) -> Publication | None:
    return session.scalar(
        select(Publication)
        .where(Publication.event_id == event.id)
        .order_by(Publication.id.desc())
        .limit(1)
    )


class PublicationKey(NamedTuple):
    """A publication, as what is kept of it is filed: its id with its instant, as an id alone
    comes back in SQLite after the event holding the latest publication was deleted."""

    id: int
    published_at: datetime


@dataclass(frozen=True)
class Published:
    """What companies see: the published schedule, its instance and its calendars' state.
    Plain data, the same for every request until the next publish (so it is kept, below)."""

    key: PublicationKey
    schedule_version_id: int
    instance: Instance
    schedule: Schedule
    calendars: CalendarPublication
    # Each meeting's VEVENT once written, for every calendar of this publication: mail, feeds.
    event_texts: EventTexts = field(default_factory=EventTexts, compare=False, repr=False)

    @property
    def published_at(self) -> datetime:
        return self.key.published_at

    def of_company(self, external_id: str) -> tuple[Schedule, CalendarPublication]:
        """The schedule and the calendars' state cut down to one company's meetings. Its
        agenda and feed read from them are the same as from the whole (the writers keep only
        the company's meetings), without going through a large fair's every meeting."""
        schedule_meetings, calendar_meetings = self._by_company.get(external_id, ([], ()))
        return (
            replace(self.schedule, meetings=schedule_meetings),
            replace(self.calendars, meetings=calendar_meetings),
        )

    def agenda(self, external_id: str, video: VideoLinks | None = None) -> list[MeetingDetails]:
        """The company's published meetings in time order, described as its agenda shows
        them (for the company's own page and the organiser's page of that company alike),
        with the event's `video` links if given."""
        if external_id not in self.instance.company_by_id:
            return []
        schedule, _calendars = self.of_company(external_id)
        return company_meetings(self.instance, schedule, external_id, video)

    def person_agenda(
        self, external_id: str, attendee_id: str, video: VideoLinks | None = None
    ) -> list[MeetingDetails]:
        """The meetings of one of the company's people, as the company's agenda shows them."""
        schedule, _calendars = self.of_company(external_id)
        theirs = [m for m in schedule.meetings if attendee_id in m.attendees]
        if not theirs:
            return []
        mine = replace(schedule, meetings=theirs)
        return company_meetings(self.instance, mine, external_id, video)

    @cached_property
    def not_placed(self) -> dict[str, str]:
        """The requests this publication leaves without a meeting, with the kind of reason
        (scheduler.solver.reasons.REASON_KINDS), for what a company may be told."""
        return {u.request: reason_kind(u.reason) for u in self.schedule.unscheduled}

    @cached_property
    def request_ids(self) -> frozenset[str]:
        """The requests that have a meeting in this publication."""
        return frozenset(m.request for m in self.schedule.meetings)

    @cached_property
    def _by_company(self) -> dict[str, tuple[list[Meeting], tuple[PublishedMeeting, ...]]]:
        scheduled: dict[str, list[Meeting]] = defaultdict(list)
        for meeting in self.schedule.meetings:
            for company in self.instance.request_by_id[meeting.request].companies:
                scheduled[company].append(meeting)
        published: dict[str, list[PublishedMeeting]] = defaultdict(list)
        for meeting in self.calendars.meetings:
            for company in companies_of(self.instance, meeting.placement):
                published[company].append(meeting)
        return {
            company: (scheduled.get(company, []), tuple(published.get(company, ())))
            for company in scheduled.keys() | published.keys()
        }


# Companies' pages and files read the published state at every request; rebuilding it costs
# a dozen queries and reading the whole instance. A publication never changes, so what was
# read is kept by its key (a few events' worth: a large fair's is about a hundred MB).
_KEPT: LRUCache[PublicationKey, Published] = LRUCache(maxsize=4)
_KEPT_LOCK = threading.Lock()


def forget_published() -> None:
    """Drop what was kept of every publication: a person's erasure rewrote one's instance."""
    with _KEPT_LOCK:
        _KEPT.clear()


def published_state(session: Session, event: Event) -> Published | None:
    """The event's latest publication as companies see it; None before the first."""
    keys = _latest_keys(session, event, 1)
    return _state(session, keys[0]) if keys else None


def previous_state(session: Session, event: Event) -> Published | None:
    """The publication before the latest, which companies saw until then (None if none)."""
    keys = _latest_keys(session, event, 2)
    return _state(session, keys[1]) if len(keys) == 2 else None


def _latest_keys(session: Session, event: Event, count: int) -> list[PublicationKey]:
    rows = session.execute(
        select(Publication.id, Publication.published_at)
        .where(Publication.event_id == event.id)
        .order_by(Publication.id.desc())
        .limit(count)
    )
    return [PublicationKey(*row) for row in rows]


def _state(session: Session, key: PublicationKey) -> Published:
    """The publication of `key` as companies see it (or saw it, for an earlier one): read
    once and kept."""
    with _KEPT_LOCK:
        kept = _KEPT.get(key)
    if kept is not None:
        return kept
    publication = session.get(Publication, key.id)
    version = publication.schedule
    instance = version_instance(session, version)
    published = Published(
        key,
        version.id,
        instance,
        schedule_from_version(session, version),
        _calendar_state(publication, instance),
    )
    if version.instance is not None:  # else it is the event as it is now, which may change
        with _KEPT_LOCK:
            _KEPT[key] = published
    return published


@dataclass(frozen=True)
class AgendaUpdate:
    """What the latest publication changed on one company's agenda, against the one before
    (`first`: there was none), as the company's page says it: 'updated <time>: 2 moved'."""

    published_at: datetime
    first: bool
    added: list[MeetingDetails]
    moved: list[tuple[MeetingDetails, MeetingDetails]]  # (before, now)
    cancelled: list[MeetingDetails]
    # Same time and table, other people (this company's or the other's): person feeds change.
    reassigned: list[tuple[MeetingDetails, MeetingDetails]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.moved or self.cancelled or self.reassigned)


def agenda_update(session: Session, event: Event, external_id: str) -> AgendaUpdate | None:
    """None before the first publication."""
    latest = published_state(session, event)
    if latest is None:
        return None
    return agenda_changes(latest, previous_state(session, event), external_id)


def person_update(update: AgendaUpdate | None, company: str, name: str) -> AgendaUpdate | None:
    """What the latest publication changed for one of the company's people (by name, which
    is unique in a company): the company's changes to meetings this person goes to, or went."""
    if update is None or update.first:
        return update

    def theirs(meeting: MeetingDetails) -> bool:
        return any(s.id == company and name in s.attendees for s in meeting.sides)

    return replace(
        update,
        added=[m for m in update.added if theirs(m)],
        moved=[(b, n) for b, n in update.moved if theirs(b) or theirs(n)],
        cancelled=[m for m in update.cancelled if theirs(m)],
        reassigned=[(b, n) for b, n in update.reassigned if theirs(b) or theirs(n)],
    )


def agenda_changes(latest: Published, previous: Published | None, external_id: str) -> AgendaUpdate:
    """What `latest` changes on the company's agenda against `previous` (None: the first)."""
    if previous is None:
        return AgendaUpdate(latest.published_at, True, [], [], [])
    now = {m.request: m for m in latest.agenda(external_id)}
    before = {m.request: m for m in previous.agenda(external_id)}
    kept = [r for r in now if r in before]
    moved = [
        r
        for r in kept
        if (before[r].start, before[r].location_id) != (now[r].start, now[r].location_id)
    ]
    return AgendaUpdate(
        latest.published_at,
        False,
        added=[m for r, m in now.items() if r not in before],
        moved=[(before[r], now[r]) for r in moved],
        cancelled=[m for r, m in before.items() if r not in now],
        reassigned=[
            (before[r], now[r])
            for r in kept
            if r not in moved and _people(before[r]) != _people(now[r])
        ],
    )


def _people(meeting: MeetingDetails) -> list[set[str]]:
    return [set(side.attendees) for side in meeting.sides]


def tell_companies(
    session: Session,
    event: Event,
    publication: Publication,
    touched: frozenset[str] | None = None,
) -> None:
    """Each company whose agenda this publication changes is told its changes by mail (all
    its meetings at the first publication); the others are told nothing. `touched`: the
    only companies that can have changes (None: any)."""
    latest = published_state(session, event)
    previous = previous_state(session, event)
    if latest is None:
        return
    rows = {
        external_id: company_id
        for external_id, company_id in session.execute(
            select(Company.external_id, Company.id).where(Company.event_id == event.id)
        )
    }
    if touched is not None and previous is not None:
        rows = {external_id: rows[external_id] for external_id in touched if external_id in rows}
    changes = {}
    for external_id, company_id in rows.items():
        if previous is None:
            meetings = latest.agenda(external_id)
            if meetings:
                changes[company_id] = {"added": [told_meeting(m, external_id) for m in meetings]}
            continue
        update = agenda_changes(latest, previous, external_id)
        if update.changed:
            changes[company_id] = _told_update(update, external_id)
    schedule_published(session, publication.id, changes, first=previous is None)
    webhooks.schedule_published(session, event, publication, latest, previous)


def _told_update(update: AgendaUpdate, company: str) -> dict:
    return {
        "moved": [[told_meeting(b, company), told_meeting(n, company)] for b, n in update.moved],
        "cancelled": [told_meeting(m, company) for m in update.cancelled],
        "added": [told_meeting(m, company) for m in update.added],
        "reassigned": [
            [told_meeting(b, company), told_meeting(n, company)] for b, n in update.reassigned
        ],
    }


def told_meeting(meeting: MeetingDetails, company: str) -> dict:
    """A meeting as a message tells it to `company`: with whom, when, where, who goes."""
    other = meeting.counterpart(company)
    mine = next((s for s in meeting.sides if s.id == company), None)
    return {
        "with": other.name if other else meeting.title,
        "start": meeting.start.isoformat(),
        "location": meeting.location_name,
        "people": list(mine.attendees) if mine else [],
    }


def versions(session: Session, event: Event) -> list[ScheduleVersion]:
    return list(
        session.scalars(
            select(ScheduleVersion)
            .where(ScheduleVersion.event_id == event.id)
            .order_by(ScheduleVersion.number)
        )
    )


def published_clashes(
    session: Session,
    company: Company,
    start: datetime,
    end: datetime,
    attendee: Attendee | None = None,
) -> list[MeetingDetails]:
    """Published meetings of the company (or of the one attendee) between `start` and `end`:
    a blocked time over them does not cancel them, so whoever blocked it must be told."""
    published = published_state(session, company.event)
    if published is None:
        return []
    schedule, _calendars = published.of_company(company.external_id)
    theirs = {
        m.request
        for m in schedule.meetings
        if attendee is None or attendee.external_id in m.attendees
    }
    return [
        m
        for m in published.agenda(company.external_id)
        if m.request in theirs and m.start < end and start < m.end
    ]


def setup_misfits(
    session: Session,
    event: Event,
    slot_minutes: int,
    days: list[tuple[date, list[tuple[time, time]]]],
    zone_name: str,
) -> list[MeetingDetails]:
    """Published meetings that a new setup (slot length, days and sessions in local clock
    times, time zone) would leave outside every session, off its slots, or no longer the length
    their request asks for (its number of slots at the new slot length): saving it takes them
    out of the next schedule, which the organiser must know before, not after."""
    published = published_state(session, event)
    if published is None:
        return []
    zone = ZoneInfo(zone_name)
    sessions = [
        (datetime.combine(day, start, zone), datetime.combine(day, end, zone))
        for day, spans in days
        for start, end in spans
    ]
    slot = timedelta(minutes=slot_minutes)

    requests = published.instance.request_by_id

    def fits(meeting: Meeting) -> bool:
        start, end = meeting.start, meeting.end
        request = requests.get(meeting.request)
        if request is not None and end - start != request.slots * slot:
            return False  # a 30-minute meeting of one slot, when slots become 15 minutes
        return any(
            s <= start and end <= e and (start - s) % slot == timedelta(0) for s, e in sessions
        )

    out = [m for m in published.schedule.meetings if not fits(m)]
    out.sort(key=lambda m: (m.start, m.request))
    return [meeting_details(published.instance, Placement.of(m)) for m in out]
