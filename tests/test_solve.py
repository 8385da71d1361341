"""The solver end to end: every schedule it writes passes the independent checker, scores at
least first come first served, and never more than its proven bound."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.formats.instance_reader import instance_from_document
from scheduler.generate.instances import generate_instance
from scheduler.solver.greedy import greedy_schedule
from scheduler.solver.prepare import Prepared
from scheduler.solver.reasons import REASON_KINDS, reason_kind
from scheduler.validate.check import check_schedule, objective
from tests.conftest import make_instance, solve_document


def assert_sound(document: dict, schedule: dict) -> None:
    """Valid by the checker; objective recomputed, not below greedy, not above the bound."""
    assert check_schedule(document, schedule) == []
    summary = schedule["summary"]
    assert summary["objective"] == objective(document, schedule)
    assert summary["scheduled"] == len(schedule["meetings"])
    assert summary["objective"] <= summary["bound"]
    instance, _ = instance_from_document(document)
    assert summary["objective"] >= greedy_schedule(Prepared(instance)).objective()


def test_example_event_is_scheduled_validly(example_document):
    schedule = solve_document(example_document, time_limit=30)
    assert_sound(example_document, schedule)
    assert schedule["summary"]["scheduled"] >= 190
    assert all(u["reason"] for u in schedule["unscheduled"])


def test_company_with_two_attendees_meets_two_companies_at_once():
    document = make_instance(
        event={
            **make_instance()["event"],
            "days": [{"date": "2026-10-14", "sessions": [{"start": "10:00", "end": "10:30"}]}],
        },
        locations=[{"id": "T1", "kind": "table"}, {"id": "T2", "kind": "table"}],
    )
    schedule = solve_document(document)
    assert_sound(document, schedule)
    assert len(schedule["meetings"]) == 2
    big_people = {a for m in schedule["meetings"] for a in m["attendees"] if a.startswith("big")}
    assert big_people == {"big-1", "big-2"}


def test_own_room_is_used_before_shared_tables():
    document = make_instance(
        locations=[{"id": "T1", "kind": "table"}, {"id": "R-BIG", "kind": "room", "owner": "big"}],
        requests=[{"id": "r1", "from": "acme", "to": "big"}],
    )
    schedule = solve_document(document)
    assert schedule["meetings"][0]["location"] == "R-BIG"


def test_room_of_another_company_is_never_used():
    document = make_instance(
        locations=[{"id": "R-CELL", "kind": "room", "owner": "cell"}],
        requests=[{"id": "r1", "from": "acme", "to": "big"}],
    )
    schedule = solve_document(document)
    assert schedule["meetings"] == []
    assert "no table or room" in schedule["unscheduled"][0]["reason"]


def test_named_attendee_two_slot_and_within_are_kept():
    document = make_instance(
        requests=[
            {
                "id": "r1",
                "from": "big",
                "to": "acme",
                "attendees": ["big-2"],
                "slots": 2,
                "within": [{"start": "2026-10-14T10:30", "end": "2026-10-14T11:30"}],
            }
        ],
    )
    schedule = solve_document(document)
    assert_sound(document, schedule)
    meeting = schedule["meetings"][0]
    assert (meeting["start"], meeting["end"]) == ("2026-10-14T10:30", "2026-10-14T11:30")
    assert "big-2" in meeting["attendees"]


def test_fixed_meeting_stays_where_it_was_put():
    document = make_instance(
        fixed=[{"request": "r2", "start": "2026-10-14T11:00", "location": "T1"}]
    )
    schedule = solve_document(document)
    assert_sound(document, schedule)
    meeting = next(m for m in schedule["meetings"] if m["request"] == "r2")
    assert (meeting["start"], meeting["location"]) == ("2026-10-14T11:00", "T1")


def test_higher_priority_wins_the_last_table():
    one_slot = {"date": "2026-10-14", "sessions": [{"start": "10:00", "end": "10:30"}]}
    document = make_instance(event={**make_instance()["event"], "days": [one_slot]})
    schedule = solve_document(document)
    assert [m["request"] for m in schedule["meetings"]] == ["r1"]
    assert "no table is free" in schedule["unscheduled"][0]["reason"]
    assert reason_kind(schedule["unscheduled"][0]["reason"]) == "tables"


def test_reason_no_common_free_slot_names_the_attendee_and_times():
    document = make_instance(
        requests=[{"id": "r1", "from": "acme", "to": "big", "attendees": ["big-2"], "slots": 2}],
    )
    document["companies"][1]["attendees"][1]["unavailable"] = [
        {"start": "2026-10-14T10:30", "end": "2026-10-14T11:30"}
    ]
    schedule = solve_document(document)
    reason = schedule["unscheduled"][0]["reason"]
    assert "Bea Big (big-2)" in reason and "10:00-10:30" in reason
    assert reason_kind(reason) == "attendee"


def test_reason_other_side_agenda_full():
    document = make_instance(
        locations=[{"id": "T1", "kind": "table"}, {"id": "T2", "kind": "table"}],
        companies=[
            *make_instance()["companies"][:2],
            {
                "id": "cell",
                "name": "Cell Co",
                "role": "delegation",
                "attendees": [{"id": "cell-1"}],
            },
            {"id": "dna", "name": "DNA Inc", "role": "delegation", "attendees": [{"id": "dna-1"}]},
        ],
        requests=[
            {"id": f"r{i}", "from": c, "to": "acme", "priority": p}
            for i, (c, p) in enumerate([("big", 5), ("cell", 5), ("dna", 1)])
        ]
        + [{"id": "r9", "from": "dna", "to": "big", "priority": 5}],
    )
    document["event"]["days"][0]["sessions"] = [{"start": "10:00", "end": "11:00"}]
    schedule = solve_document(document)
    assert_sound(document, schedule)
    reason = next(u["reason"] for u in schedule["unscheduled"] if u["request"] == "r2")
    assert "agenda is full" in reason and "Acme Bio" in reason
    assert reason_kind(reason) == "busy"


def test_reason_max_meetings_per_day():
    document = make_instance()
    document["companies"][1]["max_meetings_per_day"] = 1
    schedule = solve_document(document)
    assert_sound(document, schedule)
    assert "maximum of 1 meetings" in schedule["unscheduled"][0]["reason"]
    assert reason_kind(schedule["unscheduled"][0]["reason"]) == "daily"


def test_same_seed_same_schedule():
    document = generate_instance(40, 200, days=2, tables=6, seed=3)
    first, second = solve_document(document, 5, seed=7), solve_document(document, 5, seed=7)
    for schedule in (first, second):
        schedule["summary"].pop("seconds")
        schedule["summary"].pop("stage_seconds")  # wall-clock figures, like seconds
    assert first == second


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    companies=st.integers(3, 14),
    requests=st.integers(1, 40),
    days=st.integers(1, 2),
    tables=st.integers(1, 4),
    seed=st.integers(0, 10_000),
)
def test_random_small_instances_give_valid_schedules(companies, requests, days, tables, seed):
    requests = min(requests, companies * (companies - 1) // 2)
    document = generate_instance(companies, requests, days=days, tables=tables, seed=seed)
    schedule = solve_document(document, time_limit=2)
    assert_sound(document, schedule)
    assert all(reason_kind(u["reason"]) != "other" for u in schedule["unscheduled"])


def test_progress_counts_the_meetings_of_the_best_schedule_at_each_step():
    """The run page shows meetings placed while the solve runs, not only at its end."""
    from scheduler.solver.cpsat import SolverSettings
    from scheduler.solver.solve import solve

    document = generate_instance(40, 200, days=1, tables=6, seed=3)
    instance, _ = instance_from_document(document)
    reports = []
    schedule = solve(instance, SolverSettings(time_limit=10, workers=1), reports.append)
    greedy = greedy_schedule(Prepared(instance))
    counted = [r for r in reports if r.scheduled is not None]
    assert counted[0].stage == "session relaxation"  # the first step after the greedy's
    assert counted[0].scheduled == len(greedy.placements)
    assert counted[0].objective == greedy.objective()
    done = reports[-1]
    assert done.stage == "done" and done.scheduled == len(schedule.meetings)


def test_every_kind_of_reason_is_told_apart():
    """The review groups unscheduled requests by kind: each phrase of reasons.py has its own,
    even with a company name that reads like another kind's words."""
    odd = "no table is free at Co"  # a company name
    samples = {
        "the event has no table or room this meeting may use; add shared tables": "no_room",
        "needs 60 minutes but no session is that long; shorten the meeting": "too_long",
        "needs 60 minutes but its `within` windows hold no 60-minute stretch": "window",
        "needs 30 minutes but no time from 2026-10-15T12:00 on holds a 30-minute stretch of a "
        "session; a fill-in gives only the free slots after its time": "window",
        "needs 30 minutes with Bo (b1), who is free at no time; name another attendee or free "
        "some of their time": "attendee",
        f"{odd} has no free 30-minute time when the other side is free too ({odd} is "
        "unavailable 10:00-11:00); free some of its time": "unavailable",
        "has no common free slot; check both companies' unavailable times": "unavailable",
        f"{odd} already has its maximum of 2 meetings on every day both are free; raise its "
        "daily maximum of meetings or this request's priority": "daily",
        f"{odd} already has its maximum of 9 meetings for the whole event; raise its "
        "max_meetings or this request's priority": "event_max",
        f"{odd}'s agenda is full: its attendees are in other meetings at all 3 times": "busy",
        "no table is free at all 3 times both companies are free for 30 minutes": "tables",
        "at the 3 times both are free: X is in other meetings at 2; no table is free at 1": (
            "several"
        ),
        "written by another tool": "other",
    }
    for reason, kind in samples.items():
        assert reason_kind(reason) == kind, reason
    assert set(samples.values()) == set(REASON_KINDS)


def test_fixed_meetings_that_fit_together_are_all_placed_whatever_their_order():
    """Two fixed meetings of Big Pharma at 10:00: r1 names its table and leaves the person
    free, r2 names Bo Big. Placed first (it names a table), r1 would take Bo and leave r2
    out; the fixed meetings are placed again with r2 first, and both fit."""
    document = make_instance(
        locations=[
            {"id": "T1", "name": "Table 1", "kind": "table"},
            {"id": "T2", "name": "Table 2", "kind": "table"},
        ],
        requests=[
            {"id": "r1", "from": "acme", "to": "big", "priority": 1},
            {"id": "r2", "from": "cell", "to": "big", "priority": 1, "attendees": ["big-1"]},
        ],
        fixed=[
            {"request": "r1", "start": "2026-10-14T10:00", "location": "T2"},
            {"request": "r2", "start": "2026-10-14T10:00"},
        ],
    )
    instance, _ = instance_from_document(document)
    booking = greedy_schedule(Prepared(instance))
    placed = {m.request: m for m in booking.meetings()}
    assert set(placed) == {"r1", "r2"}
    assert "big-1" in placed["r2"].attendees
    assert "big-2" in placed["r1"].attendees and placed["r1"].location == "T2"
    result = solve_document(document)
    assert check_schedule(document, result) == []
