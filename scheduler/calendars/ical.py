"""iCalendar files (RFC 5545) that Outlook, Google Calendar, Apple Calendar and Thunderbird
read at the same instants, and update rather than duplicate after a re-solve.

- Each meeting is one VEVENT with a stable UID (`uids`) and the SEQUENCE and STATUS of its
  revision (`revisions`): a moved meeting replaces itself, a dropped one is CANCELLED.
- Times are written in the event's own time zone (so a client shows "10:00 Asia/Tokyo" to a
  visitor whose laptop is still on Berlin time) with a VTIMEZONE generated from the zoneinfo
  by the icalendar library, covering the years of the event. A wall-clock time that occurs
  twice (the hour repeated when daylight saving ends) is written in UTC instead, because a
  TZID time cannot say which of the two is meant and parsers disagree.
- The calendar says METHOD:PUBLISH and how often a subscription should refresh; the library
  writes CRLF, folds lines at 75 octets and escapes text.
- Each confirmed meeting carries a VALARM (a reminder `alarm` before it starts, 15 minutes
  unless the event sets another; none where it is None): people walk between halls.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, Timezone
from icalendar.prop import vText, vUri

from scheduler.calendars.details import description, meeting_details
from scheduler.calendars.revisions import (
    Publication,
    PublishedMeeting,
    for_attendee,
    for_company,
)
from scheduler.calendars.uids import meeting_uid
from scheduler.calendars.video import VideoLinks, check_label, check_link
from scheduler.domain import Instance

Alarmed = timedelta | None  # how long before a meeting its reminder goes off (None: none)
PRODID = "-//partnering//partnering meeting scheduler//EN"
REFRESH = timedelta(hours=1)  # subscribed feeds: how often to look for a re-solve
ALARM = timedelta(minutes=15)  # the reminder before each meeting, unless the event sets one
END = b"END:VCALENDAR\r\n"


class EventTexts:
    """Each meeting's VEVENT as written, for the calendars of one publication (its instance
    and meetings): a meeting is in two to four people's files and a company's, and is written
    once (icalendar's writing is most of a mail's time). Its texts hold for one stamp, alarm
    and video pattern; asked with others, it starts again, so a text is never stale. Safe
    across threads: what it holds is replaced whole, never half."""

    def __init__(self) -> None:
        self._filled: tuple[tuple, dict[PublishedMeeting, bytes]] = ((), {})

    def of(
        self, stamp: datetime, alarm: Alarmed, video: VideoLinks | None
    ) -> dict[PublishedMeeting, bytes]:
        settings = (stamp, alarm, video)
        filled = self._filled
        if filled[0] != settings:
            filled = self._filled = (settings, {})
        return filled[1]


def event_calendar(
    instance: Instance,
    publication: Publication,
    stamp: datetime,
    alarm: Alarmed = ALARM,
    video: VideoLinks | None = None,
) -> bytes:
    """Every meeting of the event, for the organiser."""
    meetings = publication.meetings
    name = instance.event.name
    return calendar_bytes(instance, publication, meetings, name, stamp, alarm, video)


def company_calendar(
    instance: Instance,
    publication: Publication,
    company_id: str,
    stamp: datetime,
    alarm: Alarmed = ALARM,
    video: VideoLinks | None = None,
    *,
    texts: EventTexts | None = None,
) -> bytes:
    """All meetings of one company, whoever of its people attends."""
    company = instance.company_by_id[company_id]
    meetings = for_company(instance, publication, company_id)
    name = f"{instance.event.name}: {company.name}"
    return calendar_bytes(instance, publication, meetings, name, stamp, alarm, video, texts=texts)


def attendee_calendar(
    instance: Instance,
    publication: Publication,
    attendee_id: str,
    stamp: datetime,
    alarm: Alarmed = ALARM,
    video: VideoLinks | None = None,
    *,
    texts: EventTexts | None = None,
) -> bytes:
    """One person's agenda; meetings they were taken off show as cancelled."""
    person = instance.attendee_by_id[attendee_id]
    company = instance.company_by_id[person.company]
    meetings = for_attendee(publication, attendee_id)
    name = f"{instance.event.name}: {person.name} ({company.name})"
    return calendar_bytes(instance, publication, meetings, name, stamp, alarm, video, texts=texts)


def calendar_bytes(
    instance: Instance,
    publication: Publication,
    meetings: Iterable[PublishedMeeting],
    name: str,
    stamp: datetime,
    alarm: Alarmed = ALARM,
    video: VideoLinks | None = None,
    *,
    texts: EventTexts | None = None,
) -> bytes:
    """A VCALENDAR of `meetings`; `stamp` is its DTSTAMP (when this object was created);
    `video`: the event's pattern of video links, written as CONFERENCE (RFC 7986); `texts`:
    the publication's VEVENTs written so far (each meeting is then written once).

    The calendar's own lines and VTIMEZONE come from icalendar, each VEVENT too; they are
    joined as icalendar joins components (its text is the same), so that a VEVENT written
    once serves every calendar it is in. The VEVENTs' times are in the event's zone, whose
    VTIMEZONE is always there, or in UTC (`_unambiguous`): no other zone is needed."""
    zone = ZoneInfo(instance.event.timezone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", vText(name))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vText("PT1H"))  # Outlook's name for the same hint
    meetings = list(meetings)
    first, last = _years(instance, meetings)
    # The event's zone first, where clients look for it, and always, so that even an empty
    # agenda has a component (RFC 5545 wants one).
    calendar.add_component(_zone_component(zone.key, first, last))
    head = calendar.to_ical()
    written = {} if texts is None else texts.of(stamp, alarm, video)
    events = []
    for meeting in meetings:
        text = written.get(meeting)
        if text is None:
            event = _vevent(instance, publication, meeting, zone, stamp, video)
            if alarm is not None and not meeting.cancelled:
                event.add_component(_alarm(alarm, event["summary"]))
            text = written[meeting] = event.to_ical()
        events.append(text)
    return head.removesuffix(END) + b"".join(events) + END


def _vevent(
    instance: Instance,
    publication: Publication,
    meeting: PublishedMeeting,
    zone: ZoneInfo,
    stamp: datetime,
    video: VideoLinks | None = None,
) -> Event:
    details = meeting_details(instance, meeting.placement, video)
    event = Event()
    event.add("uid", meeting_uid(publication.event_key, meeting.request))
    event.add("dtstamp", stamp.astimezone(UTC))
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
    prefix = "Cancelled: " if meeting.cancelled else ""  # for clients that ignore STATUS
    event.add("summary", prefix + details.title)
    event.add("dtstart", _unambiguous(meeting.placement.start, zone))
    event.add("dtend", _unambiguous(meeting.placement.end, zone))
    event.add("location", details.where)
    event.add("description", description(details))
    event.add("transp", "OPAQUE")
    if details.video and not meeting.cancelled:
        _conference(event, details.video, details.video_label or "Video")
    return event


def _conference(event: Event, link: str, label: str) -> None:
    """RFC 7986 CONFERENCE, for clients that show a join button; the link is in DESCRIPTION
    too. Written only if it is one line of an https link: a CR or LF in a URI value would
    start a property of its own (the setup refuses them; this holds if it did not)."""
    check_link(link)  # raises on anything that could break out of the property
    check_label(label)
    parameters = {"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": label}
    event.add("conference", vUri(link), parameters=parameters)


def _alarm(before: timedelta, summary: str) -> Alarm:
    """A reminder `before` the meeting starts, shown with the meeting's title."""
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -before)
    alarm.add("description", summary)
    return alarm


@lru_cache(maxsize=16)
def _zone_component(zone_key: str, first: date, last: date) -> Timezone:
    """The VTIMEZONE of a zone over whole years. icalendar works it out from the zone's
    transitions, about 50 ms each time; every calendar of a fair has the same one (a fair's
    2,000 files took 95 s for it alone), so it is made once. Only ever read after."""
    return Timezone.from_tzinfo(ZoneInfo(zone_key), zone_key, first, last)


def _unambiguous(instant: datetime, zone: ZoneInfo) -> datetime:
    """The instant in the event's zone, or in UTC where that wall-clock time occurs twice."""
    local = instant.astimezone(zone)
    other = local.replace(fold=1 - local.fold)
    return local if other.utcoffset() == local.utcoffset() else instant.astimezone(UTC)


def _years(instance: Instance, meetings: list[PublishedMeeting]) -> tuple[date, date]:
    """The span the VTIMEZONE must cover: whole years around the event and its meetings."""
    days = [day.date for day in instance.event.days]
    days += [m.placement.start.date() for m in meetings]
    return date(min(days).year, 1, 1), date(max(days).year + 1, 1, 1)
