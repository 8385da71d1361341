"""Capacity planning: the bound is proven, `tables_needed` is tight against real solves."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from click.testing import CliRunner

from scheduler.capacity import (
    _bound_at,
    count_bound,
    needed_count,
    plan_capacity,
    real_solver,
    with_longer_sessions,
    with_more_sessions,
    with_slot_minutes,
    with_tables,
)
from scheduler.cli.commands import main
from scheduler.formats.instance_reader import instance_from_document
from scheduler.generate.instances import generate_instance
from scheduler.solver.cpsat import SolverSettings
from scheduler.solver.prepare import Prepared
from scheduler.solver.solve import solve


def _generated(companies=40, requests=300, days=1, tables=3, seed=3):
    document = generate_instance(
        companies=companies, requests=requests, days=days, tables=tables, seed=seed
    )
    return replace(instance_from_document(document)[0], fixed=())


def _solved(instance, seconds: float = 5.0) -> int:
    return len(solve(instance, SolverSettings(time_limit=seconds, workers=2)).meetings)


@pytest.mark.parametrize("seed", [3, 8])
def test_tables_needed_is_met_by_a_real_solve_and_a_few_fewer_cannot_be(seed):
    instance = _generated(seed=seed)
    target = 0.7
    report = plan_capacity(instance, target, real_solver(5.0))
    needed = needed_count(target, len(instance.requests))
    tables = report.tables_needed
    assert tables is not None and tables > 3
    assert _solved(with_tables(instance, tables)) >= needed  # does
    below = report.proof["below"]
    assert tables - below <= 3  # tight: at most two tables between "cannot" and "does"
    prepared = Prepared(with_tables(instance, below))
    owned = sum(1 for loc in instance.locations if loc.owner)
    assert _bound_at(prepared, owned, below) < needed  # the proof: no schedule reaches it
    assert _solved(with_tables(instance, below), 3.0) < needed  # and a real solve agrees


def test_no_number_of_tables_when_people_are_the_limit_names_the_companies():
    instance = _generated(seed=3)
    report = plan_capacity(instance, 0.99, real_solver(3.0))
    assert report.tables_needed is None
    companies = report.bottleneck["companies"]
    assert companies and all(c["wanted"] > c["holds"] for c in companies)
    unlimited = with_tables(instance, 500)
    assert _solved(unlimited) <= report.bottleneck["unlimited_tables_bound"]
    assert report.bottleneck["unlimited_tables_bound"] < needed_count(0.99, 300)


def test_the_bound_is_never_below_a_real_schedule():
    for seed in (1, 2):
        instance = _generated(companies=30, requests=150, tables=4, seed=seed)
        for variant in (
            instance,
            with_tables(instance, 8),
            with_more_sessions(instance, 1),
            with_longer_sessions(instance, 2),
            with_slot_minutes(instance, 20),
        ):
            assert _solved(variant, 3.0) <= count_bound(Prepared(variant)).met


def test_the_curves_rise_with_capacity():
    report = plan_capacity(_generated(seed=5), 0.5, real_solver(3.0))
    for points in report.curves.values():
        bounds = [p.bound for p in points]
        assert bounds == sorted(bounds)
    assert report.curves["tables"][-1].met > report.current.met


def test_the_command_writes_json(tmp_path):

    path, out = tmp_path / "event.json", tmp_path / "capacity.json"
    path.write_text(
        json.dumps(generate_instance(companies=20, requests=80, days=1, tables=2, seed=1))
    )
    result = CliRunner().invoke(
        main, ["capacity", str(path), "--target", "0.6", "-o", str(out), "--verify-seconds", "2"]
    )
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    assert written["format"] == "partnering-capacity/1"
    assert set(written["curves"]) == {"tables", "sessions", "longer_sessions", "shorter_slots"}
    assert "tables_needed" in written and str(written["tables"]) in result.output
