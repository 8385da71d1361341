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


FIXED_ROUNDS = 5  # tries of the fixed meetings' order before the ones left are reported


def place_fixed(booking: Booking) -> None:
    """Fixed meetings first, those tied to a location before those free to take any. One
    free to choose its table or people may take those another names (at twice BIO size, 2 of
    1,000 were left out so): then all start again with the ones left out first, as an
    organiser would place them, for a few rounds."""
    fixed = [r for r in booking.prepared.requests if r.fixed_start is not None]
    order = sorted(fixed, key=lambda r: r.fixed_location is None)
    for round_ in range(FIXED_ROUNDS):
        left = [r for r in order if booking.try_place(r, r.fixed_start) is None]
        if not left or round_ == FIXED_ROUNDS - 1:
            return
        for request in order:
            if request.id in booking.placements:
                booking.remove(request.id)
        first = {r.id for r in left}
        order = left + [r for r in order if r.id not in first]


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
