"""Local times of the exchange format: `YYYY-MM-DDTHH:MM[:SS][+HH:MM]` in the event's zone.

The format writes wall-clock times without an offset; they are read as the event's time zone
(an IANA name) so that every reader lands on the same instant, daylight saving included.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from scheduler.words import N_, Refusal

_LOCAL_TIME = re.compile(
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2})?([+-][0-9]{2}:[0-9]{2}|Z)?$"
)
_CLOCK = re.compile(r"^[0-9]{2}:[0-9]{2}(:[0-9]{2})?$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
FIRST_YEAR, LAST_YEAR = 1900, 2999  # event days; far from the ends of datetime


def parse_local_time(text: str, zone: ZoneInfo) -> datetime:
    """Read a local time (or one with an offset) as an aware datetime in UTC.

    Instants are kept in UTC inside the scheduler so that arithmetic and comparisons are
    absolute even across a daylight-saving change. Raises ValueError meant for a person.
    """
    if not isinstance(text, str) or not _LOCAL_TIME.match(text):
        raise Refusal(
            N_('expected a local time like "2026-10-14T10:30", got {got}'), got=_quote(text)
        )
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise Refusal(
            N_(
                "{got} is not a real date and time; check the month (01-12), "
                "the day, the hour (00-23) and the minutes (00-59)"
            ),
            got=_quote(text),
        ) from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
        if not _exists_safely(value):
            raise Refusal(
                N_(
                    "{time} does not exist in {zone} (clocks skip it that day); "
                    "use a time before or after the daylight-saving change"
                ),
                time=text,
                zone=zone.key,
            )
    return _to_utc(value, text)


def local_to_utc(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone).astimezone(UTC)


def session_time(day: date, text: str, zone: ZoneInfo) -> datetime:
    """A session boundary `HH:MM` on `day`, in UTC; ValueError if the clocks skip it."""
    value = datetime.combine(day, parse_clock(text), tzinfo=zone)
    if not _exists_safely(value):
        raise Refusal(
            N_(
                "{time} does not exist in {zone} on {day} (clocks skip it that day); "
                "use a time before or after the daylight-saving change"
            ),
            time=text,
            zone=zone.key,
            day=day,
        )
    return _to_utc(value, f"{day} {text}")


def _to_utc(value: datetime, text: str) -> datetime:
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise Refusal(
            N_("{got} is too far in the past or future; give the real date and time"),
            got=_quote(text),
        ) from None


def _exists_safely(value: datetime) -> bool:
    try:
        return exists_in_zone(value)
    except OverflowError:
        return True  # out of range: _to_utc says so


def _quote(text: object) -> str:
    return json.dumps(text, ensure_ascii=False) if isinstance(text, str) else repr(text)


def exists_in_zone(value: datetime) -> bool:
    """False for a wall-clock time skipped by a daylight-saving change."""
    back = value.astimezone(UTC).astimezone(value.tzinfo)
    return back.replace(tzinfo=None) == value.replace(tzinfo=None)


def parse_clock(text: str) -> time:
    """Read a session boundary `HH:MM`."""
    if not isinstance(text, str) or not _CLOCK.match(text):
        raise Refusal(N_('expected a time of day like "13:30", got {got}'), got=_quote(text))
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise Refusal(
            N_("{got} is not a real time of day; hours run 00-23, minutes 00-59"), got=_quote(text)
        ) from None


def parse_date(text: str) -> date:
    if not isinstance(text, str) or not _DATE.match(text):
        raise Refusal(N_('expected a date like "2026-10-14", got {got}'), got=_quote(text))
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise Refusal(
            N_("{got} is not a real date; months run 01-12 and days 01 to the month's last day"),
            got=_quote(text),
        ) from None
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise Refusal(
            N_("{date} is not between {first} and {last}; give the real date"),
            date=text,
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    return value


def format_local_time(value: datetime, zone: ZoneInfo) -> str:
    """Write an instant as the event's wall-clock time, as the format's examples do.

    A wall-clock time that occurs twice (the hour repeated when daylight saving ends) gets
    its offset, `2026-10-25T02:30+01:00`, which FORMAT.md allows and every reader accepts:
    without it, it would be read back as the first of the two and name another instant.
    """
    local = value.astimezone(zone)
    text = local.strftime("%Y-%m-%dT%H:%M:%S" if local.second else "%Y-%m-%dT%H:%M")
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        text += local.isoformat()[-6:]  # "+01:00"
    return text


def describe_time(value: datetime, zone: ZoneInfo) -> str:
    """A short human form for messages, in the event's zone: 'Oct 14 10:30'."""
    local = value.astimezone(zone)
    return f"{local:%b} {local.day} {local:%H:%M}"


def describe_clock(value: datetime, zone: ZoneInfo) -> str:
    return f"{value.astimezone(zone):%H:%M}"
