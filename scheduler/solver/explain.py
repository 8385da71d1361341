"""`partnering explain`: why one request is not in the schedule, and what would make room.

The one-line reason in the schedule says what stands in the way; an organiser deciding what
to change needs the detail behind it: at each time both sides could meet, which meetings
hold their people, whether a table is free, whether a company has reached its daily
maximum. Meetings of lower priority that block the request are the ones to move or drop.
"""

from __future__ import annotations

from scheduler.domain import Instance, Schedule
from scheduler.solver.booking import Booking
from scheduler.solver.prepare import Prepared, PreparedRequest
from scheduler.solver.reasons import blockers_at, explain_unscheduled, short_of_entitlement
from scheduler.times import describe_clock, describe_time

SHOWN_TIMES = 12  # beyond this the list stops helping and starts scrolling


def explain_request(instance: Instance, schedule: Schedule, request_id: str) -> list[str]:
    """Lines of text about one request of the instance, against a schedule of it."""
    prepared = Prepared(instance)
    booking = Booking.from_meetings(prepared, schedule.meetings)
    request = prepared.by_id[request_id]
    lines = [_headline(prepared, request)]
    if request_id in booking.placements:
        return [*lines, _where(booking, request_id)]
    lines.append(f"Not scheduled: {explain_unscheduled(booking, request)}.")
    if not request.starts:
        return lines
    lines.append(f"Times when both sides could meet ({len(request.starts)}):")
    lines += [f"  {_at(booking, request, s)}" for s in request.starts[:SHOWN_TIMES]]
    if len(request.starts) > SHOWN_TIMES:
        lines.append(f"  ... and {len(request.starts) - SHOWN_TIMES} more")
    lines += _what_would_make_room(booking, request)
    return lines


def explain_company(instance: Instance, schedule: Schedule, company_id: str) -> list[str]:
    """Lines about one company's package: its meetings against its `min_meetings` and
    `max_meetings`, and why it is short where it is."""
    prepared = Prepared(instance)
    booking = Booking.from_meetings(prepared, schedule.meetings)
    company = instance.company_by_id[company_id]
    held = booking.meetings_of_company[company_id]
    lines = [f"Company {company_id}: {company.name}, {held} meetings."]
    if company.max_meetings is not None:
        lines.append(f"Maximum over the event (max_meetings): {company.max_meetings}.")
    if company.min_meetings is None:
        return [*lines, "No guaranteed meetings (min_meetings)."]
    short = [e for e in short_of_entitlement(booking) if e["company"] == company_id]
    if not short:
        return [*lines, f"Guaranteed meetings (min_meetings): {company.min_meetings}, all given."]
    return [*lines, f"Short of its guarantee: {company.name} {short[0]['reason']}."]


def _headline(prepared: Prepared, request: PreparedRequest) -> str:
    r = request.request
    names = prepared.instance.company_by_id
    minutes = request.length * prepared.grid.slot_minutes
    return (
        f"Request {r.id}: {names[r.requester].name} asks to meet {names[r.requested].name}, "
        f"priority {r.priority}, {minutes} minutes."
    )


def _where(booking: Booking, request_id: str) -> str:
    placement = booking.placements[request_id]
    prepared = booking.prepared
    span = prepared.grid.span(placement.start, placement.request.length)
    who = ", ".join(prepared.instance.attendee_by_id[a].name for a in placement.attendees)
    return (
        f"Scheduled: {describe_time(span.start, prepared.zone)}-"
        f"{describe_clock(span.end, prepared.zone)} at {placement.location}, with {who}."
    )


def _at(booking: Booking, request: PreparedRequest, start: int) -> str:
    """What stands in the way at one start, naming the meetings that hold people."""
    prepared = booking.prepared
    when = describe_time(prepared.grid.slots[start].start, prepared.zone)
    causes = []
    for cause in sorted(blockers_at(booking, request, start)):
        kind, _, company_id = cause.partition(":")
        name = prepared.instance.company_by_id[company_id].name if company_id else ""
        if kind == "day":
            causes.append(f"{name} has reached its daily maximum")
        elif kind == "busy":
            held = _holding(booking, request, start, company_id)
            causes.append(f"{name}'s attendees are in {held}")
        else:
            causes.append("every table it may use is taken")
    return f"{when}: " + ("; ".join(causes) or "free now (a re-solve would place it)")


def _holding(booking: Booking, request: PreparedRequest, start: int, company_id: str) -> str:
    """The meetings of `company_id` that overlap this start, as 'r12 with Chugai (priority 2)'."""
    instance = booking.prepared.instance
    found = []
    for request_id in sorted(booking.blocking(request, start)):
        other = instance.request_by_id[request_id]
        if company_id not in other.companies:
            continue
        partner = other.requested if other.requester == company_id else other.requester
        found.append(
            f"{request_id} with {instance.company_by_id[partner].name} (priority {other.priority})"
        )
    return ", ".join(found) or "meetings"


def _what_would_make_room(booking: Booking, request: PreparedRequest) -> list[str]:
    """Lower-priority meetings whose removal alone would let this request be placed."""
    freeing: dict[str, int] = {}
    for start in request.starts:
        for request_id in _freeing(booking, request, start):
            freeing[request_id] = booking.placements[request_id].request.request.priority
    if not freeing:
        return [
            "What would make room: no single meeting of lower priority stands alone in the "
            "way; add an attendee or a table, free blocked time, or raise this request's "
            "priority and re-solve."
        ]
    shown = sorted(freeing, key=lambda r: (freeing[r], r))[:5]
    more = f" and {len(freeing) - 5} more" if len(freeing) > 5 else ""
    return [
        "What would make room: moving or dropping any one of these lower-priority meetings: "
        + ", ".join(f"{r} (priority {freeing[r]})" for r in shown)
        + more
        + "; or raising this request's priority and re-solving."
    ]


def _freeing(booking: Booking, request: PreparedRequest, start: int) -> list[str]:
    """The meetings whose removal, each alone, lets the request be placed at `start`."""
    found = []
    priority = request.request.priority
    for request_id in sorted(booking.in_the_way(request, start)):
        if booking.placements[request_id].request.request.priority >= priority:
            continue
        old = booking.remove(request_id)
        if booking.try_place(request, start):
            booking.remove(request.id)
            found.append(request_id)
        booking.book(old)
    return found
