"""Calendar files that real clients read right (issue 4): RFC 5545 rules, the same instants in
two independent parsers (the icalendar library and Mozilla's ical.js), and updates that
replace or cancel instead of duplicating."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scheduler.calendars.details import JOIN
from scheduler.calendars.export import file_stem, write_calendars
from scheduler.calendars.ical import company_calendar
from scheduler.calendars.published_file import publication_document, publication_from_document
from scheduler.calendars.revisions import Publication, publish
from scheduler.calendars.uids import default_event_key, meeting_uid
from scheduler.domain import Instance, Meeting, Schedule
from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.schedule_io import schedule_from_document
from scheduler.timegrid import TimeGrid
from tests.calendar_readers import (
    components,
    content_lines,
    property_names,
    read_with_icalendar,
    read_with_icaljs,
)
from tests.conftest import make_instance, solve_document

STAMP = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)
KEY = "test-fair"

TWO_TABLES = [
    {"id": "T1", "name": "Table 1", "kind": "table"},
    {"id": "T2", "name": "Table 2", "kind": "table"},
]
FOUR_REQUESTS = [
    {"id": "r1", "from": "acme", "to": "big", "priority": 2},
    {"id": "r2", "from": "cell", "to": "big"},
    {"id": "r3", "from": "acme", "to": "cell"},
    {"id": "r4", "from": "cell", "to": "acme", "notes": "second meeting"},
]


def fair(timezone: str, day: str, start: str = "10:00", end: str = "12:00") -> Instance:
    document = make_instance(
        event={
            "name": "Trade fair",
            "venue": "Messe",
            "timezone": timezone,
            "slot_minutes": 30,
            "days": [{"date": day, "sessions": [{"start": start, "end": end}]}],
        },
        locations=TWO_TABLES,
        requests=FOUR_REQUESTS,
    )
    instance, _ = instance_from_document(document)
    return instance


def solved(instance_document: dict) -> tuple[Instance, Schedule]:
    instance, _ = instance_from_document(instance_document)
    schedule = schedule_from_document(solve_document(instance_document, 5), instance)
    assert schedule.meetings
    return instance, schedule


def one_after_another(instance: Instance, slots: list[int]) -> Schedule:
    """Meeting k of requests r1.. at slot slots[k] (built directly: times any reader may not
    round-trip, such as the hour repeated when daylight saving ends)."""
    grid = TimeGrid(instance.event)
    meetings = []
    for request, slot in zip(instance.requests, slots, strict=False):
        a, b = (instance.company_by_id[c].attendees[0].id for c in request.companies)
        start = grid.slots[slot].start
        meetings.append(Meeting(request.id, start, grid.slots[slot].end, "T1", (a, b)))
    return Schedule(meetings, [])


def export(tmp_path: Path, instance: Instance, schedule: Schedule, previous=None) -> Publication:
    publication = publish(schedule, KEY, previous)
    write_calendars(tmp_path, instance, schedule, publication, STAMP)
    return publication


def ics_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.ics"))


# --- both parsers read every event at the schedule's instants ------------------------------


def assert_parsers_agree(folder: Path, schedule: Schedule) -> None:
    """Every VEVENT of every file, by ical.js and by icalendar, at the schedule's instants."""
    expected = {meeting_uid(KEY, m.request): (m.start, m.end) for m in schedule.meetings}
    files = ics_files(folder)
    by_icaljs = read_with_icaljs(files)
    seen = set()
    for path in files:
        for reader, events in (("ical.js", by_icaljs[path]), ("icalendar", None)):
            for event in events if events is not None else read_with_icalendar(path):
                assert (event["start"], event["end"]) == expected[event["uid"]], (reader, path)
                seen.add(event["uid"])
    assert seen == set(expected)


@pytest.mark.parametrize(
    ("timezone", "day"),
    [
        ("Asia/Tokyo", "2026-10-14"),
        ("Europe/Berlin", "2026-07-15"),  # summer time, UTC+2
        ("Europe/Berlin", "2026-11-04"),  # winter time, UTC+1
        ("America/New_York", "2026-11-02"),  # the day after the clocks go back
    ],
)
def test_solved_schedule_reads_the_same_in_both_parsers(tmp_path, timezone, day):
    document = make_instance(locations=TWO_TABLES, requests=FOUR_REQUESTS)
    document["event"].update(timezone=timezone, venue="Messe")
    document["event"]["days"][0]["date"] = day
    instance, schedule = solved(document)
    export(tmp_path, instance, schedule)
    assert_parsers_agree(tmp_path, schedule)


def test_berlin_in_july_and_november_are_an_hour_apart_in_utc(tmp_path):
    instants = {}
    for day in ("2026-07-15", "2026-11-04"):
        instance = fair("Europe/Berlin", day)
        schedule = one_after_another(instance, [0])
        export(tmp_path / day, instance, schedule)
        (event,) = read_with_icaljs([tmp_path / day / "event.ics"]).popitem()[1]
        instants[day] = event["start"]
    assert instants["2026-07-15"].hour == 8  # 10:00 CEST
    assert instants["2026-11-04"].hour == 9  # 10:00 CET


def test_night_when_the_clocks_go_back_is_written_unambiguously(tmp_path):
    """02:00-03:00 happens twice in Berlin on 2026-10-25: both hours must stay distinct."""
    instance = fair("Europe/Berlin", "2026-10-25", "01:00", "05:00")
    schedule = one_after_another(instance, [2, 3, 4, 5])  # 02:00, 02:30 twice each
    export(tmp_path, instance, schedule)
    starts = sorted(m.start for m in schedule.meetings)
    assert [s.hour for s in starts] == [0, 0, 1, 1]  # 02:00 CEST, 02:30 CEST, 02:00 CET, ...
    assert_parsers_agree(tmp_path, schedule)


def test_night_when_the_clocks_go_forward(tmp_path):
    """01:00-04:00 in Berlin on 2026-03-29 is two hours: 02:00-03:00 does not exist."""
    instance = fair("Europe/Berlin", "2026-03-29", "01:00", "04:00")
    schedule = one_after_another(instance, [0, 1, 2, 3])
    export(tmp_path, instance, schedule)
    assert_parsers_agree(tmp_path, schedule)


# --- RFC 5545 rules on every file of the example event -------------------------------------


@pytest.fixture(scope="module")
def example_export(tmp_path_factory) -> tuple[Path, Instance, Schedule]:
    from tests.conftest import EXAMPLE

    instance, _ = instance_from_document(_json(EXAMPLE))
    schedule = schedule_from_document(_json(EXAMPLE.parent / "schedule.json"), instance)
    folder = tmp_path_factory.mktemp("example")
    write_calendars(folder, instance, schedule, publish(schedule, KEY), STAMP)
    return folder, instance, schedule


def _json(path: Path) -> object:
    import json

    return json.loads(path.read_text(encoding="utf-8"))


def test_example_has_one_file_per_company_and_attendee(example_export):
    folder, instance, _ = example_export
    companies = {p.stem for p in (folder / "companies").glob("*.ics")}
    attendees = {p.stem for p in (folder / "attendees").glob("*.ics")}
    assert companies == {file_stem(c.id) for c in instance.companies}
    assert attendees == set(map(file_stem, instance.attendee_by_id))
    assert (folder / "event.ics").is_file()


def test_lines_end_in_crlf_and_fold_at_75_octets(example_export):
    for path in ics_files(example_export[0]):
        data = path.read_bytes()
        assert data.endswith(b"\r\n")
        assert b"\n" not in data.replace(b"\r\n", b""), path
        assert b"\r" not in data.replace(b"\r\n", b""), path
        assert max(len(line) for line in data.split(b"\r\n")) <= 75, path


def test_calendar_and_event_properties(example_export):
    for path in ics_files(example_export[0]):
        lines = content_lines(path.read_bytes())
        assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
        calendar = components(lines, "VCALENDAR")[0]
        names = property_names(calendar)
        for required in ("VERSION", "PRODID", "METHOD", "X-WR-CALNAME", "REFRESH-INTERVAL"):
            assert names.count(required) == 1, (path, required)
        assert "VERSION:2.0" in calendar and "METHOD:PUBLISH" in calendar
        for event in components(lines, "VEVENT"):
            names = property_names(event)
            for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE"):
                assert names.count(required) == 1, (path, required)
            for one in ("LOCATION", "DESCRIPTION", "STATUS"):
                assert names.count(one) == 1, (path, one)
            assert re.fullmatch(r"DTSTAMP:\d{8}T\d{6}Z", _line(event, "DTSTAMP"))


def _line(lines: list[str], name: str) -> str:
    return next(line for line in lines if re.match(rf"{name}[;:]", line))


def test_every_tzid_has_a_vtimezone_and_uids_are_unique(example_export):
    for path in ics_files(example_export[0]):
        lines = content_lines(path.read_bytes())
        defined = {
            line.split(":", 1)[1]
            for tz in components(lines, "VTIMEZONE")
            for line in tz
            if line.startswith("TZID:")
        }
        used = set(re.findall(r";TZID=([^:;]+)[:;]", "\n".join(lines)))
        assert used <= defined, path
        uids = [line for line in lines if line.startswith("UID:")]
        assert len(uids) == len(set(uids)), path


def test_example_instants_and_texts_in_both_parsers(example_export):
    folder, instance, schedule = example_export
    assert_parsers_agree(folder, schedule)
    takeda = read_with_icaljs([folder / "companies" / "takeda.ics"]).popitem()[1]
    meetings = [
        m for m in schedule.meetings if "takeda" in instance.request_by_id[m.request].companies
    ]
    assert len(takeda) == len(meetings) > 0
    assert all("Takeda Pharmaceutical" in e["summary"] and JOIN in e["summary"] for e in takeda)
    assert all(e["location"].endswith(", Pacifico Yokohama") for e in takeda)
    assert any(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", e["description"]) for e in takeda)


def test_attendee_calendar_holds_exactly_their_meetings(example_export):
    folder, _, schedule = example_export
    person = schedule.meetings[0].attendees[0]
    events = read_with_icalendar(folder / "attendees" / f"{file_stem(person)}.ics")
    mine = {meeting_uid(KEY, m.request) for m in schedule.meetings if person in m.attendees}
    assert {e["uid"] for e in events} == mine


def test_text_is_escaped_and_read_back_exactly(tmp_path):
    name = "Müller, Söhne; AG \\ 武田"
    document = make_instance(requests=[{"id": "r1", "from": "acme", "to": "big"}])
    document["companies"][1]["name"] = name
    document["requests"][0]["notes"] = "Bring the NDA.\nAsk about CMC; Phase 2, 2027"
    instance, _ = instance_from_document(document)
    schedule = one_after_another(instance, [0])
    export(tmp_path, instance, schedule)
    raw = "\n".join(content_lines((tmp_path / "event.ics").read_bytes()))
    assert "Müller\\, Söhne\\; AG \\\\ 武田" in raw
    assert "Bring the NDA.\\nAsk about CMC\\; Phase 2\\, 2027" in raw
    for event in [
        *read_with_icaljs([tmp_path / "event.ics"]).popitem()[1],
        *read_with_icalendar(tmp_path / "event.ics"),
    ]:
        assert event["summary"] == f"Acme Bio{JOIN}{name}"
        assert "Bring the NDA.\nAsk about CMC; Phase 2, 2027" in event["description"]


def test_an_empty_agenda_is_still_a_valid_calendar(tmp_path):
    instance = fair("Asia/Tokyo", "2026-10-14")
    publication = publish(Schedule([], []), KEY)
    data = company_calendar(instance, publication, "acme", STAMP)
    lines = content_lines(data)
    assert components(lines, "VTIMEZONE") and not components(lines, "VEVENT")
    path = tmp_path / "acme.ics"
    path.write_bytes(data)
    assert read_with_icaljs([path])[path] == []


# --- UIDs and revisions --------------------------------------------------------------------


def test_uid_is_stable_per_request_and_event():
    assert meeting_uid("fair-a", "r1") == meeting_uid("fair-a", "r1")
    assert meeting_uid("fair-a", "r1") != meeting_uid("fair-a", "r2")
    assert meeting_uid("fair-a", "r1") != meeting_uid("fair-b", "r1")
    assert meeting_uid("a", "b/c") != meeting_uid("a/b", "c")


def test_default_event_key_is_a_slug_of_name_and_first_day():
    instance = fair("Asia/Tokyo", "2026-10-14")
    assert default_event_key(instance.event) == "trade-fair-2026-10-14"


def moved(schedule: Schedule, request: str, slot_start: datetime, slot_end: datetime) -> Schedule:
    meetings = [
        replace(m, start=slot_start, end=slot_end) if m.request == request else m
        for m in schedule.meetings
    ]
    return Schedule(meetings, [])


def dropped(schedule: Schedule, request: str) -> Schedule:
    return Schedule([m for m in schedule.meetings if m.request != request], [])


def by_uid(path: Path) -> dict[str, dict]:
    return {e["uid"]: e for e in read_with_icaljs([path])[path]}


def test_moved_keeps_uid_with_higher_sequence_and_dropped_is_cancelled(tmp_path):
    instance = fair("Europe/Berlin", "2026-11-04")
    grid = TimeGrid(instance.event)
    v1 = one_after_another(instance, [0, 1, 2])
    v2 = dropped(moved(v1, "r1", grid.slots[3].start, grid.slots[3].end), "r2")
    first = export(tmp_path / "v1", instance, v1)
    export(tmp_path / "v2", instance, v2, first)
    before, after = by_uid(tmp_path / "v1" / "event.ics"), by_uid(tmp_path / "v2" / "event.ics")
    uid = {r: meeting_uid(KEY, r) for r in ("r1", "r2", "r3")}
    assert set(after) == set(before)  # nothing new: an update, not a duplicate
    assert after[uid["r1"]]["sequence"] > before[uid["r1"]]["sequence"]
    assert after[uid["r1"]]["start"] == grid.slots[3].start
    assert after[uid["r2"]]["status"] == "CANCELLED"
    assert after[uid["r2"]]["sequence"] > before[uid["r2"]]["sequence"]
    assert after[uid["r3"]]["sequence"] == before[uid["r3"]]["sequence"]
    assert after[uid["r3"]]["status"] == "CONFIRMED"
    cell = by_uid(tmp_path / "v2" / "companies" / "cell.ics")  # r2 was cell's meeting
    assert cell[uid["r2"]]["status"] == "CANCELLED"


def test_sequences_rise_monotonically_over_three_publications(tmp_path):
    """v1 -> v2 -> v3 through the published document, as `ics --previous` does."""
    instance = fair("Asia/Tokyo", "2026-10-14")
    grid = TimeGrid(instance.event)
    v1 = one_after_another(instance, [0, 1, 2])
    v2 = dropped(moved(v1, "r1", grid.slots[3].start, grid.slots[3].end), "r2")
    v3 = moved(v1, "r1", grid.slots[2].start, grid.slots[2].end)  # r2 back, r1 moved again
    publications, previous = [], None
    for schedule in (v1, v2, v3):
        publication = publish(schedule, KEY, previous)
        document = _through_json(publication_document(instance, schedule, publication))
        previous = publication_from_document(document, instance, "ignored: the file has one")
        assert previous == publication  # former attendees included
        publications.append({m.request: m for m in publication.meetings})
    sequences = {r: [p[r].sequence for p in publications] for r in ("r1", "r2", "r3")}
    assert sequences == {"r1": [0, 1, 2], "r2": [0, 1, 2], "r3": [0, 0, 0]}
    assert [p["r2"].cancelled for p in publications] == [False, True, False]


def test_a_cancellation_stays_in_later_publications(tmp_path):
    instance = fair("Asia/Tokyo", "2026-10-14")
    v1 = one_after_another(instance, [0, 1])
    v2 = dropped(v1, "r2")
    p2 = publish(v2, KEY, publish(v1, KEY))
    document = _through_json(publication_document(instance, v2, p2))
    assert document["cancelled"][0]["request"] == "r2"
    p3 = publish(v2, KEY, publication_from_document(document, instance, KEY))
    (r2,) = [m for m in p3.meetings if m.request == "r2"]
    assert r2.cancelled and r2.sequence == 1


def test_attendee_taken_off_a_meeting_sees_it_cancelled(tmp_path):
    instance = fair("Asia/Tokyo", "2026-10-14")
    v1 = one_after_another(instance, [0])  # r1 with acme-1 and big-1
    v2 = Schedule([replace(v1.meetings[0], attendees=("acme-1", "big-2"))], [])
    export(tmp_path / "v2", instance, v2, publish(v1, KEY))
    uid = meeting_uid(KEY, "r1")
    assert by_uid(tmp_path / "v2" / "attendees" / "big-1.ics")[uid]["status"] == "CANCELLED"
    assert by_uid(tmp_path / "v2" / "attendees" / "big-2.ics")[uid]["status"] == "CONFIRMED"
    assert by_uid(tmp_path / "v2" / "attendees" / "big-2.ics")[uid]["sequence"] == 1


def test_attendee_taken_off_a_meeting_keeps_the_cancellation_in_later_publications(tmp_path):
    """Someone who imported v1 and then v3 (not v2) must learn that r1 is no longer theirs:
    publications pass through the published document, as `ics --previous` and the web app do."""
    instance = fair("Asia/Tokyo", "2026-10-14")
    grid = TimeGrid(instance.event)
    v1 = one_after_another(instance, [0, 1])  # r1 with acme-1 and big-1
    v2 = Schedule([replace(v1.meetings[0], attendees=("acme-1", "big-2")), v1.meetings[1]], [])
    v3 = v2  # nothing changes
    v4 = dropped(moved(v2, "r2", grid.slots[2].start, grid.slots[2].end), "r1")
    v5 = Schedule(list(v4.meetings), [])  # r1 stays dropped
    previous, uid = None, meeting_uid(KEY, "r1")
    for number, schedule in enumerate((v1, v2, v3, v4, v5), start=1):
        folder = tmp_path / f"v{number}"
        publication = export(folder, instance, schedule, previous)
        document = _through_json(publication_document(instance, schedule, publication))
        previous = publication_from_document(document, instance, KEY)
        if number == 1:
            continue
        big_1 = by_uid(folder / "attendees" / "big-1.ics")
        assert big_1[uid]["status"] == "CANCELLED", number
        assert big_1[uid]["sequence"] == (1 if number < 4 else 2), number
        assert by_uid(folder / "attendees" / "big-2.ics")[uid]["status"] == (
            "CONFIRMED" if number < 4 else "CANCELLED"
        )


def test_published_document_is_a_valid_schedule(tmp_path):
    from scheduler.validate.check import check_schedule

    document = make_instance(locations=TWO_TABLES, requests=FOUR_REQUESTS)
    instance, schedule = solved(document)
    v2 = dropped(schedule, schedule.meetings[0].request)
    v2.unscheduled.append(_unscheduled(schedule.meetings[0].request))
    v2.unscheduled.extend(schedule.unscheduled)
    publication = publish(v2, KEY, publish(schedule, KEY))
    published = _through_json(publication_document(instance, v2, publication))
    assert published["cancelled"] and all("sequence" in m for m in published["meetings"])
    assert check_schedule(document, published) == []
    assert schedule_from_document(published, instance).meetings == v2.meetings


def _unscheduled(request: str):
    from scheduler.domain import Unscheduled

    return Unscheduled(request, "withdrawn by the organiser")


def _through_json(document: dict) -> dict:
    import json

    return json.loads(json.dumps(document))


def test_calendars_never_import_web_or_database_code():
    code = (
        "import sys, scheduler.calendars.export, scheduler.calendars.sheet;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'web')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_long_ids_make_file_names_that_fit_and_stay_apart():
    """File systems take 255 bytes a name: 250 letters or 85 kanji (255 bytes) as ids made
    the calendar and agenda zips fail. Long ids are cut, with a digest of the whole id."""
    long_ids = ["a" * 250, "a" * 249 + "b", "薬" * 85, "薬" * 84 + "剤", "a/" * 100]
    stems = [file_stem(i) for i in long_ids]
    assert all(len(f"{s}.html".encode()) <= 255 for s in stems)
    assert len(set(stems)) == len(stems)
    assert file_stem("takeda") == "takeda" and file_stem("a/b") == "a%2Fb"
    assert file_stem("薬" * 85) == file_stem("薬" * 85)  # the same id, the same name


def test_each_meeting_reminds_before_it_starts_in_both_parsers(tmp_path):
    """A reminder 15 minutes before each confirmed meeting, unless the event sets another or
    none; a cancelled meeting reminds no one."""
    from datetime import timedelta

    instance = fair("Asia/Tokyo", "2026-10-14")
    schedule = one_after_another(instance, [0, 1, 2])
    later = replace(schedule, meetings=schedule.meetings[1:])
    dropped = publish(later, KEY, publish(schedule, KEY, None))
    for alarm, folder in ((timedelta(minutes=15), "default"), (timedelta(minutes=5), "five")):
        write_calendars(tmp_path / folder, instance, later, dropped, STAMP, alarm)
    write_calendars(tmp_path / "none", instance, later, dropped, STAMP, None)
    for folder, minutes in (("default", [15.0]), ("five", [5.0]), ("none", [])):
        path = tmp_path / folder / "event.ics"
        for events in (read_with_icaljs([path])[path], read_with_icalendar(path)):
            by_status = {e["status"]: e["alarms"] for e in events}
            assert by_status == {"CONFIRMED": minutes, "CANCELLED": []}, (folder, events)


def test_calendars_written_together_share_each_meetings_vevent_and_are_unchanged(
    example_document,
):
    """A publication's calendars write each meeting once for all the files it is in: every
    company's and person's calendar is byte for byte what it is when written alone, alarms
    and a person taken off a meeting (shown as cancelled) included; another alarm or stamp
    writes the texts again rather than reuse them."""
    from datetime import timedelta

    from scheduler.calendars.ical import EventTexts, attendee_calendar

    instance, _ = instance_from_document(example_document)
    schedule = schedule_from_document(json_schedule(), instance)
    first = publish(schedule, "k")
    moved = replace(schedule, meetings=schedule.meetings[1:])  # one meeting dropped
    publication = publish(moved, "k", first)
    texts = EventTexts()
    for company in instance.companies:
        alone = company_calendar(instance, publication, company.id, STAMP)
        assert company_calendar(instance, publication, company.id, STAMP, texts=texts) == alone
    for person in instance.attendee_by_id.values():
        alone = attendee_calendar(instance, publication, person.id, STAMP)
        together = attendee_calendar(instance, publication, person.id, STAMP, texts=texts)
        assert together == alone, person.id
    written = texts.of(STAMP, timedelta(minutes=15), None)
    assert len(written) == len(publication.meetings)  # each meeting written once
    assert sum(b"STATUS:CANCELLED" in text for text in written.values()) == 1
    for alarm, stamp in (
        (None, STAMP),
        (timedelta(minutes=5), STAMP),
        (None, STAMP + timedelta(1)),
    ):
        for company in instance.companies[:5]:
            alone = company_calendar(instance, publication, company.id, stamp, alarm)
            again = company_calendar(instance, publication, company.id, stamp, alarm, texts=texts)
            assert again == alone, (alarm, stamp)


def json_schedule() -> dict:
    import json

    from tests.conftest import EXAMPLE

    return json.loads((EXAMPLE.parent / "schedule.json").read_text(encoding="utf-8"))
