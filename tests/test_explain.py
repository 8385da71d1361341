"""`partnering explain`: the detail behind an unscheduled request, and what would make room."""

from __future__ import annotations

import json

from click.testing import CliRunner

from scheduler.cli.commands import main
from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.schedule_io import schedule_from_document
from scheduler.solver.explain import explain_request
from tests.test_stability import crowded_event, published_at_ten, with_new_request


def explain(request_id: str) -> list[str]:
    document = with_new_request(crowded_event())
    instance, _ = instance_from_document(document)
    schedule_document = published_at_ten()
    schedule_document["unscheduled"] = [{"request": "r3", "reason": "Acme is busy"}]
    schedule = schedule_from_document(schedule_document, instance)
    return explain_request(instance, schedule, request_id)


def test_a_scheduled_request_says_when_where_and_who():
    lines = explain("r1")
    assert lines[1] == "Scheduled: Oct 14 10:00-10:30 at T1, with Ann Acme, Bo Big."


def test_an_unscheduled_request_names_the_meeting_in_the_way():
    lines = explain("r3")
    assert lines[0].startswith("Request r3: Cell Co asks to meet Acme Bio, priority 5")
    assert lines[1].startswith("Not scheduled:")
    assert any("Oct 14 10:00: Acme Bio's attendees are in r1 with Big Pharma" in x for x in lines)
    assert "r1 (priority 1)" in lines[-1]


def test_cli_explains_and_rejects_an_unknown_request(tmp_path):
    instance = tmp_path / "instance.json"
    instance.write_text(json.dumps(with_new_request(crowded_event())), encoding="utf-8")
    schedule = tmp_path / "schedule.json"
    document = published_at_ten()
    document["unscheduled"] = [{"request": "r3", "reason": "Acme is busy"}]
    schedule.write_text(json.dumps(document), encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", str(instance), str(schedule), "r3"])
    assert result.exit_code == 0, result.output
    assert "What would make room" in result.output
    result = CliRunner().invoke(main, ["explain", str(instance), str(schedule), "r03"])
    assert result.exit_code == 2
    assert 'no request "r03"' in result.output
