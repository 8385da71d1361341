"""Same-day fill-in (`partnering solve --keep PUBLISHED --from LOCAL_TIME`): one test per
rule, each on an event small enough to see why it would fail."""

from __future__ import annotations

import copy
import json
import random
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from scheduler.cli.commands import main
from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.published_reader import load_published
from scheduler.formats.schedule_io import schedule_to_document
from scheduler.generate.instances import generate_instance
from scheduler.solver.booking import Booking
from scheduler.solver.cpsat import SolverSettings
from scheduler.solver.prepare import Prepared, bits
from scheduler.solver.reasons import (
    FreeTables,
    _cause_masks,
    blockers_at,
    read_reason,
    reason_kind,
)
from scheduler.solver.solve import solve
from scheduler.times import parse_local_time
from scheduler.validate.check import check_schedule
from tests.conftest import make_instance, solve_document

SETTINGS = SolverSettings(time_limit=5, workers=1)
DAY = "2026-10-14"


def fill_in(document: dict, published: dict, cut: str, tmp_path) -> dict:
    """The fill-in as `solve --keep --from` runs it, the published file read from disk."""
    path = tmp_path / "published.json"
    path.write_text(json.dumps(published), encoding="utf-8")
    instance, _ = instance_from_document(document)
    kept = load_published(path, instance)
    moment = parse_local_time(cut, ZoneInfo(instance.event.timezone))
    schedule = solve(instance, SETTINGS, published=kept, fill_from=moment)
    result = json.loads(json.dumps(schedule_to_document(schedule, instance)))
    assert check_schedule(document, result) == []
    return result


def placed(meeting: dict) -> tuple:
    return (meeting["start"], meeting["end"], meeting["location"], sorted(meeting["attendees"]))


def meeting(request: str, start: str, end: str, table: str, *people: str) -> dict:
    return {
        "request": request,
        "start": f"{DAY}T{start}",
        "end": f"{DAY}T{end}",
        "location": table,
        "attendees": list(people),
    }


def schedule_of(*meetings: dict) -> dict:
    return {"format": "partnering-schedule/1", "meetings": list(meetings), "unscheduled": []}


def person(company: str) -> dict:
    return {"id": f"{company}-1", "name": company}


def one_person_companies(*ids: str) -> list[dict]:
    return [
        {
            "id": c,
            "name": c.title(),
            "role": "corporate",
            "attendees": [{"id": f"{c}-1", "name": c}],
        }
        for c in ids
    ]


def morning(tables: int = 1, end: str = "12:00") -> dict:
    return {
        "name": "Fill-in",
        "timezone": "Asia/Tokyo",
        "slot_minutes": 30,
        "days": [{"date": DAY, "sessions": [{"start": "10:00", "end": end}]}],
    }


def tables(count: int) -> list[dict]:
    return [{"id": f"T{i}", "name": f"Table {i}", "kind": "table"} for i in range(1, count + 1)]


def test_before_the_cut_nothing_changes_and_freed_slots_after_it_are_filled(tmp_path):
    """A generated fair, published, a tenth of its meetings removed: every remaining one
    stays exactly, nothing new starts before the cut, and some freed slots after it are
    used (the waiting requests are many)."""
    document = generate_instance(60, 400, days=2, tables=10, seed=7)
    first = solve_document(document, time_limit=5)
    fixed = {f["request"] for f in document.get("fixed", [])}
    rng = random.Random(3)
    removable = [m for m in first["meetings"] if m["request"] not in fixed]
    removed = {m["request"] for m in rng.sample(removable, len(removable) // 10)}
    published = copy.deepcopy(first)
    published["meetings"] = [m for m in first["meetings"] if m["request"] not in removed]
    day_two = document["event"]["days"][1]["date"]
    cut = f"{day_two}T12:00"

    result = fill_in(document, published, cut, tmp_path)

    before = {m["request"]: placed(m) for m in published["meetings"]}
    after = {m["request"]: placed(m) for m in result["meetings"]}
    assert all(after.get(r) == p for r, p in before.items()), "a published meeting changed"
    added = [m for m in result["meetings"] if m["request"] not in before]
    assert added, "the freed slots after the cut were not used"
    assert all(m["start"] >= cut for m in added), "a new meeting starts before the cut"
    freed_before_cut = [m for m in first["meetings"] if m["request"] in removed]
    for old in (m for m in freed_before_cut if m["start"] < cut):
        new = next((m for m in result["meetings"] if m["request"] == old["request"]), None)
        assert new is None or new["start"] >= cut, "a meeting cancelled this morning came back"
    summary = result["summary"]
    assert summary["fill_in"]["added"] == len(added) == len(summary["changes"]["added"])
    assert summary["fill_in"]["from"] == cut
    assert summary["changes"]["moved"] == [] and summary["changes"]["dropped"] == []


def test_a_meeting_cancelled_before_the_cut_is_not_revived(tmp_path):
    """r1 was published at 10:00 and taken out of the schedule; it is still accepted but
    Ann is away from 11:00, so 10:00 or 10:30 would be the only times: the fill-in from
    11:00 must leave it out rather than put it back in the morning."""
    companies = one_person_companies("acme", "big")
    companies[0]["attendees"][0]["unavailable"] = [{"start": f"{DAY}T11:00", "end": f"{DAY}T12:00"}]
    document = make_instance(
        event=morning(),
        locations=tables(1),
        companies=companies,
        requests=[{"id": "r1", "from": "acme", "to": "big"}],
    )
    result = fill_in(document, schedule_of(), f"{DAY}T11:00", tmp_path)
    assert result["meetings"] == []
    assert [u["request"] for u in result["unscheduled"]] == ["r1"]
    # without the cut the same re-solve does put it in the morning: the test can fail
    assert solve_document(document)["meetings"][0]["start"] < f"{DAY}T11:00"


def test_a_declined_meeting_before_the_cut_stays_cancelled_and_its_slot_empty(tmp_path):
    """r1 at 10:00 is published but declined since; r2 could use its table at 10:00 but not
    after the cut at 10:30, where its side is away: nothing takes r1's place."""
    companies = one_person_companies("acme", "big", "cell")
    companies[2]["attendees"][0]["unavailable"] = [{"start": f"{DAY}T10:30", "end": f"{DAY}T12:00"}]
    document = make_instance(
        event=morning(),
        locations=tables(1),
        companies=companies,
        requests=[{"id": "r2", "from": "cell", "to": "big"}],
    )
    published = schedule_of(meeting("r1", "10:00", "10:30", "T1", "acme-1", "big-1"))
    result = fill_in(document, published, f"{DAY}T10:30", tmp_path)
    assert result["meetings"] == []
    assert result["summary"]["changes"]["cancelled"] == ["r1"]


def test_a_published_meeting_after_the_cut_stays_even_where_moving_it_places_more(tmp_path):
    """r1 (priority 1) is published at 11:00; r3 (priority 5) needs acme too and cell is
    free only at 11:00. A full re-solve would move r1; the fill-in keeps it."""
    companies = one_person_companies("acme", "big", "cell")
    companies[2]["attendees"][0]["unavailable"] = [
        {"start": f"{DAY}T10:00", "end": f"{DAY}T11:00"},
        {"start": f"{DAY}T11:30", "end": f"{DAY}T12:00"},
    ]
    requests = [
        {"id": "r1", "from": "acme", "to": "big", "priority": 1},
        {"id": "r3", "from": "acme", "to": "cell", "priority": 5},
    ]
    document = make_instance(
        event=morning(), locations=tables(2), companies=companies, requests=requests
    )
    published = schedule_of(meeting("r1", "11:00", "11:30", "T1", "acme-1", "big-1"))
    result = fill_in(document, published, f"{DAY}T10:30", tmp_path)
    assert [placed(m) for m in result["meetings"]] == [placed(published["meetings"][0])]
    assert [u["request"] for u in result["unscheduled"]] == ["r3"]
    full = solve_document(document)  # without keeping: r3 takes 11:00, r1 moves
    assert {m["request"] for m in full["meetings"]} == {"r1", "r3"}


def test_waiting_requests_get_free_slots_after_the_cut_only_where_both_sides_are_free(tmp_path):
    """acme is in its published meeting at 11:00; r2 (acme with cell) goes to the free slot
    at 11:30, not 11:00 where only the table is free, nor 10:30 before the cut."""
    companies = one_person_companies("acme", "big", "cell")
    requests = [
        {"id": "r1", "from": "acme", "to": "big"},
        {"id": "r2", "from": "acme", "to": "cell"},
    ]
    document = make_instance(
        event=morning(), locations=tables(2), companies=companies, requests=requests
    )
    published = schedule_of(meeting("r1", "11:00", "11:30", "T1", "acme-1", "big-1"))
    result = fill_in(document, published, f"{DAY}T10:45", tmp_path)
    new = next(m for m in result["meetings"] if m["request"] == "r2")
    assert new["start"] == f"{DAY}T11:30"
    assert result["summary"]["fill_in"]["added"] == 1
    assert result["summary"]["fill_in"]["companies"] == 2


def test_a_request_whose_times_all_lie_before_the_cut_waits(tmp_path):
    companies = one_person_companies("acme", "big")
    window = [{"start": f"{DAY}T10:00", "end": f"{DAY}T11:00"}]
    requests = [{"id": "r1", "from": "acme", "to": "big", "within": window}]
    document = make_instance(
        event=morning(), locations=tables(1), companies=companies, requests=requests
    )
    result = fill_in(document, schedule_of(), f"{DAY}T11:00", tmp_path)
    assert result["meetings"] == [] and result["unscheduled"][0]["request"] == "r1"
    reason = result["unscheduled"][0]["reason"]
    assert "no time from 2026-10-14T11:00 on" in reason and reason_kind(reason) == "window"
    assert str(read_reason(reason)) == reason  # read back, so the app shows it in Japanese


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def files(tmp_path):
    document = make_instance()
    instance = tmp_path / "instance.json"
    instance.write_text(json.dumps(document), encoding="utf-8")
    published = tmp_path / "published.json"
    published.write_text(json.dumps(solve_document(document)), encoding="utf-8")
    return instance, published, tmp_path / "out.json"


def test_the_command_writes_the_schedule_and_says_what_it_added(files):
    instance, published, out = files
    args = ["solve", str(instance), "--keep", str(published), "--from", f"{DAY}T10:30"]
    answer = CliRunner().invoke(main, [*args, "-o", str(out), "--quiet"])
    assert answer.exit_code == 0, answer.output
    assert "fill-in from 2026-10-14T10:30" in answer.output
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["format"] == "partnering-schedule/1" and "fill_in" in written["summary"]
    check = CliRunner().invoke(main, ["check", str(instance), str(out)])
    assert check.exit_code == 0, check.output


@pytest.mark.parametrize(
    ("extra", "said"),
    [
        (["--from", "2026-10-14 10:30"], 'expected a local time like "2026-10-14T10:30"'),
        (["--from", "2026-10-14T25:00"], "is not a real date and time"),
        (["--from", "2026-10-15T10:00"], "after the end of the event's last session"),
        (["--from", "2026-10-14T10:30", "--allow-moves", "2"], "leave out --allow-moves"),
    ],
)
def test_bad_cuts_are_refused_naming_the_option(files, extra, said):
    instance, published, out = files
    args = ["solve", str(instance), "--keep", str(published), "-o", str(out), "--quiet", *extra]
    answer = CliRunner().invoke(main, args)
    assert answer.exit_code == 2
    assert "--from" in answer.output and said in answer.output
    assert not out.exists()


def test_from_without_keep_is_refused(files):
    instance, _, out = files
    args = ["solve", str(instance), "--from", f"{DAY}T10:30", "-o", str(out), "--quiet"]
    answer = CliRunner().invoke(main, args)
    assert answer.exit_code == 2 and "--keep PUBLISHED" in answer.output


# --- reasons as bitmasks ----------------------------------------------------------------------


def test_reasons_by_bitmask_count_what_the_per_start_check_finds():
    """The reasons count each cause over a request's starts as bitmasks; at every start the
    causes must be those `blockers_at` names one start at a time."""
    document = generate_instance(40, 400, days=1, tables=4, seed=2)
    instance, _ = instance_from_document(document)
    prepared = Prepared(instance)
    schedule = solve(instance, SolverSettings(time_limit=2, workers=1))
    booking = Booking.from_meetings(prepared, schedule.meetings)
    tables = FreeTables(booking)
    checked = 0
    for request in prepared.requests:
        if request.id in booking.placements or not request.starts:
            continue
        per_start = Counter(c for s in request.starts for c in blockers_at(booking, request, s))
        masks = {c: m & request.start_mask for c, m in _cause_masks(booking, request, tables)}
        assert {c: m.bit_count() for c, m in masks.items() if m} == dict(per_start)
        for cause, mask in masks.items():
            assert all(cause in blockers_at(booking, request, s) for s in bits(mask))
        checked += 1
    assert checked > 20
