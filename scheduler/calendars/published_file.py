"""The published state: a schedule document that also says what calendars were shown.

`partnering ics` writes it beside the calendar files (`published.json`) and reads it back as
`--previous` the next time. It is an ordinary `partnering-schedule/1` document (FORMAT.md
allows optional fields; `partnering check` judges it like any schedule) with three extensions:

- `meetings[i].sequence`: the SEQUENCE its VEVENT was published with (0 when absent);
- `cancelled`: meetings published earlier and since dropped, at their last place and time,
  each with the `sequence` of its cancellation;
- `event_key`: the key the UIDs were made from, so renaming the event keeps them;
- `meetings[i].former_attendees`, `cancelled[i].former_attendees`: people an earlier export
  showed the meeting to who no longer attend it (their agendas keep it as cancelled); left
  out when there are none.

Any schedule is accepted as `--previous` (all sequences 0), but only a publication carries
the sequences of earlier re-solves and the cancelled meetings. The previous schedule may name
requests, tables or attendees that the current instance no longer has (a company withdrew):
those meetings become cancellations, so it is read without checking ids.
"""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError

from scheduler.calendars.revisions import Placement, Publication, PublishedMeeting
from scheduler.domain import Instance, Schedule
from scheduler.formats.instance_reader import shape_problems
from scheduler.formats.problems import InvalidInput, Problem
from scheduler.formats.schedule_io import schedule_to_document
from scheduler.formats.wire import Id, Wire
from scheduler.times import format_local_time, parse_local_time


class _PlacedIn(Wire):
    request: Id
    start: str
    end: str
    location: Id
    attendees: list[Id] = Field(default_factory=list)
    sequence: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0  # an INTEGER of RFC 5545
    former_attendees: list[Id] = Field(default_factory=list)


class _PublishedIn(Wire):
    format: Literal["partnering-schedule/1"]
    meetings: list[_PlacedIn]
    cancelled: list[_PlacedIn] = Field(default_factory=list)
    event_key: Annotated[str, Field(min_length=1)] | None = None


def publication_from_document(document: object, instance: Instance, event_key: str) -> Publication:
    """The publication a previous schedule document shows; `event_key` if it names none."""
    try:
        parsed = _PublishedIn.model_validate(document)
    except ValidationError as error:
        raise InvalidInput(shape_problems(error)) from None
    zone = ZoneInfo(instance.event.timezone)
    problems: list[Problem] = []
    live = [_placed(e, f"meetings[{i}]", zone, problems) for i, e in enumerate(parsed.meetings)]
    gone = [_placed(e, f"cancelled[{i}]", zone, problems) for i, e in enumerate(parsed.cancelled)]
    if problems:
        raise InvalidInput(problems)
    meetings = [PublishedMeeting(p, s, former_attendees=f) for p, s, f in live]
    met = {m.request for m in meetings}  # a request met again is no longer cancelled
    meetings += [
        PublishedMeeting(p, s, cancelled=True, former_attendees=f)
        for p, s, f in gone
        if p.request not in met
    ]
    ordered = tuple(sorted(meetings, key=lambda m: (m.placement.start, m.request)))
    return Publication(parsed.event_key or event_key, ordered)


def _placed(
    entry: _PlacedIn, place: str, zone: ZoneInfo, problems: list[Problem]
) -> tuple[Placement, int, frozenset[str]]:
    times = []
    for name in ("start", "end"):
        try:
            times.append(parse_local_time(getattr(entry, name), zone))
        except ValueError as error:
            problems.append(Problem(f"{place}.{name}", str(error)))
            times.append(None)
    placement = Placement(entry.request, *times, entry.location, tuple(entry.attendees))
    return placement, entry.sequence, frozenset(entry.former_attendees)


def publication_document(instance: Instance, schedule: Schedule, publication: Publication) -> dict:
    """`schedule` as a document that remembers `publication`: pass it as `--previous` next."""
    document = schedule_to_document(schedule, instance)
    live = {m.request: m for m in publication.live}
    for meeting in document["meetings"]:
        meeting["sequence"] = live[meeting["request"]].sequence
        _add_former_attendees(meeting, live[meeting["request"]])
    zone = ZoneInfo(instance.event.timezone)
    document["cancelled"] = [_placement_entry(m, zone) for m in publication.meetings if m.cancelled]
    document["event_key"] = publication.event_key
    return document


def _placement_entry(meeting: PublishedMeeting, zone: ZoneInfo) -> dict:
    p = meeting.placement
    entry = {
        "request": p.request,
        "start": format_local_time(p.start, zone),
        "end": format_local_time(p.end, zone),
        "location": p.location,
        "attendees": list(p.attendees),
        "sequence": meeting.sequence,
    }
    _add_former_attendees(entry, meeting)
    return entry


def _add_former_attendees(entry: dict, meeting: PublishedMeeting) -> None:
    if meeting.former_attendees:
        entry["former_attendees"] = sorted(meeting.former_attendees)
