"""Everything the planners need, computed once: who is free when, and where each request fits.

Slot sets are Python ints used as bitmasks (bit s = slot s), so "when are both companies and
the named attendees free for a 2-slot meeting" is a handful of `&` operations even at
100,000 requests. The greedy planner, the CP-SAT model and the explanations all read this.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from zoneinfo import ZoneInfo

from scheduler.domain import Company, Instance, Interval, Request
from scheduler.timegrid import TimeGrid

SHARED = "shared"  # the pool of shared tables; a company's own rooms are pool "rooms:<id>"


def room_pool(company_id: str) -> str:
    return f"rooms:{company_id}"


def bits(mask: int) -> list[int]:
    """The slot numbers in a bitmask, in order."""
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def span_mask(start: int, length: int) -> int:
    return ((1 << length) - 1) << start


@dataclass
class PreparedRequest:
    """A request with its candidate starts and the resources it needs."""

    index: int
    request: Request
    starts: list[int]  # first slots where both sides (and named attendees) are free
    pools: list[str]  # where it may be held, own rooms first
    named: dict[str, tuple[str, ...]]  # company id -> its attendees named by the request
    fixed_start: int | None = None
    fixed_location: str | None = None
    start_mask: int = 0  # the candidate starts as a bitmask

    @property
    def id(self) -> str:
        return self.request.id

    @property
    def length(self) -> int:
        return self.request.slots

    def weight(self, company_id: str) -> int:
        """How many of the company's attendees the meeting takes."""
        return max(1, len(self.named[company_id]))


class Prepared:
    """An instance with its lookups and availability, ready for planning."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.grid = TimeGrid(instance.event)
        self.zone = ZoneInfo(instance.event.timezone)
        self.all_slots = (1 << len(self.grid)) - 1
        self.attendee_free = {
            a.id: self._free_mask(company, a.unavailable)
            for company in instance.companies
            for a in company.attendees
        }
        self.company_of = {a: c.id for c in instance.companies for a in (x.id for x in c.attendees)}
        self.pool_locations = self._pool_locations()
        self._span_free_cache: dict[tuple[str, int], int] = {}
        self._fits: dict[int, int] = {}
        self.requests = [self._prepare(i, r) for i, r in enumerate(instance.requests)]
        self.by_id = {p.id: p for p in self.requests}
        self.max_meetings = {
            c.id: c.max_meetings for c in instance.companies if c.max_meetings is not None
        }
        self.min_meetings = {
            c.id: c.min_meetings for c in instance.companies if c.min_meetings is not None
        }

    # availability

    def _free_mask(self, company: Company, own: tuple[Interval, ...]) -> int:
        mask = self.all_slots
        for interval in (*company.unavailable, *own):
            for slot in self.grid.slots_overlapping(interval.start, interval.end):
                mask &= ~(1 << slot)
        return mask

    def starts_where_free(self, free: int, length: int) -> int:
        """Starts s such that slots s..s+length-1 are all in `free` and in one session."""
        mask = free & self.fits_mask(length)
        for k in range(1, length):
            mask &= free >> k
        return mask

    def fits_mask(self, length: int) -> int:
        if length not in self._fits:
            self._fits[length] = sum(
                1 << s for s in range(len(self.grid)) if self.grid.fits(s, length)
            )
        return self._fits[length]

    def attendee_starts(self, attendee_id: str, length: int) -> int:
        key = (attendee_id, length)
        if key not in self._span_free_cache:
            self._span_free_cache[key] = self.starts_where_free(
                self.attendee_free[attendee_id], length
            )
        return self._span_free_cache[key]

    def company_starts(self, company_id: str, length: int) -> int:
        """Starts where at least one attendee of the company is free for the whole meeting."""
        key = ("company:" + company_id, length)
        if key not in self._span_free_cache:
            mask = 0
            for attendee in self.instance.company_by_id[company_id].attendees:
                mask |= self.attendee_starts(attendee.id, length)
            self._span_free_cache[key] = mask
        return self._span_free_cache[key]

    @cached_property
    def company_capacity(self) -> dict[str, list[int]]:
        """Per company and slot: how many of its attendees are free then."""
        capacity = {}
        for company in self.instance.companies:
            counts = [0] * len(self.grid)
            for attendee in company.attendees:
                for slot in bits(self.attendee_free[attendee.id]):
                    counts[slot] += 1
            capacity[company.id] = counts
        return capacity

    def window_mask(self, windows: tuple[Interval, ...], length: int) -> int:
        """Starts whose whole meeting lies inside one of the windows (all, if none given)."""
        if not windows:
            return self.all_slots
        mask = 0
        for window in windows:
            inside = 0
            for slot in self.grid.slots_overlapping(window.start, window.end):
                if window.contains(self.grid.slots[slot].start, self.grid.slots[slot].end):
                    inside |= 1 << slot
            mask |= self.starts_where_free(inside, length)
        return mask

    # requests

    def _pool_locations(self) -> dict[str, list[str]]:
        pools: dict[str, list[str]] = defaultdict(list)
        for location in self.instance.locations:
            pools[room_pool(location.owner) if location.owner else SHARED].append(location.id)
        return dict(pools)

    def pool_of_location(self, location_id: str) -> str:
        owner = self.instance.location_by_id[location_id].owner
        return room_pool(owner) if owner else SHARED

    def _prepare(self, index: int, request: Request) -> PreparedRequest:
        named = {
            cid: tuple(a for a in request.attendees if self.company_of[a] == cid)
            for cid in request.companies
        }
        pools = [room_pool(c) for c in request.companies if room_pool(c) in self.pool_locations]
        if SHARED in self.pool_locations:
            pools.append(SHARED)
        prepared = PreparedRequest(index, request, [], pools, named)
        fixed = self.instance.fixed_by_request.get(request.id)
        if fixed is not None:
            prepared.fixed_start = self.grid.slot_starting_at(fixed.start)
            prepared.fixed_location = fixed.location
            prepared.starts = [prepared.fixed_start]
            prepared.start_mask = 1 << prepared.fixed_start
            if fixed.location:
                prepared.pools = [self.pool_of_location(fixed.location)]
            return prepared
        prepared.start_mask = self.candidate_mask(prepared)
        prepared.starts = bits(prepared.start_mask)
        return prepared

    def candidate_mask(self, prepared: PreparedRequest) -> int:
        """Starts where the request could be held if nothing else were scheduled."""
        length = prepared.length
        mask = self.window_mask(prepared.request.within, length)
        for company_id, named in prepared.named.items():
            if named:
                for attendee_id in named:
                    mask &= self.attendee_starts(attendee_id, length)
            else:
                mask &= self.company_starts(company_id, length)
        return mask if prepared.pools else 0

    @cached_property
    def requests_of_company(self) -> dict[str, list[PreparedRequest]]:
        """Each company's requests, as listed."""
        found: dict[str, list[PreparedRequest]] = {c.id: [] for c in self.instance.companies}
        for request in self.requests:
            for company_id in request.request.companies:
                found[company_id].append(request)
        return found

    def day_of(self, slot: int) -> int:
        return self.grid.slots[slot].day

    @cached_property
    def _day_masks(self) -> list[int]:
        masks = [0] * self.grid.days
        for slot in self.grid.slots:
            masks[slot.day] |= 1 << slot.index
        return masks

    def day_mask(self, day: int) -> int:
        """The slots of one event day."""
        return self._day_masks[day]

    @cached_property
    def session_masks(self) -> list[int]:
        """The slots of each session, by global session number."""
        masks = [0] * (max((s.session for s in self.grid.slots), default=-1) + 1)
        for slot in self.grid.slots:
            masks[slot.session] |= 1 << slot.index
        return masks
