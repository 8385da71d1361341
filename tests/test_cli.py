"""The `partnering` command as a planner uses it: generate, validate, solve, check."""

from __future__ import annotations

import io
import json

from click.testing import CliRunner

from scheduler.cli.commands import main
from tests.conftest import EXAMPLE, make_instance


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_generate_validate_solve_check(tmp_path):
    instance, schedule = tmp_path / "event.json", tmp_path / "schedule.json"
    generated = run(
        "generate",
        "--companies",
        30,
        "--requests",
        120,
        "--days",
        2,
        "--tables",
        8,
        "--seed",
        5,
        "-o",
        instance,
    )
    assert generated.exit_code == 0, generated.output
    assert run("validate", instance).exit_code == 0
    solved = run("solve", instance, "-o", schedule, "--time-limit", 5, "--quiet")
    assert solved.exit_code == 0, solved.output
    assert "requests scheduled" in solved.output
    checked = run("check", instance, schedule)
    assert checked.exit_code == 0, checked.output
    assert "valid" in checked.output


def test_check_rejects_a_broken_schedule_with_exit_1(tmp_path):
    instance, schedule = tmp_path / "event.json", tmp_path / "schedule.json"
    instance.write_text(json.dumps(make_instance()))
    assert run("solve", instance, "-o", schedule, "--quiet").exit_code == 0
    document = json.loads(schedule.read_text())
    document["meetings"][0]["location"] = "T9"
    schedule.write_text(json.dumps(document))
    result = run("check", instance, schedule)
    assert result.exit_code == 1
    assert "rule 5" in result.output and "T9" in result.output


def test_solve_refuses_a_broken_instance_with_exit_2_and_writes_nothing(tmp_path):
    document = make_instance()
    document["requests"][0]["to"] = "bgi"
    instance, schedule = tmp_path / "event.json", tmp_path / "schedule.json"
    instance.write_text(json.dumps(document))
    result = run("solve", instance, "-o", schedule)
    assert result.exit_code == 2
    assert 'requests[0].to: unknown company "bgi" (did you mean "big"?)' in result.output
    assert not schedule.exists()


def test_fixed_meetings_that_cannot_share_the_only_table_are_reported(tmp_path):
    document = make_instance(
        fixed=[
            {"request": "r1", "start": "2026-10-14T10:00"},
            {"request": "r2", "start": "2026-10-14T10:00"},
        ]
    )
    instance = tmp_path / "event.json"
    instance.write_text(json.dumps(document))
    result = run("solve", instance, "-o", tmp_path / "s.json")
    assert result.exit_code == 2
    assert "fixed[1]" in result.output and "Traceback" not in result.output


def test_example_schedule_in_the_repository_is_valid():
    result = run("check", EXAMPLE, EXAMPLE.with_name("schedule.json"))
    assert result.exit_code == 0, result.output


def test_generate_refuses_impossible_counts():
    result = run("generate", "--companies", 3, "--requests", 10)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_progress_bar_shows_every_stage_without_error():
    from rich.console import Console

    from scheduler.cli.progress import SolveProgress
    from scheduler.solver.cpsat import Progress

    console = Console(record=True, width=120, file=io.StringIO())
    with SolveProgress(10, console=console) as progress:
        for report in (
            Progress("preparing", 0.1),
            Progress("building the model", 0.2, objective=40),
            Progress("searching", 0.3, objective=41, bound=50),
        ):
            progress.update(report)
            progress.render()
    text = console.export_text()
    assert "obj 41 bound 50 gap 18.00%" in text
