"""The exact state of a schedule being built: which person and which table is busy when.

`Booking.place` puts one request at one start if it fits, choosing its location (the
companies' own rooms first, then a shared table) and its attendees (those the request names,
else a free attendee of each company, spreading the load). The greedy planner, the step that
turns the CP-SAT answer into meetings, and the fill-in pass all use it, so every schedule is
built by the same rules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from scheduler.domain import Meeting
from scheduler.prepare import Prepared, PreparedRequest, span_mask


@dataclass(frozen=True)
class Placement:
    request: PreparedRequest
    start: int
    location: str
    attendees: tuple[str, ...]


class Booking:
    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self.attendee_busy: dict[str, int] = {}
        self.location_busy: dict[str, int] = {}
        self.meetings_per_day: Counter[tuple[str, int]] = Counter()
        self.meetings_of_attendee: Counter[str] = Counter()
        self.placements: dict[str, Placement] = {}
        self.reserved: dict[str, int] = {}  # attendee -> slots kept for meetings naming them

    # questions

    def is_free(self, attendee_id: str, start: int, length: int) -> bool:
        mask = span_mask(start, length)
        return (
            not self.attendee_busy.get(attendee_id, 0) & mask
            and self.prepared.attendee_starts(attendee_id, length) >> start & 1
        )

    def day_is_full(self, company_id: str, start: int) -> bool:
        limit = self.prepared.instance.company_by_id[company_id].max_meetings_per_day
        day = self.prepared.day_of(start)
        return limit is not None and self.meetings_per_day[(company_id, day)] >= limit

    def free_location(self, request: PreparedRequest, start: int) -> str | None:
        if request.fixed_location:
            candidates = [request.fixed_location]
        else:
            pools = self.prepared.pool_locations
            candidates = [loc for pool in request.pools for loc in pools[pool]]
        mask = span_mask(start, request.length)
        return next((loc for loc in candidates if not self.location_busy.get(loc, 0) & mask), None)

    def pick_attendees(self, request: PreparedRequest, start: int) -> tuple[str, ...] | None:
        """The request's named attendees plus one free attendee of each company that has none."""
        chosen: list[str] = []
        fixed = self.prepared.instance.fixed_by_request.get(request.id)
        for company_id, named in request.named.items():
            wanted = list(named)
            if fixed:
                wanted += [a for a in fixed.attendees if self.prepared.company_of[a] == company_id]
            if wanted:
                if not all(self.is_free(a, start, request.length) for a in wanted):
                    return None
                chosen += dict.fromkeys(wanted)
                continue
            pick = self._free_attendee(company_id, start, request.length)
            if pick is None:
                return None
            chosen.append(pick)
        return tuple(chosen)

    def _free_attendee(self, company_id: str, start: int, length: int) -> str | None:
        """A free attendee, preferring one not kept for a named meeting, then the least busy."""
        mask = span_mask(start, length)
        free = [
            a.id
            for a in self.prepared.instance.company_by_id[company_id].attendees
            if self.is_free(a.id, start, length)
        ]
        if not free:
            return None
        return min(
            free,
            key=lambda a: (bool(self.reserved.get(a, 0) & mask), self.meetings_of_attendee[a]),
        )

    # changes

    def try_place(self, request: PreparedRequest, start: int) -> Placement | None:
        """Place the request at `start` if everything it needs is free; else change nothing."""
        if request.id in self.placements or start not in request.starts:
            return None
        if any(self.day_is_full(c, start) for c in request.request.companies):
            return None
        attendees = self.pick_attendees(request, start)
        if attendees is None:
            return None
        location = self.free_location(request, start)
        if location is None:
            return None
        placement = Placement(request, start, location, attendees)
        self._book(placement)
        return placement

    def _book(self, placement: Placement) -> None:
        mask = span_mask(placement.start, placement.request.length)
        for attendee_id in placement.attendees:
            self.attendee_busy[attendee_id] = self.attendee_busy.get(attendee_id, 0) | mask
            self.meetings_of_attendee[attendee_id] += 1
        self.location_busy[placement.location] = (
            self.location_busy.get(placement.location, 0) | mask
        )
        day = self.prepared.day_of(placement.start)
        for company_id in placement.request.request.companies:
            self.meetings_per_day[(company_id, day)] += 1
        self.placements[placement.request.id] = placement

    def reserve_named(self, request: PreparedRequest, start: int) -> None:
        """Keep named attendees' time for a meeting that will be placed later in the pass."""
        mask = span_mask(start, request.length)
        for named in request.named.values():
            for attendee_id in named:
                self.reserved[attendee_id] = self.reserved.get(attendee_id, 0) | mask

    # results

    def objective(self) -> int:
        return sum(p.request.request.priority for p in self.placements.values())

    def meetings(self) -> list[Meeting]:
        grid = self.prepared.grid
        result = []
        for placement in self.placements.values():
            span = grid.span(placement.start, placement.request.length)
            result.append(
                Meeting(
                    placement.request.id,
                    span.start,
                    span.end,
                    placement.location,
                    placement.attendees,
                )
            )
        result.sort(key=lambda m: (m.start, m.location, m.request))
        return result
