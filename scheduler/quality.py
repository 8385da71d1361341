"""Quality figures of a schedule beyond its objective, named as in FORMAT.md's summary."""

from __future__ import annotations

from collections import defaultdict
from itertools import pairwise

from scheduler.prepare import Prepared, bits


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


def quality_figures(prepared: Prepared, busy: dict[str, int], met: set[str]) -> dict[str, int]:
    breaks = breaks_per_attendee(prepared, busy)
    with_requests = {c for r in prepared.instance.requests for c in r.companies}
    with_meetings = {c for r in prepared.instance.requests if r.id in met for c in r.companies}
    return {
        "breaks": sum(breaks.values()),
        "max_breaks": max(breaks.values(), default=0),
        "companies_without_meetings": len(with_requests - with_meetings),
    }
