"""From a CP-SAT answer (chosen request, start and pool) to a booking with real tables and
people, and back: the bridge between the counting model and the exact schedule."""

from __future__ import annotations

from scheduler.solver.booking import Booking
from scheduler.solver.cpsat import ModelAnswer
from scheduler.solver.greedy import fill, greedy_order, place_fixed
from scheduler.solver.prepare import Prepared


def placed_keys(prepared: Prepared, booking: Booking) -> set[tuple[int, int, str]]:
    return {
        (p.request.index, p.start, prepared.pool_of_location(p.location))
        for p in booking.placements.values()
    }


def realize(
    prepared: Prepared, answer: ModelAnswer, compact: bool = False, fill_gaps: bool = True
) -> Booking:
    """Give the model's meetings their tables and people, in time order, then fill gaps."""
    booking = Booking(prepared, compact=compact)
    place_fixed(booking)
    requests = prepared.requests
    chosen = sorted(answer.chosen, key=lambda k: (k[1], not k[2].startswith("rooms:"), k[0]))
    for index, start, _pool in chosen:
        booking.reserve_named(requests[index], start)
    for index, start, _pool in chosen:
        booking.try_place(requests[index], start)
    if fill_gaps:
        fill(booking, greedy_order(requests))
    return booking
