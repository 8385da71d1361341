"""The stage timer: every step of a solve is in the summary's `stage_seconds`, in the order
it ran, and the steps add up to the solve's time, no more."""

from __future__ import annotations

import time

from scheduler.formats.instance_reader import instance_from_document
from scheduler.generate.instances import generate_instance
from scheduler.solver import stages
from scheduler.solver.cpsat import SolverSettings
from scheduler.solver.solve import solve
from scheduler.solver.stages import StageTimer

# The order in which `solve` runs its steps (a run takes some of them).
ORDER = [
    "preparing",
    "first come, first served",
    "session relaxation",
    "guaranteed meetings",
    "building the model",
    "LP relaxation",
    "searching",
    "improving",
    "fewer breaks",
    "fairness",
    "explaining",
]


def test_timer_counts_each_step_until_the_next_and_adds_a_repeated_one(monkeypatch):
    clock = iter([0.0, 1.0, 3.0, 3.5, 7.0])
    monkeypatch.setattr(stages.time, "monotonic", lambda: next(clock))
    timer = StageTimer()  # preparing from 0
    timer.start("searching")  # at 1
    timer.start("preparing")  # at 3
    timer.start("explaining")  # at 3.5
    assert timer.stop() == {"preparing": 1.5, "searching": 2.0, "explaining": 3.5}  # at 7


def _timed_solve(document: dict, **options) -> tuple[dict, float]:
    instance, _ = instance_from_document(document)
    started = time.monotonic()
    schedule = solve(instance, SolverSettings(workers=1, **options))
    return schedule.summary, time.monotonic() - started


def _assert_timed(summary: dict, wall: float) -> list[str]:
    """Each step non-negative, in the order `solve` runs them, adding up to the solve's
    seconds (the steps before the explaining) and to no more than the wall time."""
    steps = summary["stage_seconds"]
    names = list(steps)
    assert names[:3] == ORDER[:3] and names[-1] == "explaining"
    assert names == sorted(names, key=ORDER.index)
    assert all(seconds >= 0 for seconds in steps.values())
    assert sum(steps.values()) <= wall + 0.001 * len(steps)  # each rounded to a millisecond
    before_explaining = sum(steps.values()) - steps["explaining"]
    assert abs(before_explaining - summary["seconds"]) < 0.02
    return names


def test_slot_by_slot_solve_times_its_steps():
    document = generate_instance(30, 300, days=2, tables=3, seed=1)  # the session LP falls short
    summary, wall = _timed_solve(document, time_limit=5)
    names = _assert_timed(summary, wall)
    assert "LP relaxation" in names and "improving" not in names


def test_event_scale_solve_times_the_search_and_the_goals_after_it():
    document = generate_instance(60, 400, days=1, tables=6, seed=5, entitlements=0.2)
    summary, wall = _timed_solve(document, time_limit=4, slot_model_limit=0, fair=True)
    names = _assert_timed(summary, wall)
    assert {"guaranteed meetings", "improving", "fairness"} <= set(names)
    assert "LP relaxation" not in names
