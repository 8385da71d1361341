"""The exact state of a schedule being built: which person and which table is busy when.

`Booking.try_place` puts one request at one start if it fits, choosing its location (the
companies' own rooms first, then a shared table) and its attendees (those the request names,
else a free attendee of each company, spreading the load); `place_earliest` finds the first
start where it fits. The greedy planner, the step that turns the CP-SAT answer into meetings,
the fill-in pass, re-solves that keep a published schedule and the fairness pass all use it,
so every schedule is built by the same rules.

Everything is a bitmask (bit s = slot s; for a pool, bit i = its i-th location), so asking
"where does this request still fit" costs a few integer operations, not a scan of hundreds
of tables: at BioJapan size (35,000 requests, 420 tables) the greedy pass takes seconds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.domain import Meeting
from scheduler.solver.prepare import Prepared, PreparedRequest, bits, span_mask


@dataclass(frozen=True)
class Placement:
    request: PreparedRequest
    start: int
    location: str
    attendees: tuple[str, ...]


def blocked_starts(busy: int, length: int) -> int:
    """Starts s at which a meeting of `length` slots would overlap a busy slot."""
    blocked = busy
    for k in range(1, length):
        blocked |= busy >> k
    return blocked


class Booking:
    def __init__(self, prepared: Prepared, compact: bool = False) -> None:
        self.prepared = prepared
        self.compact = compact  # give a meeting to the attendee whose agenda it extends
        self.attendee_busy: dict[str, int] = {}
        self.meetings_per_day: Counter[tuple[str, int]] = Counter()
        self.meetings_of_attendee: Counter[str] = Counter()
        self.requests_of_attendee: dict[str, set[str]] = {}  # attendee -> their meetings
        self._requests_of_company: dict[str, set[str]] = {}  # company -> its meetings
        self._held_at: dict[tuple[str, int], str] = {}  # (location, slot) -> its meeting
        self.placements: dict[str, Placement] = {}
        self.reserved: dict[str, int] = {}  # attendee -> slots kept for meetings naming them
        self._full_days: dict[str, int] = {}  # company -> slots of the days it is full
        self.meetings_of_company: Counter[str] = Counter()
        self._full_event: set[str] = set()  # companies at their max_meetings
        slots = len(prepared.grid)
        self._pool_free = {  # pool -> per slot, the bitmask of its free locations
            pool: [(1 << len(locations)) - 1] * slots
            for pool, locations in prepared.pool_locations.items()
        }
        self._location_bit = {
            location: (pool, 1 << i)
            for pool, locations in prepared.pool_locations.items()
            for i, location in enumerate(locations)
        }

    @classmethod
    def from_meetings(cls, prepared: Prepared, meetings: Iterable[Meeting]) -> Booking:
        """The booking of a schedule that was solved earlier (read from its file)."""
        booking = cls(prepared)
        for meeting in meetings:
            request = prepared.by_id[meeting.request]
            start = prepared.grid.slot_starting_at(meeting.start)
            booking.book(Placement(request, start, meeting.location, meeting.attendees))
        return booking

    # questions

    def is_free(self, attendee_id: str, start: int, length: int) -> bool:
        mask = span_mask(start, length)
        return (
            not self.attendee_busy.get(attendee_id, 0) & mask
            and self.prepared.attendee_starts(attendee_id, length) >> start & 1
        )

    def free_starts(self, attendee_id: str, length: int) -> int:
        """Starts where the attendee is available and not yet in a meeting."""
        busy = self.attendee_busy.get(attendee_id, 0)
        return self.prepared.attendee_starts(attendee_id, length) & ~blocked_starts(busy, length)

    def day_is_full(self, company_id: str, start: int) -> bool:
        return bool(self._full_days.get(company_id, 0) >> start & 1)

    def full_day_slots(self, company_id: str) -> int:
        """The slots of the days on which the company has its daily maximum."""
        return self._full_days.get(company_id, 0)

    def event_is_full(self, company_id: str) -> bool:
        """Whether the company has its `max_meetings` for the whole event."""
        return company_id in self._full_event

    def _full_slots(self, company_id: str) -> int:
        """Slots at which the company can take no more meetings: its full days, or every
        slot once it has its event maximum."""
        if company_id in self._full_event:
            return self.prepared.all_slots
        return self._full_days.get(company_id, 0)

    def free_location(self, request: PreparedRequest, start: int) -> str | None:
        """A location the request may use that is free for its whole span, own rooms first."""
        if request.fixed_location:
            pool, bit = self._location_bit[request.fixed_location]
            free = self._span_free(pool, start, request.length)
            return request.fixed_location if free & bit else None
        for pool in request.pools:
            free = self._span_free(pool, start, request.length)
            if free:
                index = (free & -free).bit_length() - 1
                return self.prepared.pool_locations[pool][index]
        return None

    def free_in_pool(self, pool: str, start: int, length: int) -> bool:
        """Whether some location of the pool is free for the whole span."""
        return bool(self._span_free(pool, start, length))

    def free_locations(self, pool: str, slot: int) -> int:
        """How many locations of the pool are free at this slot."""
        return self._pool_free[pool][slot].bit_count()

    def _span_free(self, pool: str, start: int, length: int) -> int:
        per_slot = self._pool_free[pool]
        free = per_slot[start]
        for slot in range(start + 1, start + length):
            free &= per_slot[slot]
        return free

    def fitting_starts(self, request: PreparedRequest) -> int:
        """A superset of the starts where `try_place` can still succeed, as a bitmask; a
        multi-slot meeting may still find no single table free for its whole span."""
        mask = request.start_mask
        for company_id in request.named:
            mask &= self.side_free_starts(request, company_id)
        return mask

    def side_free_starts(self, request: PreparedRequest, company_id: str) -> int:
        """Starts where this company could still take the meeting: its day not full, the
        named attendees free, else any attendee free."""
        mask = ~self._full_slots(company_id)
        named = request.named[company_id]
        if named:
            for attendee_id in named:
                mask &= self.free_starts(attendee_id, request.length)
            return mask
        side = 0
        for attendee in self.prepared.instance.company_by_id[company_id].attendees:
            side |= self.free_starts(attendee.id, request.length)
        return mask & side

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
        """A free attendee, preferring one not kept for a named meeting, then (compact) one
        whose meeting just ends or starts next to it, then the least busy."""
        mask = span_mask(start, length)
        free = [
            a.id
            for a in self.prepared.instance.company_by_id[company_id].attendees
            if self.is_free(a.id, start, length)
        ]
        if not free:
            return None
        touching = (mask << 1 | mask >> 1) & ~mask
        return min(
            free,
            key=lambda a: (
                bool(self.reserved.get(a, 0) & mask),
                self.compact and not self.attendee_busy.get(a, 0) & touching,
                self.meetings_of_attendee[a],
            ),
        )

    # changes

    def try_place(self, request: PreparedRequest, start: int) -> Placement | None:
        """Place the request at `start` if everything it needs is free; else change nothing."""
        if request.id in self.placements or not request.start_mask >> start & 1:
            return None
        if any(self._full_slots(c) >> start & 1 for c in request.request.companies):
            return None
        location = self.free_location(request, start)  # a few bit operations: asked first
        if location is None:
            return None
        attendees = self.pick_attendees(request, start)
        if attendees is None:
            return None
        placement = Placement(request, start, location, attendees)
        self.book(placement)
        return placement

    def place_earliest(self, request: PreparedRequest, within: int = -1) -> Placement | None:
        """Place the request at its earliest fitting start (among `within`, a slot mask)."""
        for start in bits(self.fitting_starts(request) & within):
            placement = self.try_place(request, start)
            if placement is not None:
                return placement
        return None

    def book(self, placement: Placement) -> None:
        """Record a placement whose resources are known to be free."""
        request, start = placement.request, placement.start
        mask = span_mask(start, request.length)
        for attendee_id in placement.attendees:
            self.attendee_busy[attendee_id] = self.attendee_busy.get(attendee_id, 0) | mask
            self.meetings_of_attendee[attendee_id] += 1
            self.requests_of_attendee.setdefault(attendee_id, set()).add(request.id)
        pool, bit = self._location_bit[placement.location]
        for slot in range(start, start + request.length):
            self._pool_free[pool][slot] &= ~bit
            self._held_at[(placement.location, slot)] = request.id
        day = self.prepared.day_of(start)
        for company_id in request.request.companies:
            self.meetings_per_day[(company_id, day)] += 1
            self._update_full_day(company_id, day)
            self._requests_of_company.setdefault(company_id, set()).add(request.id)
            self._count_for_event(company_id, +1)
        self.placements[request.id] = placement

    def remove(self, request_id: str) -> Placement:
        """Take a meeting out again, freeing its people, its table and its day's quota."""
        placement = self.placements.pop(request_id)
        request, start = placement.request, placement.start
        mask = span_mask(start, request.length)
        for attendee_id in placement.attendees:
            self.attendee_busy[attendee_id] &= ~mask
            self.meetings_of_attendee[attendee_id] -= 1
            self.requests_of_attendee[attendee_id].discard(request_id)
        pool, bit = self._location_bit[placement.location]
        for slot in range(start, start + request.length):
            self._pool_free[pool][slot] |= bit
            del self._held_at[(placement.location, slot)]
        day = self.prepared.day_of(start)
        for company_id in request.request.companies:
            self.meetings_per_day[(company_id, day)] -= 1
            self._update_full_day(company_id, day)
            self._requests_of_company[company_id].discard(request_id)
            self._count_for_event(company_id, -1)
        return placement

    def _update_full_day(self, company_id: str, day: int) -> None:
        limit = self.prepared.instance.company_by_id[company_id].max_meetings_per_day
        if limit is None:
            return
        day_slots = self.prepared.day_mask(day)
        full = self._full_days.get(company_id, 0) & ~day_slots
        if self.meetings_per_day[(company_id, day)] >= limit:
            full |= day_slots
        self._full_days[company_id] = full

    def _count_for_event(self, company_id: str, change: int) -> None:
        self.meetings_of_company[company_id] += change
        limit = self.prepared.max_meetings.get(company_id)
        if limit is not None and self.meetings_of_company[company_id] >= limit:
            self._full_event.add(company_id)
        else:
            self._full_event.discard(company_id)

    def shortfall(self) -> int:
        """Guaranteed meetings (`min_meetings`) not given: the first goal, before the count."""
        held = self.meetings_of_company
        return sum(max(0, wanted - held[c]) for c, wanted in self.prepared.min_meetings.items())

    def entitlements_short(self) -> int:
        """Companies with fewer meetings than their `min_meetings`."""
        held = self.meetings_of_company
        return sum(1 for c, wanted in self.prepared.min_meetings.items() if held[c] < wanted)

    def score(self) -> tuple[int, int]:
        """What the solve maximises, in order: fewest guaranteed meetings missing, then the
        priority-weighted count. Schedules are compared by this, never by the count alone."""
        return (-self.shortfall(), self.objective())

    def blocking(self, request: PreparedRequest, start: int) -> set[str]:
        """Meetings that hold the attendees this request could take at `start`."""
        span = span_mask(start, request.length)
        found: set[str] = set()
        for company_id, named in request.named.items():
            people = named or [
                a.id for a in self.prepared.instance.company_by_id[company_id].attendees
            ]
            for attendee_id in people:
                if self.attendee_busy.get(attendee_id, 0) & span:
                    found |= {
                        other
                        for other in self.requests_of_attendee[attendee_id]
                        if span_mask(
                            self.placements[other].start, self.placements[other].request.length
                        )
                        & span
                    }
        return found

    def in_the_way(self, request: PreparedRequest, start: int) -> set[str]:
        """Meetings, not fixed, that hold the request's people, its companies' day quota or
        the tables it may use at `start`: removing one of them may make room for it."""
        prepared = self.prepared
        found = self.blocking(request, start)
        if self.free_location(request, start) is None:
            for pool in request.pools:
                for location in prepared.pool_locations[pool]:
                    for slot in range(start, start + request.length):
                        if (location, slot) in self._held_at:
                            found.add(self._held_at[(location, slot)])
        day = prepared.day_of(start)
        for company_id in request.request.companies:
            if self.event_is_full(company_id):
                found |= self._requests_of_company[company_id]
            elif self.day_is_full(company_id, start):
                found |= {
                    r
                    for r in self._requests_of_company[company_id]
                    if prepared.day_of(self.placements[r].start) == day
                }
        return {r for r in found if self.placements[r].request.fixed_start is None}

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
