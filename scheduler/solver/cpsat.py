"""The formulation as a CP-SAT model: solve it, started from a known schedule.

Search settings are chosen for reproducible answers: with one worker CP-SAT is deterministic
for a seed; with several it interleaves its workers deterministically. The search stops on
CP-SAT's deterministic clock (half a unit per second of budget: about what two cores do per
second on these models), so the same seed and worker count give the same schedule whatever
else the machine is doing. The wall-clock budget stays a hard cap; only when a much slower
machine hits it first can two runs differ.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduler.solver.formulation import Formulation, Key

DETERMINISTIC_UNITS_PER_SECOND = 0.5
STOP_POLL_SECONDS = 0.25


@dataclass(frozen=True)
class SolverSettings:
    time_limit: float = 60.0  # seconds for the whole solve, preparation included
    workers: int = 2
    seed: int = 0
    # Above this many variables the slot-by-slot model takes longer to build than it gains
    # (measured: 1.3 million at BioJapan size); the session relaxation's schedule stands.
    slot_model_limit: int = 400_000
    compact: bool = False  # then also fewest breaks, with the priority-weighted count held
    max_breaks: int | None = None  # per person, a hard limit (implies compact)
    fair: bool = False  # then a meeting for every company, and the lowest shares raised
    # Asked between steps and, from a watcher thread, during CP-SAT's search: True stops the
    # solve with `Cancelled` (the web app's cancel button). Not part of the run's figures.
    should_stop: Callable[[], bool] | None = field(default=None, compare=False, repr=False)


class Cancelled(Exception):
    """The solve was stopped on request (`SolverSettings.should_stop`)."""


@contextmanager
def stop_when_asked(solver: cp_model.CpSolver, should_stop: Callable[[], bool] | None):
    """While the block runs, ask `should_stop` a few times a second and stop the search when
    it says so (CP-SAT's `stop_search` may be called from another thread); afterwards raise
    `Cancelled` if it did."""
    if should_stop is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(STOP_POLL_SECONDS):
            if should_stop():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
    if should_stop():
        raise Cancelled()


@dataclass(frozen=True)
class Progress:
    """What a long solve reports while it runs: its stage and, once searching, the figures."""

    stage: str
    seconds: float
    objective: float | None = None
    bound: float | None = None
    scheduled: int | None = None  # meetings in the best schedule so far, where known


@dataclass
class ModelAnswer:
    chosen: list[Key]  # the meetings CP-SAT placed
    status: str
    objective: int
    bound: int | None  # None when nothing was proven
    seconds: float


class CpSatModel:
    def __init__(self, formulation: Formulation) -> None:
        self.formulation = formulation
        self.model = cp_model.CpModel()
        self.x = [self.model.new_bool_var(f"x{i}") for i in range(len(formulation.keys))]
        for variables in formulation.exactly_one:
            self.model.add_exactly_one(self.x[v] for v in variables)
        for variables in formulation.at_most_one:
            self.model.add_at_most_one(self.x[v] for v in variables)
        # weighted_sum builds each row in C++: summing Python terms took seconds at mid size
        for row in formulation.rows:
            terms = [self.x[v] for v in row.variables]
            self.model.add(cp_model.LinearExpr.weighted_sum(terms, row.coefficients) <= row.limit)
        self.count = cp_model.LinearExpr.weighted_sum(self.x, formulation.priorities)
        self.shortfall = self._shortfall(formulation)
        self.weight = formulation.shortfall_weight
        self.model.maximize(self.count - self.weight * self.shortfall)

    def _shortfall(self, formulation: Formulation) -> cp_model.LinearExprT:
        """Guaranteed meetings missing (0 without `min_meetings`): with a weight above
        any count, the search gives every guarantee it can before counting priorities."""
        missing = []
        for variables, wanted in formulation.guaranteed:
            short = self.model.new_int_var(0, wanted, "")
            self.model.add(sum(self.x[v] for v in variables) + short >= wanted)
            missing.append(short)
        return sum(missing) if missing else 0

    def add_hint(self, chosen: set[Key]) -> None:
        """Start the search from a known schedule (the greedy one)."""
        self.model.clear_hints()
        for key, var in zip(self.formulation.keys, self.x, strict=True):
            self.model.add_hint(var, key in chosen)

    def solve(
        self,
        settings: SolverSettings,
        time_limit: float,
        on_progress: Callable[[Progress], None] | None = None,
        known_bound: int | None = None,
    ) -> ModelAnswer:
        """Search for `time_limit` seconds at most; stop early on reaching `known_bound`, a
        bound proven elsewhere (the LP)."""
        solver = cp_model.CpSolver()
        solver.parameters.max_deterministic_time = DETERMINISTIC_UNITS_PER_SECOND * time_limit
        solver.parameters.max_time_in_seconds = time_limit
        solver.parameters.num_workers = settings.workers
        solver.parameters.interleave_search = settings.workers > 1
        solver.parameters.random_seed = settings.seed
        started = time.monotonic()
        callback = _ProgressCallback(on_progress, started, known_bound, self.weight)
        if on_progress is not None:
            solver.best_bound_callback = callback.on_bound
        with stop_when_asked(solver, settings.should_stop):
            status = solver.solve(self.model, callback)
        seconds = time.monotonic() - started
        name = solver.status_name(status)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return ModelAnswer([], name, 0, known_bound, seconds)
        keys = self.formulation.keys
        chosen = [keys[i] for i, x in enumerate(self.x) if solver.boolean_value(x)]
        # With guarantees the objective weighs missing ones: its bound is not the count's.
        bound = known_bound if self.weight else int(solver.best_objective_bound + 1e-6)
        if known_bound is not None and bound is not None:
            bound = min(bound, known_bound)
        count = count_of(round(solver.objective_value), self.weight)
        return ModelAnswer(chosen, name, count, bound, seconds)


def count_of(objective: int, weight: int) -> int:
    """The priority-weighted count inside an objective that subtracts `weight` per missing
    guaranteed meeting (the count is below `weight`, so it is the remainder)."""
    return objective % weight if weight else objective


class _ProgressCallback(cp_model.CpSolverSolutionCallback):
    """Forwards each better schedule and each better bound to the progress display."""

    def __init__(
        self,
        on_progress: Callable[[Progress], None] | None,
        started: float,
        known_bound: int | None,
        weight: int = 0,
    ) -> None:
        super().__init__()
        self.weight = weight
        self.on_progress = on_progress
        self.started = started
        self.known_bound = known_bound
        self.objective: float | None = None
        self.bound: float | None = None

    def on_solution_callback(self) -> None:
        self.objective = count_of(round(self.objective_value), self.weight)
        self.bound = None if self.weight else self.best_objective_bound
        if self.known_bound is not None:
            self.bound = min(self.bound or self.known_bound, self.known_bound)
            if self.objective_value >= self.known_bound:
                self.stop_search()
        self._report()

    def on_bound(self, bound: float) -> None:
        if self.weight:
            return  # a bound on the weighted objective, not on the count
        self.bound = bound if self.known_bound is None else min(bound, self.known_bound)
        self._report()

    def _report(self) -> None:
        if self.on_progress is not None and self.objective is not None:
            elapsed = time.monotonic() - self.started
            self.on_progress(Progress("searching", elapsed, self.objective, self.bound))
