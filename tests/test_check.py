"""The independent validator: a tiny valid schedule passes, and each rule catches its break."""

from __future__ import annotations

import ast
import copy
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.validate.check import Violation, check_schedule, objective

DAY = "2026-10-14"

INSTANCE = {
    "format": "partnering-instance/1",
    "event": {
        "name": "Check fixture",
        "timezone": "Asia/Tokyo",
        "slot_minutes": 30,
        "days": [
            {
                "date": DAY,
                "sessions": [
                    {"start": "10:00", "end": "12:00"},
                    {"start": "13:00", "end": "15:00"},
                ],
            }
        ],
    },
    "locations": [
        {"id": "T1", "name": "Table 1", "kind": "table"},
        {"id": "T2", "name": "Table 2", "kind": "table"},
        {"id": "R-BIG", "name": "Big's room", "kind": "room", "owner": "big"},
    ],
    "companies": [
        {
            "id": "acme",
            "role": "delegation",
            "attendees": [
                {"id": "acme-1"},
                {"id": "acme-2", "unavailable": [{"start": f"{DAY}T11:00", "end": f"{DAY}T12:00"}]},
            ],
            "unavailable": [{"start": f"{DAY}T14:30", "end": f"{DAY}T15:00"}],
            "max_meetings_per_day": 2,
        },
        {
            "id": "big",
            "role": "corporate",
            "attendees": [
                {"id": "big-1"},
                {"id": "big-2", "unavailable": [{"start": f"{DAY}T11:30", "end": f"{DAY}T12:00"}]},
            ],
        },
        {"id": "cell", "role": "delegation", "attendees": [{"id": "cell-1"}]},
    ],
    "requests": [
        {"id": "r1", "from": "acme", "to": "big", "priority": 3},
        {
            "id": "r2",
            "from": "cell",
            "to": "big",
            "attendees": ["big-2"],
            "slots": 2,
            "within": [{"start": f"{DAY}T13:00", "end": f"{DAY}T15:00"}],
        },
        {"id": "r3", "from": "cell", "to": "acme", "priority": 2},
    ],
    "fixed": [{"request": "r1", "start": f"{DAY}T10:00", "location": "T1"}],
}

SCHEDULE = {
    "format": "partnering-schedule/1",
    "meetings": [
        {
            "request": "r1",
            "start": f"{DAY}T10:00",
            "end": f"{DAY}T10:30",
            "location": "T1",
            "attendees": ["acme-1", "big-1"],
        },
        {
            "request": "r2",
            "start": f"{DAY}T13:00",
            "end": f"{DAY}T14:00",
            "location": "R-BIG",
            "attendees": ["cell-1", "big-2"],
        },
    ],
    "unscheduled": [{"request": "r3", "reason": "Cell Co and Acme have no common free slot"}],
    "summary": {"requests": 3, "scheduled": 2, "objective": 4, "bound": 6, "status": "FEASIBLE"},
}


@pytest.fixture
def instance() -> dict:
    return copy.deepcopy(INSTANCE)


@pytest.fixture
def schedule() -> dict:
    return copy.deepcopy(SCHEDULE)


def meeting(request: str, start: str, end: str, location: str, *people: str) -> dict:
    """A meeting on the fixture's day, times given as HH:MM."""
    return {
        "request": request,
        "start": f"{DAY}T{start}",
        "end": f"{DAY}T{end}",
        "location": location,
        "attendees": list(people),
    }


def meet_r3(schedule: dict, start: str, end: str, location: str, *people: str) -> dict:
    """The fixture's schedule with r3 met as given instead of listed unscheduled."""
    schedule["meetings"].append(meeting("r3", start, end, location, *people))
    schedule["unscheduled"] = []
    del schedule["summary"]
    return schedule


def rules(instance: dict, schedule: Any) -> set[int]:
    """The rule numbers that the schedule breaks."""
    return {v.rule for v in check_schedule(instance, schedule)}


# --- the valid schedule, and the API ------------------------------------------------------------


def test_valid_schedule_has_no_violation(instance, schedule):
    assert check_schedule(instance, schedule) == []
    assert objective(instance, schedule) == 4


def test_violation_reads_as_place_rule_message():
    assert (
        str(Violation(4, "meetings[3]", "acme-1 is in two"))
        == "meetings[3]: rule 4: acme-1 is in two"
    )
    assert str(Violation(0, "meetings[3].start", "is missing")) == "meetings[3].start: is missing"


def test_objective_counts_each_met_request_once(instance, schedule):
    schedule["meetings"].append(meeting("r1", "11:00", "11:30", "T2", "acme-1", "big-1"))
    schedule["meetings"].append(meeting("r9", "11:00", "11:30", "T1", "cell-1", "big-1"))
    assert objective(instance, schedule) == 4
    assert objective(instance, {"meetings": "no"}) == 0


def test_checker_imports_only_the_standard_library():
    source = Path(__file__).resolve().parent.parent / "scheduler" / "validate" / "check.py"
    modules = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports"
            modules.add((node.module or "").split(".")[0])
    assert modules <= set(sys.stdlib_module_names) | {"__future__"}


# --- rule 1: requests met once, or listed unscheduled with a reason -------------------------------


def test_rule1_meeting_of_unknown_request(instance, schedule):
    schedule["meetings"].append(meeting("r9", "11:00", "11:30", "T2", "acme-1", "cell-1"))
    del schedule["summary"]
    assert rules(instance, schedule) == {1}


def test_rule1_request_met_twice(instance, schedule):
    schedule["meetings"].append(meeting("r1", "11:00", "11:30", "T2", "acme-1", "big-1"))
    del schedule["summary"]
    violations = check_schedule(instance, schedule)
    assert [(v.rule, v.place) for v in violations] == [(1, "meetings[2]")]
    assert "meetings[0]" in violations[0].message


def test_rule1_request_neither_met_nor_listed(instance, schedule):
    schedule["unscheduled"] = []
    violations = check_schedule(instance, schedule)
    assert [v.rule for v in violations] == [1]
    assert "r3" in violations[0].message


@pytest.mark.parametrize("reason", ["", "   ", None, 42])
def test_rule1_unscheduled_needs_a_reason(instance, schedule, reason):
    schedule["unscheduled"][0]["reason"] = reason
    assert rules(instance, schedule) == {1}


def test_rule1_unscheduled_without_reason_field(instance, schedule):
    del schedule["unscheduled"][0]["reason"]
    assert rules(instance, schedule) == {1}


def test_rule1_request_both_met_and_unscheduled(instance, schedule):
    schedule["unscheduled"].append({"request": "r1", "reason": "too busy"})
    assert rules(instance, schedule) == {1}


def test_rule1_unscheduled_unknown_request(instance, schedule):
    schedule["unscheduled"].append({"request": "r9", "reason": "no such thing"})
    assert rules(instance, schedule) == {1}


# --- rule 2: slot boundaries, length, one session, within windows --------------------------------


def test_rule2_start_off_the_slot_grid(instance, schedule):
    schedule["meetings"][1].update(start=f"{DAY}T13:15", end=f"{DAY}T14:15")
    assert rules(instance, schedule) == {2}


def test_rule2_wrong_length(instance, schedule):
    schedule["meetings"][1]["end"] = f"{DAY}T13:30"
    violations = check_schedule(instance, schedule)
    assert [(v.rule, v.place) for v in violations] == [(2, "meetings[1].end")]
    assert "60 minutes" in violations[0].message


def test_rule2_end_before_start(instance, schedule):
    schedule["meetings"][1]["end"] = f"{DAY}T12:30"
    assert rules(instance, schedule) == {2}


def test_rule2_outside_every_session(instance, schedule):
    schedule["meetings"][1].update(start=f"{DAY}T12:00", end=f"{DAY}T13:00")
    assert rules(instance, schedule) == {2}


def test_rule2_across_the_end_of_a_session(instance, schedule):
    schedule["meetings"][1].update(start=f"{DAY}T11:30", end=f"{DAY}T12:30")
    schedule["meetings"][1]["attendees"] = ["cell-1", "big-2"]
    instance["requests"][1]["within"] = []
    instance["companies"][1]["attendees"][1]["unavailable"] = []
    assert rules(instance, schedule) == {2}


def test_rule2_outside_the_within_windows(instance, schedule):
    schedule["meetings"][1].update(start=f"{DAY}T10:30", end=f"{DAY}T11:30", location="T2")
    violations = check_schedule(instance, schedule)
    assert [v.rule for v in violations] == [2]
    assert "13:00 to 15:00" in violations[0].message


# --- rule 3: who attends ------------------------------------------------------------------------


def test_rule3_one_company_unrepresented(instance, schedule):
    schedule["meetings"][0]["attendees"] = ["acme-1"]
    violations = check_schedule(instance, schedule)
    assert [(v.rule, v.place) for v in violations] == [(3, "meetings[0].attendees")]
    assert "big" in violations[0].message and "big-1" in violations[0].message


def test_rule3_attendee_from_another_company(instance, schedule):
    schedule["meetings"][0]["attendees"] = ["acme-1", "big-1", "cell-1"]
    assert rules(instance, schedule) == {3}


def test_rule3_named_attendee_missing(instance, schedule):
    schedule["meetings"][1]["attendees"] = ["cell-1", "big-1"]
    violations = check_schedule(instance, schedule)
    assert [v.rule for v in violations] == [3]
    assert "big-2" in violations[0].message


def test_rule3_unknown_attendee(instance, schedule):
    schedule["meetings"][0]["attendees"].append("ghost-1")
    assert rules(instance, schedule) == {3}


# --- rule 4: no one in two places at once --------------------------------------------------------


def test_rule4_attendee_in_two_overlapping_meetings(instance, schedule):
    meet_r3(schedule, "13:30", "14:00", "T1", "cell-1", "acme-1")
    violations = check_schedule(instance, schedule)
    assert [(v.rule, v.place) for v in violations] == [(4, "meetings[2]")]
    assert "cell-1" in violations[0].message and "meetings[1]" in violations[0].message


def test_rule4_back_to_back_meetings_do_not_overlap(instance, schedule):
    meet_r3(schedule, "14:00", "14:30", "T1", "cell-1", "acme-1")
    assert check_schedule(instance, schedule) == []


def test_rule4_finds_an_overlap_hidden_behind_a_long_meeting(instance, schedule):
    # cell-1: r2 13:00-14:30, r3 13:30-14:00, r4 14:00-14:30; r4 clashes with r2, not with r3,
    # its neighbour by start time.
    instance["requests"][1]["slots"] = 3
    instance["requests"].append({"id": "r4", "from": "cell", "to": "big"})
    schedule["meetings"][1]["end"] = f"{DAY}T14:30"
    meet_r3(schedule, "13:30", "14:00", "T1", "cell-1", "acme-1")
    schedule["meetings"].append(meeting("r4", "14:00", "14:30", "T2", "cell-1", "big-1"))
    violations = check_schedule(instance, schedule)
    assert [(v.rule, v.place) for v in violations] == [(4, "meetings[2]"), (4, "meetings[3]")]
    assert all("meetings[1]" in v.message for v in violations)


# --- rule 5: locations --------------------------------------------------------------------------


def test_rule5_location_holds_two_overlapping_meetings(instance, schedule):
    meet_r3(schedule, "10:00", "10:30", "T1", "cell-1", "acme-2")
    violations = check_schedule(instance, schedule)
    assert [(v.rule, v.place) for v in violations] == [(5, "meetings[2]")]
    assert "T1" in violations[0].message


def test_rule5_owned_location_used_by_others(instance, schedule):
    meet_r3(schedule, "10:00", "10:30", "R-BIG", "cell-1", "acme-2")
    violations = check_schedule(instance, schedule)
    assert [(v.rule, v.place) for v in violations] == [(5, "meetings[2].location")]
    assert "big" in violations[0].message


def test_rule5_unknown_location(instance, schedule):
    schedule["meetings"][1]["location"] = "T9"
    assert rules(instance, schedule) == {5}


# --- rule 6: unavailable times ------------------------------------------------------------------


def test_rule6_company_unavailable(instance, schedule):
    meet_r3(schedule, "14:30", "15:00", "T1", "cell-1", "acme-1")
    violations = check_schedule(instance, schedule)
    assert [v.rule for v in violations] == [6]
    assert "company acme" in violations[0].message


def test_rule6_attendee_unavailable_when_attending(instance, schedule):
    meet_r3(schedule, "11:00", "11:30", "T1", "cell-1", "acme-2")
    violations = check_schedule(instance, schedule)
    assert [v.rule for v in violations] == [6]
    assert "acme-2" in violations[0].message


def test_rule6_absent_attendees_unavailability_does_not_matter(instance, schedule):
    meet_r3(schedule, "11:00", "11:30", "T1", "cell-1", "acme-1")
    assert check_schedule(instance, schedule) == []


def test_rule6_interval_touching_the_meeting_is_not_an_overlap(instance, schedule):
    meet_r3(schedule, "14:00", "14:30", "T1", "cell-1", "acme-1")  # acme away from 14:30
    assert check_schedule(instance, schedule) == []


# --- rule 7: meetings per day -------------------------------------------------------------------


def test_rule7_too_many_meetings_in_a_day(instance, schedule):
    instance["companies"][0]["max_meetings_per_day"] = 1
    meet_r3(schedule, "11:00", "11:30", "T2", "cell-1", "acme-1")
    violations = check_schedule(instance, schedule)
    assert [(v.rule, v.place) for v in violations] == [(7, "meetings[2]")]
    assert "acme" in violations[0].message and DAY in violations[0].message


def test_rule7_counts_each_day_apart(instance, schedule):
    instance["event"]["days"].append(
        {"date": "2026-10-15", "sessions": [{"start": "10:00", "end": "12:00"}]}
    )
    instance["companies"][0]["max_meetings_per_day"] = 1
    schedule["meetings"].append(
        {
            "request": "r3",
            "start": "2026-10-15T10:00",
            "end": "2026-10-15T10:30",
            "location": "T1",
            "attendees": ["cell-1", "acme-1"],
        }
    )
    schedule["unscheduled"] = []
    del schedule["summary"]
    assert check_schedule(instance, schedule) == []


# --- rule 8: fixed meetings ---------------------------------------------------------------------


def test_rule8_fixed_meeting_moved(instance, schedule):
    schedule["meetings"][0].update(start=f"{DAY}T10:30", end=f"{DAY}T11:00")
    violations = check_schedule(instance, schedule)
    assert [(v.rule, v.place) for v in violations] == [(8, "meetings[0].start")]
    assert "10:00" in violations[0].message


def test_rule8_fixed_location_changed(instance, schedule):
    schedule["meetings"][0]["location"] = "T2"
    assert rules(instance, schedule) == {8}


def test_rule8_fixed_attendee_missing(instance, schedule):
    instance["fixed"][0]["attendees"] = ["big-2"]
    assert rules(instance, schedule) == {8}
    schedule["meetings"][0]["attendees"] = ["acme-1", "big-2"]
    assert check_schedule(instance, schedule) == []


def test_rule8_fixed_meeting_missing(instance, schedule):
    del schedule["meetings"][0]
    schedule["unscheduled"].append({"request": "r1", "reason": "dropped by hand"})
    del schedule["summary"]
    assert rules(instance, schedule) == {8}


def test_rule8_fixed_without_location_accepts_any(instance, schedule):
    del instance["fixed"][0]["location"]
    schedule["meetings"][0]["location"] = "T2"
    assert check_schedule(instance, schedule) == []


# --- the summary --------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "value"), [("objective", 5), ("scheduled", 3), ("requests", 2)])
def test_summary_figures_must_agree(instance, schedule, name, value):
    schedule["summary"][name] = value
    violations = check_schedule(instance, schedule)
    assert [(v.rule, v.place) for v in violations] == [(0, f"summary.{name}")]


# --- malformed schedules: rule 0, never an exception --------------------------------------------


def test_meetings_not_a_list(instance, schedule):
    schedule["meetings"] = {"request": "r1"}
    violations = check_schedule(instance, schedule)
    assert (0, "meetings") in {(v.rule, v.place) for v in violations}


def test_meeting_without_start(instance, schedule):
    del schedule["meetings"][0]["start"]
    violations = check_schedule(instance, schedule)
    assert (0, "meetings[0].start") in {(v.rule, v.place) for v in violations}


@pytest.mark.parametrize(
    "text",
    ["2026-10-14 10:00", "10:00", "2026-13-14T10:00", "2026-10-14T25:00", "", 1000, None, ["x"]],
)
def test_unparsable_time(instance, schedule, text):
    schedule["meetings"][1]["start"] = text
    violations = check_schedule(instance, schedule)
    assert [(v.rule, v.place) for v in violations] == [(0, "meetings[1].start")]


@pytest.mark.parametrize(
    "document",
    [None, [], "schedule", {}, {"format": "partnering-schedule/1", "meetings": [None, 3, "x"]}],
)
def test_documents_of_the_wrong_shape(instance, document):
    violations = check_schedule(instance, document)
    assert 0 in {v.rule for v in violations}


@pytest.mark.parametrize(
    ("field", "value"),
    [("request", 7), ("location", None), ("attendees", "acme-1, big-1"), ("attendees", [1, None])],
)
def test_meeting_fields_of_the_wrong_type(instance, schedule, field, value):
    schedule["meetings"][0][field] = value
    violations = check_schedule(instance, schedule)
    assert any(v.rule == 0 and v.place.startswith(f"meetings[0].{field}") for v in violations)


def test_attendee_listed_twice(instance, schedule):
    schedule["meetings"][0]["attendees"] = ["acme-1", "big-1", "acme-1"]
    assert [(v.rule, v.place) for v in check_schedule(instance, schedule)] == [
        (0, "meetings[0].attendees[2]")
    ]


def test_wrong_format_and_bad_sections(instance, schedule):
    schedule["format"] = "partnering-schedule/9"
    schedule["unscheduled"] = "r3"
    schedule["summary"] = [4]
    places = {(v.rule, v.place) for v in check_schedule(instance, schedule)}
    assert {(0, "format"), (0, "unscheduled"), (0, "summary")} <= places


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
FIELDS = st.sampled_from(["request", "start", "end", "location", "attendees", "reason", "x"])


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=st.lists(st.tuples(st.integers(0, 3), FIELDS, JSON_VALUES), max_size=4))
def test_never_raises_on_a_damaged_schedule(instance, changes):
    document = copy.deepcopy(SCHEDULE)
    entries = [*document["meetings"], *document["unscheduled"], document["summary"], document]
    for which, name, value in changes:
        entries[which][name] = value
    violations = check_schedule(instance, document)
    assert all(isinstance(v, Violation) and 0 <= v.rule <= 8 for v in violations)
    assert objective(instance, document) >= 0


# --- time zones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2026-10-14T10:00+09:00", "2026-10-14T10:30:00+09:00"),
        ("2026-10-14T01:00Z", "2026-10-14T01:30Z"),
        ("2026-10-14T03:00+02:00", "2026-10-14T03:30+02:00"),
        ("2026-10-14T10:00:00", "2026-10-14T10:30:00"),
    ],
)
def test_times_with_an_offset_are_instants(instance, schedule, start, end):
    schedule["meetings"][0].update(start=start, end=end)
    assert check_schedule(instance, schedule) == []


def test_offset_moves_the_meeting(instance, schedule):
    schedule["meetings"][0].update(start="2026-10-14T10:00+08:00", end="2026-10-14T10:30+08:00")
    assert rules(instance, schedule) == {8}  # 11:00 in Tokyo, not at its fixed 10:00


def berlin(date: str) -> dict:
    """The fixture's event moved to Berlin on the given date."""
    document = json.loads(json.dumps(INSTANCE).replace(DAY, date))
    document["event"]["timezone"] = "Europe/Berlin"
    return document


def berlin_schedule(date: str, offset: str) -> dict:
    """The fixture's schedule on the given date, its times written with the given offset."""
    document = copy.deepcopy(SCHEDULE)
    for m in document["meetings"]:
        for name in ("start", "end"):
            m[name] = m[name].replace(DAY, date) + offset
    return document


def test_berlin_summer_time_offsets_are_accepted():
    assert check_schedule(berlin("2026-10-24"), berlin_schedule("2026-10-24", "+02:00")) == []
    assert check_schedule(berlin("2026-10-24"), berlin_schedule("2026-10-24", "")) == []


def test_berlin_on_the_day_clocks_go_back():
    # On 2026-10-25 Berlin is back on +01:00 from 03:00: +02:00 puts every meeting an hour early.
    assert check_schedule(berlin("2026-10-25"), berlin_schedule("2026-10-25", "+01:00")) == []
    assert check_schedule(berlin("2026-10-25"), berlin_schedule("2026-10-25", "")) == []
    assert rules(berlin("2026-10-25"), berlin_schedule("2026-10-25", "+02:00"))


def test_local_time_skipped_by_daylight_saving_is_malformed():
    instance = berlin("2026-03-29")
    schedule = berlin_schedule("2026-03-29", "")
    schedule["meetings"][0]["start"] = "2026-03-29T02:30"
    violations = check_schedule(instance, schedule)
    assert [(v.rule, v.place) for v in violations if v.rule == 0] == [(0, "meetings[0].start")]
    assert "does not exist" in violations[0].message
