"""--fair: a company left without meetings gets one where a single swap does it, at a cost in
priority that the summary shows; without --fair the priority-weighted count decides."""

from __future__ import annotations

from scheduler.generate.instances import generate_instance
from tests.conftest import make_instance, solve_checked


def one_table_two_slots() -> dict:
    """Two meetings fit. Acme-Big and Acme-Dyn score 6; Cell's one request (to Big) scores 1."""
    document = make_instance(
        event={
            "name": "Fair",
            "timezone": "Asia/Tokyo",
            "slot_minutes": 30,
            "days": [{"date": "2026-10-14", "sessions": [{"start": "10:00", "end": "11:00"}]}],
        }
    )
    document["companies"].append(
        {"id": "dyn", "name": "Dyn Bio", "role": "corporate", "attendees": [{"id": "dyn-1"}]}
    )
    document["requests"] = [
        {"id": "r1", "from": "acme", "to": "big", "priority": 3},
        {"id": "r2", "from": "acme", "to": "dyn", "priority": 3},
        {"id": "r3", "from": "cell", "to": "big", "priority": 1},
    ]
    return document


def test_without_fair_the_count_leaves_cell_without_a_meeting():
    summary = solve_checked(one_table_two_slots())["summary"]
    assert summary["objective"] == 6 and summary["companies_without_meetings"] == 1


def test_fair_gives_cell_a_meeting_and_keeps_everyone_covered():
    schedule = solve_checked(one_table_two_slots(), fair=True)
    met = {m["request"] for m in schedule["meetings"]}
    assert "r3" in met and "r2" in met  # Big meets Cell instead of Acme, Acme keeps Dyn
    summary = schedule["summary"]
    assert summary["companies_without_meetings"] == 0
    assert summary["objective"] == 4  # the cost of fairness, shown


def test_fair_on_a_tight_event_covers_more_companies_and_stays_valid():
    document = generate_instance(60, 500, days=1, tables=3, seed=4)
    plain = solve_checked(document)["summary"]
    fair = solve_checked(document, fair=True)["summary"]
    assert plain["companies_without_meetings"] > 0  # the case is worth testing
    assert fair["companies_without_meetings"] < plain["companies_without_meetings"]
    assert fair["lowest_share"] >= plain["lowest_share"]


def test_raising_shares_trades_count_only_down_to_the_floor():
    """Step 2 (raising the lowest shares) gives away count only down to `floor`: solve() sets
    it at first come, first served. Step 1 (a meeting for every company) has no floor."""
    from scheduler.formats.instance_reader import instance_from_document
    from scheduler.solver.fairness import make_fair
    from scheduler.solver.greedy import greedy_schedule
    from scheduler.solver.prepare import Prepared
    from scheduler.solver.quality import quality_figures

    instance, _ = instance_from_document(generate_instance(60, 500, days=1, tables=3, seed=4))
    prepared = Prepared(instance)

    def fair(floor: int | None):
        booking = greedy_schedule(prepared)
        make_fair(booking, deadline=float("inf"), floor=floor)
        return booking

    covered_only = fair(floor=10**9)  # no count to give away: step 1 alone
    unbounded = fair(floor=None)
    assert unbounded.objective() < covered_only.objective()  # step 2 trades count here
    floor = (unbounded.objective() + covered_only.objective()) // 2
    bounded = fair(floor)
    assert floor <= bounded.objective() < covered_only.objective()
    assert quality_figures(bounded)["companies_without_meetings"] == 0
    assert quality_figures(bounded)["lowest_share"] >= quality_figures(covered_only)["lowest_share"]
