"""The independent validator: a schedule document judged against an instance document.

Written from the exchange format (FORMAT.md) rule by rule, and on purpose sharing no code with
the solver or the readers: it imports only the standard library and works on the raw parsed
JSON documents, so a bug in the scheduler's own reading of times or ids cannot hide itself.

The instance is assumed valid (`partnering validate` judges it); the schedule is not: a
schedule with wrong types, missing fields, unparsable times or unknown ids gives violations,
never an exception. Times are compared as absolute instants (seconds since the epoch), so a
schedule may write local times or times with an offset, daylight saving included. Overlap
checks sort each attendee's and each location's meetings and compare neighbours, so the whole
check is O(n log n) in the number of meetings.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

Json = dict[str, Any]

SCHEDULE_FORMAT = "partnering-schedule/1"
_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?:Z|[+-][0-9]{2}:[0-9]{2})?"
)
_EXAMPLE_TIME = '"2026-10-14T10:30" (or with an offset, "2026-10-14T10:30+09:00")'


@dataclass(frozen=True)
class Violation:
    """One broken rule: its number (0 for a malformed document), where, and what to do."""

    rule: int
    place: str
    message: str

    def __str__(self) -> str:
        if self.rule == 0:
            return f"{self.place}: {self.message}"
        return f"{self.place}: rule {self.rule}: {self.message}"


# --- the instance, read once into lookups -------------------------------------------------


@dataclass
class _Busy:
    """Disjoint, sorted unavailable intervals of one company or attendee."""

    starts: list[int]
    ends: list[int]

    def hit(self, start: int, end: int) -> tuple[int, int] | None:
        """The first interval overlapping [start, end), if any."""
        i = bisect_right(self.ends, start)
        if i < len(self.starts) and self.starts[i] < end:
            return self.starts[i], self.ends[i]
        return None


@dataclass
class _Event:
    """The instance as lookups: ids to documents, times as instants (seconds)."""

    zone: ZoneInfo
    slot: int
    sessions: list[tuple[int, int]] = field(default_factory=list)
    requests: dict[str, Json] = field(default_factory=dict)
    company_of: dict[str, str] = field(default_factory=dict)
    companies: dict[str, Json] = field(default_factory=dict)
    locations: dict[str, Json] = field(default_factory=dict)
    within: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    busy: dict[tuple[str, str], _Busy] = field(default_factory=dict)
    fixed: list[tuple[Json, int]] = field(default_factory=list)
    _parsed: dict[str, int | str] = field(default_factory=dict)
    _days: dict[int, str] = field(default_factory=dict)

    def instant(self, text: object) -> int:
        """Seconds since the epoch of a local time or one with an offset; ValueError if none."""
        if not isinstance(text, str):
            raise ValueError(f"expected a time like {_EXAMPLE_TIME}, got {text!r}")
        if text not in self._parsed:
            self._parsed[text] = _parse_instant(text, self.zone)
        value = self._parsed[text]
        if isinstance(value, str):
            raise ValueError(value)
        return value

    def local(self, instant: int) -> str:
        """An instant as the event's wall-clock time, e.g. 2026-10-14T10:30."""
        value = datetime.fromtimestamp(instant, self.zone)
        return value.strftime("%Y-%m-%dT%H:%M:%S" if value.second else "%Y-%m-%dT%H:%M")

    def span(self, start: int, end: int) -> str:
        """An interval for messages: '2026-10-14T10:00 to 10:30'."""
        first, last = self.local(start), self.local(end)
        return f"{first} to {last[11:] if first[:10] == last[:10] else last}"

    def day(self, instant: int) -> str:
        """The event's calendar date of an instant."""
        if instant not in self._days:
            self._days[instant] = datetime.fromtimestamp(instant, self.zone).date().isoformat()
        return self._days[instant]


def _parse_instant(text: str, zone: ZoneInfo) -> int | str:
    """Seconds since the epoch, or a message saying why the text is not a time."""
    if not _TIME.fullmatch(text):
        return f"expected a time like {_EXAMPLE_TIME}, got {text!r}"
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return f"{text!r} is not a real date and time"
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
        try:
            back = value.astimezone(UTC).astimezone(zone)
        except OverflowError:
            return f"{text!r} is out of range"
        if back.replace(tzinfo=None) != value.replace(tzinfo=None):
            return f"{text} does not exist in {zone.key} (the clocks skip it that day)"
    return int(value.timestamp())


def _merged(event: _Event, windows: Iterable[Json]) -> _Busy:
    """Unavailable windows as disjoint sorted intervals."""
    starts: list[int] = []
    ends: list[int] = []
    pairs = sorted((event.instant(w["start"]), event.instant(w["end"])) for w in windows)
    for start, end in pairs:
        if ends and start <= ends[-1]:
            ends[-1] = max(ends[-1], end)
        else:
            starts.append(start)
            ends.append(end)
    return _Busy(starts, ends)


def _read_event(instance: Json) -> _Event:
    """Read the (valid) instance into lookups."""
    spec = instance["event"]
    event = _Event(zone=ZoneInfo(spec["timezone"]), slot=int(spec["slot_minutes"]) * 60)
    for day in spec["days"]:
        for session in day["sessions"]:
            start = event.instant(f"{day['date']}T{session['start']}")
            event.sessions.append((start, event.instant(f"{day['date']}T{session['end']}")))
    event.sessions.sort()
    event.locations = {loc["id"]: loc for loc in instance.get("locations") or []}
    for company in instance.get("companies") or []:
        event.companies[company["id"]] = company
        event.busy["company", company["id"]] = _merged(event, company.get("unavailable") or [])
        for person in company.get("attendees") or []:
            event.company_of[person["id"]] = company["id"]
            event.busy["attendee", person["id"]] = _merged(event, person.get("unavailable") or [])
    for request in instance.get("requests") or []:
        event.requests[request["id"]] = request
        windows = request.get("within") or []
        event.within[request["id"]] = [
            (event.instant(w["start"]), event.instant(w["end"])) for w in windows
        ]
    event.fixed = [(f, event.instant(f["start"])) for f in instance.get("fixed") or []]
    return event


# --- the schedule, read leniently ---------------------------------------------------------


@dataclass
class _Meeting:
    """One entry of `meetings`, with whatever parts of it could be read (None otherwise)."""

    index: int
    request: str | None = None
    start: int | None = None
    end: int | None = None
    location: str | None = None
    attendees: tuple[str, ...] | None = None

    @property
    def place(self) -> str:
        return f"meetings[{self.index}]"

    @property
    def interval(self) -> tuple[int, int] | None:
        """(start, end) if both were read and end is after start (else rule 0 or 2 says so)."""
        if self.start is None or self.end is None or self.end <= self.start:
            return None
        return self.start, self.end


def _is_id(value: object) -> bool:
    """A non-empty string, as every id of the format is."""
    return isinstance(value, str) and value != ""


def _read_meeting(event: _Event, index: int, entry: Json, out: list[Violation]) -> _Meeting:
    """Read one meeting object; each unreadable field becomes a rule 0 violation."""
    meeting = _Meeting(index)
    place = meeting.place
    if _is_id(entry.get("request")):
        meeting.request = entry["request"]
    else:
        out.append(
            Violation(0, f"{place}.request", "is missing or not a request id; name the request")
        )
    for name in ("start", "end"):
        if name not in entry:
            out.append(
                Violation(0, f"{place}.{name}", f"is missing; write a time like {_EXAMPLE_TIME}")
            )
            continue
        try:
            setattr(meeting, name, event.instant(entry[name]))
        except ValueError as error:
            out.append(Violation(0, f"{place}.{name}", str(error)))
    if _is_id(entry.get("location")):
        meeting.location = entry["location"]
    else:
        out.append(Violation(0, f"{place}.location", "is missing or not a location id; name one"))
    meeting.attendees = _read_attendees(entry.get("attendees"), f"{place}.attendees", out)
    return meeting


def _read_attendees(value: object, place: str, out: list[Violation]) -> tuple[str, ...] | None:
    """A meeting's attendee ids, without repeats; None if there is no list."""
    if not isinstance(value, list):
        out.append(Violation(0, place, "is missing or not a list of attendee ids"))
        return None
    ids: dict[str, None] = {}
    for k, item in enumerate(value):
        if not _is_id(item):
            out.append(Violation(0, f"{place}[{k}]", f"{item!r} is not an attendee id"))
        elif item in ids:
            out.append(Violation(0, f"{place}[{k}]", f"lists {item} twice; remove the repeat"))
        else:
            ids[item] = None
    return tuple(ids)


def _read_meetings(event: _Event, schedule: Json, out: list[Violation]) -> list[_Meeting]:
    """The readable meetings of the schedule; problems of shape go to `out` as rule 0."""
    entries = schedule.get("meetings")
    if not isinstance(entries, list):
        out.append(Violation(0, "meetings", "is missing or not a list of meeting objects"))
        return []
    meetings = []
    for i, entry in enumerate(entries):
        if isinstance(entry, dict):
            meetings.append(_read_meeting(event, i, entry, out))
        else:
            out.append(Violation(0, f"meetings[{i}]", f"is {type(entry).__name__}, not an object"))
    return meetings


def _read_unscheduled(schedule: Json, out: list[Violation]) -> list[tuple[int, str, object]]:
    """(index, request id, reason) of each readable `unscheduled` entry; absent means none."""
    entries = schedule.get("unscheduled", [])
    if not isinstance(entries, list):
        out.append(Violation(0, "unscheduled", "is not a list of {request, reason} objects"))
        return []
    readable = []
    for j, entry in enumerate(entries):
        if not isinstance(entry, dict):
            out.append(Violation(0, f"unscheduled[{j}]", "is not a {request, reason} object"))
        elif not _is_id(entry.get("request")):
            out.append(Violation(0, f"unscheduled[{j}].request", "is missing or not a request id"))
        else:
            readable.append((j, entry["request"], entry.get("reason")))
    return readable


# --- the eight rules ----------------------------------------------------------------------

_Timed = tuple[int, int, _Meeting]  # (start, end, meeting)


def _sides(request: Json) -> tuple[str, ...]:
    """The two companies of a request."""
    return tuple(dict.fromkeys((request["from"], request["to"])))


def _timed(meetings: list[_Meeting]) -> Iterator[_Timed]:
    """(start, end, meeting) of each meeting with a readable, non-empty interval."""
    for m in meetings:
        if m.interval is not None:
            yield (*m.interval, m)


def _overlapping(group: list[_Timed]) -> Iterator[tuple[_Timed, _Timed]]:
    """Pairs (earlier, later) that overlap: sorted by start, each against the latest end so far."""
    latest: _Timed | None = None
    for item in sorted(group, key=lambda t: (t[0], t[1], t[2].index)):
        if latest is not None and item[0] < latest[1]:
            yield latest, item
        if latest is None or item[1] > latest[1]:
            latest = item


def _clash(event: _Event, what: str, first: _Timed, second: _Timed) -> str:
    """A message for two overlapping meetings."""
    return (
        f"{what} this meeting at {event.span(second[0], second[1])} and {first[2].place} at "
        f"{event.span(first[0], first[1])}, which overlap; move one"
    )


def _rule1_requests(
    event: _Event, meetings: list[_Meeting], unscheduled: list[tuple[int, str, object]]
) -> Iterator[Violation]:
    """Rule 1: 'every meeting names a request of the instance, and no request is met twice'."""
    met: dict[str, int] = {}
    for m in meetings:
        if m.request is None:
            continue
        if m.request not in event.requests:
            yield Violation(
                1, f"{m.place}.request", f"request {m.request!r} is not in the instance"
            )
        elif m.request in met:
            again = (
                f"request {m.request} is met twice, also by meetings[{met[m.request]}]; keep one"
            )
            yield Violation(1, m.place, again)
        else:
            met[m.request] = m.index
    yield from _rule1_unscheduled(event, met, unscheduled)


def _rule1_unscheduled(
    event: _Event, met: dict[str, int], unscheduled: list[tuple[int, str, object]]
) -> Iterator[Violation]:
    """Rule 1: 'every request is either in meetings or in unscheduled (with a reason)'."""
    listed: dict[str, int] = {}
    for j, request, reason in unscheduled:
        place = f"unscheduled[{j}]"
        if request not in event.requests:
            yield Violation(1, f"{place}.request", f"request {request!r} is not in the instance")
        elif request in met:
            both = f"request {request} is met by meetings[{met[request]}]; drop this entry"
            yield Violation(1, place, both)
        elif request in listed:
            twice = f"request {request} is already listed at unscheduled[{listed[request]}]"
            yield Violation(1, place, twice)
        else:
            listed[request] = j
        if not isinstance(reason, str) or not reason.strip():
            why = f"request {request} needs a reason a person can act on"
            yield Violation(1, f"{place}.reason", why)
    for request_id, request in event.requests.items():
        if request_id not in met and request_id not in listed:
            yield Violation(
                1,
                "unscheduled",
                f"request {request_id} ({request['from']} with {request['to']}) is neither met "
                "nor listed as unscheduled; schedule it or list it with a reason",
            )


def _rule2_times(event: _Event, meetings: list[_Meeting]) -> Iterator[Violation]:
    """Rule 2: 'starts on a slot boundary, lasts exactly slots x slot_minutes, in one session'."""
    starts = [start for start, _ in event.sessions]
    for m in meetings:
        if m.start is None or m.end is None:
            continue
        request = event.requests.get(m.request or "")
        if m.end <= m.start:
            after = f"ends at {event.local(m.end)}, not after its start {event.local(m.start)}"
            yield Violation(2, f"{m.place}.end", after)
        elif request is not None:
            yield from _rule2_length(event, m, m.start, m.end, request)
        i = bisect_right(starts, m.start) - 1
        if i < 0 or m.start >= event.sessions[i][1]:
            outside = f"starts at {event.local(m.start)}, outside every session of the event"
            yield Violation(2, f"{m.place}.start", outside)
            continue
        yield from _rule2_session(event, m, m.start, m.end, event.sessions[i])
        if request is not None:
            yield from _rule2_within(event, m, m.start, m.end, request)


def _rule2_length(
    event: _Event, m: _Meeting, start: int, end: int, request: Json
) -> Iterator[Violation]:
    """Rule 2: 'lasts exactly slots x slot_minutes'."""
    length = (request.get("slots") or 1) * event.slot
    if end - start != length:
        yield Violation(
            2,
            f"{m.place}.end",
            f"request {m.request} lasts {length // 60} minutes, but this meeting lasts "
            f"{(end - start) // 60} ({event.span(start, end)}); end it at "
            f"{event.local(start + length)}",
        )


def _rule2_session(
    event: _Event, m: _Meeting, start: int, end: int, session: tuple[int, int]
) -> Iterator[Violation]:
    """Rule 2: 'starts on a slot boundary ... lies inside one session'."""
    first, last = session
    if (start - first) % event.slot:
        yield Violation(
            2,
            f"{m.place}.start",
            f"starts at {event.local(start)}, not on a slot boundary (slots of "
            f"{event.slot // 60} minutes from the session start {event.local(first)})",
        )
    if end > last:
        late = f"ends at {event.local(end)}, after its session {event.span(first, last)}"
        yield Violation(2, f"{m.place}.end", late)


def _rule2_within(
    event: _Event, m: _Meeting, start: int, end: int, request: Json
) -> Iterator[Violation]:
    """Rule 2: 'inside one of its request's within windows where it has any'."""
    windows = event.within.get(request["id"]) or []
    if windows and not any(s <= start and end <= e for s, e in windows):
        allowed = ", ".join(event.span(s, e) for s, e in windows)
        yield Violation(
            2,
            m.place,
            f"request {m.request} must lie within {allowed}, but this meeting is at "
            f"{event.span(start, end)}",
        )


def _rule3_attendees(event: _Event, meetings: list[_Meeting]) -> Iterator[Violation]:
    """Rule 3: 'attendees hold one of each company, every named attendee, no one outside'."""
    for m in meetings:
        if m.attendees is None:
            continue
        place = f"{m.place}.attendees"
        request = event.requests.get(m.request or "")
        sides = _sides(request) if request is not None else ()
        for person in m.attendees:
            company = event.company_of.get(person)
            if company is None:
                yield Violation(3, place, f"attendee {person!r} is not in the instance")
            elif request is not None and company not in sides:
                companies = " or ".join(sides)
                other = f"{person} is from {company}, not {companies} ({m.request}); remove them"
                yield Violation(3, place, other)
        present = {event.company_of.get(person) for person in m.attendees}
        for company in sides:
            if company not in present:
                missing = f"no attendee of {company}; add one of {_people(event, company)}"
                yield Violation(3, place, missing)
        for person in (request or {}).get("attendees") or []:
            if person not in m.attendees:
                named = f"request {m.request} names {person}, who must attend; add them"
                yield Violation(3, place, named)


def _people(event: _Event, company: str) -> str:
    """A company's attendee ids for a message (the first few)."""
    ids = [p["id"] for p in event.companies[company].get("attendees") or []]
    return ", ".join(ids[:5]) + (f" (and {len(ids) - 5} more)" if len(ids) > 5 else "")


def _rule4_attendees_overlap(event: _Event, meetings: list[_Meeting]) -> Iterator[Violation]:
    """Rule 4: 'no attendee is in two meetings that overlap in time'."""
    by_person: dict[str, list[_Timed]] = defaultdict(list)
    for item in _timed(meetings):
        for person in item[2].attendees or ():
            by_person[person].append(item)
    for person, group in by_person.items():
        for first, second in _overlapping(group):
            yield Violation(4, second[2].place, _clash(event, f"{person} is in", first, second))


def _rule5_locations(event: _Event, meetings: list[_Meeting]) -> Iterator[Violation]:
    """Rule 5: 'no location holds two meetings that overlap; an owned one only its owner's'."""
    for m in meetings:
        if m.location is None:
            continue
        location = event.locations.get(m.location)
        request = event.requests.get(m.request or "")
        if location is None:
            unknown = f"location {m.location!r} is not in the instance"
            yield Violation(5, f"{m.place}.location", unknown)
        elif location.get("owner") and request and location["owner"] not in _sides(request):
            owned = (
                f"{m.location} is reserved for {location['owner']}, which is not in "
                f"request {m.request}; use another location"
            )
            yield Violation(5, f"{m.place}.location", owned)
    by_location: dict[str, list[_Timed]] = defaultdict(list)
    for item in _timed(meetings):
        location_id = item[2].location
        if location_id is not None and location_id in event.locations:
            by_location[location_id].append(item)
    for location_id, group in by_location.items():
        for first, second in _overlapping(group):
            yield Violation(
                5, second[2].place, _clash(event, f"{location_id} holds", first, second)
            )


def _rule6_unavailable(event: _Event, meetings: list[_Meeting]) -> Iterator[Violation]:
    """Rule 6: 'no meeting overlaps an unavailable interval of either company or attendee'."""
    for start, end, m in _timed(meetings):
        request = event.requests.get(m.request or "")
        keys = [("company", c) for c in (_sides(request) if request is not None else ())]
        keys += [("attendee", person) for person in m.attendees or ()]
        for key in keys:
            busy = event.busy.get(key)
            hit = busy.hit(start, end) if busy is not None else None
            if hit is not None:
                yield Violation(
                    6,
                    m.place,
                    f"{key[0]} {key[1]} is unavailable from {event.span(*hit)}, which overlaps "
                    f"this meeting at {event.span(start, end)}; move it",
                )


def _rule7_per_day(event: _Event, meetings: list[_Meeting]) -> Iterator[Violation]:
    """Rule 7: 'no company has more meetings on one day than its max_meetings_per_day'."""
    by_day: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for m in meetings:
        request = event.requests.get(m.request or "")
        if request is None or m.start is None:
            continue
        for company in _sides(request):
            if event.companies[company].get("max_meetings_per_day"):
                by_day[company, event.day(m.start)].append((m.start, m.index))
    for (company, day), group in by_day.items():
        limit = event.companies[company]["max_meetings_per_day"]
        if len(group) > limit:
            _, first_extra = sorted(group)[limit]
            yield Violation(
                7,
                f"meetings[{first_extra}]",
                f"{company} has {len(group)} meetings on {day}, more than its "
                f"max_meetings_per_day of {limit}; move or drop {len(group) - limit} of them",
            )


def _rule7_event(event: _Event, meetings: list[_Meeting]) -> Iterator[Violation]:
    """Rule 7: 'nor more over the whole event than its max_meetings'."""
    held: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for m in meetings:
        request = event.requests.get(m.request or "")
        if request is None or m.start is None:
            continue
        for company in _sides(request):
            if event.companies[company].get("max_meetings"):
                held[company].append((m.start, m.index))
    for company, group in held.items():
        limit = event.companies[company]["max_meetings"]
        if len(group) > limit:
            _, first_extra = sorted(group)[limit]
            yield Violation(
                7,
                f"meetings[{first_extra}]",
                f"{company} has {len(group)} meetings, more than its max_meetings of {limit}; "
                f"drop {len(group) - limit} of them",
            )


def _rule8_fixed(event: _Event, meetings: list[_Meeting]) -> Iterator[Violation]:
    """Rule 8: 'every fixed meeting is there at its start (and location, attendees, if given)'."""
    by_request: dict[str, list[_Meeting]] = defaultdict(list)
    for m in meetings:
        if m.request is not None:
            by_request[m.request].append(m)
    for k, (fixed, start) in enumerate(event.fixed):
        request, when = fixed["request"], event.local(start)
        found = by_request.get(request)
        if not found:
            absent = f"request {request} is fixed at {when} (fixed[{k}]) but not met; add it"
            yield Violation(8, "meetings", absent)
            continue
        m = next((c for c in found if c.start == start), found[0])
        if m.start != start:
            yield Violation(
                8,
                f"{m.place}.start",
                f"request {request} is fixed to start at {when} (fixed[{k}]); move it there",
            )
        location = fixed.get("location")
        if location and m.location != location:
            moved = f"request {request} is fixed at {location} (fixed[{k}]); move it there"
            yield Violation(8, f"{m.place}.location", moved)
        for person in fixed.get("attendees") or []:
            if person not in (m.attendees or ()):
                absent = f"{person} is fixed to attend request {request} (fixed[{k}]); add them"
                yield Violation(8, f"{m.place}.attendees", absent)


# --- the summary, and the API --------------------------------------------------------------


def _summary(instance: Json, schedule: Json) -> Iterator[Violation]:
    """The summary's counts and objective, where given, agree with the schedule."""
    summary = schedule.get("summary")
    if summary is None:
        return
    if not isinstance(summary, dict):
        yield Violation(0, "summary", "is not an object")
        return
    meetings = schedule.get("meetings")
    expected = {
        "objective": objective(instance, schedule),
        "scheduled": len(meetings) if isinstance(meetings, list) else 0,
        "requests": len(instance.get("requests") or []),
        "entitlements_short": entitlements_short(instance, schedule),
    }
    what = {
        "objective": "the priorities of the met requests sum to",
        "scheduled": "the number of meetings is",
        "requests": "the number of requests in the instance is",
        "entitlements_short": "the companies with fewer meetings than their min_meetings are",
    }
    for name, value in expected.items():
        given = summary.get(name, value)
        if isinstance(given, bool) or given != value:
            yield Violation(0, f"summary.{name}", f"says {given!r}, but {what[name]} {value}")


def _priority(request: Json) -> int:
    """A request's priority, 1 where not given."""
    priority = request.get("priority")
    return priority if isinstance(priority, int) and not isinstance(priority, bool) else 1


def objective(instance: Json, schedule: Json) -> int:
    """The sum of the priorities (default 1) of the instance's requests that have a meeting."""
    requests = {r["id"]: r for r in instance.get("requests") or []}
    entries = schedule.get("meetings") if isinstance(schedule, dict) else None
    if not isinstance(entries, list):
        return 0
    met = {
        e["request"] for e in entries if isinstance(e, dict) and isinstance(e.get("request"), str)
    }
    return sum(_priority(requests[r]) for r in met if r in requests)


def entitlements_short(instance: Json, schedule: Json) -> int:
    """Companies with `min_meetings` that have fewer meetings than that."""
    requests = {r.get("id"): r for r in instance.get("requests") or [] if isinstance(r, dict)}
    entries = schedule.get("meetings") if isinstance(schedule, dict) else None
    if not isinstance(entries, list):
        entries = []
    met = {
        e["request"] for e in entries if isinstance(e, dict) and isinstance(e.get("request"), str)
    }
    held: dict[str, int] = defaultdict(int)
    for request_id in met:
        request = requests.get(request_id)
        if request is not None:
            for company in _sides(request):
                held[company] += 1
    return sum(
        1
        for c in instance.get("companies") or []
        if isinstance(c, dict)
        and isinstance(c.get("min_meetings"), int)
        and held[c.get("id")] < c["min_meetings"]
    )


def check_schedule(instance: Json, schedule: Json) -> list[Violation]:
    """Every violation of the format's eight rules (and of its shape, as rule 0); [] if valid."""
    if not isinstance(schedule, dict):
        return [Violation(0, "schedule", f"is {type(schedule).__name__}, not a JSON object")]
    out: list[Violation] = []
    if schedule.get("format") != SCHEDULE_FORMAT:
        out.append(
            Violation(0, "format", f"is {schedule.get('format')!r}, not {SCHEDULE_FORMAT!r}")
        )
    event = _read_event(instance)
    meetings = _read_meetings(event, schedule, out)
    unscheduled = _read_unscheduled(schedule, out)
    out.extend(_rule1_requests(event, meetings, unscheduled))
    out.extend(_rule2_times(event, meetings))
    out.extend(_rule3_attendees(event, meetings))
    out.extend(_rule4_attendees_overlap(event, meetings))
    out.extend(_rule5_locations(event, meetings))
    out.extend(_rule6_unavailable(event, meetings))
    out.extend(_rule7_per_day(event, meetings))
    out.extend(_rule7_event(event, meetings))
    out.extend(_rule8_fixed(event, meetings))
    out.extend(_summary(instance, schedule))
    return out
