"""Capacity planning: the bound is proven, `tables_needed` is tight against real solves."""

from __future__ import annotations

import json
import time
from dataclasses import replace

import pytest
from click.testing import CliRunner

from scheduler.capacity import (
    Probe,
    _answer_at_scale,
    _bound_at,
    _Estimates,
    _next_asks,
    count_bound,
    needed_count,
    plan_capacity,
    real_solver,
    shared_tables,
    smallest_tables_by_bound,
    tables_needed,
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
def test_tables_needed_is_met_by_a_real_solve_and_one_fewer_is_not(seed):
    instance = _generated(seed=seed)
    target = 0.7
    report = plan_capacity(instance, target, real_solver(5.0), seconds=None)
    needed = needed_count(target, len(instance.requests))
    tables = report.tables_needed
    assert tables is not None and tables > 3
    assert report.proof["confirmed"] and report.proof["bracket"] == [tables - 1, tables]
    # the same solver as the probes, run to its end, agrees on both sides
    assert _solved(with_tables(instance, tables)) >= needed
    assert _solved(with_tables(instance, tables - 1)) < needed
    below = report.proof["below"]
    prepared = Prepared(with_tables(instance, below))
    owned = sum(1 for loc in instance.locations if loc.owner)
    assert _bound_at(prepared, owned, below) < needed  # the proof: no schedule reaches it


def _line(per_table: int, threshold: int):
    """A solver whose count grows by `per_table` meetings a table and reaches `needed` at
    `threshold` tables; every probe finished."""
    calls = []

    def probe(instance, needed, full=False, deadline=None):
        tables = len(shared_tables(instance))
        calls.append(tables)
        met = needed + per_table * (tables - threshold)
        return Probe(tables, met, met >= needed, "end", 1.0)

    return probe, calls


def _lowest(instance, target):
    owned = sum(1 for loc in instance.locations if loc.owner)
    needed = needed_count(target, len(instance.requests))
    return smallest_tables_by_bound(Prepared(instance), owned, needed)


@pytest.mark.parametrize("above", [0, 1, 6, 9])  # enough_tables: 21, the bound 12
def test_the_search_names_the_first_number_a_solve_reaches_with_few_solves(above):
    instance = _generated(seed=3)
    threshold = _lowest(instance, 0.6) + above  # the solve needs this many more than the bound
    probe, calls = _line(7, threshold)
    tables, proof = tables_needed(instance, 0.6, probe)
    assert tables == threshold
    assert proof["confirmed"] and proof["bracket"] == [tables - 1, tables]
    assert len(calls) <= 4 and len(set(calls)) == len(calls)


def test_out_of_time_the_answer_is_a_number_reached_and_the_bracket_says_so():
    instance = _generated(seed=3)
    probe, calls = _line(7, _lowest(instance, 0.6) + 6)
    tables, proof = tables_needed(instance, 0.6, probe, deadline=time.monotonic() - 1)
    assert calls == [] and not proof["confirmed"]
    assert proof["yes_by"] == "first come, first served" and tables == proof["quick"]
    assert proof["bracket"] == [proof["below"], tables]


def test_a_probe_stops_once_the_neighbourhood_search_is_well_past_the_count():
    instance = _generated(seed=5, tables=8)  # the rounding leaves the search something
    searched = SolverSettings(time_limit=5, workers=2, slot_model_limit=0)  # as at scale
    first = len(solve(instance, searched).meetings)
    probe = real_solver(base=searched)(instance, needed=first // 2)
    assert probe.reached and not probe.finished and probe.met >= first // 2
    hopeless = real_solver(base=searched)(instance, needed=len(instance.requests))
    assert hopeless.how == "search start" and not hopeless.reached
    whole = real_solver(base=searched)(instance, needed=len(instance.requests), full=True)
    assert whole.finished and not whole.reached and whole.met == first


def test_before_the_neighbourhood_search_a_probe_runs_to_its_end():
    """CP-SAT on the slot-by-slot model weighs priorities: its count may fall on the way
    (300 requests: 210 once, 207 at the end), so a count seen there answers nothing."""
    instance = _generated(seed=3)
    first = len(solve(instance, SolverSettings(time_limit=5, workers=2)).meetings)
    probe = real_solver(5.0)(instance, needed=first // 2)
    assert probe.finished and probe.reached and probe.met == first


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
        main,
        [
            "capacity",
            str(path),
            "--target",
            "0.6",
            "-o",
            str(out),
            "--verify-seconds",
            "2",
            "--time-limit",
            "30",
        ],
    )
    assert result.exit_code == 0, result.output
    written = json.loads(out.read_text())
    assert written["format"] == "partnering-capacity/1"
    assert set(written["curves"]) == {"tables", "sessions", "longer_sessions", "shorter_slots"}
    assert "tables_needed" in written and str(written["tables"]) in result.output


def test_a_target_the_solve_never_reaches_is_none_without_probing_past_enough_tables():
    instance = _generated(seed=3)
    calls = []

    def never(instance, needed, full=False, deadline=None):
        tables = len(shared_tables(instance))
        calls.append(tables)
        return Probe(tables, needed - 1, False, "end", 1.0)

    tables, proof = tables_needed(instance, 0.6, never)
    assert tables is None and proof["unreached"]
    assert calls and max(calls) == proof["most_tables"] and len(calls) <= 12


class _SearchAdds:
    """A probe runner at event scale: at `tables` the count where the neighbourhood search
    starts is `per_table` a table from `needed` at `start_threshold`, and the search adds
    `gain` to it by its end."""

    def __init__(self, per_table: int, start_threshold: int, gain: int) -> None:
        self.settings = SolverSettings(slot_model_limit=0)  # every solve starts the search
        self.per_table, self.threshold, self.gain = per_table, start_threshold, gain
        self.asked: list[tuple[int, str]] = []

    def many(self, instance, asks, needed, deadline):
        probes = []
        for tables, how in asks:
            self.asked.append((tables, how))
            start = needed + self.per_table * (tables - self.threshold)
            met = start + self.gain if how == "full" else start
            done = "end" if how == "full" else "search start"
            probes.append(Probe(tables, met, met >= needed, done, 1.0, start))
        return probes


@pytest.mark.parametrize(("gain", "per_table"), [(0, 7), (1, 7), (10, 4), (16, 4)])
def test_at_scale_the_answer_is_where_the_solve_ends_reaching_not_where_its_search_starts(
    gain, per_table
):
    """Where people are the limit the search adds meetings (BioJapan size: 50-115 at
    600-610 tables): a number taken from the counts where it starts would be padded."""
    instance = _generated(seed=3)
    lowest = _lowest(instance, 0.6)
    runner = _SearchAdds(per_table, lowest + 6, gain)  # enough_tables: 21
    tables, proof = tables_needed(instance, 0.6, runner)
    needed = needed_count(0.6, len(instance.requests))
    first = min(
        t
        for t in range(lowest, lowest + 10)
        if needed + per_table * (t - lowest - 6) + gain >= needed
    )
    assert tables == first
    assert proof["gain"] == gain and proof["confirmed"] and proof["bracket"] == [first - 1, first]
    assert proof["yes_by"] == "solve" and proof["no_by"] == "solve"
    assert runner.asked[:2] == [(lowest, "start"), (lowest + 2, "start")]  # then one to the end
    assert [how for _, how in runner.asked].count("full") <= 5  # one at a time, downwards


def test_at_scale_without_time_for_a_probe_first_come_first_served_answers():
    instance = _generated(seed=3)
    runner = _SearchAdds(4, _lowest(instance, 0.6) + 6, 10)
    tables, proof = tables_needed(instance, 0.6, runner, deadline=time.monotonic() - 1)
    assert runner.asked == [] and proof["yes_by"] == "first come, first served"
    assert tables == proof["quick"] and proof["bracket"] == [proof["below"], tables]


def test_a_probe_asked_for_the_search_start_stops_there_and_says_its_count():
    instance = _generated(seed=5, tables=8)
    searched = SolverSettings(time_limit=5, workers=2, slot_model_limit=0)
    runner = real_solver(base=searched)
    started, ended = runner.many(instance, [(8, "start"), (8, "full")], 1, None)
    assert started.how == "search start" and started.start == started.met
    assert ended.finished and ended.start == started.start and ended.met >= ended.start
    assert ended.met == len(solve(instance, searched).meetings)


def test_at_scale_with_time_for_one_solve_the_counts_at_the_start_take_its_gain():
    """BioJapan size, seed 2026, 65%: the probes of one `partnering capacity` run."""
    found = _Estimates(22750, 580, 900)
    found.probes = [
        Probe(580, 22058, False, "search start", 28.3, 22058),
        Probe(598, 22440, False, "search start", 28.6, 22440),
        Probe(609, 22739, False, "end", 58.6, 22692),
    ]
    assert found.gain() == 47 and found.level() == 22750 + 24
    assert found.points()[598] == (22440 + 47, "search start")
    # on from 609's count at the end, on the slope from 598 (22,487) to it: 22.9 a table
    tables, proof = _answer_at_scale(found)
    assert tables == 611 and proof["bracket"] == [609, 611] and not proof["confirmed"]
    assert proof["yes_by"] == "predicted" and proof["no_by"] == "solve"
    assert _next_asks(found) == [(611, "full")]  # if there is time for it
