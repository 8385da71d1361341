"""Reading the published schedule that a re-solve must keep (`partnering solve --keep`).

Unlike `load_schedule`, an id the instance no longer knows is not an error here: it is what
happened since publishing (a request cancelled, a table removed), and the solver reports it
as a change. Only what cannot be understood at all (the file's shape, its times) is refused.
"""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from scheduler.domain import Instance, Meeting
from scheduler.formats.instance_reader import shape_problems
from scheduler.formats.json_file import read_json_file
from scheduler.formats.problems import InvalidInput, Problem
from scheduler.formats.schedule_io import ScheduleIn
from scheduler.times import parse_local_time


def load_published(path: Path, instance: Instance) -> list[Meeting]:
    """The meetings of a published schedule file, in the instance's time zone."""
    try:
        parsed = ScheduleIn.model_validate(read_json_file(path))
    except ValidationError as error:
        raise InvalidInput(shape_problems(error), str(path)) from None
    zone = ZoneInfo(instance.event.timezone)
    meetings, problems = [], []
    for index, entry in enumerate(parsed.meetings):
        try:
            start = parse_local_time(entry.start, zone)
            end = parse_local_time(entry.end, zone)
        except ValueError as error:
            problems.append(Problem(f"meetings[{index}]", str(error)))
            continue
        attendees = tuple(dict.fromkeys(entry.attendees))
        meetings.append(Meeting(entry.request, start, end, entry.location, attendees))
    if problems:
        raise InvalidInput(problems, str(path))
    return meetings
