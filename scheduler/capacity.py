"""Capacity planning: how many accepted requests the fair can meet, and with how many tables.

Two figures per setting, from plain data: a proven upper bound on the number of requests any
schedule meets (`count_bound`), and what a quick schedule meets (first come, first served,
the schedule `partnering solve` starts from and never falls below). The bound is a maximum
flow: each company holds at most as many meetings as its attendees have free slots (and its
daily and event maximums allow), the tables at most their slots, each request once. Every
valid schedule is such a flow, so no schedule meets more; on a graph with requests between
corporates too, the flow runs on the double cover (each company a sender and a receiver) and
half of it bounds the fractional matching, still a proven bound.

`tables_needed` is searched both ways: below the smallest number of tables whose bound
reaches the target, no schedule reaches it (a proof); from there, real solves name the
first number that does (at event scale from their counts where the neighbourhood search
starts, with what that search adds measured by one solve run to its end). When even
unlimited tables cannot reach it, the companies whose people are the limit are named
(`bottleneck`).
"""

from __future__ import annotations

import math
import os
import time
import weakref
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import timedelta

from ortools.graph.python import max_flow

from scheduler.domain import EventDay, Instance, Location, Session
from scheduler.solver.cpsat import SolverSettings
from scheduler.solver.greedy import greedy_schedule
from scheduler.solver.prepare import Prepared, PreparedRequest

TARGET = 0.95
TABLE_STEPS = (0, 10, 25, 50, 100)  # extra tables on the curve, as a share of today's
SESSION_STEPS = (1, 2)  # more sessions, one day after another
LONGER_STEPS = (1, 2)  # more slots at the end of every session
SECONDS = 110.0  # the whole planning, at most: no probe starts that would end after it
UNLIMITED = 10**9

Report = Callable[[str, float], None]  # a stage and the share done, for a progress bar


@dataclass(frozen=True)
class CompanyLoad:
    """A company's demand against what it can hold: the per-company figures of the bound."""

    company: str
    wanted: int  # meeting-slots its schedulable accepted requests ask of it
    holds: int  # meetings it can hold at most (free attendee-slots, daily and event limits)
    requests: int  # its schedulable accepted requests
    unschedulable: int  # accepted requests with no time both sides are free


@dataclass(frozen=True)
class Bound:
    met: int  # no schedule meets more requests than this
    loads: dict[str, CompanyLoad]
    saturated: tuple[str, ...]  # companies whose capacity the flow uses up (the limit)


@dataclass
class Point:
    """One setting on a curve: its bound, and what a quick schedule meets."""

    option: str
    step: int
    tables: int
    slots: int
    bound: int
    met: int
    weighted: int

    def as_json(self, requests: int) -> dict:
        def share(n: int) -> float:
            return round(n / requests, 4) if requests else 1.0

        return {
            "option": self.option,
            "step": self.step,
            "tables": self.tables,
            "slots": self.slots,
            "met": self.met,
            "met_share": share(self.met),
            "bound": self.bound,
            "bound_share": share(self.bound),
            "weighted": self.weighted,
        }


@dataclass
class CapacityReport:
    target: float
    requests: int
    weighted_total: int
    tables: int
    current: Point
    curves: dict[str, list[Point]]
    tables_needed: int | None
    proof: dict = field(default_factory=dict)
    bottleneck: dict = field(default_factory=dict)
    seconds: float = 0.0

    def as_json(self) -> dict:
        return {
            "format": "partnering-capacity/1",
            "target": self.target,
            "requests": self.requests,
            "target_requests": needed_count(self.target, self.requests),
            "weighted_total": self.weighted_total,
            "tables": self.tables,
            "current": self.current.as_json(self.requests),
            "curves": {
                name: [p.as_json(self.requests) for p in points]
                for name, points in self.curves.items()
            },
            "tables_needed": self.tables_needed,
            "confirmed": self.proof.get("confirmed", self.tables_needed is None),
            "bracket": self.proof.get("bracket"),
            "proof": self.proof,
            "bottleneck": self.bottleneck,
            "seconds": round(self.seconds, 1),
        }


def needed_count(target: float, requests: int) -> int:
    """The number of met requests that reaches the target share."""
    return math.ceil(target * requests - 1e-9)


# --- the settings compared -------------------------------------------------------------------


def shared_tables(instance: Instance) -> list[Location]:
    return [loc for loc in instance.locations if loc.owner is None]


def with_tables(instance: Instance, total: int) -> Instance:
    """The instance with `total` shared tables (companies' own rooms kept as they are)."""
    shared = shared_tables(instance)
    owned = [loc for loc in instance.locations if loc.owner is not None]
    taken = {loc.id for loc in instance.locations}
    extra, number = [], 1
    while len(shared) + len(extra) < total:
        name = f"capacity-table-{number}"
        number += 1
        if name not in taken:
            extra.append(Location(name, f"Extra table {number - 1}", "table"))
    tables = (shared + extra)[:total]
    return replace(instance, locations=tuple(owned + tables))


def with_more_sessions(instance: Instance, count: int) -> Instance:
    """`count` more sessions, one day after another, each as long as the day's longest,
    starting a slot after the day's last session ends."""
    days = list(instance.event.days)
    step = timedelta(minutes=instance.event.slot_minutes)
    for n in range(count):
        index = n % len(days)
        day = days[index]
        longest = max(s.end - s.start for s in day.sessions)
        last = max(s.end for s in day.sessions)
        added = Session(last + step, last + step + longest)
        days[index] = EventDay(day.date, (*day.sessions, added))
    return replace(instance, event=replace(instance.event, days=tuple(days)))


def with_longer_sessions(instance: Instance, slots: int) -> Instance:
    """Every session `slots` slots longer at its end, up to the next session's start."""
    step = timedelta(minutes=instance.event.slot_minutes)
    days = []
    for day in instance.event.days:
        ordered = sorted(day.sessions, key=lambda s: s.start)
        longer = []
        for i, session in enumerate(ordered):
            end = session.end + slots * step
            if i + 1 < len(ordered):
                end = min(end, ordered[i + 1].start)
            longer.append(Session(session.start, end))
        days.append(EventDay(day.date, tuple(longer)))
    return replace(instance, event=replace(instance.event, days=tuple(days)))


def with_slot_minutes(instance: Instance, minutes: int) -> Instance:
    return replace(instance, event=replace(instance.event, slot_minutes=minutes))


def shorter_slot_steps(minutes: int) -> list[int]:
    """Shorter slots worth comparing: 5-minute steps down to two thirds of today's."""
    return [m for m in range(minutes - 5, max(9, math.ceil(minutes * 2 / 3)) - 1, -5) if m >= 10]


# --- the bound -------------------------------------------------------------------------------


def schedulable(prepared: Prepared) -> list[PreparedRequest]:
    return [r for r in prepared.requests if r.start_mask and r.pools]


def _holds(prepared: Prepared, company_id: str, requests: list[PreparedRequest]) -> int:
    """The most meetings the company can hold: its free attendee-slots over the smallest
    share a meeting of its takes, within its daily and event maximums."""
    company = prepared.instance.company_by_id[company_id]
    unit = min((r.length * r.weight(company_id) for r in requests), default=1)
    capacity = prepared.company_capacity[company_id]
    per_day = [0] * prepared.grid.days
    for slot in prepared.grid.slots:
        per_day[slot.day] += capacity[slot.index]
    days = [free // unit for free in per_day]
    if company.max_meetings_per_day is not None:
        days = [min(n, company.max_meetings_per_day) for n in days]
    holds = min(sum(days), len(requests))
    if company.max_meetings is not None:
        holds = min(holds, company.max_meetings)
    return holds


_LOADS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # Prepared -> its loads


def company_loads(prepared: Prepared) -> dict[str, CompanyLoad]:
    """Each company's load, worked out once per prepared event (the bound at many numbers
    of tables asks for them each time: a quarter of a second at BioJapan size)."""
    kept = _LOADS.get(prepared)
    if kept is None:
        kept = _LOADS[prepared] = _company_loads(prepared)
    return kept


def _company_loads(prepared: Prepared) -> dict[str, CompanyLoad]:
    loads = {}
    for company in prepared.instance.companies:
        mine = prepared.requests_of_company[company.id]
        ready = [r for r in mine if r.start_mask and r.pools]
        wanted = sum(r.length for r in ready)
        holds = _holds(prepared, company.id, ready)
        loads[company.id] = CompanyLoad(
            company.id, wanted, holds, len(ready), len(mine) - len(ready)
        )
    return loads


def table_meetings(prepared: Prepared) -> int:
    """The most meetings the locations hold: their slots over the shortest meeting."""
    requests = schedulable(prepared)
    shortest = min((r.length for r in requests), default=1)
    return len(prepared.instance.locations) * len(prepared.grid) // shortest


def count_bound(prepared: Prepared, held: int | None = None) -> Bound:
    """A proven upper bound on the requests any schedule meets (a maximum flow, see the
    module's docstring); `held`: the meetings the locations hold, None for unlimited."""
    loads = company_loads(prepared)
    companies = [c.id for c in prepared.instance.companies]
    node = {cid: i for i, cid in enumerate(companies)}
    n = len(companies)
    source, hub, sink = 2 * n, 2 * n + 1, 2 * n + 2
    flow = max_flow.SimpleMaxFlow()
    flow.add_arc_with_capacity(source, hub, UNLIMITED if held is None else 2 * held)
    arcs = {}
    for cid in companies:
        holds = loads[cid].holds
        arcs[cid] = (
            flow.add_arc_with_capacity(hub, node[cid], holds),
            flow.add_arc_with_capacity(n + node[cid], sink, holds),
        )
    for r in schedulable(prepared):
        a, b = node[r.request.requester], node[r.request.requested]
        flow.add_arc_with_capacity(a, n + b, 1)
        flow.add_arc_with_capacity(b, n + a, 1)
    if flow.solve(source, sink) != flow.OPTIMAL:  # pragma: no cover - integer capacities
        raise RuntimeError("max flow failed")
    saturated = tuple(
        cid
        for cid in companies
        if loads[cid].holds > 0 and max(flow.flow(arc) for arc in arcs[cid]) >= loads[cid].holds
    )
    return Bound(flow.optimal_flow() // 2, loads, saturated)


def quick_met(prepared: Prepared) -> tuple[int, int]:
    """What first come, first served meets: (requests, priority-weighted)."""
    booking = greedy_schedule(prepared)
    return len(booking.placements), booking.objective()


# --- the search ------------------------------------------------------------------------------


def _point(option: str, step: int, instance: Instance) -> Point:
    prepared = Prepared(instance)
    tables = len(shared_tables(instance))
    bound = min(count_bound(prepared).met, table_meetings(prepared))
    met, weighted = quick_met(prepared)
    return Point(option, step, tables, len(prepared.grid), bound, met, weighted)


def smallest_tables_by_bound(prepared: Prepared, owned: int, needed: int) -> int | None:
    """The fewest shared tables whose bound reaches `needed` met requests; None if even
    unlimited tables do not. Below it, no schedule reaches `needed` (the bound says so)."""
    if count_bound(prepared).met < needed:
        return None
    low, high = 0, max(1, len(prepared.instance.locations) - owned)
    while _bound_at(prepared, owned, high) < needed:
        low, high = high, high * 2
    while low < high:
        middle = (low + high) // 2
        if _bound_at(prepared, owned, middle) >= needed:
            high = middle
        else:
            low = middle + 1
    return low


def _bound_at(prepared: Prepared, owned: int, tables: int) -> int:
    slots = len(prepared.grid)
    shortest = min((r.length for r in schedulable(prepared)), default=1)
    return count_bound(prepared, (tables + owned) * slots // shortest).met


@dataclass
class Probe:
    """One `partnering solve` asked whether it reaches `needed` meetings at some number of
    tables, stopped as soon as the answer is known (`how`): "end", the solve ran to its end
    and `met` is what `partnering solve` places; "reached", its best schedule in the
    neighbourhood search had enough more than `needed` meetings (`YES_MARGIN`); "search
    start", stopped where the neighbourhood search starts (its count too far below `needed`
    for it to close, `NO_MARGIN`, or asked to: `start_only`); "out of time", stopped by the
    caller's deadline, no answer. `start`: the count the neighbourhood search started from,
    where it got there."""

    tables: int
    met: int  # meetings in the best schedule when it stopped
    reached: bool  # met >= needed
    how: str  # "end", "reached" or "search start"
    seconds: float
    start: int | None = None

    @property
    def finished(self) -> bool:
        return self.how == "end"

    def as_json(self) -> dict:
        return {
            "tables": self.tables,
            "met": self.met,
            "start": self.start,
            "reached": self.reached,
            "how": self.how,
            "seconds": round(self.seconds, 1),
        }


Solver = Callable[..., Probe]  # (instance, needed, full=False, deadline=None) -> the answer
Ask = tuple[int, str]  # a number of tables and "full" (to the end) or "start" (to the search)


class _Stop(Exception):
    """Raised from the progress report: the probe has its answer, the solve stops here."""


# At event scale the count is almost all there when the neighbourhood search starts where
# the tables are full (BioJapan size, seed 2026, 547 tables: 21,033 meetings after the
# session relaxation's rounding at 14 s, 21,035 at the end, 55 s); where people are the
# limit the search adds 50-115 (600-610 tables: `ProbeRunner`'s search measures it). A
# probe whose count there is this share or more below the target is a no without the rest
# of the search, and one this share or more above it a yes; nearer, the search runs to its
# end. Before the search (CP-SAT on the slot-by-slot model of a smaller event) no count is
# taken as an answer: trading two meetings for one of a higher priority, the solve may end
# with fewer meetings than it once had (300 requests: 210 on the way, 207 at the end).
NO_MARGIN = 0.002
YES_MARGIN = 0.002
SEARCH_START = "improving"  # the stage at which the neighbourhood search starts
# Where each table more adds fewer meetings than the ones before did (people fill up:
# BioJapan size, target 65%: 16 a table from 580 to 599 tables, 9 from 599 to 623), the next
# probe aims where a slope this much lower reaches the target.
DECLINING = 0.6


class ProbeRunner:
    """`partnering solve` itself, with its defaults (60 s, 2 workers, seed 0: what the
    command runs) unless told otherwise, asked one question: does its schedule reach
    `needed` meetings? Called as a function, it stops where the neighbourhood search is
    under way with a count far enough from `needed` either side (`NO_MARGIN`, `YES_MARGIN`;
    unless `full`), and at the end before writing the reasons for the unscheduled requests
    (they change no meeting). `many` runs several probes at once, in child processes at
    event scale: up to the search's start a solve is one thread (the session LP, its
    rounding), so two probes there take the time of one. `base`: other settings than the
    command's (tests)."""

    def __init__(
        self,
        seconds: float | None = None,
        workers: int | None = None,
        base: SolverSettings | None = None,
    ) -> None:
        defaults = base or SolverSettings()
        self.settings = replace(
            defaults,
            time_limit=defaults.time_limit if seconds is None else seconds,
            workers=defaults.workers if workers is None else workers,
        )

    def __call__(
        self,
        instance: Instance,
        needed: int,
        full: bool = False,
        deadline: float | None = None,
        start_only: bool = False,
    ) -> Probe:
        return _probe(self.settings, instance, needed, full, deadline, start_only)

    def many(
        self, instance: Instance, asks: list[Ask], needed: int, deadline: float | None
    ) -> list[Probe]:
        """Each ask's probe on `instance` with its number of tables, at once."""
        jobs = [(self.settings, tables, needed, how, deadline) for tables, how in asks]
        if len(jobs) < 2 or len(instance.requests) < PARALLEL_FROM:
            return [_probe_job(instance, *job) for job in jobs]
        with ProcessPoolExecutor(max_workers=len(jobs)) as pool:
            futures = [pool.submit(_probe_job, instance, *job) for job in jobs]
            return [future.result() for future in futures]


def real_solver(
    seconds: float | None = None, workers: int | None = None, base: SolverSettings | None = None
) -> ProbeRunner:
    """`partnering solve` as the probes run it (`ProbeRunner`)."""
    return ProbeRunner(seconds, workers, base)


def _probe_job(
    instance: Instance,
    settings: SolverSettings,
    tables: int,
    needed: int,
    how: str,
    deadline: float | None,
) -> Probe:
    full, start_only = how == "full", how == "start"
    return _probe(settings, with_tables(instance, tables), needed, full, deadline, start_only)


def _probe(
    settings: SolverSettings,
    instance: Instance,
    needed: int,
    full: bool,
    deadline: float | None,
    start_only: bool,
) -> Probe:
    from scheduler.solver.cpsat import Cancelled
    from scheduler.solver.solve import solve

    started = time.monotonic()
    best: dict = {"met": 0, "how": "", "start": None}
    hopeless = needed - math.ceil(NO_MARGIN * needed)
    certain = needed + math.ceil(YES_MARGIN * needed)

    def on_progress(progress) -> None:
        if progress.scheduled is None:
            return
        best["met"] = progress.scheduled
        if progress.stage == "done":
            best["how"] = "end"
            raise _Stop()
        if progress.stage != SEARCH_START:
            return  # the count may still fall: CP-SAT weighs priorities, not meetings
        if best["start"] is None:
            best["start"] = progress.scheduled
            if start_only:
                best["how"] = "search start"
                raise _Stop()
        if full:
            return
        if progress.scheduled >= certain:
            best["how"] = "reached"
            raise _Stop()
        if progress.scheduled < hopeless:
            best["how"] = "search start"
            raise _Stop()

    def should_stop() -> bool:  # between steps, and in CP-SAT's a few times a second
        if deadline is not None and time.monotonic() > deadline:
            best["how"] = "out of time"
            return True
        return False

    try:
        schedule = solve(instance, replace(settings, should_stop=should_stop), on_progress)
        best.update(met=len(schedule.meetings), how="end")
    except (_Stop, Cancelled):
        pass
    met, how = best["met"], best["how"]
    return Probe(
        len(shared_tables(instance)),
        met,
        met >= needed and how != "out of time",
        how,
        time.monotonic() - started,
        best["start"],
    )


def tables_needed(
    instance: Instance,
    target: float,
    solver: Solver,
    report: Report | None = None,
    deadline: float | None = None,
) -> tuple[int | None, dict]:
    """The smallest number of shared tables at which `solver` (`partnering solve`) reaches
    the target share, and how sure that is; None if no number of tables can (the bound), or
    (`unreached`) if neither the solve nor first come, first served was seen to reach it
    with as many tables as make a difference (`enough_tables`).

    Below the bound's number no schedule reaches the target (a proof). From there the real
    solve is asked at one number of tables after another (`_next_probe`), each probe stopped
    as soon as its answer is known, until a number it reaches lies right above one it does
    not, and that one is then solved to its end if it was not (`confirmed`), or until
    `deadline` (monotonic) leaves no time for another probe. The answer is the fewest tables
    a solve was seen to reach the target with (first come, first served's number where
    none was, else the number the counts predict: `yes_by` "predicted"); `bracket` is
    [most tables known not to reach it, the answer], `no_by` says how the first is known
    ("bound", "solve" to its end, or the count at the "search start"), `yes_by` the
    second. Where the solves start with the neighbourhood search (event scale), the probes
    run in rounds instead, and what that search adds is measured (`_search_at_scale`)."""
    prepared = Prepared(instance)
    owned = sum(1 for loc in instance.locations if loc.owner is not None)
    needed = needed_count(target, len(instance.requests))
    lowest = smallest_tables_by_bound(prepared, owned, needed)
    if lowest is None:
        return None, {"needed": needed, "unlimited_bound": count_bound(prepared).met}
    proof: dict = {"needed": needed, "below": lowest - 1}
    if lowest > 0:
        proof["bound_below"] = _bound_at(prepared, owned, lowest - 1)
    most = max(lowest, enough_tables(prepared, owned))
    if _at_scale(prepared, solver):
        answer, found = _search_at_scale(instance, needed, lowest, most, solver, report, deadline)
        proof.update(found)
        return answer, proof
    search = _Search(needed, lowest - 1, owned, most)
    while not search.confirmed() and search.no < most:
        tables, full = _next_probe(search)
        if deadline is not None and time.monotonic() + search.expected(full) > deadline:
            break
        if report:
            report("confirming", min(0.95, 0.7 + 0.05 * len(search.probes)))
        search.add(solver(with_tables(instance, tables), needed, full=full, deadline=deadline))
    proof["solved"] = [p.as_json() for p in search.probes]
    proof["confirmed"] = search.confirmed()
    if search.yes is not None:
        answer, proof["yes_by"] = search.yes, "solve"
    elif search.no >= most:  # the solve does not reach it with as many tables as matter
        proof.update(unreached=True, most_tables=most, bracket=None, no_by="solve")
        return None, proof
    else:
        answer = proof["quick"] = _first_quick_success(instance, lowest, needed, most)
        proof["yes_by"] = "first come, first served"
        guess = search.predicted(cautious=True)
        if answer is None and guess is not None and guess <= most:
            answer, proof["yes_by"] = guess, "predicted"  # from the counts, not seen
        elif answer is None:  # nothing seen or predicted to reach it in the time limit
            proof.update(unreached=True, most_tables=most, bracket=None, no_by="time limit")
            return None, proof
    proof["bracket"] = [search.no, answer]
    proof["no_by"] = search.no_by.get(search.no, "bound")
    return answer, proof


# --- at event scale: rounds of probes, the search's gain measured ----------------------------

# Where the neighbourhood search starts a solve (the slot-by-slot model is too large), the
# count there is known after half the time limit, the count at the end only after all of it;
# and where people rather than tables are the limit the search adds meetings to the count
# it starts from (BioJapan size, seed 2026: 51-109 between 600 and 610 tables; 0-2 where the
# tables are full, 547). So the probes run in rounds (`ProbeRunner.many`): first two counts
# at the search's start at once, then one solve to its end, which measures what the search
# adds; every count at the start is then taken with that gain (`_Estimates`).
PRIOR_GAIN = 0.003  # what the search is taken to add, as a share, before one is measured
SPREAD = 0.03  # the first round's second number of tables: this share above the bound's
# What the search adds differs from one number of tables to the next as much as the counts
# do (BioJapan size, seed 2026, 600-610 tables: 51-109; the solve's count at 605-610 tables:
# 22,747, 22,679, 22,750, 22,736 for 22,750 wanted): the answer aims this share of the
# measured gain above the target, where no solve there was seen to reach it.
GAIN_DOUBT = 0.5


def _at_scale(prepared: Prepared, solver: Solver) -> bool:
    """Whether the probes' solves start with the neighbourhood search, and can run at once."""
    from scheduler.solver.solve import slot_model_size

    settings = getattr(solver, "settings", None)
    if getattr(solver, "many", None) is None or settings is None:
        return False
    return slot_model_size(prepared) > settings.slot_model_limit


@dataclass
class _Estimates:
    """What the probes say at each number of tables: a solve's count at its end where one
    ran there, else its count at the search's start plus what the search added where it
    ran to its end (`gain`: their mean)."""

    needed: int
    lowest: int  # the bound's number: fewer tables cannot reach `needed`
    most: int  # tables beyond which more change nothing (`enough_tables`)
    probes: list[Probe] = field(default_factory=list)

    def gain(self) -> int | None:
        seen = [p.met - p.start for p in self.probes if p.finished and p.start is not None]
        return round(sum(seen) / len(seen)) if seen else None

    def points(self) -> dict[int, tuple[int, str]]:
        """Tables -> (count, how known: "solve" or "search start")."""
        gain = self.gain() or 0
        known: dict[int, tuple[int, str]] = {}
        for p in self.probes:
            if p.finished:
                known[p.tables] = (p.met, "solve")
            elif p.start is not None and known.get(p.tables, (0, ""))[1] != "solve":
                known[p.tables] = (p.start + gain, "search start")
        return known

    def level(self) -> int:
        """The count to aim at: `needed`, and a share of the gain more (`GAIN_DOUBT`), as
        the search's gain differs from one number of tables to the next."""
        return self.needed + math.ceil(GAIN_DOUBT * (self.gain() or 0))

    def answer(self) -> tuple[int | None, float | None]:
        """The fewest tables where the counts, on the line between two numbers probed,
        reach `level` (beyond the last, on its slope), or fewer where a solve run to its
        end was seen to reach `needed`; and that slope. None where no number up to `most`
        does."""
        points = self.points()
        seen = [t for t, (m, how) in points.items() if how == "solve" and m >= self.needed]
        crossing, slope = self._crossing(sorted((t, m) for t, (m, _) in points.items()))
        if seen and (crossing is None or min(seen) < crossing):
            return min(seen), slope
        return crossing, slope

    def _crossing(self, known: list[tuple[int, int]]) -> tuple[int | None, float | None]:
        level = self.level()
        above = [(t, m) for t, m in known if m >= level]
        if above and above[0][0] <= self.lowest:
            return self.lowest, None
        below = [(t, m) for t, m in known if m < level and (not above or t < above[0][0])]
        if not below:
            return None, None
        t1, m1 = below[-1]
        if above:
            t2, m2 = above[0]
            slope = (m2 - m1) / (t2 - t1)
            return min(t2, t1 + max(1, math.ceil((level - m1) / slope))), slope
        if len(below) < 2:
            return None, None
        t0, m0 = below[-2]
        slope = max((m1 - m0) / (t1 - t0), m1 / max(1, t1) / 4)
        guess = t1 + max(1, math.ceil((level - m1) / slope))
        return (guess if guess <= self.most else None), slope

    def asked(self, tables: int, how: str) -> bool:
        return any(
            p.tables == tables and (p.finished or how == "start")
            for p in self.probes
            if p.how != "out of time"
        )


def _next_asks(found: _Estimates) -> list[Ask]:
    """The next round: the bound's number and `SPREAD` more, at the search's start; then a
    solve to its end where the counts would reach the target with `PRIOR_GAIN` added (the
    curves' quick schedules use the core its first half leaves idle); then solves to the
    end at the answer and one fewer, one at a time."""
    low = found.lowest
    if not found.probes:
        spread = min(found.most, low + max(2, math.ceil(SPREAD * low)))
        return [(low, "start")] + ([(spread, "start")] if spread > low else [])
    answer, slope = found.answer()
    if answer is None:
        return []
    if found.gain() is None:
        shift = math.ceil(PRIOR_GAIN * found.needed / slope) if slope else 0
        asks = [(max(low, answer - shift), "full")]
    else:
        asks = [(answer, "full"), (answer - 1, "full")][: 2 if answer > low else 1]
    # one at a time: two searches at once would each have half the cores
    return [(t, how) for t, how in asks if t >= low and not found.asked(t, how)][:1]


def _round_seconds(found: _Estimates, asks: list[Ask], limit: float, at_once: bool) -> float:
    """How long a round may take: each probe as long as the longest of its kind so far
    (else the time limit), the round as its longest probe where they run at once."""

    def of(how: str) -> float:
        kind = [p.seconds for p in found.probes if p.finished == (how == "full")]
        return max(kind or [limit])

    times = [of(how) for _, how in asks]
    return max(times) if at_once else sum(times)


def _search_at_scale(
    instance: Instance,
    needed: int,
    lowest: int,
    most: int,
    solver: Solver,
    report: Report | None,
    deadline: float | None,
) -> tuple[int | None, dict]:
    """`tables_needed` where the probes' solves start with the neighbourhood search:
    rounds of probes (`_next_asks`) while one fits before `deadline`, the answer from the
    counts (`_Estimates.answer`)."""
    found = _Estimates(needed, lowest, most)
    limit = solver.settings.time_limit
    at_once = len(instance.requests) >= PARALLEL_FROM
    asks = _next_asks(found)
    while asks:
        seconds = _round_seconds(found, asks, limit, at_once)
        if deadline is not None and time.monotonic() + seconds > deadline:
            break
        if report:
            report("confirming", min(0.95, 0.7 + 0.08 * len(found.probes)))
        found.probes += solver.many(instance, asks, needed, deadline)
        if all(p.how == "out of time" for p in found.probes[-len(asks) :]):
            break
        asks = _next_asks(found)
    if not found.probes:  # no time for one: first come, first served's number
        quick = _first_quick_success(instance, lowest, needed, most)
        if quick is not None:
            bracket = [lowest - 1, quick]
            return quick, {
                "solved": [],
                "quick": quick,
                "yes_by": "first come, first served",
                "no_by": "bound",
                "bracket": bracket,
                "confirmed": quick == lowest,
            }
    return _answer_at_scale(found)


def _answer_at_scale(found: _Estimates) -> tuple[int | None, dict]:
    answer, _ = found.answer()
    points = found.points()
    proof: dict = {
        "solved": [p.as_json() for p in found.probes],
        "gain": found.gain(),
        "counts": {str(t): m for t, (m, _) in sorted(points.items())},
    }
    if answer is None:
        proof.update(unreached=True, most_tables=found.most, bracket=None, confirmed=False)
        proof["no_by"] = "solve" if found.probes else "time limit"
        return None, proof
    below = [t for t, (m, _) in points.items() if m < found.needed and t < answer]
    no = max(below, default=found.lowest - 1)
    count, how = points.get(answer, (0, ""))
    if how == "solve" and count >= found.needed:
        yes_by = "solve"
    elif how == "search start" and count - (found.gain() or 0) >= found.needed:
        yes_by = "search start"
    else:
        yes_by = "predicted"
    no_by = "bound" if no < found.lowest else points[no][1]
    confirmed = yes_by == "solve" and answer - no == 1 and no_by in ("bound", "solve")
    proof.update(bracket=[no, answer], no_by=no_by, yes_by=yes_by, confirmed=confirmed)
    return answer, proof


@dataclass
class _Search:
    """What the probes so far say: the most tables known not to reach `needed` (`no`: by
    the bound at first) and the fewest known to (`yes`), and the counts seen."""

    needed: int
    no: int
    owned: int  # companies' own rooms, which hold meetings too
    most: int  # tables beyond which more change nothing (`enough_tables`)
    yes: int | None = None
    probes: list[Probe] = field(default_factory=list)
    counts: dict[int, int] = field(default_factory=dict)  # tables -> met, where known
    no_by: dict[int, str] = field(default_factory=dict)  # tables -> "solve", "search start"

    def add(self, probe: Probe) -> None:
        self.probes.append(probe)
        if probe.how == "out of time":
            return
        self.counts[probe.tables] = probe.met  # reached: at least this many
        if probe.reached:
            self.yes = probe.tables if self.yes is None else min(self.yes, probe.tables)
        elif probe.tables >= self.no:
            self.no = probe.tables
            by = "solve" if probe.finished else "search start"
            if self.no_by.get(probe.tables) != "solve":
                self.no_by[probe.tables] = by

    def adjacent(self) -> bool:
        return self.yes is not None and self.yes - self.no <= 1

    def confirmed(self) -> bool:
        """Adjacent, and the no known by the bound or by a solve run to its end."""
        return self.adjacent() and self.no_by.get(self.no, "bound") != "search start"

    def expected(self, full: bool) -> float:
        """How long the next probe may take: as long as the longest one of its kind so far
        (one run to its end may take the whole time limit), else the time limit."""
        limit = SolverSettings().time_limit
        if full:
            return max([p.seconds for p in self.probes if p.finished] or [limit])
        return max([p.seconds for p in self.probes if p.how != "out of time"] or [limit])

    def predicted(self, cautious: bool = False) -> int | None:
        """Where the count would reach `needed`, on the line through the counts of the most
        tables known not to reach it and of the fewest known to, else on from the former:
        each table more holds as many meetings as the solve placed per location there
        (near the threshold every table is full: at BioJapan size 37-39 more meetings a
        table for 38 slots), or as the slope between two counts below (`DECLINING` where
        it falls; `cautious`, the answer when time ran out: already where it is below what a
        location held on average)."""
        below = sorted((t, m) for t, m in self.counts.items() if m < self.needed)
        above = sorted((t, m) for t, m in self.counts.items() if m >= self.needed)
        if not below:
            return None
        tables, met = below[-1]
        if above and above[0][1] > met and above[0][0] > tables:
            slope = (above[0][1] - met) / (above[0][0] - tables)
        elif len(below) >= 2:
            slope = (met - below[-2][1]) / (tables - below[-2][0])
            before = met / max(1, tables + self.owned)  # what a location held on average
            if len(below) >= 3:
                before = (below[-2][1] - below[-3][1]) / (below[-2][0] - below[-3][0])
            if slope < 0.9 * before and (cautious or len(below) >= 3):
                slope *= DECLINING  # fewer meetings a table as people fill up: aim further
        else:
            slope = met / max(1, tables + self.owned)
        slope = max(slope, met / max(1, tables + self.owned) / 4)
        return tables + max(1, math.ceil((self.needed - met) / slope))


def _next_probe(search: _Search) -> tuple[int, bool]:
    """The next number of tables to ask the solve about, and whether to run it to its end:
    where the counts seen predict the target is reached (`_Search.predicted`), inside what
    is still open; first, the bound's number. Where one table fewer than a number reached
    reaches too, halfway between what is known. Once a number reached lies right above one
    whose no came from the count at the search's start, that one runs to its end."""
    if search.adjacent():
        return search.no, True
    low = search.no + 1
    guess = search.predicted()
    if guess is None:
        guess = low if search.yes is None else (low + search.yes - 1) // 2
    if search.yes is not None:
        last = search.probes[-2:]
        stepped = len(last) == 2 and last[1].tables == last[0].tables - 1
        if stepped and all(p.reached for p in last):  # one fewer reached too: halve
            guess = (low + search.yes - 1) // 2
        guess = min(guess, search.yes - 1)
    return min(max(low, guess), max(low, search.most)), False


def enough_tables(prepared: Prepared, owned: int) -> int:
    """Shared tables beyond which more change nothing: every schedulable request could have
    a table of its own for its whole length."""
    slots = max(1, len(prepared.grid))
    wanted = sum(r.length for r in schedulable(prepared))
    return max(0, math.ceil(wanted / slots) - owned)


def _first_quick_success(instance: Instance, lowest: int, needed: int, most: int) -> int | None:
    """The fewest tables from `lowest` to `most` where first come, first served meets
    `needed` (a binary search), None if it does not even at `most`. The solve starts from
    that schedule, so its number is where no probe had time to name one."""

    def meets(tables: int) -> bool:
        return quick_met(Prepared(with_tables(instance, tables)))[0] >= needed

    low, high = lowest, max(lowest, most)
    if not meets(high):
        return None
    while low < high:
        middle = (low + high) // 2
        if meets(middle):
            high = middle
        else:
            low = middle + 1
    return high


def bottleneck(instance: Instance, prepared: Prepared, top: int = 10) -> dict:
    """Why unlimited tables do not reach the target: the companies whose people are the
    limit, most oversubscribed first."""
    bound = count_bound(prepared)
    names = instance.company_by_id
    limited = sorted(
        (bound.loads[c] for c in bound.saturated if bound.loads[c].wanted > bound.loads[c].holds),
        key=lambda load: (load.holds - load.wanted, load.company),
    )
    unschedulable = sum(1 for r in prepared.requests if not (r.start_mask and r.pools))
    return {
        "kind": "people",
        "unlimited_tables_bound": bound.met,
        "never_free_together": unschedulable,
        "companies": [
            {
                "id": load.company,
                "name": names[load.company].name,
                "wanted": load.wanted,
                "holds": load.holds,
            }
            for load in limited[:top]
        ],
    }


def plan_capacity(
    instance: Instance,
    target: float = TARGET,
    solver: Solver | None = None,
    report: Report | None = None,
    workers: int = 1,
    seconds: float | None = SECONDS,
) -> CapacityReport:
    """Every curve, `tables_needed` and, where it is None, the bottleneck; the real solves
    that confirm the number start only while they can end within `seconds` (None: no
    limit)."""
    started = time.monotonic()
    deadline = None if seconds is None else started + seconds
    instance = replace(instance, fixed=())  # planning: published meetings may move
    solver = solver or real_solver()
    tables = len(shared_tables(instance))
    steps = _steps(instance)
    jobs = [(name, step, variant) for name, variants in steps.items() for step, variant in variants]
    if workers > 1 and len(instance.requests) >= PARALLEL_FROM:
        # the curves in the probes' shadow: niced, they use what the probes leave idle
        with ProcessPoolExecutor(max_workers=workers, initializer=_behind) as pool:
            futures = [pool.submit(_point, *job) for job in jobs]
            needed, proof = tables_needed(instance, target, solver, report, deadline)
            probed = time.monotonic() - started
            if report:
                report("curves", 0.95)
            curves = _sorted_curves(steps, [future.result() for future in futures])
        waited = time.monotonic() - started - probed
    else:
        curves = _curves(jobs, steps, report)
        waited = time.monotonic() - started
        needed, proof = tables_needed(instance, target, solver, report, deadline)
        probed = time.monotonic() - started - waited
    proof["stage_seconds"] = {"curves": round(waited, 1), "tables_needed": round(probed, 1)}
    prepared = Prepared(instance)
    if needed is not None and needed > max(p.tables for p in curves["tables"]):
        curves["tables"].append(_point("tables", needed - tables, with_tables(instance, needed)))
    result = CapacityReport(
        target=target,
        requests=len(instance.requests),
        weighted_total=sum(r.priority for r in instance.requests),
        tables=tables,
        current=curves["tables"][0],
        curves=curves,
        tables_needed=needed,
        proof=proof,
    )
    if needed is None:
        result.bottleneck = bottleneck(instance, prepared)
    result.seconds = time.monotonic() - started
    return result


PARALLEL_FROM = 2_000  # requests: below, a child process costs more than it saves


def _behind() -> None:
    """A child process that yields the cores to every other one (Unix: nice 19)."""
    if hasattr(os, "nice"):
        os.nice(19)


def _curves(
    jobs: list[tuple[str, int, Instance]],
    steps: dict[str, list[tuple[int, Instance]]],
    report: Report | None,
) -> dict[str, list[Point]]:
    """Each setting's point, one after another (small events: a child process costs more
    than a point)."""
    points: list[Point] = []
    for done, job in enumerate(jobs):
        if report:
            report(job[0], 0.7 * done / len(jobs))
        points.append(_point(*job))
    return _sorted_curves(steps, points)


def _sorted_curves(
    steps: dict[str, list[tuple[int, Instance]]], points: list[Point]
) -> dict[str, list[Point]]:
    curves: dict[str, list[Point]] = {name: [] for name in steps}
    for point in sorted(points, key=lambda p: p.step):
        curves[point.option].append(point)
    if "shorter_slots" in curves:
        curves["shorter_slots"].sort(key=lambda p: -p.step)
    return curves


def _steps(instance: Instance) -> dict[str, list[tuple[int, Instance]]]:
    tables = len(shared_tables(instance))
    extra = sorted({math.ceil(tables * s / 100) if tables else s for s in TABLE_STEPS})
    return {
        "tables": [(k, with_tables(instance, tables + k)) for k in extra],
        "sessions": [(k, with_more_sessions(instance, k)) for k in SESSION_STEPS],
        "longer_sessions": [(k, with_longer_sessions(instance, k)) for k in LONGER_STEPS],
        "shorter_slots": [
            (m, with_slot_minutes(instance, m))
            for m in shorter_slot_steps(instance.event.slot_minutes)
        ],
    }
