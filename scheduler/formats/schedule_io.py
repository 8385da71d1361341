"""Writing and reading back schedules in the exchange format."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError

from scheduler.domain import Instance, Meeting, Schedule, Unscheduled
from scheduler.formats.instance_reader import INSTANCE_FORMAT, shape_problems
from scheduler.formats.json_file import read_json_file
from scheduler.formats.problems import InvalidInput, Problem, did_you_mean, quote
from scheduler.formats.wire import Id, Wire
from scheduler.times import format_local_time, parse_local_time

SCHEDULE_FORMAT = "partnering-schedule/1"


def schedule_to_document(schedule: Schedule, instance: Instance) -> dict:
    zone = ZoneInfo(instance.event.timezone)
    return {
        "format": SCHEDULE_FORMAT,
        "meetings": [
            {
                "request": m.request,
                "start": format_local_time(m.start, zone),
                "end": format_local_time(m.end, zone),
                "location": m.location,
                "attendees": list(m.attendees),
            }
            for m in schedule.meetings
        ],
        "unscheduled": [{"request": u.request, "reason": u.reason} for u in schedule.unscheduled],
        "summary": schedule.summary,
    }


def write_schedule(schedule: Schedule, instance: Instance, path: Path) -> None:
    document = schedule_to_document(schedule, instance)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    temporary = path.with_name(path.name + ".part")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)  # never leave a half-written schedule behind


# --- reading a schedule back, checked against its instance -----------------------------------


class _MeetingIn(Wire):
    request: Id
    start: str
    end: str
    location: Id
    attendees: list[Id]
    sequence: Annotated[int, Field(ge=0)] | None = None  # calendars' extension (publication)


class _UnscheduledIn(Wire):
    request: Id
    reason: str


class ScheduleIn(Wire):
    format: Literal["partnering-schedule/1"]
    meetings: list[_MeetingIn]
    unscheduled: list[_UnscheduledIn] = Field(default_factory=list)
    summary: dict = Field(default_factory=dict)
    event_key: str | None = None  # calendars' extension (publication)
    cancelled: list[dict] = Field(
        default_factory=list
    )  # calendars' extension, read by scheduler.calendars


def load_schedule(path: Path, instance: Instance) -> Schedule:
    """Read a schedule file made for `instance`; raise InvalidInput naming file and field."""
    try:
        return schedule_from_document(read_json_file(path), instance)
    except InvalidInput as error:
        raise InvalidInput(error.problems, str(path)) from None


def schedule_from_document(document: object, instance: Instance) -> Schedule:
    """A schedule document as domain objects; every id must name a thing of `instance`.

    Whether the meetings keep the format's rules is `scheduler.validate.check`'s job; this
    only makes sure that each meeting can be shown: known request, location and attendees,
    real times.
    """
    if isinstance(document, dict) and document.get("format") not in (None, SCHEDULE_FORMAT):
        found = document.get("format")
        hint = " (this is an instance; give its schedule)" if found == INSTANCE_FORMAT else ""
        raise InvalidInput(
            [Problem("format", f'expected "{SCHEDULE_FORMAT}", got {quote(found)}{hint}')]
        )
    try:
        parsed = ScheduleIn.model_validate(document)
    except ValidationError as error:
        raise InvalidInput(shape_problems(error)) from None
    zone = ZoneInfo(instance.event.timezone)
    problems: list[Problem] = []
    meetings = [
        _meeting(entry, f"meetings[{i}]", instance, zone, problems)
        for i, entry in enumerate(parsed.meetings)
    ]
    problems += _repeated_requests([m.request for m in parsed.meetings], "meetings")
    unscheduled = []
    for j, entry in enumerate(parsed.unscheduled):
        _known(entry.request, instance.request_by_id, f"unscheduled[{j}].request", problems)
        unscheduled.append(Unscheduled(entry.request, entry.reason))
    if problems:
        raise InvalidInput(problems)
    return Schedule([m for m in meetings if m], unscheduled, dict(parsed.summary))


def _meeting(
    entry: _MeetingIn, place: str, instance: Instance, zone: ZoneInfo, problems: list[Problem]
) -> Meeting | None:
    found = len(problems)
    _known(entry.request, instance.request_by_id, f"{place}.request", problems)
    _known(entry.location, instance.location_by_id, f"{place}.location", problems)
    for k, attendee in enumerate(entry.attendees):
        _known(attendee, instance.attendee_by_id, f"{place}.attendees[{k}]", problems)
    times = []
    for name in ("start", "end"):
        try:
            times.append(parse_local_time(getattr(entry, name), zone))
        except ValueError as error:
            problems.append(Problem(f"{place}.{name}", str(error)))
    if len(times) == 2 and times[1] <= times[0]:
        problems.append(Problem(f"{place}.end", "is not after the start; give the real end"))
    if len(problems) > found:
        return None
    attendees = tuple(dict.fromkeys(entry.attendees))
    return Meeting(entry.request, times[0], times[1], entry.location, attendees)


def _known(value: str, known: dict, place: str, problems: list[Problem]) -> None:
    if value not in known:
        what = place.rsplit(".", 1)[-1].split("[")[0].rstrip("s")
        hint = did_you_mean(value, known)
        problems.append(
            Problem(place, f"unknown {what} {quote(value)}{hint}; is this the right instance?")
        )


def _repeated_requests(request_ids: list[str], place: str) -> list[Problem]:
    first: dict[str, int] = {}
    problems = []
    for i, request_id in enumerate(request_ids):
        if request_id in first:
            problems.append(
                Problem(
                    f"{place}[{i}].request",
                    f"request {quote(request_id)} is already met at {place}[{first[request_id]}]",
                )
            )
        first.setdefault(request_id, i)
    return problems
