"""Revisions: what a re-solved schedule changes in calendars that already show the old one.

Clients keep an event by its UID and take a new version of it only when its SEQUENCE is
higher (RFC 5545 3.8.7.4; RFC 5546 for PUBLISH). So each meeting of the last publication
carries its sequence, and publishing a new schedule against it:

- keeps the sequence of a meeting whose time, end, table and attendees are unchanged;
- raises it by one for a meeting that moved (or changed table or attendees), and for a
  cancelled meeting that is scheduled again;
- keeps a meeting that was dropped, at its last place and time, as a cancellation with its
  sequence raised by one, and keeps it cancelled (same sequence) in later publications, so a
  calendar imported from any earlier file learns about it;
- likewise shows a meeting as cancelled, in this and every later publication, to each person
  an earlier one showed it to who no longer attends it (`former_attendees`).

Sequences live in the publication itself (`published_file`), not in a database: passing the
last publication as `previous` makes v1 -> v2 -> v3 rise monotonically.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from scheduler.domain import Instance, Meeting, Schedule


@dataclass(frozen=True)
class Placement:
    """When, where and with whom a request is met, as a calendar shows it."""

    request: str
    start: datetime
    end: datetime
    location: str
    attendees: tuple[str, ...]

    @classmethod
    def of(cls, meeting: Meeting) -> Placement:
        return cls(meeting.request, meeting.start, meeting.end, meeting.location, meeting.attendees)

    def same_as(self, other: Placement) -> bool:
        """Whether a calendar would show no difference (the attendees' order does not count)."""
        return (self.start, self.end, self.location, set(self.attendees)) == (
            other.start,
            other.end,
            other.location,
            set(other.attendees),
        )


@dataclass(frozen=True)
class PublishedMeeting:
    """One VEVENT: a placement with its sequence, live or cancelled.

    `former_attendees` are the people whom an earlier publication showed this meeting to but
    who no longer attend it: their own agendas keep it as cancelled in every later
    publication, so that a calendar imported from any earlier file learns about it.
    """

    placement: Placement
    sequence: int = 0
    cancelled: bool = False
    former_attendees: frozenset[str] = frozenset()

    @property
    def request(self) -> str:
        return self.placement.request

    def seen_by(self, attendee_id: str) -> PublishedMeeting | None:
        """This meeting as one attendee's agenda shows it: live, cancelled for them, or None."""
        if attendee_id in self.placement.attendees:
            return self
        if attendee_id in self.former_attendees:
            return replace(self, cancelled=True)
        return None


@dataclass(frozen=True)
class Publication:
    """Everything one export shows: the meetings by start time and the key of their UIDs."""

    event_key: str
    meetings: tuple[PublishedMeeting, ...]

    @property
    def live(self) -> tuple[PublishedMeeting, ...]:
        return tuple(m for m in self.meetings if not m.cancelled)


def publish(schedule: Schedule, event_key: str, previous: Publication | None = None) -> Publication:
    """The publication of `schedule`, as an update of `previous` where there is one."""
    before = {m.request: m for m in previous.meetings} if previous else {}
    now = [_revise(Placement.of(m), before.get(m.request)) for m in schedule.meetings]
    met = {m.request for m in schedule.meetings}
    dropped = [_cancel(old) for request, old in before.items() if request not in met]
    ordered = sorted([*now, *dropped], key=lambda m: (m.placement.start, m.request))
    return Publication(event_key, tuple(ordered))


def _revise(placement: Placement, old: PublishedMeeting | None) -> PublishedMeeting:
    if old is None:
        return PublishedMeeting(placement)
    shown = old.former_attendees | set(old.placement.attendees)
    gone = frozenset(shown - set(placement.attendees))
    if old.cancelled or not placement.same_as(old.placement):
        return PublishedMeeting(placement, old.sequence + 1, former_attendees=gone)
    return PublishedMeeting(placement, old.sequence, former_attendees=gone)


def _cancel(old: PublishedMeeting) -> PublishedMeeting:
    """A dropped meeting: cancelled once (sequence + 1), then kept as it is."""
    if old.cancelled:
        return old
    return PublishedMeeting(
        old.placement, old.sequence + 1, cancelled=True, former_attendees=old.former_attendees
    )


def companies_of(instance: Instance, placement: Placement) -> tuple[str, ...]:
    """The two companies of a meeting; from its attendees when the request is gone."""
    request = instance.request_by_id.get(placement.request)
    if request is not None:
        return request.companies
    people = (instance.attendee_by_id.get(a) for a in placement.attendees)
    return tuple(dict.fromkeys(p.company for p in people if p is not None))


def for_company(
    instance: Instance, publication: Publication, company_id: str
) -> list[PublishedMeeting]:
    return [m for m in publication.meetings if company_id in companies_of(instance, m.placement)]


def for_attendee(publication: Publication, attendee_id: str) -> list[PublishedMeeting]:
    seen = (m.seen_by(attendee_id) for m in publication.meetings)
    return [m for m in seen if m is not None]
