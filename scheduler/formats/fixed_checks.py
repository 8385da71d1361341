"""Fixed meetings must themselves keep the rules, or no schedule can keep them.

Run after the instance is built and its ids are known to be good. Each problem is placed at
`fixed[i]` and says which rule the fixed meeting breaks and what to change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from zoneinfo import ZoneInfo

from scheduler.domain import Company, FixedMeeting, Instance, Interval
from scheduler.formats.problems import Problem
from scheduler.timegrid import TimeGrid
from scheduler.times import describe_time
from scheduler.words import N_, Words

LOCATION_TWICE = N_(
    'location "{id}" is also in the fixed meeting {other} at the same time; move one of them'
)
ATTENDEE_TWICE = N_(
    'attendee "{id}" is also in the fixed meeting {other} at the same time; move one of them'
)


def check_fixed_meetings(instance: Instance) -> list[Problem]:
    grid = TimeGrid(instance.event)
    zone = ZoneInfo(instance.event.timezone)
    index_of = {f.request: i for i, f in enumerate(instance.fixed)}
    problems: list[Problem] = []
    spans: dict[str, Interval] = {}
    for fixed in instance.fixed:
        place = f"fixed[{index_of[fixed.request]}]"
        found = _check_one(instance, grid, zone, fixed, place)
        problems += found
        if not found:
            request = instance.request_by_id[fixed.request]
            first = grid.slot_starting_at(fixed.start)
            spans[fixed.request] = grid.span(first, request.slots)
    problems += _check_collisions(instance, spans, index_of, zone)
    return problems


def check_fixed_meeting(
    instance: Instance, grid: TimeGrid, fixed: FixedMeeting, place: str
) -> list[Problem]:
    """What stops this one meeting from being held as placed (its ids must be known)."""
    return _check_one(instance, grid, ZoneInfo(instance.event.timezone), fixed, place)


def _check_one(
    instance: Instance, grid: TimeGrid, zone: ZoneInfo, fixed: FixedMeeting, place: str
) -> list[Problem]:
    request = instance.request_by_id[fixed.request]
    when = describe_time(fixed.start, zone)
    first = grid.slot_starting_at(fixed.start)
    if first is None:
        return [
            Problem.of(
                f"{place}.start",
                N_(
                    "{when} is not the start of a slot in any session; "
                    "use a session start plus a multiple of {slot} minutes"
                ),
                when=when,
                slot=grid.slot_minutes,
            )
        ]
    if not grid.fits(first, request.slots):
        return [
            Problem.of(
                f"{place}.start",
                N_(
                    "a {slots}-slot meeting starting {when} runs past the end of its session; "
                    "start it earlier"
                ),
                slots=request.slots,
                when=when,
            )
        ]
    span = grid.span(first, request.slots)
    problems = []
    if request.within and not any(w.contains(span.start, span.end) for w in request.within):
        problems.append(
            Problem.of(
                f"{place}.start",
                N_("{when} is outside the request's `within` windows; move it into one of them"),
                when=when,
            )
        )
    location = instance.location_by_id.get(fixed.location) if fixed.location else None
    if location and location.owner and location.owner not in request.companies:
        problems.append(
            Problem.of(
                f"{place}.location",
                N_(
                    '"{location}" is reserved for "{owner}"; choose a shared table or a room of '
                    '"{one}" or "{other}"'
                ),
                location=location.id,
                owner=location.owner,
                one=request.requester,
                other=request.requested,
            )
        )
    for company_id in request.companies:
        company = instance.company_by_id[company_id]
        if _blocked(company.unavailable, span):
            problems.append(
                Problem.of(
                    f"{place}.start",
                    N_(
                        '"{company}" is unavailable at {when}; '
                        "move the meeting or remove the unavailable block"
                    ),
                    company=company_id,
                    when=when,
                )
            )
        free = [a for a in company.attendees if not _blocked(a.unavailable, span)]
        if not free:
            problems.append(
                Problem.of(
                    f"{place}.start",
                    N_('no attendee of "{company}" is available at {when}'),
                    company=company_id,
                    when=when,
                )
            )
    for attendee_id in {*fixed.attendees, *request.attendees}:
        attendee = instance.attendee_by_id[attendee_id]
        if _blocked(attendee.unavailable, span):
            problems.append(
                Problem.of(
                    f"{place}.attendees",
                    N_(
                        '"{attendee}" is unavailable at {when}; '
                        "move the meeting or name another attendee"
                    ),
                    attendee=attendee_id,
                    when=when,
                )
            )
    return problems


def _check_collisions(
    instance: Instance, spans: dict[str, Interval], index_of: dict[str, int], zone: ZoneInfo
) -> list[Problem]:
    """Two fixed meetings must not share a location, an attendee, or overload a company."""
    problems = []
    by_location: dict[str, list[str]] = defaultdict(list)
    by_attendee: dict[str, list[str]] = defaultdict(list)
    by_company: dict[str, list[str]] = defaultdict(list)
    for fixed in instance.fixed:
        if fixed.request not in spans:
            continue
        request = instance.request_by_id[fixed.request]
        if fixed.location:
            by_location[fixed.location].append(fixed.request)
        for attendee_id in {*fixed.attendees, *request.attendees}:
            by_attendee[attendee_id].append(fixed.request)
        for company_id in request.companies:
            by_company[company_id].append(fixed.request)

    def place(request_id: str) -> str:
        return f"fixed[{index_of[request_id]}]"

    for resource, what in ((by_location, LOCATION_TWICE), (by_attendee, ATTENDEE_TWICE)):
        for key, request_ids in resource.items():
            for a, b in _overlapping_pairs(request_ids, spans):
                problems.append(Problem.of(place(b), what, id=key, other=place(a)))
    for company_id, request_ids in by_company.items():
        company = instance.company_by_id[company_id]
        problems += _company_overload(instance, company, request_ids, spans, place, zone)
    return problems


def _overlapping_pairs(request_ids: list[str], spans: dict[str, Interval]):
    ordered = sorted(request_ids, key=lambda r: spans[r].start)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if spans[b].start >= spans[a].end:
                break
            yield a, b


def _company_overload(
    instance: Instance,
    company: Company,
    request_ids: list[str],
    spans: dict[str, Interval],
    place: Callable[[str], str],
    zone: ZoneInfo,
) -> list[Problem]:
    problems = []
    capacity = len(company.attendees)
    for request_id in sorted(request_ids, key=lambda r: spans[r].start):
        moment = spans[request_id].start
        active = [r for r in request_ids if spans[r].start <= moment < spans[r].end]
        when = describe_time(moment, zone)
        if len(active) > capacity:
            message = Words.of(
                N_(
                    '"{company}" has {attendees} attendee(s) but {meetings} fixed meetings '
                    "at {when}; move one"
                ),
                company=company.id,
                attendees=capacity,
                meetings=len(active),
                when=when,
            )
        elif _unstaffed(instance, company, active, spans):
            message = Words.of(
                N_(
                    '"{company}" has no free attendee left for this fixed meeting at {when}: '
                    "the others are unavailable or named in its other fixed meetings then; "
                    "move it or name a free attendee"
                ),
                company=company.id,
                when=when,
            )
        else:
            continue
        problems.append(Problem.told(place(active[-1]), message))  # the last one fixed
        break
    daily = _over_daily_limit(company, request_ids, spans, place, zone)
    return problems + daily + _over_event_limit(company, request_ids, spans, place)


def _over_event_limit(
    company: Company,
    request_ids: list[str],
    spans: dict[str, Interval],
    place: Callable[[str], str],
) -> list[Problem]:
    """More fixed meetings than the company's `max_meetings` make every schedule invalid."""
    limit = company.max_meetings
    if limit is None or len(request_ids) <= limit:
        return []
    last = max(request_ids, key=lambda r: spans[r].start)
    return [
        Problem.of(
            place(last),
            N_(
                '"{company}" has {meetings} fixed meetings, more than its max_meetings of '
                "{most}; unfix {over} or raise max_meetings"
            ),
            company=company.id,
            meetings=len(request_ids),
            most=limit,
            over=len(request_ids) - limit,
        )
    ]


def _over_daily_limit(
    company: Company,
    request_ids: list[str],
    spans: dict[str, Interval],
    place: Callable[[str], str],
    zone: ZoneInfo,
) -> list[Problem]:
    if not company.max_meetings_per_day:
        return []
    problems = []
    per_day: dict[object, list[str]] = defaultdict(list)
    for request_id in request_ids:
        per_day[spans[request_id].start.astimezone(zone).date()].append(request_id)
    for day, on_day in per_day.items():
        if len(on_day) > company.max_meetings_per_day:
            problems.append(
                Problem.of(
                    place(on_day[-1]),
                    N_(
                        '"{company}" has {meetings} fixed meetings on {day}, more than its '
                        "max_meetings_per_day of {most}; move or unfix {over}"
                    ),
                    company=company.id,
                    meetings=len(on_day),
                    day=day,
                    most=company.max_meetings_per_day,
                    over=len(on_day) - company.max_meetings_per_day,
                )
            )
    return problems


def _unstaffed(
    instance: Instance, company: Company, active: list[str], spans: dict[str, Interval]
) -> bool:
    """Whether the meetings in `active` (all running at one moment) cannot each get one of
    the company's attendees: those named are taken; the others need a distinct free one."""
    named: dict[str, set[str]] = {}
    for request_id in active:
        fixed = instance.fixed_by_request[request_id]
        request = instance.request_by_id[request_id]
        named[request_id] = {
            a
            for a in (*fixed.attendees, *request.attendees)
            if instance.attendee_by_id[a].company == company.id
        }
    taken = set().union(*named.values())
    choices = {
        request_id: [
            a.id
            for a in company.attendees
            if a.id not in taken
            and not any(
                u.overlaps(spans[request_id].start, spans[request_id].end) for u in a.unavailable
            )
        ]
        for request_id in active
        if not named[request_id]
    }
    return _matching_size(choices) < len(choices)


def _matching_size(choices: dict[str, list[str]]) -> int:
    """The most meetings that can each get a different attendee (augmenting paths)."""
    holder: dict[str, str] = {}  # attendee -> meeting

    def assign(meeting: str, seen: set[str]) -> bool:
        for attendee in choices[meeting]:
            if attendee in seen:
                continue
            seen.add(attendee)
            if attendee not in holder or assign(holder[attendee], seen):
                holder[attendee] = meeting
                return True
        return False

    return sum(assign(meeting, set()) for meeting in choices)


def _blocked(unavailable: tuple[Interval, ...], span: Interval) -> bool:
    """Whether any unavailable interval overlaps the meeting's span."""
    return any(u.overlaps(span.start, span.end) for u in unavailable)
