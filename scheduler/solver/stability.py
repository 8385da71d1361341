"""Re-solving after agendas went out: keep what was published, move little, say what changed.

Once a schedule is published, people put it in their calendars and book their trips around
it. Requests keep coming and some are cancelled, so the organiser re-solves, but must not
reshuffle what people already have. So every published meeting whose request is still
accepted stays exactly where it was (time, table, attendees): it becomes a fixed meeting.
Cancelled ones free their slots, and new requests are scheduled around the rest. Only with
`allow_moves` may a few published meetings move, one at a time, each to make room for a
request that could not be placed otherwise. Published meetings that can no longer be held
as they were (an attendee now away, a table removed) are said to be displaced and are
scheduled again like new requests.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta

from scheduler.domain import FixedMeeting, Instance, Meeting
from scheduler.formats.fixed_checks import check_fixed_meeting
from scheduler.solver.booking import Booking, Placement
from scheduler.solver.prepare import Prepared, PreparedRequest, bits
from scheduler.timegrid import TimeGrid


@dataclass(frozen=True)
class PublishedPlan:
    """What becomes of each meeting of the published schedule."""

    published: dict[str, Meeting]  # request id -> the meeting as published
    kept: tuple[FixedMeeting, ...]  # held exactly as published
    displaced: dict[str, str]  # request id -> why it cannot stay as published
    cancelled: tuple[str, ...]  # its request is no longer accepted


def plan_published(
    instance: Instance, published: Sequence[Meeting], collisions: bool = True
) -> PublishedPlan:
    """Sort the published meetings into kept, displaced and cancelled. `collisions=False`
    leaves out the check that the kept meetings fit together with the organiser's fixed
    ones (seconds at BioJapan size), for a caller that finds out by booking them anyway."""
    grid = TimeGrid(instance.event)
    kept: list[FixedMeeting] = []
    displaced: dict[str, str] = {}
    cancelled: list[str] = []
    for meeting in published:
        if meeting.request not in instance.request_by_id:
            cancelled.append(meeting.request)
        elif meeting.request in instance.fixed_by_request:
            if _agrees(instance.fixed_by_request[meeting.request], meeting):
                kept.append(_as_fixed(meeting))  # the same, only more precise
            # else the organiser moved it by hand: the instance decides
        else:
            why = _why_not_kept(instance, grid, meeting)
            if why:
                displaced[meeting.request] = why
            else:
                kept.append(_as_fixed(meeting))
    collided = _collisions(instance, kept) if collisions else set()
    for request_id in collided:
        displaced[request_id] = "it now collides with a meeting the organiser fixed"
    kept = [f for f in kept if f.request not in collided]
    return PublishedPlan(
        {m.request: m for m in published}, tuple(kept), displaced, tuple(cancelled)
    )


def keeping(instance: Instance, plan: PublishedPlan) -> Instance:
    """The instance with the kept published meetings as fixed meetings."""
    kept = {f.request for f in plan.kept}
    organisers = tuple(f for f in instance.fixed if f.request not in kept)
    return replace(instance, fixed=(*organisers, *plan.kept))


def _agrees(fixed: FixedMeeting, meeting: Meeting) -> bool:
    """Whether the published meeting is one way of holding the organiser's fixed meeting."""
    return (
        fixed.start == meeting.start
        and fixed.location in (None, meeting.location)
        and set(fixed.attendees) <= set(meeting.attendees)
    )


def _why_not_kept(instance: Instance, grid: TimeGrid, meeting: Meeting) -> str | None:
    request = instance.request_by_id[meeting.request]
    if meeting.location not in instance.location_by_id:
        return f'its location "{meeting.location}" is no longer in the event'
    for attendee_id in meeting.attendees:
        if attendee_id not in instance.attendee_by_id:
            return f'its attendee "{attendee_id}" is no longer registered'
    sides = {instance.attendee_by_id[a].company for a in meeting.attendees}
    if sides != set(request.companies) or not set(request.attendees) <= set(meeting.attendees):
        return "its attendees no longer match the request's companies or named attendees"
    if meeting.end - meeting.start != timedelta(minutes=request.slots * grid.slot_minutes):
        return f"the request now asks for {request.slots * grid.slot_minutes} minutes"
    problems = check_fixed_meeting(instance, grid, _as_fixed(meeting), "published")
    return problems[0].message if problems else None


def _as_fixed(meeting: Meeting) -> FixedMeeting:
    return FixedMeeting(meeting.request, meeting.start, meeting.location, meeting.attendees)


def _collisions(instance: Instance, kept: list[FixedMeeting]) -> set[str]:
    """Kept meetings that cannot be booked once the organiser's fixed meetings are in."""
    prepared = Prepared(keeping(instance, PublishedPlan({}, tuple(kept), {}, ())))
    booking = Booking(prepared)
    kept_ids = {f.request for f in kept}
    organisers = [prepared.by_id[f.request] for f in instance.fixed if f.request not in kept_ids]
    for request in sorted(organisers, key=lambda r: r.fixed_location is None):
        booking.try_place(request, request.fixed_start)
    for fixed in kept:
        request = prepared.by_id[fixed.request]
        booking.try_place(request, request.fixed_start)
    return {f.request for f in kept if f.request not in booking.placements}


def rebook(prepared: Prepared, placements: Iterable[Placement]) -> Booking:
    """The same meetings in a booking of another preparation of the instance (one in which
    the published meetings are not fixed, so that they may move)."""
    booking = Booking(prepared)
    for p in placements:
        booking.book(Placement(prepared.by_id[p.request.id], p.start, p.location, p.attendees))
    return booking


def make_room(
    booking: Booking,
    waiting: Iterable[PreparedRequest],
    published: dict[str, Meeting],
    moves_allowed: int,
    deadline: float,
) -> int:
    """Place waiting requests by moving one meeting that holds their people: new meetings
    move freely, published ones at most `moves_allowed` times in all, fixed ones never.
    Returns the number of published meetings moved."""
    moved: set[str] = set()
    for request in waiting:
        if time.monotonic() > deadline:
            break
        if request.id in booking.placements:
            continue
        budget = moves_allowed - len(moved)
        shifted = _place_by_moving_one(booking, request, published, budget)
        if shifted is not None and shifted in published:
            moved.add(shifted)
    return len(moved)


def _place_by_moving_one(
    booking: Booking, request: PreparedRequest, published: dict[str, Meeting], budget: int
) -> str | None:
    for start in bits(request.start_mask):
        if any(booking.day_is_full(c, start) for c in request.request.companies):
            continue
        if booking.free_location(request, start) is None:
            continue  # the tables are full then: moving people does not help
        blockers = sorted(booking.blocking(request, start), key=lambda b: (b in published, b))
        for blocker in blockers:
            old = booking.placements[blocker]
            if old.request.fixed_start is not None or (blocker in published and budget < 1):
                continue
            booking.remove(blocker)
            if booking.try_place(request, start):
                if booking.place_earliest(old.request) is not None:
                    return blocker
                booking.remove(request.id)
            booking.book(old)
    return None


def changes(plan: PublishedPlan, meetings: Sequence[Meeting]) -> dict[str, object]:
    """What the new schedule changes against the published one, by request id."""
    now = {m.request: m for m in meetings}
    before = plan.published
    cancelled = set(plan.cancelled)
    return {
        "unchanged": sum(1 for r, m in now.items() if r in before and same(before[r], m)),
        "added": sorted(r for r in now if r not in before),
        "moved": sorted(r for r, m in now.items() if r in before and not same(before[r], m)),
        "cancelled": sorted(cancelled),
        "dropped": sorted(r for r in before if r not in now and r not in cancelled),
    }


def same(a: Meeting, b: Meeting) -> bool:
    """Held at the same time and place by the same people (in any order)."""
    return (a.start, a.end, a.location, set(a.attendees)) == (
        b.start,
        b.end,
        b.location,
        set(b.attendees),
    )
