"""First come, first served, as the closed platforms do it: the baseline to beat.

Requests are taken by priority, then scarcest first (fewest candidate starts), each placed at
its earliest start where both sides, a location and the day's quota allow. The solver uses
this schedule as its starting point and never returns anything worse.
"""

from __future__ import annotations

from collections.abc import Iterable

from scheduler.solver.booking import Booking
from scheduler.solver.prepare import Prepared, PreparedRequest


def greedy_order(requests: Iterable[PreparedRequest]) -> list[PreparedRequest]:
    """Fixed meetings first, then by priority, then scarcest, then as listed."""
    return sorted(
        requests,
        key=lambda r: (r.fixed_start is None, -r.request.priority, len(r.starts), r.index),
    )


def place_fixed(booking: Booking) -> None:
    """Fixed meetings first, those tied to a location before those free to take any."""
    fixed = [r for r in booking.prepared.requests if r.fixed_start is not None]
    for request in sorted(fixed, key=lambda r: r.fixed_location is None):
        booking.try_place(request, request.fixed_start)


def fill(booking: Booking, requests: Iterable[PreparedRequest]) -> None:
    """Place each request, in the given order, at its earliest start that still fits."""
    for request in requests:
        if request.id not in booking.placements:
            booking.place_earliest(request)


def greedy_schedule(prepared: Prepared) -> Booking:
    booking = Booking(prepared)
    place_fixed(booking)
    fill(booking, greedy_order(prepared.requests))
    return booking
