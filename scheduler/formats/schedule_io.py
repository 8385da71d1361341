"""Writing (and reading back) schedules in the exchange format."""

from __future__ import annotations

import json
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler.domain import Instance, Schedule
from scheduler.times import format_local_time

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
