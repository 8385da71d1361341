"""Re-solving with a published schedule: kept meetings do not move, cancelled ones are freed,
moves happen only when allowed, and every change is reported."""

from __future__ import annotations

import copy
import json
import random

from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.published_reader import load_published
from scheduler.formats.schedule_io import schedule_to_document
from scheduler.generate.instances import generate_instance
from scheduler.solver.cpsat import SolverSettings
from scheduler.solver.solve import solve
from scheduler.validate.check import check_schedule
from tests.conftest import make_instance, solve_document

SETTINGS = SolverSettings(time_limit=20, workers=1)


def resolve(document: dict, published: dict, tmp_path, allow_moves: int = 0) -> dict:
    """Solve `document` keeping `published`, read from a file as `solve --keep` does."""
    path = tmp_path / "published.json"
    path.write_text(json.dumps(published), encoding="utf-8")
    instance, _ = instance_from_document(document)
    kept = load_published(path, instance)
    schedule = solve(instance, SETTINGS, published=kept, allow_moves=allow_moves)
    return json.loads(json.dumps(schedule_to_document(schedule, instance)))


def as_placed(meeting: dict) -> tuple:
    return (meeting["start"], meeting["end"], meeting["location"], sorted(meeting["attendees"]))


def changed_instance(document: dict, seed: int) -> tuple[dict, set[str], set[str]]:
    """Cancel 2% of the requests and add 5% new ones between companies not yet paired."""
    rng = random.Random(seed)
    changed = copy.deepcopy(document)
    fixed = {f["request"] for f in changed.get("fixed", [])}
    ids = [r["id"] for r in changed["requests"] if r["id"] not in fixed]
    cancelled = set(rng.sample(ids, max(1, len(ids) // 50)))
    changed["requests"] = [r for r in changed["requests"] if r["id"] not in cancelled]
    pairs = {frozenset((r["from"], r["to"])) for r in document["requests"]}
    companies = [c["id"] for c in changed["companies"]]
    added: set[str] = set()
    while len(added) < max(1, len(document["requests"]) // 20):
        a, b = rng.sample(companies, 2)
        if frozenset((a, b)) not in pairs:
            pairs.add(frozenset((a, b)))
            request_id = f"new{len(added)}"
            changed["requests"].append({"id": request_id, "from": a, "to": b, "priority": 3})
            added.add(request_id)
    return changed, cancelled, added


def test_resolve_after_changes_moves_no_published_meeting(tmp_path):
    document = generate_instance(60, 300, days=2, tables=12, seed=5)
    first = solve_document(document)
    changed, cancelled, added = changed_instance(document, seed=1)
    second = resolve(changed, first, tmp_path)

    assert check_schedule(changed, second) == []
    before = {m["request"]: as_placed(m) for m in first["meetings"]}
    after = {m["request"]: as_placed(m) for m in second["meetings"]}
    for request_id, placed in before.items():
        if request_id not in cancelled:
            assert after[request_id] == placed, f"published meeting {request_id} moved"
    changes = second["summary"]["changes"]
    assert changes["moved"] == [] and changes["dropped"] == []
    assert set(changes["cancelled"]) == cancelled & set(before)
    assert set(changes["added"]) == set(after) - set(before)
    assert set(changes["added"]) <= added  # only new requests can be new meetings...
    assert set(changes["added"])  # ...and some of them found room where the cancelled were
    assert changes["unchanged"] == len(set(before) - cancelled)


def test_a_published_meeting_that_can_no_longer_be_held_is_reported(tmp_path):
    document = make_instance()
    first = solve_document(document)
    meeting = next(m for m in first["meetings"] if m["request"] == "r1")
    changed = copy.deepcopy(document)
    acme = changed["companies"][0]
    acme["unavailable"] = [{"start": meeting["start"], "end": meeting["end"]}]
    second = resolve(changed, first, tmp_path)
    assert check_schedule(changed, second) == []
    changes = second["summary"]["changes"]
    assert "r1" in changes["moved"] or "r1" in changes["dropped"]
    assert "r2" not in changes["moved"]


def crowded_event() -> dict:
    """Acme has one person; the new request r3 fits only at 10:00, where r1 was published."""
    return make_instance(
        event={
            "name": "Crowded",
            "timezone": "Asia/Tokyo",
            "slot_minutes": 30,
            "days": [{"date": "2026-10-14", "sessions": [{"start": "10:00", "end": "11:00"}]}],
        },
        locations=[
            {"id": "T1", "name": "Table 1", "kind": "table"},
            {"id": "T2", "name": "Table 2", "kind": "table"},
        ],
        requests=[{"id": "r1", "from": "acme", "to": "big", "priority": 1}],
    )


def published_at_ten() -> dict:
    return {
        "format": "partnering-schedule/1",
        "meetings": [
            {
                "request": "r1",
                "start": "2026-10-14T10:00",
                "end": "2026-10-14T10:30",
                "location": "T1",
                "attendees": ["acme-1", "big-1"],
            }
        ],
        "unscheduled": [],
        "summary": {},
    }


def with_new_request(document: dict) -> dict:
    changed = copy.deepcopy(document)
    changed["requests"].append(
        {
            "id": "r3",
            "from": "cell",
            "to": "acme",
            "priority": 5,
            "within": [{"start": "2026-10-14T10:00", "end": "2026-10-14T10:30"}],
        }
    )
    return changed


def test_without_allowed_moves_a_published_meeting_stays_even_if_that_costs(tmp_path):
    changed = with_new_request(crowded_event())
    schedule = resolve(changed, published_at_ten(), tmp_path, allow_moves=0)
    assert check_schedule(changed, schedule) == []
    assert {m["request"] for m in schedule["meetings"]} == {"r1"}
    assert schedule["summary"]["changes"]["moved"] == []


def test_allowed_moves_make_room_and_are_reported(tmp_path):
    changed = with_new_request(crowded_event())
    schedule = resolve(changed, published_at_ten(), tmp_path, allow_moves=1)
    assert check_schedule(changed, schedule) == []
    placed = {m["request"]: m for m in schedule["meetings"]}
    assert set(placed) == {"r1", "r3"}
    assert placed["r1"]["start"] == "2026-10-14T10:30"
    assert schedule["summary"]["changes"]["moved"] == ["r1"]
    assert schedule["summary"]["changes"]["added"] == ["r3"]
    assert schedule["summary"]["objective"] <= schedule["summary"]["bound"]


def test_cli_keep_reports_changes(tmp_path):
    from click.testing import CliRunner

    from scheduler.cli.commands import main

    instance = tmp_path / "instance.json"
    instance.write_text(json.dumps(with_new_request(crowded_event())), encoding="utf-8")
    published = tmp_path / "published.json"
    published.write_text(json.dumps(published_at_ten()), encoding="utf-8")
    output = tmp_path / "new.json"
    args = ["solve", str(instance), "--keep", str(published), "-o", str(output), "--quiet"]
    result = CliRunner().invoke(main, [*args, "--allow-moves", "1"])
    assert result.exit_code == 0, result.output
    assert "1 moved" in result.output and "1 added" in result.output
    written = json.loads(output.read_text(encoding="utf-8"))
    assert written["summary"]["changes"]["moved"] == ["r1"]


def test_cli_keep_with_a_broken_published_file_exits_2_naming_the_place(tmp_path):
    from click.testing import CliRunner

    from scheduler.cli.commands import main

    instance = tmp_path / "instance.json"
    instance.write_text(json.dumps(crowded_event()), encoding="utf-8")
    published = published_at_ten()
    published["meetings"][0]["start"] = "2026-10-14 ten o'clock"
    path = tmp_path / "published.json"
    path.write_text(json.dumps(published), encoding="utf-8")
    output = tmp_path / "new.json"
    args = ["solve", str(instance), "--keep", str(path), "-o", str(output), "--quiet"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert f"{path}: meetings[0].start" in result.output
    assert not output.exists()
