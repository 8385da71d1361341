"""The CP-SAT model: which request starts at which slot, in which pool of locations.

One boolean per (request, candidate start, pool). Tables, rooms and attendees are not chosen
here but counted: at every slot, a pool holds at most as many meetings as it has locations,
and a company at most as many as it has free attendees (a meeting takes the attendees it
names, else one). Because meetings are intervals on a line, those counts are what decides
feasibility; `Booking` then hands out the actual tables and people. This keeps the model small
enough for events with tens of thousands of requests.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from ortools.sat.python import cp_model

from scheduler.booking import Booking
from scheduler.prepare import Prepared

Key = tuple[int, int, str]  # (request index, start slot, pool)


@dataclass(frozen=True)
class SolverSettings:
    time_limit: float = 60.0
    workers: int = 2
    seed: int = 0


@dataclass(frozen=True)
class Progress:
    """What a long solve reports while it runs: its stage and, once searching, the figures."""

    stage: str
    seconds: float
    objective: float | None = None
    bound: float | None = None


@dataclass
class ModelAnswer:
    chosen: list[Key]  # the meetings CP-SAT placed
    status: str
    objective: int
    bound: int
    seconds: float


class MeetingModel:
    """Builds the model from prepared data; reads top to bottom as data, variables, rules."""

    def __init__(self, prepared: Prepared) -> None:
        self.prepared = prepared
        self.model = cp_model.CpModel()
        self.x: dict[Key, cp_model.IntVar] = {}
        self._variables()
        self._one_meeting_per_request()
        self._attendee_capacity()
        self._location_capacity()
        self._max_meetings_per_day()
        self._objective()

    def _variables(self) -> None:
        for request in self.prepared.requests:
            for start in request.starts:
                for pool in request.pools:
                    self.x[(request.index, start, pool)] = self.model.new_bool_var(
                        f"m_{request.index}_{start}_{pool}"
                    )
        self.by_request: dict[int, list[Key]] = defaultdict(list)
        for key in self.x:
            self.by_request[key[0]].append(key)

    def _covered(self, key: Key) -> range:
        request = self.prepared.requests[key[0]]
        return range(key[1], key[1] + request.length)

    def _one_meeting_per_request(self) -> None:
        """A request is met at most once; a fixed one exactly once."""
        for index, keys in self.by_request.items():
            variables = [self.x[k] for k in keys]
            if self.prepared.requests[index].fixed_start is not None:
                self.model.add_exactly_one(variables)
            else:
                self.model.add_at_most_one(variables)

    def _attendee_capacity(self) -> None:
        """A company holds no more meetings at once than it has free attendees; a named
        attendee is in at most one meeting at a time."""
        company_load: dict[tuple[str, int], list[tuple[cp_model.IntVar, int]]] = defaultdict(list)
        named_load: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for key, var in self.x.items():
            request = self.prepared.requests[key[0]]
            for slot in self._covered(key):
                for company_id, named in request.named.items():
                    company_load[(company_id, slot)].append((var, request.weight(company_id)))
                    for attendee_id in named:
                        named_load[(attendee_id, slot)].append(var)
        capacity = self.prepared.company_capacity
        for (company_id, slot), load in company_load.items():
            limit = capacity[company_id][slot]
            if sum(w for _, w in load) > limit:
                self.model.add(sum(w * v for v, w in load) <= limit)
        for variables in named_load.values():
            if len(variables) > 1:
                self.model.add_at_most_one(variables)

    def _location_capacity(self) -> None:
        """A pool of tables or rooms holds no more meetings at once than it has locations."""
        pool_load: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for key, var in self.x.items():
            for slot in self._covered(key):
                pool_load[(key[2], slot)].append(var)
        for (pool, _slot), variables in pool_load.items():
            limit = len(self.prepared.pool_locations[pool])
            if len(variables) > limit:
                if limit == 1:
                    self.model.add_at_most_one(variables)
                else:
                    self.model.add(sum(variables) <= limit)

    def _max_meetings_per_day(self) -> None:
        """A company's `max_meetings_per_day`."""
        per_day: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for key, var in self.x.items():
            request = self.prepared.requests[key[0]]
            for company_id in request.request.companies:
                per_day[(company_id, self.prepared.day_of(key[1]))].append(var)
        for (company_id, _day), variables in per_day.items():
            limit = self.prepared.instance.company_by_id[company_id].max_meetings_per_day
            if limit is not None and len(variables) > limit:
                self.model.add(sum(variables) <= limit)

    def _objective(self) -> None:
        """Maximise the sum of the priorities of the met requests."""
        self.model.maximize(
            sum(self.prepared.requests[k[0]].request.priority * v for k, v in self.x.items())
        )

    def add_hint(self, booking: Booking) -> None:
        """Start the search from a known schedule (the greedy one)."""
        placed = {
            (p.request.index, p.start, self.prepared.pool_of_location(p.location))
            for p in booking.placements.values()
        }
        for key, var in self.x.items():
            self.model.add_hint(var, key in placed)

    def solve(
        self, settings: SolverSettings, on_progress: Callable[[Progress], None] | None = None
    ) -> ModelAnswer:
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = settings.time_limit
        solver.parameters.num_workers = settings.workers
        solver.parameters.random_seed = settings.seed
        started = time.monotonic()
        callback = _ProgressCallback(on_progress, started)
        if on_progress is not None:
            solver.best_bound_callback = callback.on_bound
        status = solver.solve(self.model, callback)
        seconds = time.monotonic() - started
        name = solver.status_name(status)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return ModelAnswer([], name, 0, _bound(solver, self.x), seconds)
        chosen = [k for k, v in self.x.items() if solver.boolean_value(v)]
        return ModelAnswer(
            chosen, name, round(solver.objective_value), _bound(solver, self.x), seconds
        )


def _bound(solver: cp_model.CpSolver, x: dict) -> int:
    bound = solver.best_objective_bound
    return int(bound + 1e-6) if bound == bound and abs(bound) != float("inf") else 0


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
    """Forwards each better schedule and each better bound to the progress display."""

    def __init__(self, on_progress: Callable[[Progress], None] | None, started: float) -> None:
        super().__init__()
        self.on_progress = on_progress
        self.started = started
        self.objective = 0.0
        self.bound = float("inf")

    def on_solution_callback(self) -> None:
        self.objective = self.objective_value
        self.bound = self.best_objective_bound
        self._report()

    def on_bound(self, bound: float) -> None:
        self.bound = bound
        self._report()

    def _report(self) -> None:
        if self.on_progress is not None:
            elapsed = time.monotonic() - self.started
            self.on_progress(Progress("searching", elapsed, self.objective, self.bound))
