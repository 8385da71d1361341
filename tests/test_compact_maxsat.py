"""The exact answer for compact agendas (MaxSAT): it agrees with CP-SAT proven optimal on
small random events, keeps the per-person limit where it can, and its child processes stop
at the deadline and on cancel."""

from __future__ import annotations

import multiprocessing
import random
import time

import pytest
from ortools.sat.python import cp_model

from scheduler.formats.instance_reader import instance_from_document
from scheduler.solver.compact import add_breaks
from scheduler.solver.compact_maxsat import BreakFormula, encode, solve_formula
from scheduler.solver.cpsat import Cancelled, CpSatModel
from scheduler.solver.formulation import build_formulation
from scheduler.solver.prepare import Prepared
from tests.conftest import solve_checked

SEEDS = range(6)


def small_event(seed: int) -> dict:
    """Eight one-person companies, two sessions of four slots, two tables, a dozen requests
    and a few blocked hours: small enough for CP-SAT to prove the fewest breaks."""
    generator = random.Random(seed)
    companies = [
        {
            "id": f"c{i}",
            "name": f"Company {i}",
            "role": "corporate" if i < 3 else "delegation",
            "attendees": [{"id": f"c{i}-a", "name": f"Person {i}"}],
        }
        for i in range(8)
    ]
    for company in generator.sample(companies, 3):
        hour = generator.choice(["09:00", "10:00", "13:00", "14:00"])
        end = f"{int(hour[:2]) + 1:02d}:00"
        company["unavailable"] = [{"start": f"2026-10-14T{hour}", "end": f"2026-10-14T{end}"}]
    pairs = generator.sample([(a, b) for a in range(8) for b in range(a + 1, 8)], 12)
    return {
        "format": "partnering-instance/1",
        "event": {
            "name": "Small",
            "timezone": "Asia/Tokyo",
            "slot_minutes": 30,
            "days": [
                {
                    "date": "2026-10-14",
                    "sessions": [
                        {"start": "09:00", "end": "11:00"},
                        {"start": "13:00", "end": "15:00"},
                    ],
                }
            ],
        },
        "locations": [{"id": f"T{i}", "name": f"Table {i}", "kind": "table"} for i in (1, 2)],
        "companies": companies,
        "requests": [
            {"id": f"r{n}", "from": f"c{a}", "to": f"c{b}", "priority": generator.randint(1, 3)}
            for n, (a, b) in enumerate(pairs)
        ],
    }


def fewest_breaks_by_cp_sat(prepared: Prepared) -> int | None:
    """Every request placed and fewest breaks, proven by CP-SAT; None if not all fit."""
    formulation = build_formulation(prepared)
    model = CpSatModel(formulation)
    for variables in formulation.by_request.values():
        model.model.add_exactly_one(model.x[v] for v in variables)
    model.model.minimize(sum(add_breaks(model, prepared).values()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 20
    status = solver.solve(model.model)
    assert status in (cp_model.OPTIMAL, cp_model.INFEASIBLE), "CP-SAT did not prove it"
    return round(solver.objective_value) if status == cp_model.OPTIMAL else None


@pytest.mark.parametrize("seed", SEEDS)
def test_both_ways_of_writing_it_find_cp_sats_proven_fewest_breaks(seed):
    instance, _ = instance_from_document(small_event(seed))
    prepared = Prepared(instance)
    formulation = build_formulation(prepared)
    expected = fewest_breaks_by_cp_sat(prepared)
    for per_person in (False, True):
        formula = encode(prepared, formulation, True, None, False, per_person)
        answer = solve_formula([formula], time.monotonic() + 30)
        assert answer is not None
        if expected is None:
            assert answer.impossible
        else:
            assert answer.cost == expected
            assert sorted(k[0] for k in answer.chosen) == sorted(formulation.by_request)


def test_the_limit_is_kept_wherever_some_schedule_keeps_it():
    """Over the random events: with --max-breaks 0, no one has a break whenever the rule
    can hold with every request placed, and the schedule says so."""
    checked = 0
    for seed in SEEDS:
        document = small_event(seed)
        instance, _ = instance_from_document(document)
        prepared = Prepared(instance)
        formulation = build_formulation(prepared)
        formula = encode(prepared, formulation, True, 0, True)
        answer = solve_formula([formula], time.monotonic() + 30)
        if answer is None or answer.impossible:
            continue
        summary = solve_checked(document, time_limit=20, max_breaks=0)["summary"]
        assert summary["scheduled"] == len(formulation.by_request)
        assert summary["max_breaks"] == 0 and summary["people_over_break_limit"] == 0
        checked += 1
    assert checked >= 2  # the events exercise the rule


def hard_formula() -> BreakFormula:
    """Clauses no SAT solver settles in the seconds the tests wait: 12 pigeons in 11 holes."""
    pigeons, holes = 12, 11

    def var(pigeon: int, hole: int) -> int:
        return pigeon * holes + hole + 1

    formula = BreakFormula(keys=[], top=pigeons * holes)
    formula.hard = [[var(p, h) for h in range(holes)] for p in range(pigeons)]
    formula.hard += [
        [-var(p, h), -var(q, h)]
        for h in range(holes)
        for p in range(pigeons)
        for q in range(p + 1, pigeons)
    ]
    formula.soft = [([1], 1)]
    return formula


def children_left(before: set) -> list:
    """Child processes alive now that were not before (the test process may hold others,
    e.g. a worker pool another test file started in the same pytest-xdist process)."""
    return [child for child in multiprocessing.active_children() if child not in before]


def test_no_answer_by_the_deadline_leaves_no_child_behind():
    before = set(multiprocessing.active_children())
    started = time.monotonic()
    assert solve_formula([hard_formula()], time.monotonic() + 1) is None
    assert time.monotonic() - started < 10
    assert children_left(before) == []


def test_cancel_stops_the_children():
    before = set(multiprocessing.active_children())
    asked = []

    def stop() -> bool:
        asked.append(1)
        return len(asked) > 3

    with pytest.raises(Cancelled):
        solve_formula([hard_formula(), hard_formula()], time.monotonic() + 60, stop)
    assert children_left(before) == []
