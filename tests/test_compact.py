"""Compact agendas: --compact removes idle gaps without losing meetings; --max-breaks limits
each person's breaks wherever that costs no meeting."""

from __future__ import annotations

from tests.conftest import make_instance, solve_checked

EVENT = {
    "name": "Compact",
    "timezone": "Asia/Tokyo",
    "slot_minutes": 30,
    "days": [{"date": "2026-10-14", "sessions": [{"start": "10:00", "end": "11:30"}]}],
}
TABLES = [
    {"id": "T1", "name": "Table 1", "kind": "table"},
    {"id": "T2", "name": "Table 2", "kind": "table"},
]


def gap_prone() -> dict:
    """Acme's one person meets Big and Cell; Cell is away at 10:30, so first come, first
    served puts Big at 10:00 and Cell at 11:00: Ann Acme waits idle in between."""
    document = make_instance(event=EVENT, locations=TABLES)
    document["companies"][2]["unavailable"] = [
        {"start": "2026-10-14T10:30", "end": "2026-10-14T11:00"}
    ]
    document["requests"] = [
        {"id": "r1", "from": "acme", "to": "big", "priority": 2},
        {"id": "r2", "from": "cell", "to": "acme", "priority": 1},
    ]
    return document


def test_without_compact_the_example_has_a_break():
    summary = solve_checked(gap_prone())["summary"]
    assert summary["scheduled"] == 2 and summary["breaks"] == 1


def test_compact_removes_the_break_and_keeps_the_meetings():
    summary = solve_checked(gap_prone(), compact=True)["summary"]
    assert summary["scheduled"] == 2 and summary["breaks"] == 0


def test_max_breaks_yields_to_the_count_and_says_who_is_over():
    """The priority-weighted count comes first: where keeping the limit would cost a
    meeting, the meeting stays and the summary names how many people are over it."""
    document = gap_prone()
    document["requests"][0]["within"] = [{"start": "2026-10-14T10:00", "end": "2026-10-14T10:30"}]
    document["requests"][1]["within"] = [{"start": "2026-10-14T11:00", "end": "2026-10-14T11:30"}]
    limited = solve_checked(document, compact=True, max_breaks=0)["summary"]
    assert limited["scheduled"] == 2 and limited["objective"] == 3
    assert limited["breaks"] == 1 and limited["max_breaks"] == 1
    assert limited["break_limit"] == 0 and limited["people_over_break_limit"] == 1
