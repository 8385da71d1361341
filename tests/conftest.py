"""Shared builders: a tiny event in the exchange format, and solving it end to end."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
from hypothesis import settings

from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.schedule_io import schedule_to_document
from scheduler.solver.cpsat import SolverSettings
from scheduler.solver.solve import solve

# CI replays the same examples every run (a red CI must mean a change broke something);
# on a developer's machine hypothesis explores new examples each time.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "biojapan-2026" / "instance.json"

TINY_EVENT = {
    "format": "partnering-instance/1",
    "event": {
        "name": "Tiny partnering",
        "timezone": "Asia/Tokyo",
        "slot_minutes": 30,
        "days": [{"date": "2026-10-14", "sessions": [{"start": "10:00", "end": "11:30"}]}],
    },
    "locations": [{"id": "T1", "name": "Table 1", "kind": "table"}],
    "companies": [
        {
            "id": "acme",
            "name": "Acme Bio",
            "role": "delegation",
            "delegation": "San Diego",
            "attendees": [{"id": "acme-1", "name": "Ann Acme"}],
        },
        {
            "id": "big",
            "name": "Big Pharma",
            "role": "corporate",
            "attendees": [{"id": "big-1", "name": "Bo Big"}, {"id": "big-2", "name": "Bea Big"}],
        },
        {
            "id": "cell",
            "name": "Cell Co",
            "role": "delegation",
            "delegation": "San Diego",
            "attendees": [{"id": "cell-1", "name": "Cy Cell"}],
        },
    ],
    "requests": [
        {"id": "r1", "from": "acme", "to": "big", "priority": 2},
        {"id": "r2", "from": "cell", "to": "big", "priority": 1},
    ],
}


def make_instance(**changes: object) -> dict:
    """The tiny event with top-level sections replaced, e.g. make_instance(requests=[...])."""
    document = copy.deepcopy(TINY_EVENT)
    document.update(copy.deepcopy(changes))
    return document


def solve_document(document: dict, time_limit: float = 10.0, seed: int = 0) -> dict:
    """Read, solve and write back: the schedule document the CLI would write."""
    instance, _ = instance_from_document(document)
    schedule = solve(instance, SolverSettings(time_limit=time_limit, workers=1, seed=seed))
    return json.loads(json.dumps(schedule_to_document(schedule, instance)))


def solve_checked(document: dict, time_limit: float = 10.0, **settings: object) -> dict:
    """Solve with the given solver settings (compact, fair, ...); the schedule must pass the
    independent checker."""
    from scheduler.validate.check import check_schedule

    instance, _ = instance_from_document(document)
    solver_settings = SolverSettings(time_limit=time_limit, workers=1, **settings)
    schedule = solve(instance, solver_settings)
    result = json.loads(json.dumps(schedule_to_document(schedule, instance)))
    assert check_schedule(document, result) == []
    return result


@pytest.fixture
def example_document() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))
