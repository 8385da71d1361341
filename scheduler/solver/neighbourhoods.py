"""Which part of a schedule the large-neighbourhood search re-opens next.

A neighbourhood is a time window (a slot mask) and a set of requests: their meetings inside
the window are taken out and, with the set's unmet requests, placed again by CP-SAT inside the
window; everything else stays where it is. Three shapes, because each frees a different
obstacle:

- `session`: one session, the requests of companies drawn by how many of their requests are
  unmet -- meetings move between the slots of a session so that waiting ones fit;
- `corporates`: the whole event, a few of the most wanted companies and everyone who asked
  for them -- their agendas are rebuilt, where the count is lost at BioJapan size;
- `slots`: two to four consecutive slots and every request that could start there -- the
  tables and people of a short stretch, where congestion of tables is the obstacle.

The requests are taken in a random order (from the search's seeded generator) until the
neighbourhood holds about `size` candidate placements, so one CP-SAT call stays small
enough to solve in a second or two whatever the event's size.
"""

from __future__ import annotations

import itertools
import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from scheduler.solver.booking import Booking
from scheduler.solver.prepare import Prepared, PreparedRequest, bits

KINDS = ("session", "corporates", "slots", "misrounded")


@dataclass(frozen=True)
class Neighbourhood:
    kind: str
    window: int  # slots at which its meetings may start
    requests: list[PreparedRequest]  # those that may move, be dropped or be placed


def choose(
    kind: str,
    booking: Booking,
    waiting: Counter[str],
    favourite: dict[int, int],
    rng: random.Random,
    size: int,
) -> Neighbourhood:
    """The next neighbourhood of this kind, with about `size` candidate placements;
    `waiting` counts each company's unmet schedulable requests, `favourite` is the session
    the session relaxation's LP put each request in (where it gave it most of one)."""
    prepared = booking.prepared
    if kind == "misrounded":
        return _misrounded(booking, favourite, rng, size)
    if kind == "session":
        window = rng.choice(prepared.session_masks)
        seeds = _weighted_companies(prepared, waiting, rng)
        requests = _chains(booking, seeds, window)
        return Neighbourhood(kind, window, _fill(prepared, requests, window, size))
    if kind == "corporates":
        wanted = sorted(waiting, key=lambda c: (-waiting[c], c))[:50]
        rng.shuffle(wanted)
        window = prepared.all_slots
        requests = _requests_of(prepared, wanted)
        return Neighbourhood(kind, window, _fill(prepared, requests, window, size))
    window = _slot_range(prepared, rng)
    every = [r for r in prepared.requests if r.start_mask & window and r.fixed_start is None]
    rng.shuffle(every)
    return Neighbourhood(kind, window, _fill(prepared, every, window, size))


def short_of_guarantee(booking: Booking, rng: random.Random, size: int) -> Neighbourhood:
    """A session, from the companies short of their guaranteed meetings (in a random order):
    their requests, the meetings of the partners they wait for and of those partners'
    partners, then any other meeting of the session (with the tables full, one of them must
    give up its table). Not one of the search's `KINDS`: the first schedules' repair
    (`lns.repair_shortfall`) draws it."""
    prepared = booking.prepared
    held = booking.meetings_of_company
    short = sorted(c for c, wanted in prepared.min_meetings.items() if held[c] < wanted)
    if not short:
        return Neighbourhood("short", 0, [])
    rng.shuffle(short)
    # the session of a start of one of the first company's waiting requests
    waiting = [
        r
        for r in prepared.requests_of_company[short[0]]
        if r.id not in booking.placements and r.start_mask
    ]
    if not waiting:
        return Neighbourhood("short", 0, [])
    start = rng.choice(bits(rng.choice(waiting).start_mask))
    window = next(m for m in prepared.session_masks if m >> start & 1)
    others = [r for r in prepared.requests if r.start_mask & window and r.fixed_start is None]
    rng.shuffle(others)
    requests = itertools.chain(_chains(booking, short, window), others)
    return Neighbourhood("short", window, _fill(prepared, _once(requests), window, size))


def _once(requests: Iterable[PreparedRequest]) -> Iterable[PreparedRequest]:
    seen: set[int] = set()
    for request in requests:
        if request.index not in seen:
            seen.add(request.index)
            yield request


def _misrounded(
    booking: Booking, favourite: dict[int, int], rng: random.Random, size: int
) -> Neighbourhood:
    """A session, from the companies of the requests the LP met there but the schedule does
    not: where rounding lost what the bound counts."""
    prepared = booking.prepared
    lost = [i for i in favourite if prepared.requests[i].id not in booking.placements]
    if not lost:
        return Neighbourhood("misrounded", 0, [])
    session = favourite[rng.choice(lost)]
    seeds = [
        c for i in lost if favourite[i] == session for c in prepared.requests[i].request.companies
    ]
    rng.shuffle(seeds)
    window = prepared.session_masks[session]
    requests = _chains(booking, list(dict.fromkeys(seeds)), window)
    return Neighbourhood("misrounded", window, _fill(prepared, requests, window, size))


def _weighted_companies(prepared: Prepared, waiting: Counter[str], rng: random.Random) -> list[str]:
    """Companies in a random order that puts those with many unmet requests first."""
    companies = [c.id for c in prepared.instance.companies]
    keys = {c: rng.random() ** (1.0 / (1 + waiting[c])) for c in companies}
    return sorted(companies, key=lambda c: -keys[c])


def _chains(booking: Booking, seeds: list[str], window: int) -> Iterable[PreparedRequest]:
    """From each seed company, its requests that could be held in the window; then the
    meetings in the window of the partners it waits for, and of their partners: the chain of
    meetings that would have to move for a waiting request to fit."""
    prepared = booking.prepared
    seen_companies: set[str] = set()
    seen: set[int] = set()

    def meetings_in_window(company_id: str) -> list[PreparedRequest]:
        return [
            r
            for r in prepared.requests_of_company[company_id]
            if r.id in booking.placements and window >> booking.placements[r.id].start & 1
        ]

    for seed in seeds:
        if seed in seen_companies:
            continue
        seen_companies.add(seed)
        layer = [seed]
        for depth in range(3):
            following = []
            for company_id in layer:
                if depth == 0:
                    mine = [
                        r for r in prepared.requests_of_company[company_id] if r.start_mask & window
                    ]
                else:
                    mine = meetings_in_window(company_id)
                for request in mine:
                    if request.fixed_start is not None or request.index in seen:
                        continue
                    seen.add(request.index)
                    yield request
                    for partner in request.request.companies:
                        if partner not in seen_companies:
                            seen_companies.add(partner)
                            following.append(partner)
            layer = following


def _requests_of(prepared: Prepared, companies: Iterable[str]) -> Iterable[PreparedRequest]:
    """Each company's requests in turn, the company's order kept, none twice."""
    seen: set[int] = set()
    for company_id in companies:
        for request in prepared.requests_of_company[company_id]:
            if request.index not in seen and request.fixed_start is None:
                seen.add(request.index)
                yield request


def _fill(
    prepared: Prepared, requests: Iterable[PreparedRequest], window: int, size: int
) -> list[PreparedRequest]:
    """Requests in the given order until their starts in the window reach `size`."""
    chosen, total = [], 0
    for request in requests:
        starts = (request.start_mask & window).bit_count() * len(request.pools)
        if starts:
            chosen.append(request)
            total += starts
            if total >= size:
                break
    return chosen


def _slot_range(prepared: Prepared, rng: random.Random) -> int:
    """Two to four consecutive slots of one session."""
    session = rng.choice(prepared.session_masks)
    slots = [s for s in range(session.bit_length()) if session >> s & 1]
    width = min(len(slots), rng.randint(2, 4))
    first = rng.randint(0, len(slots) - width)
    return sum(1 << s for s in slots[first : first + width])
