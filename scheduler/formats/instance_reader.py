"""Reading an instance document into domain objects, collecting every problem on the way.

Two passes: pydantic checks the shape (types, required fields), then `_Builder` checks the
meaning (ids that refer to something, times that parse, sessions cut into whole slots) while
it builds the domain objects. Fixed meetings are checked against the rules last
(`fixed_checks`). Every problem names its place, e.g. `requests[12].to`, and what to do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime
from functools import cache
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BaseModel, ValidationError

from scheduler.domain import (
    Attendee,
    Company,
    Event,
    EventDay,
    FixedMeeting,
    Instance,
    Interval,
    Location,
    Request,
    Session,
)
from scheduler.formats import wire
from scheduler.formats.fixed_checks import check_fixed_meetings
from scheduler.formats.json_file import read_json_file
from scheduler.formats.problems import InvalidInput, Problem, did_you_mean, quote
from scheduler.times import parse_date, parse_local_time, session_time
from scheduler.words import N_, Words, told

INSTANCE_FORMAT = "partnering-instance/1"
NOT_IANA = frozenset({"localtime", "posixrules"})  # files in the zone folder, not zone names
UNKNOWN_COMPANY = N_('unknown company "{id}"{hint}')
SHORT_OF_REQUESTS = N_(
    "{wanted} guaranteed meetings, but it has only {most} accepted requests; it will be left short"
)
SHORT_BY_DAILY = N_(
    "{wanted} guaranteed meetings, but it has only {most} meetings its daily maximum allows; it "
    "will be left short"
)
WORKS_ELSEWHERE = N_(
    '"{id}" works for "{employer}", not for "{one}" or "{other}"; name one of their attendees'
)
DUPLICATE_COMPANY, DUPLICATE_LOCATION, DUPLICATE_REQUEST = (
    N_(
        'duplicate company id "{id}", already {section}[{first}]; '
        "ids must be unique within {section}, so rename one"
    ),
    N_(
        'duplicate location id "{id}", already {section}[{first}]; '
        "ids must be unique within {section}, so rename one"
    ),
    N_(
        'duplicate request id "{id}", already {section}[{first}]; '
        "ids must be unique within {section}, so rename one"
    ),
)


@cache
def iana_zone_names() -> frozenset[str]:
    """The zone names a file may use. Listing them walks the zone database (about 10 ms), so
    once per process: every page showing a published agenda reads an instance."""
    return frozenset(available_timezones() - NOT_IANA)


def load_instance(path: Path) -> tuple[Instance, list[Problem]]:
    """Read an instance file; return it with its warnings, or raise InvalidInput."""
    return instance_from_document(read_json_file(path))


def instance_from_document(document: object) -> tuple[Instance, list[Problem]]:
    """Turn a parsed JSON document into an Instance; raise InvalidInput listing every error."""
    if isinstance(document, dict) and document.get("format") not in (None, INSTANCE_FORMAT):
        found = document.get("format")
        hint = (
            Words(N_(" (this is a schedule; give the instance it was made for)"))
            if (isinstance(found, str) and found.startswith("partnering-schedule"))
            else ""
        )
        raise InvalidInput(
            [
                Problem.of(
                    "format",
                    N_('expected "{expected}", got {got}{hint}'),
                    expected=INSTANCE_FORMAT,
                    got=quote(found),
                    hint=hint,
                )
            ]
        )
    try:
        parsed = wire.InstanceIn.model_validate(document)
    except ValidationError as error:
        raise InvalidInput(shape_problems(error, document)) from None
    warnings = list(unknown_field_warnings(parsed, ""))
    builder = _Builder(parsed)
    instance = builder.build()
    errors = builder.problems
    if not errors:
        errors = check_fixed_meetings(instance)
    if errors:
        raise InvalidInput(errors + warnings)
    return instance, warnings + builder.warnings


# --- shape: pydantic's findings in the organiser's words ------------------------------------


def place_of(location: Iterable[str | int]) -> str:
    """('requests', 12, 'to') -> 'requests[12].to'."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def shape_problems(error: ValidationError, document: object = None) -> list[Problem]:
    return [
        Problem.of(
            place_of(e["loc"]),
            "{message}{whose}",
            message=_shape_message(e),
            whose=_whose(e["loc"], document),
        )
        for e in error.errors()
    ]


def _whose(location: tuple, document: object) -> Words | str:
    """' (company "lonely-co")' for a problem inside the 58th company: a position alone does
    not tell the organiser (who knows companies by id and name, not by index) which it is."""
    if len(location) < 3 or not isinstance(document, dict) or not isinstance(location[1], int):
        return ""
    entries = document.get(location[0])
    if not isinstance(entries, list) or not 0 <= location[1] < len(entries):
        return ""
    entry = entries[location[1]]
    found = entry.get("id") if isinstance(entry, dict) else None
    if not isinstance(found, str) or not found:
        return ""
    kind = {
        "companies": N_(" (company {id}{named})"),
        "requests": N_(" (request {id}{named})"),
        "locations": N_(" (location {id}{named})"),
    }
    if location[0] not in kind:
        return ""
    name = entry.get("name")
    named = f", {quote(name)}" if isinstance(name, str) and name and name != found else ""
    return Words.of(kind[location[0]], id=quote(found), named=named)


_SHAPE_MESSAGES = {
    "missing": N_("is missing; add it"),
    "int_type": N_("expected a whole number, got {got}"),
    "greater_than": N_("expected a positive whole number, got {got}"),
    "string_type": N_("expected text in quotes, got {got}"),
    "list_type": N_("expected a list [...], got {got}"),
    "model_type": N_("expected an object {{...}}, got {got}"),
    "dict_type": N_("expected an object {{...}}, got {got}"),
    "too_short": N_("must not be empty; give at least one entry"),
    "string_too_short": N_("must not be empty"),
}


def _shape_message(error: dict) -> Words | str:
    kind, got = error["type"], _show(error.get("input"))
    if not error["loc"] and kind == "model_type":
        return Words.of(
            N_("expected an instance: a JSON object {{...}} at the top level, got {got}"), got=got
        )
    if kind == "less_than_equal":
        return Words.of(N_("expected at most {most}, got {got}"), most=error["ctx"]["le"], got=got)
    if kind == "value_error":  # our own checks (wire.plain_text): their message says it all
        return told(error["ctx"]["error"])
    if kind == "literal_error":
        expected = error["ctx"]["expected"].replace("'", '"')
        return Words.of(N_("expected one of {choices}, got {got}"), choices=expected, got=got)
    if kind in _SHAPE_MESSAGES:
        return Words.of(_SHAPE_MESSAGES[kind], got=got)
    return f"{error['msg']}, got {got}"


def _show(value: object) -> Words | str:
    if isinstance(value, dict):
        return Words(N_("an object {{...}}"))
    if isinstance(value, list):
        return Words(N_("a list [...]"))
    return quote(value)


def unknown_field_warnings(model: BaseModel, place: str) -> Iterable[Problem]:
    """Fields the format does not define: probably typos, so say so instead of ignoring."""
    if model.model_extra:
        known = [f.alias or name for name, f in type(model).model_fields.items()]
        for name in model.model_extra:
            where = f"{place}.{name}" if place else name
            hint = did_you_mean(name, known)
            yield Problem.of(where, N_("unknown field, ignored{hint}"), "warning", hint=hint)
    for name, alias in _nested_fields(type(model)):
        value = getattr(model, name)
        here = f"{place}.{alias}" if place else alias
        if isinstance(value, BaseModel):
            yield from unknown_field_warnings(value, here)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, BaseModel):
                    yield from unknown_field_warnings(item, f"{here}[{index}]")


@cache
def _nested_fields(model_type: type[BaseModel]) -> tuple[tuple[str, str], ...]:
    """The fields of a model type that may hold models (the only ones worth walking: a fair's
    100,000 requests hold none, and walking every field of each took half a second)."""
    return tuple(
        (name, field.alias or name)
        for name, field in model_type.model_fields.items()
        if _may_hold_models(field.annotation)
    )


def _may_hold_models(annotation: object) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_may_hold_models(arg) for arg in getattr(annotation, "__args__", ()))


# --- meaning: ids, times and sessions --------------------------------------------------------


class _Builder:
    """Builds domain objects from the checked shape, noting every problem of meaning."""

    def __init__(self, parsed: wire.InstanceIn) -> None:
        self.parsed = parsed
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.zone = ZoneInfo("UTC")
        self._employers: dict[str, str] | None = None

    def error(self, place: str, message: str | Words | Exception) -> None:
        self.problems.append(Problem.told(place, message))

    def fault(self, place: str, template: str, /, **values: object) -> None:
        """An error told as a template and its values, so that it can be translated."""
        self.problems.append(Problem.of(place, template, **values))

    def build(self) -> Instance:
        event = self._event(self.parsed.event)
        companies = self._companies(self.parsed.companies)
        company_ids = [c.id for c in companies]
        locations = self._locations(self.parsed.locations, company_ids)
        by_id = {c.id: c for c in companies}
        requests = self._requests(self.parsed.requests, by_id)
        fixed = self._fixed(self.parsed.fixed, requests, locations, by_id)
        self._check_entitlements(companies, requests, len(event.days))
        return Instance(event, tuple(locations), tuple(companies), tuple(requests), tuple(fixed))

    # event

    def _event(self, event: wire.EventIn) -> Event:
        self.zone = self._zone(event.timezone)
        days = []
        seen: dict[str, int] = {}
        for index, day in enumerate(event.days):
            place = f"event.days[{index}]"
            if day.date in seen:
                self.fault(
                    f"{place}.date",
                    N_(
                        "duplicate date {date}, already event.days[{first}]; "
                        "give each day once, with all its sessions"
                    ),
                    date=day.date,
                    first=seen[day.date],
                )
                continue
            seen[day.date] = index
            try:
                when = parse_date(day.date)
            except ValueError as error:
                self.error(f"{place}.date", error)
                continue
            sessions = self._sessions(day, when, event.slot_minutes, place)
            days.append(EventDay(when, tuple(sessions)))
        days.sort(key=lambda d: d.date)
        return Event(event.name, event.timezone, event.slot_minutes, tuple(days), event.venue)

    def _zone(self, name: str) -> ZoneInfo:
        known = iana_zone_names()
        if name in known:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                pass
        hint = did_you_mean(name, sorted(known))
        self.fault(
            "event.timezone",
            N_('unknown time zone {zone}{hint}; use an IANA name such as "Asia/Tokyo"'),
            zone=quote(name),
            hint=hint,
        )
        return ZoneInfo("UTC")

    def _sessions(
        self, day: wire.DayIn, when: date, slot_minutes: int, place: str
    ) -> list[Session]:
        sessions: list[tuple[int, Session]] = []
        for index, session in enumerate(day.sessions):
            here = f"{place}.sessions[{index}]"
            start = self._session_time(when, session.start, f"{here}.start")
            end = self._session_time(when, session.end, f"{here}.end")
            if start is None or end is None:
                continue
            minutes = (end - start).total_seconds() / 60
            if minutes <= 0:
                self.fault(
                    f"{here}.end",
                    N_(
                        "the session ends ({end}) at or before its start ({start}); "
                        "give an end after the start"
                    ),
                    end=session.end,
                    start=session.start,
                )
            elif minutes % slot_minutes:
                self.fault(
                    here,
                    N_(
                        "{start}-{end} is {minutes} minutes, not a whole number of "
                        "{slot}-minute slots; move its end to a multiple of {slot} minutes "
                        "after its start"
                    ),
                    start=session.start,
                    end=session.end,
                    minutes=f"{minutes:g}",
                    slot=slot_minutes,
                )
            else:
                sessions.append((index, Session(start, end)))
        self._check_no_overlap(sessions, day, place)
        return sorted((s for _, s in sessions), key=lambda s: s.start)

    def _session_time(self, when: date, text: str, place: str) -> datetime | None:
        try:
            return session_time(when, text, self.zone)
        except ValueError as error:
            self.error(place, error)
            return None

    def _check_no_overlap(
        self, sessions: list[tuple[int, Session]], day: wire.DayIn, place: str
    ) -> None:
        ordered = sorted(sessions, key=lambda pair: pair[1].start)
        for (i, earlier), (j, later) in pairwise(ordered):
            if later.start < earlier.end:
                a, b = sorted((i, j))  # report the one listed last
                first, second = day.sessions[a], day.sessions[b]
                self.fault(
                    f"{place}.sessions[{b}]",
                    N_(
                        "{start}-{end} overlaps sessions[{other}] ({other_start}-{other_end}); "
                        "sessions of a day must not overlap"
                    ),
                    start=second.start,
                    end=second.end,
                    other=a,
                    other_start=first.start,
                    other_end=first.end,
                )

    # people and places

    def _windows(self, windows: list[wire.WindowIn], place: str) -> tuple[Interval, ...]:
        result = []
        for index, window in enumerate(windows):
            here = f"{place}[{index}]"
            start = self._local_time(window.start, f"{here}.start")
            end = self._local_time(window.end, f"{here}.end")
            if start is None or end is None:
                continue
            if end <= start:
                self.fault(
                    f"{here}.end",
                    N_(
                        "the window ends ({end}) at or before its start ({start}); "
                        "give an end after the start"
                    ),
                    end=window.end,
                    start=window.start,
                )
                continue
            result.append(Interval(start, end))
        return tuple(result)

    def _local_time(self, text: str, place: str) -> datetime | None:
        try:
            return parse_local_time(text, self.zone)
        except ValueError as error:
            self.error(place, error)
            return None

    def _companies(self, companies: list[wire.CompanyIn]) -> list[Company]:
        result = []
        self._check_unique((c.id for c in companies), "companies", DUPLICATE_COMPANY)
        attendee_ids = [
            (f"companies[{ci}].attendees[{ai}].id", a.id)
            for ci, c in enumerate(companies)
            for ai, a in enumerate(c.attendees)
        ]
        first_place: dict[str, str] = {}
        for place, attendee_id in attendee_ids:
            if attendee_id in first_place:
                self.fault(
                    place,
                    N_(
                        'attendee id "{id}" is already used at {first}; '
                        "attendee ids must be unique across the instance"
                    ),
                    id=attendee_id,
                    first=first_place[attendee_id],
                )
            first_place.setdefault(attendee_id, place)
        for ci, company in enumerate(companies):
            place = f"companies[{ci}]"
            attendees = tuple(
                Attendee(
                    a.id,
                    a.name or a.id,
                    company.id,
                    a.email,
                    self._windows(a.unavailable, f"{place}.attendees[{ai}].unavailable"),
                )
                for ai, a in enumerate(company.attendees)
            )
            result.append(
                Company(
                    company.id,
                    company.name or company.id,
                    company.role,
                    attendees,
                    company.delegation,
                    self._windows(company.unavailable, f"{place}.unavailable"),
                    company.max_meetings_per_day,
                    company.max_meetings,
                    company.min_meetings,
                )
            )
        return result

    def _check_entitlements(
        self, companies: list[Company], requests: list[Request], days: int
    ) -> None:
        """A guarantee above the company's own maximum is a contradiction (an error); one
        that its requests or daily maximum can never reach is a warning the organiser can act
        on before solving."""
        asked: Counter[str] = Counter(c for r in requests for c in r.companies)
        for index, company in enumerate(companies):
            wanted = company.min_meetings
            if wanted is None:
                continue
            place = f"companies[{index}].min_meetings"
            most = company.max_meetings
            if most is not None and wanted > most:
                self.fault(
                    place,
                    N_(
                        "{wanted} guaranteed meetings is more than its max_meetings of {most}; "
                        "lower min_meetings or raise max_meetings"
                    ),
                    wanted=wanted,
                    most=most,
                )
                continue
            reachable = [(asked[company.id], SHORT_OF_REQUESTS)]
            if company.max_meetings_per_day is not None:
                reachable.append((company.max_meetings_per_day * days, SHORT_BY_DAILY))
            for most_possible, template in reachable:
                if wanted > most_possible:
                    self.warnings.append(
                        Problem.of(place, template, "warning", wanted=wanted, most=most_possible)
                    )
                    break

    def _locations(
        self, locations: list[wire.LocationIn], company_ids: list[str]
    ) -> list[Location]:
        self._check_unique((loc.id for loc in locations), "locations", DUPLICATE_LOCATION)
        if not locations:
            self.warnings.append(
                Problem.of(
                    "locations", N_("no tables or rooms: no meeting can be placed"), "warning"
                )
            )
        known = set(company_ids)
        for index, location in enumerate(locations):
            if location.owner is not None and location.owner not in known:
                self.fault(
                    f"locations[{index}].owner",
                    UNKNOWN_COMPANY,
                    id=location.owner,
                    hint=did_you_mean(location.owner, company_ids),
                )
        return [Location(loc.id, loc.name or loc.id, loc.kind, loc.owner) for loc in locations]

    # requests and fixed meetings

    def _requests(
        self, requests: list[wire.RequestIn], companies: dict[str, Company]
    ) -> list[Request]:
        self._check_unique((r.id for r in requests), "requests", DUPLICATE_REQUEST)
        pairs: dict[frozenset[str], int] = {}
        result = []
        for index, request in enumerate(requests):
            place = f"requests[{index}]"
            ok = True
            for field, company_id in (("from", request.requester), ("to", request.requested)):
                if company_id not in companies:
                    hint = did_you_mean(company_id, companies)
                    self.fault(f"{place}.{field}", UNKNOWN_COMPANY, id=company_id, hint=hint)
                    ok = False
            if ok and request.requester == request.requested:
                self.fault(
                    f"{place}.to", N_("a company cannot meet itself; name the other company")
                )
                ok = False
            if ok:
                pair = frozenset((request.requester, request.requested))
                if pair in pairs:
                    self.warnings.append(
                        Problem.of(
                            place,
                            N_(
                                "the same two companies are already in requests[{first}]; "
                                "they may meet twice"
                            ),
                            "warning",
                            first=pairs[pair],
                        )
                    )
                pairs.setdefault(pair, index)
                self._request_attendees(request, companies, place)
            within = self._windows(request.within, f"{place}.within")
            result.append(
                Request(
                    request.id,
                    request.requester,
                    request.requested,
                    request.priority,
                    tuple(dict.fromkeys(request.attendees)),
                    request.slots,
                    within,
                    request.notes,
                )
            )
        return result

    def _request_attendees(
        self, request: wire.RequestIn, companies: dict[str, Company], place: str
    ) -> None:
        if not request.attendees:
            return
        members = {
            a.id for cid in (request.requester, request.requested) for a in companies[cid].attendees
        }
        everyone = self._employer_of(companies)
        for index, attendee_id in enumerate(request.attendees):
            self._check_member(
                attendee_id, members, everyone, request, f"{place}.attendees[{index}]"
            )

    def _employer_of(self, companies: dict[str, Company]) -> dict[str, str]:
        """Attendee id -> company id, built once (requests are many)."""
        if self._employers is None:
            self._employers = {a.id: c.id for c in companies.values() for a in c.attendees}
        return self._employers

    def _check_member(self, attendee_id, members, everyone, request, place: str) -> None:
        if attendee_id in members:
            return
        if attendee_id in everyone:
            self.fault(
                place,
                WORKS_ELSEWHERE,
                id=attendee_id,
                employer=everyone[attendee_id],
                one=request.requester,
                other=request.requested,
            )
        else:
            hint = did_you_mean(attendee_id, sorted(members))
            self.fault(place, N_('unknown attendee "{id}"{hint}'), id=attendee_id, hint=hint)

    def _fixed(
        self,
        fixed: list[wire.FixedIn],
        requests: list[Request],
        locations: list[Location],
        companies: dict[str, Company],
    ) -> list[FixedMeeting]:
        by_id = {r.id: r for r in requests}
        location_ids = {loc.id for loc in locations}
        everyone = {a.id: c.id for c in companies.values() for a in c.attendees}
        seen: dict[str, int] = {}
        result = []
        for index, entry in enumerate(fixed):
            place = f"fixed[{index}]"
            request = by_id.get(entry.request)
            if request is None:
                hint = did_you_mean(entry.request, by_id)
                self.fault(
                    f"{place}.request",
                    N_('unknown request "{id}"{hint}'),
                    id=entry.request,
                    hint=hint,
                )
                continue
            if entry.request in seen:
                self.fault(
                    f"{place}.request",
                    N_(
                        'request "{id}" is already fixed at fixed[{first}]; '
                        "a request is met once, so keep one of the two"
                    ),
                    id=entry.request,
                    first=seen[entry.request],
                )
                continue
            seen[entry.request] = index
            try:
                start = parse_local_time(entry.start, self.zone)
            except ValueError as error:
                self.error(f"{place}.start", error)
                continue
            if entry.location is not None and entry.location not in location_ids:
                hint = did_you_mean(entry.location, sorted(location_ids))
                self.fault(
                    f"{place}.location",
                    N_('unknown location "{id}"{hint}'),
                    id=entry.location,
                    hint=hint,
                )
            members = {
                a.id
                for cid in request.companies
                if cid in companies
                for a in companies[cid].attendees
            }
            for ai, attendee_id in enumerate(entry.attendees):
                self._check_member(
                    attendee_id, members, everyone, request, f"{place}.attendees[{ai}]"
                )
            result.append(
                FixedMeeting(
                    entry.request, start, entry.location, tuple(dict.fromkeys(entry.attendees))
                )
            )
        return result

    def _check_unique(self, ids: Iterable[str], section: str, what: str) -> None:
        """`what`: the message for a duplicate id of this section (DUPLICATE_...)."""
        first: dict[str, int] = {}
        for index, item_id in enumerate(ids):
            if item_id in first:
                self.fault(
                    f"{section}[{index}].id",
                    what,
                    id=item_id,
                    section=section,
                    first=first[item_id],
                )
            first.setdefault(item_id, index)
