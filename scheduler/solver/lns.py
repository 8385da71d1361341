"""Large-neighbourhood search: the rest of the time limit spent improving, at event scale.

At BioJapan and BIO size the slot-by-slot model is too big to build, so the session
relaxation's rounding used to stand while most of the time limit went unused. Here CP-SAT
re-optimises one neighbourhood at a time (`neighbourhoods`: a session, the most wanted
companies, a few slots) with everything else held where it is: the neighbourhood's meetings
are taken out of the booking, a small slot-by-slot model is built on what they leave free
(people, tables, daily and event maxima), solved from the old placements as a hint, and
booked again. A neighbourhood whose new schedule scores lower (`Booking.score`: guaranteed
meetings first, then the count) is put back exactly as it was, so the schedule never gets
worse and never breaks a rule (every placement goes through `Booking`).

Adaptive: each kind of neighbourhood is drawn with a weight that follows what it gained per
unit of search; each kind's size grows while CP-SAT proves its neighbourhoods optimal and
shrinks while it does not.

Deterministic for a seed and worker count: neighbourhoods come from a seeded generator and
each CP-SAT call stops on its deterministic clock; the search ends when a budget of
deterministic units, set by the time limit alone, is spent (the Python work of each
iteration is charged by its size). The wall clock is only a cap: a machine much slower or
busier than the one measured hits it first, and then two runs may differ.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.solver.booking import Booking, Placement
from scheduler.solver.cpsat import Progress, SolverSettings, stop_when_asked
from scheduler.solver.formulation import shortfall_weight
from scheduler.solver.greedy import greedy_order
from scheduler.solver.neighbourhoods import KINDS, Neighbourhood, choose, short_of_guarantee
from scheduler.solver.prepare import Prepared, PreparedRequest, bits

UNITS_PER_SECOND = 0.8  # deterministic units per second of its share (BioJapan size, 2 cores: ~1)
ITERATION_UNITS = 0.5  # at most, per CP-SAT call
ITERATION_SECONDS = 4.0  # at most, per CP-SAT call, on the wall clock
UNITS_PER_VARIABLE = 4e-5  # the Python side of an iteration: building, booking
START_SIZE = 5_000  # candidate placements in a first neighbourhood
SIZES = (1_500, 40_000)  # the least and most a neighbourhood grows or shrinks to
# Seconds the steps before the search take per request, and how much more per request past
# BIO size (the session LP grows faster than the event). Measured on an idle 2-core machine
# with the LP's dual simplex: BioJapan 14.6 s (35,000 requests), BIO 44 s (100,000), twice
# BIO 217 s (200,000). Too high an estimate ends the search early: before it was lowered
# from 20 s at BioJapan size, BIO's 270 s solve stopped at 199 s.
PREPARING_SECONDS_PER_REQUEST = 0.00042
PREPARING_GROWS_FROM = 100_000
PREPARING_GROWTH = 1.3
GOOD_ENOUGH = 0.0005  # stop once within 0.05% of the bound
SAFETY_SECONDS = 0.3  # kept back from the deadline for booking the last answer
REPAIR_STALLS = 3  # neighbourhoods in a row that give no guaranteed meeting end the repair

Key = tuple[int, int, str]  # (request index, start, pool)


@dataclass
class _Adaptive:
    """Per kind: how much it gained per unit lately, and its current size."""

    weights: dict[str, float] = field(default_factory=lambda: dict.fromkeys(KINDS, 1.0))
    sizes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, START_SIZE))

    def pick(self, rng: random.Random) -> str:
        return rng.choices(KINDS, weights=[self.weights[k] for k in KINDS])[0]

    def learn(self, kind: str, gain: int, units: float, optimal: bool) -> None:
        rate = gain / max(units, 0.05)
        self.weights[kind] = max(0.2, 0.7 * self.weights[kind] + 0.3 * rate)
        grown = self.sizes[kind] * (1.5 if optimal else 0.7)
        self.sizes[kind] = int(min(max(grown, SIZES[0]), SIZES[1]))


def improve(
    booking: Booking,
    settings: SolverSettings,
    bound: int | None,
    deadline: float,
    units: float,
    report: Callable[[Progress], None] | None = None,
    favourite: dict[int, int] | None = None,
) -> Booking:
    """Improve `booking` in place, neighbourhood by neighbourhood, until `units` are spent,
    the deadline (monotonic) is near or the bound is as good as reached. `favourite`: the
    session relaxation's session for each request it mostly met (`neighbourhoods`)."""
    prepared = booking.prepared
    rng = random.Random(settings.seed)
    adaptive = _Adaptive()
    weight = shortfall_weight(prepared)
    spent, iteration = 0.0, 0
    while spent < units and not _close_enough(booking, bound):
        seconds = min(ITERATION_SECONDS, deadline - time.monotonic() - SAFETY_SECONDS)
        if seconds < 0.2:
            break
        kind = adaptive.pick(rng)
        waiting = _waiting(booking)
        hood = choose(kind, booking, waiting, favourite or {}, rng, adaptive.sizes[kind])
        before = _value(booking, weight)
        answer = _reoptimise(booking, hood, settings, iteration, weight, seconds)
        gain = _value(booking, weight) - before
        spent += answer.units
        adaptive.learn(kind, gain, answer.units, answer.optimal)
        iteration += 1
        if gain > 0 and report is not None:
            report(Progress("improving", 0.0, booking.objective(), bound, len(booking.placements)))
    return booking


def repair_shortfall(
    booking: Booking, settings: SolverSettings, deadline: float, units: float, at_most: int
) -> None:
    """Neighbourhoods from the companies short of their guarantee only, each kept where it
    misses fewer guaranteed meetings (whatever the count costs: the guarantee comes first),
    until at most `at_most` are missing, `units` are spent, the deadline is near or
    `REPAIR_STALLS` neighbourhoods in a row gave none (what is left may be impossible). For a
    first schedule with a much higher count but a few more companies short than another."""
    rng = random.Random(settings.seed)
    weight = shortfall_weight(booking.prepared)
    spent, iteration, size, stalled = 0.0, 0, START_SIZE, 0
    while spent < units and booking.shortfall() > at_most and stalled < REPAIR_STALLS:
        seconds = min(ITERATION_SECONDS, deadline - time.monotonic() - SAFETY_SECONDS)
        if seconds < 0.2:
            break
        hood = short_of_guarantee(booking, rng, size)
        if not hood.requests:
            stalled += 1  # that company may wait for nothing schedulable: another is drawn
            continue
        short = booking.shortfall()
        answer = _reoptimise(booking, hood, settings, iteration, weight, seconds)
        stalled = 0 if booking.shortfall() < short else stalled + 1
        spent += answer.units
        iteration += 1
        size = int(min(max(size * (1.5 if answer.optimal else 0.7), SIZES[0]), SIZES[1]))


def search_units(prepared: Prepared, share: float) -> float:
    """The deterministic budget of a search given `share` seconds of the time limit: what is
    left of them after the steps before it, estimated from the event's size (measured on
    this project's 2-core machine) rather than read from the clock, so that it is the same
    on every run."""
    requests = len(prepared.requests)
    growth = max(1.0, requests / PREPARING_GROWS_FROM) ** PREPARING_GROWTH
    before = PREPARING_SECONDS_PER_REQUEST * requests * growth
    return UNITS_PER_SECOND * max(0.0, share - before)


def _close_enough(booking: Booking, bound: int | None) -> bool:
    if bound is None or booking.shortfall() > 0:
        return False
    return booking.objective() >= bound * (1 - GOOD_ENOUGH)


def _value(booking: Booking, weight: int) -> int:
    """The score as one number: the count less `weight` per missing guaranteed meeting."""
    return booking.objective() - weight * booking.shortfall()


def _waiting(booking: Booking) -> Counter[str]:
    """Each company's schedulable requests not yet met."""
    waiting: Counter[str] = Counter()
    for request in booking.prepared.requests:
        if request.starts and request.id not in booking.placements:
            waiting.update(request.request.companies)
    return waiting


@dataclass(frozen=True)
class _Answer:
    units: float  # deterministic units charged, CP-SAT's and the Python side's
    optimal: bool  # whether CP-SAT proved its neighbourhood optimal


def _reoptimise(
    booking: Booking,
    hood: Neighbourhood,
    settings: SolverSettings,
    iteration: int,
    weight: int,
    seconds: float,
) -> _Answer:
    """Take the neighbourhood's meetings out, place it again by CP-SAT, and keep the result
    unless it scores lower than before (then everything is put back as it was)."""
    before = _value(booking, weight)
    taken = [
        booking.remove(r.id)
        for r in hood.requests
        if r.id in booking.placements and hood.window >> booking.placements[r.id].start & 1
    ]
    free = [r for r in hood.requests if r.id not in booking.placements]
    model = SubModel(booking, free, hood.window, weight)
    model.hint(taken)
    chosen, units, optimal = model.solve(settings, iteration, seconds)
    _book(booking, free, chosen)
    if _value(booking, weight) < before:
        for request in free:
            if request.id in booking.placements:
                booking.remove(request.id)
        for placement in taken:
            booking.book(placement)
    return _Answer(units + UNITS_PER_VARIABLE * len(model.keys), optimal)


def booking_order(booking: Booking, chosen: list[Key]) -> list[Key]:
    """The order in which the model's placements get their tables and people: longer
    meetings first (one table must be free for all their slots, which the model counts slot
    by slot), then by time, own rooms first."""
    requests = booking.prepared.requests
    return sorted(
        chosen,
        key=lambda k: (-requests[k[0]].length, k[1], not k[2].startswith("rooms:"), k[0]),
    )


def _book(booking: Booking, free: list[PreparedRequest], chosen: list[Key]) -> None:
    """The model's placements (`booking_order`), then any of the free requests that still
    fits anywhere, first come, first served."""
    requests = booking.prepared.requests
    chosen = booking_order(booking, chosen)
    for index, start, _pool in chosen:
        booking.reserve_named(requests[index], start)
    for index, start, _pool in chosen:
        booking.try_place(requests[index], start)
    booking.reserved.clear()
    for request in greedy_order(free):
        if request.id not in booking.placements:
            booking.place_earliest(request)


class SubModel:
    """The slot-by-slot model of the free requests inside the window, on what the rest of
    the schedule leaves free: the rows of `formulation`, with residual limits."""

    def __init__(
        self,
        booking: Booking,
        free: list[PreparedRequest],
        window: int,
        weight: int,
        every: bool = False,
    ) -> None:
        """`every`: each free request is placed again (the count held exactly), for goals
        after the count (`compact_lns`); else each at most once, the score maximised."""
        self.every = every
        self.booking = booking
        self.prepared: Prepared = booking.prepared
        self.model = cp_model.CpModel()
        self.keys: list[Key] = []
        self.x: list[cp_model.IntVar] = []
        self._pool_masks: dict[tuple[str, int], int] = {}
        self._people: dict[tuple[str, int], int] = {}
        self._variables(free, window)
        self._rows()
        if not every:
            self._objective(weight)

    # variables: one per request, start the rest leaves possible, and pool with a free place

    def _variables(self, free: list[PreparedRequest], window: int) -> None:
        self.by_request: dict[int, list[int]] = {}
        for request in free:
            starts = self.booking.fitting_starts(request) & window
            if not starts:
                continue
            mine = []
            for pool in request.pools:
                for start in bits(starts & self._pool_starts(pool, request.length)):
                    mine.append(len(self.keys))
                    self.keys.append((request.index, start, pool))
            if mine:
                self.by_request[request.index] = mine
                self.x.extend(self.model.new_bool_var("") for _ in mine)

    def _pool_starts(self, pool: str, length: int) -> int:
        """Starts at which some location of the pool is free for the whole meeting."""
        key = (pool, length)
        if key not in self._pool_masks:
            fits = self.prepared.fits_mask(length)
            self._pool_masks[key] = sum(
                1 << s for s in bits(fits) if self.booking.free_in_pool(pool, s, length)
            )
        return self._pool_masks[key]

    # rows

    def _rows(self) -> None:
        prepared, booking = self.prepared, self.booking
        company: dict[tuple[str, int], list[tuple[int, int]]] = {}
        named: dict[tuple[str, int], list[int]] = {}
        pool: dict[tuple[str, int], list[int]] = {}
        day: dict[tuple[str, int], list[int]] = {}
        event: dict[str, list[int]] = {}
        for variables in self.by_request.values():
            if self.every:
                self.model.add_exactly_one(self.x[v] for v in variables)
            else:
                self.model.add_at_most_one(self.x[v] for v in variables)
        for v, (index, start, pool_id) in enumerate(self.keys):
            request = prepared.requests[index]
            for slot in range(start, start + request.length):
                pool.setdefault((pool_id, slot), []).append(v)
                for company_id, people in request.named.items():
                    load = (v, request.weight(company_id))
                    company.setdefault((company_id, slot), []).append(load)
                    for attendee_id in people:
                        named.setdefault((attendee_id, slot), []).append(v)
            for company_id in request.request.companies:
                day.setdefault((company_id, prepared.day_of(start)), []).append(v)
                if company_id in prepared.max_meetings:
                    event.setdefault(company_id, []).append(v)
        for (company_id, slot), load in company.items():
            self._at_most(
                [v for v, _ in load], [w for _, w in load], self._free_people(company_id, slot)
            )
        for variables in named.values():
            if len(variables) > 1:
                self.model.add_at_most_one(self.x[v] for v in variables)
        for (pool_id, slot), variables in pool.items():
            self._at_most(variables, None, booking.free_locations(pool_id, slot))
        for (company_id, day_index), variables in day.items():
            limit = prepared.instance.company_by_id[company_id].max_meetings_per_day
            if limit is not None:
                held = booking.meetings_per_day[(company_id, day_index)]
                self._at_most(variables, None, limit - held)
        for company_id, variables in event.items():
            held = booking.meetings_of_company[company_id]
            self._at_most(variables, None, prepared.max_meetings[company_id] - held)

    def _at_most(self, variables: list[int], weights: list[int] | None, limit: int) -> None:
        weights = weights or [1] * len(variables)
        if sum(weights) > limit:
            terms = [self.x[v] for v in variables]
            self.model.add(cp_model.LinearExpr.weighted_sum(terms, weights) <= max(0, limit))

    def _free_people(self, company_id: str, slot: int) -> int:
        """The company's attendees available and in no meeting at this slot."""
        key = (company_id, slot)
        if key not in self._people:
            bit = 1 << slot
            busy = self.booking.attendee_busy
            self._people[key] = sum(
                1
                for a in self.prepared.instance.company_by_id[company_id].attendees
                if self.prepared.attendee_free[a.id] & bit and not busy.get(a.id, 0) & bit
            )
        return self._people[key]

    def _objective(self, weight: int) -> None:
        """The count, less `weight` per guaranteed meeting the neighbourhood leaves missing."""
        prepared = self.prepared
        priorities = [prepared.requests[k[0]].request.priority for k in self.keys]
        count = cp_model.LinearExpr.weighted_sum(self.x, priorities)
        shortfall = []
        of_company: dict[str, list[int]] = {}
        for v, (index, _start, _pool) in enumerate(self.keys):
            for company_id in prepared.requests[index].request.companies:
                if company_id in prepared.min_meetings:
                    of_company.setdefault(company_id, []).append(v)
        for company_id, variables in of_company.items():
            need = prepared.min_meetings[company_id] - self.booking.meetings_of_company[company_id]
            if need > 0:
                short = self.model.new_int_var(0, need, "")
                self.model.add(sum(self.x[v] for v in variables) + short >= need)
                shortfall.append(short)
        self.model.maximize(count - weight * sum(shortfall) if shortfall else count)

    # solving

    def hint(self, placements: list[Placement]) -> None:
        """Start from where the meetings were."""
        pool_of = self.prepared.pool_of_location
        old = {(p.request.index, p.start, pool_of(p.location)) for p in placements}
        for key, var in zip(self.keys, self.x, strict=True):
            self.model.add_hint(var, key in old)

    def solve(
        self, settings: SolverSettings, iteration: int, seconds: float, units: float = 0.0
    ) -> tuple[list[Key], float, bool]:
        """The chosen placements, the deterministic units used and whether proven optimal."""
        if not self.keys:
            return [], 0.0, True
        solver = cp_model.CpSolver()
        solver.parameters.max_deterministic_time = units or ITERATION_UNITS
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = settings.workers
        solver.parameters.interleave_search = settings.workers > 1
        solver.parameters.random_seed = settings.seed + iteration
        with stop_when_asked(solver, settings.should_stop):
            status = solver.solve(self.model)
        units = solver.deterministic_time
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return [], units, False
        chosen = [k for k, x in zip(self.keys, self.x, strict=True) if solver.boolean_value(x)]
        return chosen, units, status == cp_model.OPTIMAL
