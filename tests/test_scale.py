"""The event-scale path: the per-session relaxation's bound and rounding, and the bitmask
booking they stand on."""

from __future__ import annotations

import json

from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.schedule_io import schedule_to_document
from scheduler.generate.instances import generate_instance
from scheduler.solver.booking import Booking
from scheduler.solver.cpsat import SolverSettings
from scheduler.solver.formulation import build_formulation
from scheduler.solver.greedy import greedy_schedule
from scheduler.solver.prepare import Prepared
from scheduler.solver.relaxation import solve_relaxation
from scheduler.solver.session_relaxation import round_session_relaxation, solve_session_relaxation
from scheduler.solver.solve import solve
from scheduler.validate.check import check_schedule

DOCUMENT = generate_instance(120, 800, days=2, tables=14, seed=3)


def prepared() -> Prepared:
    instance, _ = instance_from_document(DOCUMENT)
    return Prepared(instance)


def test_session_bound_is_no_tighter_than_the_slot_by_slot_bound():
    """Summing slot rows over a session can only loosen them: a valid, weaker bound."""
    p = prepared()
    sessions = solve_session_relaxation(p)
    slots = solve_relaxation(build_formulation(p))
    assert sessions is not None and slots is not None
    assert sessions.bound >= slots.bound


def test_session_rounding_is_valid_and_within_the_bound():
    p = prepared()
    sessions = solve_session_relaxation(p)
    rounded = round_session_relaxation(p, sessions)
    schedule = json.loads(json.dumps(schedule_to_document(_as_schedule(p, rounded), p.instance)))
    assert check_schedule(DOCUMENT, schedule) == []
    assert greedy_schedule(p).objective() <= rounded.objective() <= sessions.bound


def _as_schedule(p: Prepared, booking: Booking):
    from scheduler.solver.solve import to_schedule

    return to_schedule(p, booking, None, 0, 0.0)


def test_the_session_path_alone_gives_a_valid_schedule():
    """Above the slot model's size limit the session relaxation's schedule stands."""
    instance, _ = instance_from_document(DOCUMENT)
    settings = SolverSettings(time_limit=20, workers=1, slot_model_limit=0)
    schedule = solve(instance, settings)
    document = json.loads(json.dumps(schedule_to_document(schedule, instance)))
    assert check_schedule(DOCUMENT, document) == []
    summary = document["summary"]
    assert summary["greedy_objective"] <= summary["objective"] <= summary["bound"]


def test_removing_every_meeting_restores_an_empty_booking():
    p = prepared()
    booking = greedy_schedule(p)
    empty = Booking(p)
    assert booking.placements
    for request_id in list(booking.placements):
        booking.remove(request_id)
    assert not any(booking.attendee_busy.values())
    assert not any(booking.meetings_per_day.values())
    assert booking._pool_free == empty._pool_free
    assert not any(booking._full_days.values())
    for request in p.requests:  # and everything fits again where it did before
        assert booking.fitting_starts(request) == empty.fitting_starts(request)


def test_a_solve_asked_to_stop_during_the_search_stops_promptly():
    """The web app's cancel button: `should_stop` is polled while CP-SAT searches."""
    import time

    import pytest

    from scheduler.solver.cpsat import Cancelled

    document = generate_instance(800, 6000, days=3, tables=80, seed=2026)  # searches 20 s+
    instance, _ = instance_from_document(document)
    searching_since: list[float] = []

    def on_progress(progress) -> None:
        if progress.stage == "searching" and not searching_since:
            searching_since.append(time.monotonic())

    def should_stop() -> bool:
        return bool(searching_since) and time.monotonic() - searching_since[0] > 0.5

    settings = SolverSettings(time_limit=120, workers=2, should_stop=should_stop)
    with pytest.raises(Cancelled):
        solve(instance, settings, on_progress)
    assert searching_since, "the solve never reached the search: pick a harder instance"
    assert time.monotonic() - searching_since[0] < 10  # not the 120 s time limit


def test_a_solve_asked_to_stop_before_it_starts_does_nothing():
    import pytest

    from scheduler.solver.cpsat import Cancelled

    instance, _ = instance_from_document(DOCUMENT)
    with pytest.raises(Cancelled):
        solve(instance, SolverSettings(time_limit=10, should_stop=lambda: True))


def _person(company: str) -> dict:
    return {
        "id": company,
        "name": company,
        "role": "delegation",
        "attendees": [{"id": f"{company}-1", "name": "P"}],
    }


# One table and the corporate's own room, one session of two slots. The corporate (two
# people) has two meetings and the others one each: all four fit only if both of the
# corporate's go to its room (one per slot), leaving the table to the two others.
ROOM_EVENT = {
    "format": "partnering-instance/1",
    "event": {
        "name": "Own room",
        "timezone": "UTC",
        "slot_minutes": 30,
        "days": [{"date": "2026-10-14", "sessions": [{"start": "10:00", "end": "11:00"}]}],
    },
    "locations": [
        {"id": "T1", "name": "Table", "kind": "table"},
        {"id": "R1", "name": "Room", "kind": "room", "owner": "big"},
    ],
    "companies": [
        {
            "id": "big",
            "name": "Big",
            "role": "corporate",
            "attendees": [{"id": "big-1", "name": "A"}, {"id": "big-2", "name": "B"}],
        },
        *(_person(c) for c in ("a", "b", "c", "d", "e", "f")),
    ],
    "requests": [
        {"id": "r1", "from": "a", "to": "big"},
        {"id": "r2", "from": "b", "to": "big"},
        {"id": "r3", "from": "c", "to": "d"},
        {"id": "r4", "from": "e", "to": "f"},
    ],
}


def test_session_rounding_puts_an_owners_meetings_in_its_room_first():
    """The owner's second meeting waits for its room at the next slot rather than take the
    only table at the first: then every request fits (first come, first served fits 3)."""
    p = Prepared(instance_from_document(ROOM_EVENT)[0])
    sessions = solve_session_relaxation(p)
    assert sessions is not None and sessions.bound == 4
    rounded = round_session_relaxation(p, sessions)
    assert greedy_schedule(p).objective() == 3
    assert rounded.objective() == 4
    assert {rounded.placements[r].location for r in ("r1", "r2")} == {"R1"}
    schedule = json.loads(json.dumps(schedule_to_document(_as_schedule(p, rounded), p.instance)))
    assert check_schedule(ROOM_EVENT, schedule) == []
