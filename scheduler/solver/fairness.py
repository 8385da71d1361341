"""Fairness (`--fair`): nobody flies to Yokohama for nothing.

Maximising the priority-weighted count can leave a company with no meeting at all while
popular corporates fill their agendas with slightly higher priorities. Organisers hear about
that first. With `--fair`, after the optimiser:

1. every company with a schedulable request but no meeting gets one where a single change
   does it: placing one of its requests outright, or in place of a meeting whose two
   companies keep at least one other meeting (the displaced meeting is placed elsewhere if
   it still fits anywhere, else dropped);
2. then, company by company from the lowest share of met requests up, one more request is
   met where that displaces only meetings of companies that keep a higher share, as long as
   the priority-weighted count stays at or above first come, first served's (`floor`).

Both steps trade priority-weighted count for evenness; the summary and the benchmark report
how much (the objective against the run without `--fair`). The second step could go on
trading long after the first has done what organisers ask for, so the floor bounds it: a
fair schedule is never a worse count than the platforms' first come, first served.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from math import inf

from scheduler.solver.booking import Booking
from scheduler.solver.prepare import PreparedRequest, bits


class _Shares:
    """Per company: schedulable requests, and how many of them are met."""

    def __init__(self, booking: Booking) -> None:
        self.asked: Counter[str] = Counter()
        self.requests: dict[str, list[PreparedRequest]] = defaultdict(list)
        for request in booking.prepared.requests:
            if request.starts:
                for company_id in request.request.companies:
                    self.asked[company_id] += 1
                    self.requests[company_id].append(request)
        self.booking = booking

    def met(self, company_id: str) -> int:
        placed = self.booking.placements
        return sum(1 for r in self.requests[company_id] if r.id in placed)

    def share(self, company_id: str, change: int = 0) -> float:
        return (self.met(company_id) + change) / self.asked[company_id]


class _Budget:
    """How much priority-weighted count the swaps may still give away; none may give away a
    guaranteed meeting (`min_meetings`), which comes before evenness as before the count."""

    def __init__(self, loss: float) -> None:
        self.loss = loss

    def allows(self, loss: int, shortfall_before: int, shortfall_after: int) -> bool:
        return shortfall_after <= shortfall_before and loss <= self.loss


def make_fair(booking: Booking, deadline: float, floor: int | None = None) -> None:
    """Step 1, then step 2 down to `floor` (no floor: step 2 as far as it goes)."""
    shares = _Shares(booking)
    _cover_every_company(booking, shares, deadline)
    loss = inf if floor is None else booking.objective() - floor
    _raise_lowest_shares(booking, shares, deadline, _Budget(loss))


def _cover_every_company(booking: Booking, shares: _Shares, deadline: float) -> None:
    uncovered = [c for c in shares.asked if shares.met(c) == 0]
    for company_id in sorted(uncovered, key=lambda c: (shares.asked[c], c)):

        def keeps_one(request_id: str, request: PreparedRequest) -> bool:
            other = booking.placements[request_id].request.request.companies
            gains = set(request.request.companies)
            return all(shares.met(c) > 1 or c in gains for c in other)

        _meet_one_more(booking, shares.requests[company_id], keeps_one, deadline, _Budget(inf))
        if time.monotonic() > deadline:
            return


def _raise_lowest_shares(
    booking: Booking, shares: _Shares, deadline: float, budget: _Budget
) -> None:
    """Passes from the lowest share up, one more met request per company and pass, until a
    pass changes nothing, the budget is spent or time is up."""
    improved = True
    while improved:
        improved = False
        for company_id in sorted(shares.asked, key=lambda c: (shares.share(c), c)):
            if time.monotonic() > deadline:
                return
            if shares.share(company_id) >= 1 or _agenda_full(booking, shares, company_id):
                continue  # a full agenda can only trade its own meetings: its share stays
            after = shares.share(company_id, +1)

            def stays_above(request_id: str, request: PreparedRequest, after=after) -> bool:
                other = booking.placements[request_id].request.request.companies
                gains = set(request.request.companies)
                return all(shares.share(c, (c in gains) - 1) > after for c in other)

            requests = shares.requests[company_id]
            improved |= _meet_one_more(booking, requests, stays_above, deadline, budget)


def _agenda_full(booking: Booking, shares: _Shares, company_id: str) -> bool:
    """Whether the company has no free time left at any start of its waiting requests."""
    return not any(
        request.start_mask & booking.side_free_starts(request, company_id)
        for request in shares.requests[company_id]
        if request.id not in booking.placements
    )


def _meet_one_more(
    booking: Booking,
    requests: list[PreparedRequest],
    may_displace,
    deadline: float,
    budget: _Budget,
) -> bool:
    """Place one of `requests` (highest priority first), directly or by displacing one
    meeting that `may_displace` allows within the budget; the displaced meeting goes
    elsewhere if it can."""
    waiting = sorted(
        (r for r in requests if r.id not in booking.placements),
        key=lambda r: (-r.request.priority, len(r.starts), r.index),
    )
    for request in waiting:
        if booking.place_earliest(request):
            return True
    for request in waiting:
        for start in bits(request.start_mask):
            if time.monotonic() > deadline:
                return False
            for displaced in sorted(booking.in_the_way(request, start), key=_priority(booking)):
                if may_displace(displaced, request) and _swap(
                    booking, request, start, displaced, budget
                ):
                    return True
    return False


def _priority(booking: Booking):
    return lambda request_id: (booking.placements[request_id].request.request.priority, request_id)


def _swap(
    booking: Booking, request: PreparedRequest, start: int, displaced: str, budget: _Budget
) -> bool:
    """`request` at `start` in place of `displaced`, which moves elsewhere or is dropped;
    undone if the budget does not allow what is lost."""
    short = booking.shortfall() if booking.prepared.min_meetings else 0
    old = booking.remove(displaced)
    if booking.try_place(request, start):
        moved = booking.place_earliest(old.request)
        loss = (0 if moved else old.request.request.priority) - request.request.priority
        after = booking.shortfall() if booking.prepared.min_meetings else 0
        if budget.allows(loss, short, after):
            budget.loss -= loss
            return True
        booking.remove(request.id)
        if moved:
            booking.remove(old.request.id)
    booking.book(old)
    return False
