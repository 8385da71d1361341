"""Packages: `max_meetings` is a rule every schedule keeps, `min_meetings` a goal ahead of the
count; the reader, the independent checker and the reasons all know them."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.problems import InvalidInput
from scheduler.generate.instances import generate_instance
from scheduler.solver.greedy import greedy_schedule
from scheduler.solver.prepare import Prepared
from scheduler.solver.reasons import REASON_KINDS, SHORT_KINDS, reason_kind
from scheduler.validate.check import check_schedule
from tests.conftest import make_instance, solve_checked

ONE_SLOT = [{"date": "2026-10-14", "sessions": [{"start": "10:00", "end": "10:30"}]}]


def _one_slot_event(**company_fields: dict) -> dict:
    """Big Pharma can meet one company (one slot, one table): Acme (priority 2) or Cell (1)."""
    document = make_instance()
    document["event"]["days"] = ONE_SLOT
    for company in document["companies"]:
        company.update(company_fields.get(company["id"], {}))
    return document


def _meetings_per_company(document: dict, schedule: dict) -> Counter[str]:
    requests = {r["id"]: r for r in document["requests"]}
    held: Counter[str] = Counter()
    for meeting in schedule["meetings"]:
        request = requests[meeting["request"]]
        held.update({request["from"], request["to"]})
    return held


# --- the solver ------------------------------------------------------------------------------


def test_guarantee_comes_before_the_count():
    without = solve_checked(_one_slot_event())
    assert [m["request"] for m in without["meetings"]] == ["r1"]  # priority 2 wins
    document = _one_slot_event(cell={"min_meetings": 1})
    schedule = solve_checked(document)
    assert [m["request"] for m in schedule["meetings"]] == ["r2"]
    assert schedule["summary"]["entitlements_short"] == 0


def test_company_left_short_is_counted_with_its_reason():
    document = _one_slot_event(cell={"min_meetings": 2})
    schedule = solve_checked(document)
    assert schedule["summary"]["entitlements_short"] == 1
    [short] = schedule["summary"]["entitlements"]
    assert (short["company"], short["meetings"], short["kind"]) == ("cell", 1, "too_few_requests")
    assert "only 1 accepted requests" in short["reason"]


def test_short_because_the_partner_has_its_event_maximum():
    document = make_instance()
    document["companies"][1]["max_meetings"] = 1  # Big Pharma
    document["companies"][2]["min_meetings"] = 1  # Cell Co: its one request is to Big
    document["companies"][0]["min_meetings"] = 1  # Acme too: one of them is left short
    schedule = solve_checked(document)
    assert len(schedule["meetings"]) == 1
    [short] = schedule["summary"]["entitlements"]
    assert short["kind"] == "partners_event_max" and short["kind"] in SHORT_KINDS
    [unscheduled] = schedule["unscheduled"]
    assert "maximum of 1 meetings for the whole event" in unscheduled["reason"]
    assert reason_kind(unscheduled["reason"]) == "event_max" and "event_max" in REASON_KINDS


def test_event_maximum_is_never_passed_on_a_generated_event():
    document = generate_instance(60, 500, days=2, tables=12, seed=5, entitlements=0.4)
    limits = {c["id"]: c["max_meetings"] for c in document["companies"] if "max_meetings" in c}
    assert limits
    schedule = solve_checked(document, time_limit=10)
    held = _meetings_per_company(document, schedule)
    assert all(held[c] <= limit for c, limit in limits.items())
    assert any(held[c] == limit for c, limit in limits.items())  # the rule was in the way


def test_guarantees_are_given_where_first_come_first_served_leaves_them():
    document = generate_instance(60, 500, days=2, tables=12, seed=5, entitlements=0.4)
    schedule = solve_checked(document, time_limit=10, fair=True)
    greedy = greedy_schedule(Prepared(instance_from_document(document)[0]))
    assert greedy.entitlements_short() > 0  # the test would prove nothing otherwise
    assert schedule["summary"]["entitlements_short"] < greedy.entitlements_short()
    for short in schedule["summary"]["entitlements"]:
        assert short["kind"] in SHORT_KINDS and short["reason"]


def test_generated_packages_leave_the_rest_of_the_instance_alone():
    plain = generate_instance(40, 200, days=2, tables=6, seed=3)
    packaged = generate_instance(40, 200, days=2, tables=6, seed=3, entitlements=0.5)
    assert plain["requests"] == packaged["requests"]
    assert sum("min_meetings" in c for c in packaged["companies"]) == 20
    for company in packaged["companies"]:
        assert company.get("max_meetings", 10**6) >= company.get("min_meetings", 0)


# --- the reader --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("min_meetings", 0, "positive"),
        ("max_meetings", -3, "positive"),
        ("max_meetings", "ten", "whole number"),
        ("min_meetings", 10**6, "at most"),
    ],
)
def test_reader_refuses_bad_values_at_their_place(field, value, words):
    document = make_instance()
    document["companies"][0][field] = value
    with pytest.raises(InvalidInput) as raised:
        instance_from_document(document)
    [problem] = raised.value.problems
    assert problem.place == f"companies[0].{field}" and words in problem.message


def test_reader_refuses_a_guarantee_above_the_maximum():
    document = make_instance()
    document["companies"][0].update(min_meetings=5, max_meetings=3)
    with pytest.raises(InvalidInput) as raised:
        instance_from_document(document)
    [problem] = raised.value.problems
    assert problem.place == "companies[0].min_meetings" and "max_meetings of 3" in problem.message


def test_reader_refuses_more_fixed_meetings_than_the_maximum():
    document = make_instance(
        fixed=[
            {"request": "r1", "start": "2026-10-14T10:00"},
            {"request": "r2", "start": "2026-10-14T10:30"},
        ]
    )
    document["companies"][1]["max_meetings"] = 1
    with pytest.raises(InvalidInput) as raised:
        instance_from_document(document)
    assert any("max_meetings of 1" in p.message for p in raised.value.problems)


def test_reader_warns_of_a_guarantee_its_requests_cannot_reach():
    document = make_instance()
    document["companies"][0]["min_meetings"] = 3  # Acme has one request
    instance, warnings = instance_from_document(document)
    assert instance.companies[0].min_meetings == 3
    assert [w.place for w in warnings] == ["companies[0].min_meetings"]


# --- the independent checker ----------------------------------------------------------------


def _two_meetings_with_big() -> tuple[dict, dict]:
    document = make_instance()
    schedule = {
        "format": "partnering-schedule/1",
        "meetings": [
            {
                "request": "r1",
                "start": "2026-10-14T10:00",
                "end": "2026-10-14T10:30",
                "location": "T1",
                "attendees": ["acme-1", "big-1"],
            },
            {
                "request": "r2",
                "start": "2026-10-14T10:30",
                "end": "2026-10-14T11:00",
                "location": "T1",
                "attendees": ["cell-1", "big-1"],
            },
        ],
        "unscheduled": [],
    }
    return document, schedule


def test_checker_refuses_a_schedule_over_the_event_maximum():
    document, schedule = _two_meetings_with_big()
    assert check_schedule(document, schedule) == []
    document["companies"][1]["max_meetings"] = 1
    violations = check_schedule(document, schedule)
    assert [(v.rule, v.place) for v in violations] == [(7, "meetings[1]")]
    assert "max_meetings of 1" in violations[0].message


def test_checker_counts_companies_short_of_their_guarantee():
    document, schedule = _two_meetings_with_big()
    document["companies"][0]["min_meetings"] = 2  # Acme has one meeting
    schedule["summary"] = {"entitlements_short": 0}
    violations = check_schedule(document, schedule)
    assert [v.place for v in violations] == ["summary.entitlements_short"]
    schedule["summary"] = {"entitlements_short": 1}
    assert check_schedule(document, schedule) == []


def test_explain_tells_a_company_why_it_is_short(tmp_path):
    from click.testing import CliRunner

    from scheduler.cli.commands import main

    document = _one_slot_event(cell={"min_meetings": 2})
    schedule = solve_checked(document)
    (tmp_path / "i.json").write_text(json.dumps(document), encoding="utf-8")
    (tmp_path / "s.json").write_text(json.dumps(schedule), encoding="utf-8")
    files = [str(tmp_path / "i.json"), str(tmp_path / "s.json")]
    told = CliRunner().invoke(main, ["explain", *files, "cell"])
    assert told.exit_code == 0, told.output
    assert "Short of its guarantee" in told.output and "only 1 accepted requests" in told.output
    checked = CliRunner().invoke(main, ["check", *files])
    assert "1 companies short of their guaranteed meetings" in checked.output
