"""Reading exported .ics files back the way clients do: the icalendar library, Mozilla's
ical.js (Thunderbird's parser, run with node) and a plain RFC 5545 line reader of our own."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import icalendar

from tests.services import service_missing

ICALJS = Path(__file__).resolve().parent / "icaljs"


def read_with_icaljs(paths: list[Path]) -> dict[Path, list[dict]]:
    """Each file's VEVENTs as ical.js reads them: uid, sequence, status, start/end in UTC."""
    node = shutil.which("node")
    if node is None or not (ICALJS / "node_modules" / "ical.js").is_dir():
        service_missing("node with ical.js: install Node.js, then `npm ci --prefix tests/icaljs`")
    done = subprocess.run(
        [node, str(ICALJS / "read-events.mjs"), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    return {Path(name): [_instants(e) for e in events] for name, events in found.items()}


def _instants(event: dict) -> dict:
    for key in ("start", "end"):
        event[key] = datetime.fromisoformat(event[key].replace("Z", "+00:00"))
    return event


def read_with_icalendar(path: Path) -> list[dict]:
    """The same fields as the Python icalendar library reads them."""
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return [
        {
            "uid": str(event["uid"]),
            "sequence": int(event["sequence"]),
            "status": str(event["status"]),
            "summary": str(event["summary"]),
            "location": str(event["location"]),
            "description": str(event["description"]),
            "start": event.decoded("dtstart").astimezone(UTC),
            "end": event.decoded("dtend").astimezone(UTC),
            "alarms": [
                -alarm.decoded("trigger").total_seconds() / 60 for alarm in event.walk("VALARM")
            ],
            "conferences": [
                {
                    "uri": str(c),
                    "feature": c.params.get("FEATURE"),
                    "label": c.params.get("LABEL"),
                }
                for c in _all(event, "CONFERENCE")
            ],
        }
        for event in calendar.walk("VEVENT")
    ]


def _all(component, name: str) -> list:
    """Every value of a property that may occur more than once (one or a list)."""
    value = component.get(name)
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def content_lines(data: bytes) -> list[str]:
    """RFC 5545 3.1: split at CRLF and unfold (a line starting with a space continues)."""
    lines: list[str] = []
    for raw in data.decode("utf-8").split("\r\n"):
        if raw.startswith((" ", "\t")):
            lines[-1] += raw[1:]
        elif raw:
            lines.append(raw)
    return lines


def components(lines: list[str], name: str) -> list[list[str]]:
    """The content lines of each component called `name` (without BEGIN/END)."""
    found, current = [], None
    for line in lines:
        if line == f"BEGIN:{name}":
            current = []
        elif line == f"END:{name}" and current is not None:
            found.append(current)
            current = None
        elif current is not None:
            current.append(line)
    return found


def property_names(lines: list[str]) -> list[str]:
    """Names of the top-level properties of a component's lines (sub-components skipped)."""
    names, depth = [], 0
    for line in lines:
        if line.startswith("BEGIN:"):
            depth += 1
        elif line.startswith("END:"):
            depth -= 1
        elif depth == 0:
            names.append(line.split(":", 1)[0].split(";", 1)[0].upper())
    return names
