"""`partnering db upgrade`, `import` and `export` as an organiser runs them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from scheduler.cli.commands import main
from tests.conftest import EXAMPLE


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PARTNERING_INSTANCE_PATH", str(tmp_path / "instance"))

    def invoke(*args):
        return CliRunner().invoke(main, [str(a) for a in args])

    return invoke


def test_import_and_export_round_trip_through_the_default_sqlite_file(run, tmp_path):
    refused = run("import", EXAMPLE, "--event", "bj")
    assert refused.exit_code == 2 and "partnering db upgrade" in refused.output
    assert run("db", "upgrade").exit_code == 0
    assert (tmp_path / "instance" / "partnering.sqlite3").exists()
    first = run("import", EXAMPLE, "--event", "bj")
    assert first.exit_code == 0, first.output
    assert "requests: 206 created" in first.output
    again = run("import", EXAMPLE, "--event", "bj")
    assert "requests: 0 created, 0 updated, 206 unchanged" in again.output
    out = tmp_path / "out.json"
    assert run("export", "--event", "bj", "-o", out).exit_code == 0
    assert json.loads(out.read_text()) == json.loads(EXAMPLE.read_text())
    assert run("validate", out).exit_code == 0


def test_a_broken_sheet_exits_2_with_every_problem_and_writes_nothing(run, tmp_path):
    run("db", "upgrade")
    run("import", EXAMPLE, "--event", "bj")
    sheet = tmp_path / "companies.csv"
    sheet.write_text("id,name,role\nnew-co,New,corp\n,,\nother,,delegation\n", encoding="utf-8")
    result = run("import", sheet, "--event", "bj")
    assert result.exit_code == 2
    assert 'row 2, column role: "corp" is not one of corporate, delegation' in result.output
    assert "row 3: is empty" in result.output
    assert "row 4, column name: is empty" in result.output
    assert "nothing imported" in result.output
    out = tmp_path / "out.xlsx"
    assert run("export", "--event", "bj", "-o", out).exit_code == 0
    from openpyxl import load_workbook

    ids = [row[0] for row in load_workbook(out)["companies"].iter_rows(values_only=True)]
    assert "new-co" not in ids and len(ids) == 41


def test_export_of_an_unknown_event_exits_2(run, tmp_path):
    run("db", "upgrade")
    result = run("export", "--event", "nope", "-o", tmp_path / "x.json")
    assert result.exit_code == 2 and 'no event "nope"' in result.output


def test_an_event_with_a_company_without_people_is_not_exported_as_an_exchange_file(run, tmp_path):
    """The exchange format needs an attendee a company; the sheets (and the API) take a
    company first and its people later. The .json export says which company and writes no
    file; the sheets export the event as it is."""
    run("db", "upgrade")
    run("import", EXAMPLE, "--event", "bj")
    sheet = tmp_path / "companies.csv"
    sheet.write_text("id,name,role\nnew-co,New Co,corporate\n", encoding="utf-8")
    assert run("import", sheet, "--event", "bj").exit_code == 0
    out = tmp_path / "out.json"
    result = run("export", "--event", "bj", "-o", out)
    assert result.exit_code == 2, result.output
    assert ".attendees: must not be empty" in result.output and '"New Co"' in result.output
    assert "export the sheets (.xlsx or .zip)" in result.output
    assert not out.exists() and not list(tmp_path.glob("out.json*"))
    assert run("export", "--event", "bj", "-o", tmp_path / "out.xlsx").exit_code == 0
