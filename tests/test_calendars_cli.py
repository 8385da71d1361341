"""The commands organisers run: `ics`, `agendas`, `meetings-sheet`, on the example event, and
reading a schedule back with problems that name their place."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from scheduler.cli.commands import main
from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.problems import InvalidInput
from scheduler.formats.schedule_io import schedule_from_document
from tests.calendar_readers import read_with_icaljs
from tests.conftest import EXAMPLE, make_instance

SCHEDULE = EXAMPLE.parent / "schedule.json"
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def example() -> tuple[dict, dict]:
    return (
        json.loads(EXAMPLE.read_text(encoding="utf-8")),
        json.loads(SCHEDULE.read_text(encoding="utf-8")),
    )


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def write(path: Path, document: dict) -> Path:
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


# --- partnering ics ------------------------------------------------------------------------


def test_ics_writes_every_calendar_and_is_reproducible(tmp_path, example):
    instance, _ = example
    for out in ("a", "b"):
        result = run("ics", EXAMPLE, SCHEDULE, "-o", tmp_path / out)
        assert result.exit_code == 0, result.output
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    people = sum(len(c["attendees"]) for c in instance["companies"])
    assert len(files) == len(instance["companies"]) + people + 2  # event.ics, published.json
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_ics_update_chain_through_published_json(tmp_path, example):
    """v1, then v2 with one meeting moved and one dropped, then v3 moving it again."""
    _, v1 = example
    v2 = json.loads(json.dumps(v1))
    moving, dropping = v2["meetings"][0], v2["meetings"].pop(1)
    v2["unscheduled"].append({"request": dropping["request"], "reason": "withdrawn"})
    moving["start"], moving["end"] = _later(moving, 1)
    v3 = json.loads(json.dumps(v2))
    v3["meetings"][0]["start"], v3["meetings"][0]["end"] = _later(moving, 1)
    previous = []
    for version, document in enumerate((v1, v2, v3), start=1):
        schedule = write(tmp_path / f"v{version}.json", document)
        result = run("ics", EXAMPLE, schedule, "-o", tmp_path / f"out{version}", *previous)
        assert result.exit_code == 0, result.output
        previous = ["--previous", tmp_path / f"out{version}" / "published.json"]
    events = read_with_icaljs([tmp_path / f"out{v}" / "event.ics" for v in (1, 2, 3)])
    by_request = [
        {e["description"].rsplit("Request: ", 1)[1]: e for e in file_events}
        for file_events in events.values()
    ]
    first, second, third = by_request
    assert set(first) == set(second) == set(third)  # updates, never new events
    assert [v[moving["request"]]["sequence"] for v in by_request] == [0, 1, 2]
    assert [v[dropping["request"]]["status"] for v in by_request] == [
        "CONFIRMED",
        "CANCELLED",
        "CANCELLED",
    ]
    assert [v[dropping["request"]]["sequence"] for v in by_request] == [0, 1, 1]
    assert len({v[moving["request"]]["uid"] for v in by_request}) == 1
    untouched = v3["meetings"][-1]["request"]
    assert [v[untouched]["sequence"] for v in by_request] == [0, 0, 0]
    assert "1 updated and 0 cancelled since the previous export" in result.output  # v3


def _later(meeting: dict, hours: int) -> tuple[str, str]:
    def shift(text: str) -> str:
        value = datetime.fromisoformat(text)
        return value.replace(hour=value.hour + hours).strftime("%Y-%m-%dT%H:%M")

    return shift(meeting["start"]), shift(meeting["end"])


def test_ics_keeps_uids_when_the_event_is_renamed(tmp_path, example):
    instance, _ = example
    assert run("ics", EXAMPLE, SCHEDULE, "-o", tmp_path / "v1").exit_code == 0
    renamed = json.loads(json.dumps(instance))
    renamed["event"]["name"] = "BioJapan 2026 (renamed)"
    path = write(tmp_path / "renamed.json", renamed)
    previous = tmp_path / "v1" / "published.json"
    result = run("ics", path, SCHEDULE, "-o", tmp_path / "v2", "--previous", previous)
    assert result.exit_code == 0, result.output
    uids = [
        {e["uid"] for e in read_with_icaljs([tmp_path / v / "event.ics"]).popitem()[1]}
        for v in ("v1", "v2")
    ]
    assert uids[0] == uids[1]


def test_ics_rejects_a_schedule_of_another_instance(tmp_path, example):
    _, schedule = example
    broken = json.loads(json.dumps(schedule))
    broken["meetings"][0]["request"] = "r9999"
    path = write(tmp_path / "broken.json", broken)
    result = run("ics", EXAMPLE, path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert f"{path}: meetings[0].request: unknown request" in result.output
    assert "Traceback" not in result.output


def test_ics_rejects_an_instance_given_as_schedule(tmp_path):
    result = run("ics", EXAMPLE, EXAMPLE, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "format" in result.output and "partnering-schedule/1" in result.output


def test_ics_rejects_a_broken_previous(tmp_path, example):
    _, schedule = example
    broken = json.loads(json.dumps(schedule))
    broken["meetings"][2]["sequence"] = "two"
    path = write(tmp_path / "previous.json", broken)
    result = run("ics", EXAMPLE, SCHEDULE, "-o", tmp_path / "out", "--previous", path)
    assert result.exit_code == 2
    assert f"{path}: meetings[2].sequence" in result.output


def test_solve_check_and_ics_through_files_in_the_hour_that_happens_twice(tmp_path):
    """02:00-03:00 happens twice in Berlin on 2026-10-25: the schedule file must say which,
    so that `check` and `ics` read the meetings at the instants the solver chose."""
    document = make_instance(
        locations=[{"id": "T1", "name": "Table 1", "kind": "table"}],
        requests=[{"id": f"r{i}", "from": c, "to": "big"} for i, c in enumerate(["acme", "cell"])]
        + [{"id": "r3", "from": "acme", "to": "cell"}],
    )
    document["event"].update(timezone="Europe/Berlin")
    document["event"]["days"] = [
        {"date": "2026-10-25", "sessions": [{"start": "02:00", "end": "03:00"}]}
    ]  # four slots: 02:00 and 02:30 summer time, then 02:00 and 02:30 winter time
    instance_path = write(tmp_path / "instance.json", document)
    schedule_path = tmp_path / "schedule.json"
    assert run("solve", instance_path, "-o", schedule_path).exit_code == 0
    written = json.loads(schedule_path.read_text(encoding="utf-8"))
    assert len(written["meetings"]) == 3
    result = run("check", instance_path, schedule_path)
    assert result.exit_code == 0, result.output
    result = run("ics", instance_path, schedule_path, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    instance, _ = instance_from_document(document)
    schedule = schedule_from_document(written, instance)
    expected = {(m.start, m.end) for m in schedule.meetings}
    assert len({start for start, _ in expected}) == 3  # three different instants
    (events,) = read_with_icaljs([tmp_path / "out" / "event.ics"]).values()
    assert {(e["start"], e["end"]) for e in events} == expected


# --- reading a schedule --------------------------------------------------------------------


def test_read_schedule_names_every_problem(example):
    instance_document, schedule = example
    instance, _ = instance_from_document(instance_document)
    broken = json.loads(json.dumps(schedule))
    broken["meetings"][0]["location"] = "t01"  # the tables are T01, T02...
    broken["meetings"][1]["attendees"][0] = "nobody"
    broken["meetings"][2]["start"] = "2026-10-14 25:00"
    broken["meetings"][3]["request"] = broken["meetings"][4]["request"]
    with pytest.raises(InvalidInput) as caught:
        schedule_from_document(broken, instance)
    text = str(caught.value)
    assert 'meetings[0].location: unknown location "t01" (did you mean "T01"?)' in text
    assert 'meetings[1].attendees[0]: unknown attendee "nobody"' in text
    assert "meetings[2].start: expected a local time" in text
    assert "meetings[4].request: request" in text and "already met at meetings[3]" in text


def test_read_schedule_reads_the_example(example):
    instance_document, schedule = example
    instance, _ = instance_from_document(instance_document)
    read = schedule_from_document(schedule, instance)
    assert len(read.meetings) == len(schedule["meetings"])
    first = schedule["meetings"][0]
    local = datetime.fromisoformat(first["start"]).replace(tzinfo=ZoneInfo("Asia/Tokyo"))
    assert read.meetings[0].start == local


# --- partnering agendas --------------------------------------------------------------------


def test_agendas_show_every_meeting_of_the_company(tmp_path, example):
    instance, schedule = example
    result = run("agendas", EXAMPLE, SCHEDULE, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    names = {c["id"]: c["name"] for c in instance["companies"]}
    assert all(f'href="companies/{cid}.html"' in index for cid in names)
    html = (tmp_path / "companies" / "takeda.html").read_text(encoding="utf-8")
    requests = {r["id"]: r for r in instance["requests"]}
    mine = [m for m in schedule["meetings"] if "takeda" in _sides(requests[m["request"]])]
    rows = re.findall(r'<tr class="meeting" data-request="([^"]+)"', html)
    assert sorted(rows) == sorted(m["request"] for m in mine)
    for meeting in mine:
        other = next(c for c in _sides(requests[meeting["request"]]) if c != "takeda")
        assert names[other] in html
    assert '<meta charset="utf-8">' in html and "@media print" in html
    waiting = [u for u in schedule["unscheduled"] if "takeda" in _sides(requests[u["request"]])]
    assert waiting  # the case is worth testing: Takeda has requests that did not fit
    listed = re.findall(r'<li data-request="([^"]+)"', html)
    assert sorted(listed) == sorted(u["request"] for u in waiting)
    assert not any(u["reason"] in html for u in schedule["unscheduled"])  # organiser's advice
    assert JAPANESE.search(html)  # Takeda's people: 石川 修 ...
    assert "Asia/Tokyo" in html


MEMBER = "torrey-pines-biologics"  # a San Diego delegation member of the example


def test_agendas_in_japanese(tmp_path, example):
    """`--language ja`: headings, dates and roles in Japanese; the same meetings and names."""
    assert run("agendas", EXAMPLE, SCHEDULE, "-o", tmp_path / "en").exit_code == 0
    result = run("agendas", EXAMPLE, SCHEDULE, "-o", tmp_path / "ja", "--language", "ja")
    assert result.exit_code == 0, result.output
    english = (tmp_path / "en" / "companies" / "takeda.html").read_text(encoding="utf-8")
    html = (tmp_path / "ja" / "companies" / "takeda.html").read_text(encoding="utf-8")
    assert '<html lang="ja">' in html and "商談相手" in html and "自社の参加者" in html
    assert re.search(r"<h2>2026年10月\d+日[月火水木金土日]曜日</h2>", html)
    assert "日程が組めなかった申請" in html and "企業" in html  # Takeda: corporate
    for english_word in ("Meeting with", "Our people", "Requests not scheduled", "October"):
        assert english_word in english and english_word not in html
    rows = r'<tr class="meeting" data-request="([^"]+)"'
    assert re.findall(rows, html) == re.findall(rows, english)
    index = (tmp_path / "ja" / "index.html").read_text(encoding="utf-8")
    assert "アジェンダ一覧" in index and "商談数" in index
    assert "大手企業" in html and "日本時間 (Asia/Tokyo)" in html  # one word a role; the zone
    for folder, words in (("en", "San Diego delegation:"), ("ja", "San Diego派遣団:")):
        member = (tmp_path / folder / "companies" / f"{MEMBER}.html").read_text(encoding="utf-8")
        people = re.search(r'<p class="people">([^<]*)', member).group(1)
        assert (
            people.strip().startswith(words)
            and people.count("elegation") + people.count("派遣団") == 1
        ), people
    refused = run("agendas", EXAMPLE, SCHEDULE, "-o", tmp_path / "x", "--language", "fr")
    assert refused.exit_code == 2 and "fr" in refused.output


def test_every_agenda_message_has_a_japanese_translation():
    """Each word of the printable agendas marked for translation has its Japanese one."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[1]
    with (root / "scheduler/calendars/babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    found = {
        m
        for _f, _l, m, _c, _ctx in extract_from_dir(
            str(root), method_map, options_map, keywords=keywords
        )
    }
    assert len(found) > 15
    path = root / "scheduler/calendars/translations/ja/LC_MESSAGES/agenda.po"
    with path.open("rb") as po:
        catalog = read_po(po)
    assert sorted(m for m in found if not (e := catalog.get(m)) or e.fuzzy or not e.string) == []


def _sides(request: dict) -> tuple[str, str]:
    return request["from"], request["to"]


def test_agenda_escapes_names(tmp_path, example):
    instance, _ = example
    hostile = json.loads(json.dumps(instance))
    hostile["companies"][0]["name"] = "<script>alert(1)</script> 武田薬品"
    path = write(tmp_path / "instance.json", hostile)
    assert run("agendas", path, SCHEDULE, "-o", tmp_path / "out").exit_code == 0
    html = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").rglob("*.html"))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; 武田薬品" in html


# --- partnering meetings-sheet -------------------------------------------------------------


def test_meetings_csv_has_bom_and_every_meeting(tmp_path, example):
    _, schedule = example
    out = tmp_path / "meetings.csv"
    result = run("meetings-sheet", EXAMPLE, SCHEDULE, "-o", out)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert len(rows) == len(schedule["meetings"])
    assert {r["request"] for r in rows} == {m["request"] for m in schedule["meetings"]}
    first = next(m for m in schedule["meetings"] if m["request"] == rows[0]["request"])
    assert rows[0]["date"] + "T" + rows[0]["start"] == first["start"]
    assert rows[0]["table"] == first["location"]
    assert any(JAPANESE.search(r["requested attendees"] + r["requester attendees"]) for r in rows)


def test_meetings_xlsx_has_real_times(tmp_path, example):
    _, schedule = example
    out = tmp_path / "meetings.xlsx"
    assert run("meetings-sheet", EXAMPLE, SCHEDULE, "-o", out).exit_code == 0
    sheet = load_workbook(out).active
    header, *rows = list(sheet.values)
    assert header[:4] == ("Date", "Start", "End", "Table")
    assert len(rows) == len(schedule["meetings"])
    starts = {m["request"]: m["start"] for m in schedule["meetings"]}
    request = header.index("Request")
    assert all(row[1] == datetime.fromisoformat(starts[row[request]]) for row in rows)
    # The requests not scheduled, with their reasons, on a sheet of their own.
    header, *missed = list(load_workbook(out)["Unscheduled"].values)
    assert header == ("Request", "Requester", "Requested", "Priority", "Reason")
    assert [r[0] for r in missed] == [u["request"] for u in schedule["unscheduled"]]
    assert all(r[4] for r in missed)


def test_meetings_sheet_needs_a_known_extension(tmp_path):
    result = run("meetings-sheet", EXAMPLE, SCHEDULE, "-o", tmp_path / "meetings.pdf")
    assert result.exit_code == 2
    assert "meetings.pdf: name a .csv or an .xlsx file" in result.output
