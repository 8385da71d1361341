"""Guaranteed meetings (`min_meetings`): given before the priority-weighted count is counted.

A company that bought a guaranteed-meetings package is owed that many meetings wherever a
valid schedule can give them; `max_meetings` (the allowance bought) is a rule that `Booking`
enforces for every step. Here, after the first schedules, each company still short gets one
more of its requests at a time: placed where it fits, else in place of a meeting whose loss
leaves no company short of its guarantee (the displaced meeting moves elsewhere if it can).
Each such swap lowers the shortfall, whatever it costs in count: the guarantee comes first,
as the format says. The search afterwards (CP-SAT, the neighbourhoods) weighs a missing
guaranteed meeting above the whole count, so it never gives one back.
"""

from __future__ import annotations

import time
from math import inf

from scheduler.solver.booking import Booking
from scheduler.solver.fairness import Budget, meet_one_more
from scheduler.solver.prepare import Prepared, PreparedRequest


def meet_entitlements(booking: Booking, deadline: float) -> None:
    """Passes over the companies short of their guarantee, fewest options first, one more
    meeting each per pass, until a pass gives none or time is up."""
    prepared = booking.prepared
    if not prepared.min_meetings:
        return
    requests = _requests_of(booking)
    improved = True
    while improved and time.monotonic() < deadline:
        improved = False
        short = [
            c
            for c, wanted in prepared.min_meetings.items()
            if booking.meetings_of_company[c] < wanted
        ]
        for company_id in sorted(short, key=lambda c: (len(requests.get(c, [])), c)):
            if booking.meetings_of_company[company_id] >= prepared.min_meetings[company_id]:
                continue  # met by a partner's meeting earlier in this pass
            mine = requests.get(company_id, [])
            budget = Budget(inf, gain_guarantee=True)
            improved |= meet_one_more(booking, mine, _anything, deadline, budget)


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


def _anything(_displaced: str, _request: PreparedRequest) -> bool:
    """Any meeting may give way: the budget refuses a swap that leaves someone short."""
    return True
