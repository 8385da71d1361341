"""Guaranteed meetings (`min_meetings`): given before the priority-weighted count is counted.

A company that bought a guaranteed-meetings package is owed that many meetings wherever a
valid schedule can give them; `max_meetings` (the allowance bought) is a rule that `Booking`
enforces for every step. Here, after the first schedules, each company still short gets one
more of its requests at a time: placed where it fits, else in place of one meeting that
stands in its way, the swap that costs the least count first (the displaced meeting moves
elsewhere if it can), never one that leaves another company short. The guarantee comes
first, as the format says, but no more count is given for it than needed. The search
afterwards (CP-SAT, the neighbourhoods) weighs a missing guaranteed meeting above the whole
count, so it never gives one back, and wins back what count it can.
"""

from __future__ import annotations

import time

from scheduler.solver.booking import Booking
from scheduler.solver.prepare import Prepared, PreparedRequest, bits
from scheduler.solver.reasons import blockers_at

SWAP_CANDIDATES = 5  # of a company's waiting requests, the highest priorities, tried by swaps


def meet_entitlements(booking: Booking, deadline: float) -> None:
    """Passes over the companies short of their guarantee, fewest options first, one more
    meeting each per pass, until a pass gives none or time is up."""
    prepared = booking.prepared
    if not prepared.min_meetings:
        return
    requests = _requests_of(booking)
    stuck: set[str] = set()  # no single swap helped: not tried again
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        short = [c for c, w in prepared.min_meetings.items() if booking.meetings_of_company[c] < w]
        for company_id in sorted(short, key=lambda c: (len(requests.get(c, [])), c)):
            if company_id in stuck or (
                booking.meetings_of_company[company_id] >= prepared.min_meetings[company_id]
            ):
                continue  # stuck, or met by a partner's meeting earlier in this pass
            waiting = [r for r in requests.get(company_id, []) if r.id not in booking.placements]
            if _one_more(booking, waiting, deadline):
                improved = True
            else:
                stuck.add(company_id)


def _one_more(booking: Booking, waiting: list[PreparedRequest], deadline: float) -> bool:
    """One more of `waiting` met: where it fits, else by the cheapest swap that works."""
    waiting.sort(key=lambda r: (-r.request.priority, len(r.starts), r.index))
    if any(booking.place_earliest(request) for request in waiting):
        return True
    swaps = []
    for request in waiting[:SWAP_CANDIDATES]:
        for start in bits(request.start_mask):
            if len(blockers_at(booking, request, start)) != 1:
                continue  # two obstacles at once: taking out one meeting frees one at most
            for displaced in booking.in_the_way(request, start):
                old = booking.placements[displaced].request.request.priority
                swaps.append((old - request.request.priority, displaced, request.index, start))
        if time.monotonic() > deadline:
            return False
    for _cost, displaced, index, start in sorted(swaps):
        if displaced in booking.placements and _swap(booking, index, start, displaced):
            return True
    return False


def _missing(booking: Booking, companies: set[str]) -> int:
    """Guaranteed meetings missing for these companies only (a swap changes no others)."""
    wanted, held = booking.prepared.min_meetings, booking.meetings_of_company
    return sum(max(0, wanted[c] - held[c]) for c in companies if c in wanted)


def _swap(booking: Booking, index: int, start: int, displaced: str) -> bool:
    """The request at `start` in place of `displaced` (moved elsewhere if it fits), kept
    only if fewer guaranteed meetings are missing."""
    request = booking.prepared.requests[index]
    companies = {
        *request.request.companies,
        *booking.placements[displaced].request.request.companies,
    }
    short = _missing(booking, companies)
    old = booking.remove(displaced)
    if booking.try_place(request, start):
        booking.place_earliest(old.request)
        if _missing(booking, companies) < short:
            return True
        booking.remove(request.id)
        if old.request.id in booking.placements:
            booking.remove(old.request.id)
    booking.book(old)
    return False


def unavoidable_shortfall(prepared: Prepared) -> int:
    """Guaranteed meetings no schedule can give: more than the company's schedulable requests."""
    schedulable: dict[str, int] = dict.fromkeys(prepared.min_meetings, 0)
    for request in prepared.requests:
        if request.starts and request.pools:
            for company_id in request.request.companies:
                if company_id in schedulable:
                    schedulable[company_id] += 1
    return sum(max(0, w - schedulable[c]) for c, w in prepared.min_meetings.items())


def _requests_of(booking: Booking) -> dict[str, list[PreparedRequest]]:
    """Each guaranteed company's schedulable requests."""
    guaranteed = booking.prepared.min_meetings
    found: dict[str, list[PreparedRequest]] = {}
    for request in booking.prepared.requests:
        if request.starts:
            for company_id in request.request.companies:
                if company_id in guaranteed:
                    found.setdefault(company_id, []).append(request)
    return found
