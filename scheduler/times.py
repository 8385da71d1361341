"""Local times of the exchange format: `YYYY-MM-DDTHH:MM[:SS][+HH:MM]` in the event's zone.

The format writes wall-clock times without an offset; they are read as the event's time zone
(an IANA name) so that every reader lands on the same instant, daylight saving included.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

_LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z)?$")
_CLOCK = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


def parse_local_time(text: str, zone: ZoneInfo) -> datetime:
    """Read a local time (or one with an offset) as an aware datetime in UTC.

    Instants are kept in UTC inside the scheduler so that arithmetic and comparisons are
    absolute even across a daylight-saving change. Raises ValueError meant for a person.
    """
    if not isinstance(text, str) or not _LOCAL_TIME.match(text):
        raise ValueError(f'expected a local time like "2026-10-14T10:30", got {text!r}')
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date and time") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
        if not exists_in_zone(value):
            raise ValueError(f"{text} does not exist in {zone.key} (clocks skip it that day)")
    return value.astimezone(UTC)


def local_to_utc(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def exists_in_zone(value: datetime) -> bool:
    """False for a wall-clock time skipped by a daylight-saving change."""
    back = value.astimezone(UTC).astimezone(value.tzinfo)
    return back.replace(tzinfo=None) == value.replace(tzinfo=None)


def parse_clock(text: str) -> time:
    """Read a session boundary `HH:MM`."""
    if not isinstance(text, str) or not _CLOCK.match(text):
        raise ValueError(f'expected a time of day like "13:30", got {text!r}')
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real time of day") from None


def parse_date(text: str) -> date:
    if not isinstance(text, str) or not re.match(r"^\d{4}-\d{2}-\d{2}$", text):
        raise ValueError(f'expected a date like "2026-10-14", got {text!r}')
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None


def format_local_time(value: datetime, zone: ZoneInfo) -> str:
    """Write an instant as the event's wall-clock time, as the format's examples do."""
    local = value.astimezone(zone)
    return local.strftime("%Y-%m-%dT%H:%M:%S" if local.second else "%Y-%m-%dT%H:%M")


def describe_time(value: datetime, zone: ZoneInfo) -> str:
    """A short human form for messages, in the event's zone: 'Oct 14 10:30'."""
    local = value.astimezone(zone)
    return f"{local:%b} {local.day} {local:%H:%M}"


def describe_clock(value: datetime, zone: ZoneInfo) -> str:
    return f"{value.astimezone(zone):%H:%M}"
