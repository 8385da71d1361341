"""Quality figures of a schedule beyond its objective, named as in FORMAT.md's summary where
it names them: idle gaps (breaks), companies left without a meeting, the lowest share of a
company's requests that were met, and meetings held at a shared table while one of the two
companies had its own room free."""

from __future__ import annotations

from collections import Counter, defaultdict
from itertools import pairwise

from scheduler.solver.booking import Booking
from scheduler.solver.prepare import SHARED, Prepared, bits, room_pool


def breaks_per_attendee(prepared: Prepared, busy: dict[str, int]) -> dict[str, int]:
    """Idle gaps between two of a person's meetings within one session (lunch is not one)."""
    result = {}
    for attendee_id, mask in busy.items():
        by_session: dict[int, list[int]] = defaultdict(list)
        for slot in bits(mask):
            by_session[prepared.grid.slots[slot].session].append(slot)
        gaps = 0
        for slots in by_session.values():
            gaps += sum(1 for a, b in pairwise(slots) if b > a + 1)
        result[attendee_id] = gaps
    return result


def lowest_share(prepared: Prepared, met: set[str]) -> float:
    """The smallest fraction of its schedulable requests that any company got met."""
    asked: Counter[str] = Counter()
    held: Counter[str] = Counter()
    for request in prepared.requests:
        if request.starts:
            for company_id in request.request.companies:
                asked[company_id] += 1
                held[company_id] += request.id in met
    return min((held[c] / asked[c] for c in asked), default=1.0)


def own_room_missed(booking: Booking) -> int:
    """Meetings at a shared table although one of the two companies had its room free."""
    missed = 0
    for placement in booking.placements.values():
        request = placement.request
        if booking.prepared.pool_of_location(placement.location) != SHARED:
            continue
        rooms = [room_pool(c) for c in request.request.companies]
        if any(
            pool in request.pools and booking.free_in_pool(pool, placement.start, request.length)
            for pool in rooms
        ):
            missed += 1
    return missed


def over_break_limit(booking: Booking, limit: int) -> int:
    """People with more than `limit` breaks (the limit yields where holding it would cost a
    meeting, e.g. fixed meetings that already leave someone more)."""
    breaks = breaks_per_attendee(booking.prepared, booking.attendee_busy)
    return sum(1 for count in breaks.values() if count > limit)


def quality_figures(booking: Booking) -> dict[str, int | float]:
    prepared = booking.prepared
    met = set(booking.placements)
    breaks = breaks_per_attendee(prepared, booking.attendee_busy)
    with_requests = {c for r in prepared.instance.requests for c in r.companies}
    with_meetings = {c for r in prepared.instance.requests if r.id in met for c in r.companies}
    return {
        "breaks": sum(breaks.values()),
        "max_breaks": max(breaks.values(), default=0),
        "companies_without_meetings": len(with_requests - with_meetings),
        "lowest_share": round(lowest_share(prepared, met), 4),
        "own_room_missed": own_room_missed(booking),
    }
