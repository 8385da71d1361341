"""The large-neighbourhood search: valid, never worse than where it started, improving where
there is room, the same schedule for the same seed, and the rules of packages kept."""

from __future__ import annotations

import json
import time
from collections import Counter

from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.schedule_io import schedule_to_document
from scheduler.generate.instances import generate_instance
from scheduler.solver import lns
from scheduler.solver.compact_lns import fewer_breaks_by_neighbourhoods
from scheduler.solver.cpsat import Progress, SolverSettings
from scheduler.solver.greedy import greedy_schedule
from scheduler.solver.lns import improve
from scheduler.solver.prepare import Prepared
from scheduler.solver.quality import breaks_per_attendee
from scheduler.solver.solve import solve
from scheduler.validate.check import check_schedule

# Small enough to solve in seconds, crowded enough that first come, first served leaves room.
DOCUMENT = generate_instance(120, 1500, days=2, tables=10, seed=8, entitlements=0.2)


def _solve_by_neighbourhoods(seed: int = 0, on_progress=None) -> dict:
    """The event-scale path (`slot_model_limit=0` keeps the slot-by-slot model out), its
    budget of deterministic units small enough to be spent long before the wall-clock cap."""
    instance, _ = instance_from_document(DOCUMENT)
    settings = SolverSettings(time_limit=20, workers=1, seed=seed, slot_model_limit=0)
    schedule = solve(instance, settings, on_progress)
    return json.loads(json.dumps(schedule_to_document(schedule, instance)))


def test_improves_first_come_first_served_and_keeps_every_rule():
    prepared = Prepared(instance_from_document(DOCUMENT)[0])
    booking = greedy_schedule(prepared)
    before = booking.score()
    settings = SolverSettings(workers=1, seed=1)
    improve(booking, settings, None, time.monotonic() + 30, units=4.0)
    assert booking.score() > before
    held = Counter(c for p in booking.placements.values() for c in p.request.request.companies)
    assert all(held[c] <= limit for c, limit in prepared.max_meetings.items())
    document = schedule_to_document(_as_schedule(booking), prepared.instance)
    assert check_schedule(DOCUMENT, json.loads(json.dumps(document))) == []


def _as_schedule(booking):
    from scheduler.domain import Schedule, Unscheduled

    unscheduled = [
        Unscheduled(r.id, "not placed")
        for r in booking.prepared.requests
        if r.id not in booking.placements
    ]
    return Schedule(booking.meetings(), unscheduled, {})


def test_event_scale_path_reports_the_search_and_is_valid():
    seen: list[Progress] = []
    schedule = _solve_by_neighbourhoods(on_progress=seen.append)
    assert check_schedule(DOCUMENT, schedule) == []
    assert "improving" in [p.stage for p in seen]
    summary = schedule["summary"]
    shortfall = sum(e["min_meetings"] - e["meetings"] for e in summary["entitlements"])
    greedy = greedy_schedule(Prepared(instance_from_document(DOCUMENT)[0]))
    assert (-shortfall, summary["objective"]) >= greedy.score()  # guarantees first, then count


def test_same_seed_same_schedule_by_neighbourhoods(monkeypatch):
    monkeypatch.setattr(lns, "UNITS_PER_SECOND", 0.1)
    first, second = _solve_by_neighbourhoods(seed=4), _solve_by_neighbourhoods(seed=4)
    for schedule in (first, second):
        schedule["summary"].pop("seconds")
        schedule["summary"].pop("stage_seconds")  # wall-clock figures, like seconds
    assert first == second


def test_compact_by_neighbourhoods_has_fewer_breaks_and_the_same_count():
    instance, _ = instance_from_document(DOCUMENT)
    prepared = Prepared(instance)
    booking = greedy_schedule(prepared)
    count, met = booking.objective(), set(booking.placements)
    before = sum(breaks_per_attendee(prepared, booking.attendee_busy).values())
    fewer_breaks_by_neighbourhoods(booking, SolverSettings(workers=1), time.monotonic() + 30, 3.0)
    after = sum(breaks_per_attendee(prepared, booking.attendee_busy).values())
    assert after < before
    assert (booking.objective(), set(booking.placements)) == (count, met)
    document = schedule_to_document(_as_schedule(booking), instance)
    assert check_schedule(DOCUMENT, json.loads(json.dumps(document))) == []


def test_repair_gives_guaranteed_meetings_the_first_schedule_misses():
    """`repair_shortfall`: neighbourhoods from the companies short of their guarantee only,
    until no more are missing than asked; every rule kept."""
    prepared = Prepared(instance_from_document(DOCUMENT)[0])
    booking = greedy_schedule(prepared)
    before = booking.shortfall()
    assert before > 0
    lns.repair_shortfall(booking, SolverSettings(workers=1), time.monotonic() + 30, 3.0, 0)
    assert booking.shortfall() < before
    document = schedule_to_document(_as_schedule(booking), prepared.instance)
    assert check_schedule(DOCUMENT, json.loads(json.dumps(document))) == []
