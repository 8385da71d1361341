"""`partnering validate` on broken input: exit 2, one line per problem naming its place and
the fix, never a traceback. Each case breaks a small valid instance in one way."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler.cli.commands import main
from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.problems import InvalidInput
from tests.conftest import EXAMPLE, make_instance

DAY1, DAY2 = "2026-10-14", "2026-10-15"

VALID: dict[str, Any] = {
    "format": "partnering-instance/1",
    "event": {
        "name": "BioJapan 2026 Partnering",
        "timezone": "Asia/Tokyo",
        "slot_minutes": 30,
        "days": [
            {
                "date": DAY1,
                "sessions": [
                    {"start": "10:00", "end": "12:30"},
                    {"start": "13:30", "end": "17:30"},
                ],
            },
            {"date": DAY2, "sessions": [{"start": "10:00", "end": "12:00"}]},
        ],
    },
    "locations": [
        {"id": "T001", "name": "Partnering table 1", "kind": "table"},
        {"id": "T002", "name": "Partnering table 2", "kind": "table"},
        {"id": "R-TAK", "name": "Takeda meeting room", "kind": "room", "owner": "takeda"},
    ],
    "companies": [
        {
            "id": "organovo",
            "name": "Organovo",
            "role": "delegation",
            "delegation": "San Diego",
            "attendees": [{"id": "organovo-1", "name": "A. Person", "email": "a@example.com"}],
            "unavailable": [{"start": f"{DAY1}T10:00", "end": f"{DAY1}T11:00"}],
            "max_meetings_per_day": 8,
        },
        {
            "id": "takeda",
            "name": "Takeda",
            "role": "corporate",
            "attendees": [
                {"id": "takeda-1", "name": "B. Person"},
                {
                    "id": "takeda-2",
                    "name": "C. Person",
                    "unavailable": [{"start": f"{DAY1}T14:00", "end": f"{DAY1}T17:30"}],
                },
            ],
        },
        {
            "id": "cellco",
            "name": "Cell Co",
            "role": "delegation",
            "attendees": [{"id": "cellco-1"}, {"id": "cellco-2"}],
        },
        {"id": "kyowa", "role": "corporate", "attendees": [{"id": "kyowa-1"}]},
    ],
    "requests": [
        {"id": "r1", "from": "organovo", "to": "takeda", "priority": 3},
        {
            "id": "r2",
            "from": "takeda",
            "to": "cellco",
            "priority": 1,
            "attendees": ["takeda-1"],
            "slots": 2,
            "within": [{"start": f"{DAY1}T13:30", "end": f"{DAY1}T17:30"}],
        },
        {"id": "r3", "from": "cellco", "to": "organovo"},
        {"id": "r4", "from": "kyowa", "to": "takeda", "priority": 2},
    ],
    "fixed": [{"request": "r1", "start": f"{DAY1}T11:00", "location": "T001"}],
}


@pytest.fixture
def instance() -> dict[str, Any]:
    return copy.deepcopy(VALID)


# --- running the command and reading its answer ----------------------------------------------


def validate_file(path: Path) -> Result:
    return CliRunner().invoke(main, ["validate", str(path)])


def validate(tmp_path: Path, document: object) -> tuple[Result, Path]:
    path = tmp_path / "x.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return validate_file(path), path


def validate_bytes(tmp_path: Path, raw: bytes) -> tuple[Result, Path]:
    path = tmp_path / "x.json"
    path.write_bytes(raw)
    return validate_file(path), path


def assert_clean_exit(result: Result, code: int) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == code, result.output


def problem_lines(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": warning: " not in line]


def assert_problem(result: Result, path: Path, place: str, *words: str) -> str:
    """Exit 2 and a line `path: place: ...` that says all of `words`; returns that line."""
    assert_clean_exit(result, 2)
    prefix = f"{path}: {place}: " if place else f"{path}: "
    lines = [line for line in problem_lines(result) if line.startswith(prefix)]
    assert lines, f"no line starts with {prefix!r}:\n{result.stderr}"
    matching = [line for line in lines if all(w in line for w in words)]
    assert matching, f"no line at {place} says {words}:\n{result.stderr}"
    return matching[0]


# --- mutating the valid instance -------------------------------------------------------------

Mutation = Callable[[dict[str, Any]], None]


def _walk(document: Any, path: str) -> tuple[Any, str | int]:
    """The container holding the last step of a dotted path ('requests.0.to') and that step."""
    steps: list[str | int] = [int(s) if s.isdigit() else s for s in path.split(".")]
    container = document
    for step in steps[:-1]:
        container = container[step]
    return container, steps[-1]


def put(path: str, value: object) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        container, last = _walk(document, path)
        container[last] = copy.deepcopy(value)

    return mutate


def drop(path: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        container, last = _walk(document, path)
        del container[last]

    return mutate


def add(path: str, item: object) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        container, last = _walk(document, path)
        container[last].append(copy.deepcopy(item))

    return mutate


def both(*mutations: Mutation) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        for mutation in mutations:
            mutation(document)

    return mutate


def fixed(*meetings: dict[str, object]) -> Mutation:
    return put("fixed", list(meetings))


def case(mutation: Mutation, place: str, *words: str, id: str):
    return pytest.param(mutation, place, words, id=id)


# --- the valid fixture and the example -------------------------------------------------------


def test_the_valid_fixture_passes_without_warnings(tmp_path, instance):
    result, path = validate(tmp_path, instance)
    assert_clean_exit(result, 0)
    assert result.stderr == ""
    assert f"{path}: valid: 4 companies, 4 requests, 3 locations, 2 days" in result.output


def test_the_biojapan_example_is_valid():
    result = validate_file(EXAMPLE)
    assert_clean_exit(result, 0)
    assert "valid:" in result.output


def test_an_unknown_field_is_a_warning_with_a_suggestion_and_exit_0(tmp_path, instance):
    instance["requests"][0]["priorty"] = 5
    instance["event"]["slotminutes"] = 15
    result, path = validate(tmp_path, instance)
    assert_clean_exit(result, 0)
    assert (
        f'{path}: requests[0].priorty: warning: unknown field, ignored (did you mean "priority"?)'
        in result.stderr
    )
    assert (
        f'{path}: event.slotminutes: warning: unknown field, ignored (did you mean "slot_minutes"?)'
        in (result.stderr)
    )
    assert "valid:" in result.output


def test_warnings_are_also_printed_when_the_instance_is_invalid(tmp_path, instance):
    instance["requests"][0]["priorty"] = 5
    instance["requests"][0]["to"] = "tkd"
    result, path = validate(tmp_path, instance)
    assert_problem(result, path, "requests[0].to", 'unknown company "tkd"')
    assert f"{path}: requests[0].priorty: warning:" in result.stderr


# --- the file itself -------------------------------------------------------------------------


def test_not_json_names_line_and_column(tmp_path):
    result, path = validate_bytes(
        tmp_path, b'{\n  "format": "partnering-instance/1",\n  "event": }'
    )
    assert_problem(result, Path(f"{path}:3:12"), "", "not valid JSON", "fix the syntax")


def test_a_trailing_comma_names_its_line(tmp_path, instance):
    text = json.dumps(instance, indent=1).replace('"priority": 3', '"priority": 3,', 1)
    line = text[: text.index('"priority": 3,')].count("\n") + 1
    result, path = validate_bytes(tmp_path, text.encode())
    assert_clean_exit(result, 2)
    assert result.stderr.startswith(f"{path}:{line + 1}:"), result.stderr  # the `}` after it
    assert "not valid JSON" in result.stderr


def test_not_utf8_names_the_line(tmp_path):
    result, path = validate_bytes(tmp_path, b'{\n"format": "partnering-instance/1",\n"x": "\xff"}')
    assert_problem(result, Path(f"{path}:3"), "", "not UTF-8", "save the file as UTF-8")


def test_utf16_with_a_byte_order_mark_is_not_utf8(tmp_path, instance):
    result, _ = validate_bytes(tmp_path, json.dumps(instance).encode("utf-16"))
    assert_clean_exit(result, 2)
    assert "not UTF-8" in result.stderr


def test_utf8_with_a_byte_order_mark_is_read(tmp_path, instance):
    result, _ = validate_bytes(tmp_path, json.dumps(instance).encode("utf-8-sig"))
    assert_clean_exit(result, 0)


@pytest.mark.parametrize("raw", [b"", b"  \n\t\n"], ids=["empty", "blank"])
def test_an_empty_file(tmp_path, raw):
    result, path = validate_bytes(tmp_path, raw)
    assert_problem(result, path, "", "is empty")


@pytest.mark.parametrize(
    ("document", "shown"),
    [([], "a list"), ([{"format": "partnering-instance/1"}], "a list"), (42, "42"), (None, "null")],
    ids=["array", "array-of-instance", "number", "null"],
)
def test_the_top_level_must_be_an_object(tmp_path, document, shown):
    result, path = validate(tmp_path, document)
    assert_problem(result, path, "", "expected an instance", "JSON object", f"got {shown}")
    assert len(problem_lines(result)) == 1


def test_a_missing_file(tmp_path):
    path = tmp_path / "nowhere" / "x.json"
    result = validate_file(path)
    assert_problem(result, path, "", "no such file", "check the path")


def test_a_folder_instead_of_a_file(tmp_path):
    result = validate_file(tmp_path)
    assert_problem(result, tmp_path, "", "is a folder")


def test_deeply_nested_json(tmp_path):
    result, path = validate_bytes(tmp_path, b"[" * 100_000 + b"]" * 100_000)
    assert_problem(result, path, "", "too deeply")


def test_a_number_with_thousands_of_digits(tmp_path):
    result, path = validate_bytes(tmp_path, b'{\n "format": ' + b"7" * 5000 + b"}")
    assert_problem(result, Path(f"{path}:2:12"), "", "too many digits")


def test_a_schedule_given_instead_of_an_instance(tmp_path):
    schedule = {"format": "partnering-schedule/1", "meetings": [], "unscheduled": []}
    result, path = validate(tmp_path, schedule)
    line = assert_problem(result, path, "format", '"partnering-instance/1"', "this is a schedule")
    assert "give the instance" in line


def test_the_example_schedule_given_instead_of_its_instance():
    result = validate_file(EXAMPLE.with_name("schedule.json"))
    assert_problem(result, EXAMPLE.with_name("schedule.json"), "format", "this is a schedule")


# --- one broken thing at a time --------------------------------------------------------------

SHAPE = [
    case(
        put("format", "partnering-instance/2"),
        "format",
        'got "partnering-instance/2"',
        id="format-version",
    ),
    case(put("format", 1), "format", "got 1", id="format-number"),
    case(drop("format"), "format", "is missing", id="format-missing"),
    case(drop("event"), "event", "is missing", id="event-missing"),
    case(drop("companies"), "companies", "is missing", id="companies-missing"),
    case(drop("companies.1.role"), "companies[1].role", "is missing", id="role-missing"),
    case(
        drop("companies.1.attendees"),
        "companies[1].attendees",
        "is missing",
        id="attendees-missing",
    ),
    case(
        put("companies.1.attendees", []),
        "companies[1].attendees",
        "must not be empty",
        id="attendees-empty",
    ),
    case(drop("companies.0.id"), "companies[0].id", "is missing", id="company-id-missing"),
    case(drop("event.timezone"), "event.timezone", "is missing", id="timezone-missing"),
    case(drop("event.slot_minutes"), "event.slot_minutes", "is missing", id="slot-minutes-missing"),
    case(put("event.days", []), "event.days", "must not be empty", id="no-days"),
    case(
        put("event.days.1.sessions", []),
        "event.days[1].sessions",
        "must not be empty",
        id="no-sessions",
    ),
    case(
        drop("event.days.0.sessions.1.end"),
        "event.days[0].sessions[1].end",
        "is missing",
        id="session-end-missing",
    ),
    case(drop("requests.1.from"), "requests[1].from", "is missing", id="from-missing"),
    case(drop("requests.1.to"), "requests[1].to", "is missing", id="to-missing"),
    case(drop("requests.2.id"), "requests[2].id", "is missing", id="request-id-missing"),
    case(drop("fixed.0.request"), "fixed[0].request", "is missing", id="fixed-request-missing"),
    case(drop("fixed.0.start"), "fixed[0].start", "is missing", id="fixed-start-missing"),
    case(
        drop("companies.2.attendees.1.id"),
        "companies[2].attendees[1].id",
        "is missing",
        id="attendee-id-missing",
    ),
    case(
        drop("requests.1.within.0.end"),
        "requests[1].within[0].end",
        "is missing",
        id="window-end-missing",
    ),
    # wrong types
    case(
        put("requests.0.priority", "3"),
        "requests[0].priority",
        "whole number",
        'got "3"',
        id="string-priority",
    ),
    case(
        put("requests.0.priority", 1.5),
        "requests[0].priority",
        "whole number",
        "got 1.5",
        id="float-priority",
    ),
    case(
        put("event.slot_minutes", 30.0),
        "event.slot_minutes",
        "whole number",
        "got 30.0",
        id="float-slot-minutes",
    ),
    case(
        put("event.slot_minutes", "30"),
        "event.slot_minutes",
        "whole number",
        id="string-slot-minutes",
    ),
    case(
        put("requests.0.priority", True),
        "requests[0].priority",
        "whole number",
        "got true",
        id="bool-priority",
    ),
    case(
        put("requests.1.slots", False),
        "requests[1].slots",
        "whole number",
        "got false",
        id="bool-slots",
    ),
    case(
        put("companies.0.max_meetings_per_day", True),
        "companies[0].max_meetings_per_day",
        "got true",
        id="bool-max",
    ),
    case(
        put("event", [VALID["event"]]), "event", "expected an object", "got a list", id="event-list"
    ),
    case(
        put("companies", {"organovo": VALID["companies"][0]}),
        "companies",
        "expected a list",
        "got an object",
        id="companies-object",
    ),
    case(put("companies.0", ["organovo"]), "companies[0]", "expected an object", id="company-list"),
    case(
        put("requests.1.within.0", [f"{DAY1}T13:30", f"{DAY1}T17:30"]),
        "requests[1].within[0]",
        "expected an object",
        id="window-list",
    ),
    case(
        put("requests.1.within", {"start": f"{DAY1}T13:30", "end": f"{DAY1}T17:30"}),
        "requests[1].within",
        "expected a list",
        id="within-object",
    ),
    case(
        put("requests.1.attendees", "takeda-1"),
        "requests[1].attendees",
        "expected a list",
        'got "takeda-1"',
        id="attendees-string",
    ),
    case(put("event.name", 2026), "event.name", "expected text", "got 2026", id="number-name"),
    case(
        put("event.days.0.date", 20261014), "event.days[0].date", "expected text", id="number-date"
    ),
    case(
        put("event.days.0.sessions.0.start", 10),
        "event.days[0].sessions[0].start",
        "expected text",
        id="number-clock",
    ),
    case(
        put("companies.0.id", None),
        "companies[0].id",
        "expected text",
        "got null",
        id="null-company-id",
    ),
    case(put("requests.0.id", None), "requests[0].id", "got null", id="null-request-id"),
    case(
        put("locations.0.id", 1),
        "locations[0].id",
        "expected text",
        "got 1",
        id="number-location-id",
    ),
    case(put("requests.0.to", None), "requests[0].to", "got null", id="null-to"),
    case(put("fixed.0.request", None), "fixed[0].request", "got null", id="null-fixed-request"),
    case(
        put("fixed.0.location", 1), "fixed[0].location", "expected text", id="number-fixed-location"
    ),
    case(put("companies.0.id", ""), "companies[0].id", "must not be empty", id="empty-company-id"),
    case(
        put("companies.1.attendees.0.id", ""),
        "companies[1].attendees[0].id",
        "must not be empty",
        id="empty-attendee-id",
    ),
    case(put("locations.1.id", ""), "locations[1].id", "must not be empty", id="empty-location-id"),
    case(put("requests.2.id", ""), "requests[2].id", "must not be empty", id="empty-request-id"),
    case(put("requests.0.from", ""), "requests[0].from", "must not be empty", id="empty-from"),
    case(
        put("requests.1.attendees.0", ""),
        "requests[1].attendees[0]",
        "must not be empty",
        id="empty-attendee-ref",
    ),
    case(
        put("fixed.0.request", ""),
        "fixed[0].request",
        "must not be empty",
        id="empty-fixed-request",
    ),
    case(put("locations.2.owner", ""), "locations[2].owner", "must not be empty", id="empty-owner"),
    # numbers out of range
    case(
        put("requests.0.priority", 0),
        "requests[0].priority",
        "positive whole number",
        "got 0",
        id="zero-priority",
    ),
    case(
        put("requests.0.priority", -3),
        "requests[0].priority",
        "positive whole number",
        "got -3",
        id="negative-priority",
    ),
    case(put("requests.1.slots", 0), "requests[1].slots", "positive whole number", id="zero-slots"),
    case(
        put("requests.1.slots", -1),
        "requests[1].slots",
        "positive whole number",
        id="negative-slots",
    ),
    case(
        put("companies.0.max_meetings_per_day", 0),
        "companies[0].max_meetings_per_day",
        "positive",
        id="zero-max",
    ),
    case(
        put("companies.0.max_meetings_per_day", -8),
        "companies[0].max_meetings_per_day",
        "positive",
        id="negative-max",
    ),
    case(put("event.slot_minutes", 0), "event.slot_minutes", "positive", id="zero-slot-minutes"),
    # unknown choices
    case(
        put("companies.1.role", "pharma"),
        "companies[1].role",
        '"delegation" or "corporate"',
        'got "pharma"',
        id="unknown-role",
    ),
    case(
        put("locations.0.kind", "desk"),
        "locations[0].kind",
        '"table", "room" or "booth"',
        'got "desk"',
        id="unknown-kind",
    ),
]


@pytest.mark.parametrize(("mutation", "place", "words"), SHAPE)
def test_shape_problems(tmp_path, instance, mutation, place, words):
    mutation(instance)
    result, path = validate(tmp_path, instance)
    assert_problem(result, path, place, *words)


MEANING = [
    # ids that refer to nothing, with a suggestion
    case(
        put("requests.0.to", "tkd"),
        "requests[0].to",
        'unknown company "tkd"',
        '(did you mean "takeda"?)',
        id="unknown-to",
    ),
    case(
        put("requests.0.from", "organvo"),
        "requests[0].from",
        'unknown company "organvo"',
        '(did you mean "organovo"?)',
        id="unknown-from",
    ),
    case(
        put("requests.0.to", "Takeda"),
        "requests[0].to",
        '(did you mean "takeda"?)',
        id="wrong-case-to",
    ),
    case(
        put("locations.2.owner", "takda"),
        "locations[2].owner",
        'unknown company "takda"',
        '(did you mean "takeda"?)',
        id="unknown-owner",
    ),
    case(
        put("fixed.0.request", "rr1"),
        "fixed[0].request",
        'unknown request "rr1"',
        '(did you mean "r1"?)',
        id="unknown-fixed-request",
    ),
    case(
        put("fixed.0.location", "T01"),
        "fixed[0].location",
        'unknown location "T01"',
        '(did you mean "T001"?)',
        id="unknown-fixed-location",
    ),
    case(
        put("requests.1.attendees.0", "takeda1"),
        "requests[1].attendees[0]",
        'unknown attendee "takeda1"',
        '(did you mean "takeda-1"?)',
        id="unknown-request-attendee",
    ),
    case(
        put("fixed.0.attendees", ["organovo-1", "takeda-3"]),
        "fixed[0].attendees[1]",
        'unknown attendee "takeda-3"',
        "did you mean",
        id="unknown-fixed-attendee",
    ),
    # attendees of a third company
    case(
        put("requests.1.attendees", ["organovo-1"]),
        "requests[1].attendees[0]",
        '"organovo-1" works for "organovo"',
        '"takeda" or "cellco"',
        id="third-company-request-attendee",
    ),
    case(
        put("fixed.0.attendees", ["cellco-1"]),
        "fixed[0].attendees[0]",
        '"cellco-1" works for "cellco"',
        id="third-company-fixed-attendee",
    ),
    # a company meeting itself
    case(put("requests.2.to", "cellco"), "requests[2].to", "cannot meet itself", id="self-request"),
    # duplicates
    case(
        put("companies.3.id", "cellco"),
        "companies[3].id",
        'duplicate company id "cellco"',
        "unique",
        id="duplicate-company",
    ),
    case(
        put("locations.1.id", "T001"),
        "locations[1].id",
        'duplicate location id "T001"',
        id="duplicate-location",
    ),
    case(
        put("requests.3.id", "r1"),
        "requests[3].id",
        'duplicate request id "r1"',
        id="duplicate-request",
    ),
    case(
        put("companies.3.attendees.0.id", "takeda-2"),
        "companies[3].attendees[0].id",
        '"takeda-2" is already used at companies[1].attendees[1].id',
        "unique across",
        id="duplicate-attendee-across-companies",
    ),
    case(
        put("companies.2.attendees.1.id", "cellco-1"),
        "companies[2].attendees[1].id",
        '"cellco-1" is already used at companies[2].attendees[0].id',
        id="duplicate-attendee-in-company",
    ),
    case(
        put("event.days.1.date", DAY1),
        "event.days[1].date",
        f"duplicate date {DAY1}",
        "event.days[0]",
        id="duplicate-date",
    ),
    case(
        add("fixed", {"request": "r1", "start": f"{DAY2}T10:00"}),
        "fixed[1].request",
        '"r1" is already fixed at fixed[0]',
        id="request-fixed-twice",
    ),
    # sessions
    case(
        put("event.days.0.sessions.0.end", "12:20"),
        "event.days[0].sessions[0]",
        "140 minutes",
        "not a whole number of 30-minute slots",
        id="session-not-whole-slots",
    ),
    case(
        put("event.days.0.sessions.0.end", "09:30"),
        "event.days[0].sessions[0].end",
        "ends (09:30) at or before its start (10:00)",
        id="session-end-before-start",
    ),
    case(
        put("event.days.0.sessions.0.end", "10:00"),
        "event.days[0].sessions[0].end",
        "at or before its start",
        id="session-empty",
    ),
    case(
        put("event.days.0.sessions.1.start", "12:00"),
        "event.days[0].sessions[1]",
        "overlaps sessions[0]",
        "10:00-12:30",
        id="sessions-overlap",
    ),
    case(
        put(
            "event.days.0.sessions",
            [VALID["event"]["days"][0]["sessions"][1], {"start": "13:00", "end": "14:00"}],
        ),
        "event.days[0].sessions[1]",
        "overlaps sessions[0]",
        id="sessions-overlap-out-of-order",
    ),
    # dates and times
    case(
        put("event.days.0.date", "2026-13-40"),
        "event.days[0].date",
        '"2026-13-40" is not a real date',
        id="date-not-real",
    ),
    case(
        put("event.days.0.date", "2026-02-29"),
        "event.days[0].date",
        "not a real date",
        id="date-not-leap-year",
    ),
    case(
        put("event.days.0.date", "14.10.2026"),
        "event.days[0].date",
        'expected a date like "2026-10-14"',
        id="date-malformed",
    ),
    case(
        put("event.days.0.date", "\u0662\u0660\u0662\u0666-\u0661\u0660-\u0661\u0664"),
        "event.days[0].date",
        "expected a date like",
        id="date-arabic-digits",
    ),
    case(
        put("event.days.0.date", "0001-01-01"),
        "event.days[0].date",
        "not between",
        id="date-year-1",
    ),
    case(
        put("event.days.0.date", "9999-12-31"),
        "event.days[0].date",
        "not between",
        id="date-year-9999",
    ),
    case(
        put("event.days.0.sessions.0.start", "25:00"),
        "event.days[0].sessions[0].start",
        '"25:00" is not a real time of day',
        id="clock-25h",
    ),
    case(
        put("event.days.0.sessions.0.start", "10am"),
        "event.days[0].sessions[0].start",
        'expected a time of day like "13:30", got "10am"',
        id="clock-10am",
    ),
    case(
        put("event.days.0.sessions.1.end", "17:60"),
        "event.days[0].sessions[1].end",
        "not a real time of day",
        id="clock-60min",
    ),
    case(
        put("companies.0.unavailable.0.start", "2026-13-40T10:00"),
        "companies[0].unavailable[0].start",
        "not a real date and time",
        id="local-time-bad-date",
    ),
    case(
        put("companies.0.unavailable.0.end", f"{DAY1}T25:00"),
        "companies[0].unavailable[0].end",
        "not a real date and time",
        id="local-time-25h",
    ),
    case(
        put("companies.1.attendees.1.unavailable.0.start", "10am"),
        "companies[1].attendees[1].unavailable[0].start",
        'expected a local time like "2026-10-14T10:30", got "10am"',
        id="local-time-10am",
    ),
    case(
        put("fixed.0.start", f"{DAY1} 11:00"),
        "fixed[0].start",
        "expected a local time like",
        id="fixed-start-with-space",
    ),
    case(
        put("fixed.0.start", "11:00"),
        "fixed[0].start",
        "expected a local time like",
        id="fixed-start-clock-only",
    ),
    case(
        put("companies.0.unavailable.0.start", "0001-01-01T00:00"),
        "companies[0].unavailable[0].start",
        "too far in the past",
        id="local-time-year-1",
    ),
    case(
        put("requests.1.within.0.end", f"{DAY1}T13:00"),
        "requests[1].within[0].end",
        "at or before its start",
        f"{DAY1}T13:30",
        id="within-end-before-start",
    ),
    case(
        put("companies.0.unavailable.0.end", f"{DAY1}T10:00"),
        "companies[0].unavailable[0].end",
        "at or before its start",
        id="unavailable-empty",
    ),
    # time zones
    case(
        put("event.timezone", "Asia/Tokio"),
        "event.timezone",
        'unknown time zone "Asia/Tokio"',
        '(did you mean "Asia/Tokyo"?)',
        id="timezone-typo",
    ),
    case(
        put("event.timezone", "asia/tokyo"),
        "event.timezone",
        'unknown time zone "asia/tokyo"',
        '(did you mean "Asia/Tokyo"?)',
        id="timezone-case",
    ),
    case(
        put("event.timezone", "JST"),
        "event.timezone",
        'unknown time zone "JST"',
        "IANA name",
        id="timezone-abbreviation",
    ),
    case(put("event.timezone", ""), "event.timezone", "unknown time zone", id="timezone-empty"),
    case(
        put("event.timezone", "Asia"),
        "event.timezone",
        'unknown time zone "Asia"',
        id="timezone-folder",
    ),
    case(
        put("event.timezone", "localtime"),
        "event.timezone",
        'unknown time zone "localtime"',
        id="timezone-localtime",
    ),
    case(
        put("event.timezone", "../../etc/passwd"),
        "event.timezone",
        "unknown time zone",
        id="timezone-path",
    ),
    case(
        put("event.timezone", "x" * 300), "event.timezone", "unknown time zone", id="timezone-long"
    ),
    case(
        put("event.timezone", "UTC\x00"), "event.timezone", "unknown time zone", id="timezone-nul"
    ),
    case(
        both(
            put("event.timezone", "Europe/Berlin"),
            add(
                "companies.0.unavailable", {"start": "2026-03-29T02:30", "end": "2026-03-29T04:00"}
            ),
        ),
        "companies[0].unavailable[1].start",
        "2026-03-29T02:30 does not exist in Europe/Berlin",
        "daylight-saving",
        id="dst-gap-in-unavailable",
    ),
    case(
        both(
            put("event.timezone", "Europe/Berlin"),
            put(
                "event.days.1",
                {"date": "2026-03-29", "sessions": [{"start": "02:00", "end": "04:00"}]},
            ),
        ),
        "event.days[1].sessions[0].start",
        "02:00 does not exist in Europe/Berlin on 2026-03-29",
        id="dst-gap-in-session",
    ),
]


@pytest.mark.parametrize(("mutation", "place", "words"), MEANING)
def test_meaning_problems(tmp_path, instance, mutation, place, words):
    mutation(instance)
    result, path = validate(tmp_path, instance)
    assert_problem(result, path, place, *words)


def test_a_duplicate_company_id_is_reported_once_at_the_duplicate(tmp_path, instance):
    instance["companies"][3]["id"] = "cellco"
    instance["requests"][3]["from"] = "cellco"
    result, path = validate(tmp_path, instance)
    assert_problem(result, path, "companies[3].id", 'duplicate company id "cellco"')
    assert len(problem_lines(result)) == 1, result.stderr


def test_a_session_across_the_daylight_saving_change_counts_real_minutes(tmp_path, instance):
    instance["event"]["timezone"] = "Europe/Berlin"
    instance["event"]["days"][1] = {
        "date": "2026-03-29",
        "sessions": [{"start": "01:00", "end": "03:30"}],
    }
    result, path = validate(tmp_path, instance)  # 01:00 CET to 03:30 CEST: 90 minutes
    assert_clean_exit(result, 0)
    instance["event"]["days"][1]["sessions"][0]["end"] = "03:15"
    result, path = validate(tmp_path, instance)
    assert_problem(result, path, "event.days[1].sessions[0]", "75 minutes", "30-minute slots")


# --- fixed meetings that break a rule --------------------------------------------------------

FIXED = [
    case(
        put("fixed.0.start", f"{DAY1}T11:10"),
        "fixed[0].start",
        "Oct 14 11:10",
        "not the start of a slot",
        "multiple of 30 minutes",
        id="not-on-slot-boundary",
    ),
    case(
        put("fixed.0.start", f"{DAY1}T13:00"),
        "fixed[0].start",
        "Oct 14 13:00",
        "not the start of a slot in any session",
        id="in-the-lunch-break",
    ),
    case(
        put("fixed.0.start", "2026-10-16T11:00"),
        "fixed[0].start",
        "not the start of a slot in any session",
        id="on-no-event-day",
    ),
    case(
        put("fixed.0.start", f"{DAY1}T11:00+01:00"),
        "fixed[0].start",
        "not the start of a slot",
        id="offset-moves-it-out",
    ),
    case(
        fixed({"request": "r2", "start": f"{DAY1}T17:00"}),
        "fixed[0].start",
        "2-slot meeting",
        "runs past the end of its session",
        id="past-session-end",
    ),
    case(
        fixed({"request": "r2", "start": f"{DAY2}T11:30"}),
        "fixed[0].start",
        "runs past the end of its session",
        id="past-last-session-of-event",
    ),
    case(
        fixed({"request": "r2", "start": f"{DAY1}T11:00"}),
        "fixed[0].start",
        "outside the request's `within`",
        id="outside-within",
    ),
    case(
        fixed({"request": "r3", "start": f"{DAY2}T10:00", "location": "R-TAK"}),
        "fixed[0].location",
        '"R-TAK" is reserved for "takeda"',
        '"cellco" or "organovo"',
        id="third-company-room",
    ),
    case(
        put("fixed.0.start", f"{DAY1}T10:30"),
        "fixed[0].start",
        '"organovo" is unavailable at Oct 14 10:30',
        id="company-unavailable",
    ),
    case(
        fixed({"request": "r4", "start": f"{DAY1}T14:00", "attendees": ["takeda-2"]}),
        "fixed[0].attendees",
        '"takeda-2" is unavailable at Oct 14 14:00',
        id="named-attendee-unavailable",
    ),
    case(
        both(
            put(
                "companies.1.attendees.0",
                {
                    "id": "takeda-1",
                    "unavailable": [{"start": f"{DAY1}T14:00", "end": f"{DAY1}T15:00"}],
                },
            ),
            fixed({"request": "r2", "start": f"{DAY1}T13:30"}),
        ),
        "fixed[0].attendees",
        '"takeda-1" is unavailable at Oct 14 13:30',
        id="attendee-named-by-request-unavailable",
    ),
    case(
        fixed(
            {"request": "r2", "start": f"{DAY1}T13:30", "location": "T002"},
            {"request": "r3", "start": f"{DAY1}T14:00", "location": "T002"},
        ),
        "fixed[1]",
        'location "T002" is also in the fixed meeting fixed[0]',
        id="same-location-same-time",
    ),
    case(
        fixed(
            {"request": "r2", "start": f"{DAY1}T13:30"},
            {"request": "r4", "start": f"{DAY1}T14:00", "attendees": ["takeda-1"]},
        ),
        "fixed[1]",
        'attendee "takeda-1" is also in the fixed meeting fixed[0]',
        id="same-attendee-same-time",
    ),
    case(
        add("fixed", {"request": "r3", "start": f"{DAY1}T11:00", "location": "T002"}),
        "fixed[1]",
        '"organovo" has 1 attendee(s) but 2 fixed meetings at Oct 14 11:00',
        id="more-meetings-than-attendees",
    ),
    case(
        fixed(
            {"request": "r2", "start": f"{DAY1}T14:00"}, {"request": "r1", "start": f"{DAY1}T14:00"}
        ),
        "fixed[1]",
        '"takeda" has no free attendee left for this fixed meeting at Oct 14 14:00',
        id="second-attendee-unavailable",
    ),
    case(
        both(
            put("companies.0.max_meetings_per_day", 1),
            add("fixed", {"request": "r3", "start": f"{DAY1}T11:30", "location": "T002"}),
        ),
        "fixed[1]",
        '"organovo" has 2 fixed meetings on 2026-10-14',
        "max_meetings_per_day of 1",
        id="over-max-meetings-per-day",
    ),
]


@pytest.mark.parametrize(("mutation", "place", "words"), FIXED)
def test_fixed_meetings_that_break_a_rule(tmp_path, instance, mutation, place, words):
    mutation(instance)
    result, path = validate(tmp_path, instance)
    assert_problem(result, path, place, *words)


def test_fixed_meetings_that_overlap_only_a_long_one_do_not_overload(tmp_path, instance):
    """r2 runs 13:30-14:30; r1 (13:30) and r4 (14:00) overlap it but not each other: takeda's
    two attendees are enough."""
    del instance["companies"][1]["attendees"][1]["unavailable"]
    instance["fixed"] = [
        {"request": "r2", "start": f"{DAY1}T13:30", "location": "T001"},
        {"request": "r1", "start": f"{DAY1}T13:30", "location": "T002"},
        {"request": "r4", "start": f"{DAY1}T14:00", "location": "R-TAK"},
    ]
    result, _ = validate(tmp_path, instance)
    assert_clean_exit(result, 0)


def test_back_to_back_fixed_meetings_share_a_table_and_an_attendee(tmp_path, instance):
    instance["fixed"] = [
        {"request": "r1", "start": f"{DAY1}T13:30", "location": "T001"},
        {"request": "r4", "start": f"{DAY1}T14:00", "location": "T001", "attendees": ["takeda-1"]},
        {"request": "r2", "start": f"{DAY1}T14:30", "location": "T001"},
    ]
    result, _ = validate(tmp_path, instance)
    assert_clean_exit(result, 0)


# --- several problems at once ----------------------------------------------------------------


def test_every_problem_of_meaning_is_reported_one_line_each(tmp_path, instance):
    instance["requests"][0]["to"] = "tkd"
    instance["requests"][2]["to"] = "cellco"
    instance["locations"][2]["owner"] = "takda"
    instance["event"]["days"][1]["date"] = DAY1
    instance["event"]["timezone"] = "Asia/Tokio"
    instance["companies"][3]["attendees"][0]["id"] = "takeda-1"
    instance["fixed"][0]["location"] = "T01"
    result, path = validate(tmp_path, instance)
    expected = {
        "requests[0].to": "tkd",
        "requests[2].to": "cannot meet itself",
        "locations[2].owner": "takda",
        "event.days[1].date": "duplicate date",
        "event.timezone": "Asia/Tokio",
        "companies[3].attendees[0].id": '"takeda-1" is already used',
        "fixed[0].location": "T01",
    }
    for place, words in expected.items():
        assert_problem(result, path, place, words)
    assert len(problem_lines(result)) == len(expected), result.stderr


def test_every_problem_of_shape_is_reported_one_line_each(tmp_path, instance):
    instance["requests"][0]["priority"] = "3"
    instance["event"]["slot_minutes"] = 30.5
    del instance["companies"][1]["role"]
    instance["locations"][0]["kind"] = "desk"
    instance["requests"][3]["id"] = None
    result, path = validate(tmp_path, instance)
    places = [
        "requests[0].priority",
        "event.slot_minutes",
        "companies[1].role",
        "locations[0].kind",
        "requests[3].id",
    ]
    for place in places:
        assert_problem(result, path, place)
    assert len(problem_lines(result)) == len(places), result.stderr


def test_every_broken_fixed_meeting_is_reported(tmp_path, instance):
    instance["fixed"] = [
        {"request": "r1", "start": f"{DAY1}T10:30"},
        {"request": "r2", "start": f"{DAY1}T11:00"},
        {"request": "r3", "start": f"{DAY2}T10:00", "location": "R-TAK"},
        {"request": "r4", "start": f"{DAY1}T11:10"},
    ]
    result, path = validate(tmp_path, instance)
    assert_problem(result, path, "fixed[0].start", "unavailable")
    assert_problem(result, path, "fixed[1].start", "within")
    assert_problem(result, path, "fixed[2].location", "reserved")
    assert_problem(result, path, "fixed[3].start", "not the start of a slot")
    assert len(problem_lines(result)) == 4, result.stderr


def test_many_problems_in_one_list_each_name_their_index(tmp_path, instance):
    instance["requests"] = [
        {"id": f"q{i}", "from": "organovo", "to": f"nobody{i}"} for i in range(12)
    ]
    instance["fixed"] = []
    result, path = validate(tmp_path, instance)
    for i in range(12):
        assert_problem(result, path, f"requests[{i}].to", f'"nobody{i}"')
    assert len(problem_lines(result)) == 12


# --- random damage never crashes -------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _places(node: Any, here: tuple = ()) -> list[tuple]:
    """Every path to a value inside the document (dict keys and list indices)."""
    found = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, value in items:
        found.append((*here, key))
        found += _places(value, (*here, key))
    return found


def _leaves(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [leaf for value in node.values() for leaf in _leaves(value)]
    if isinstance(node, list):
        return [leaf for value in node for leaf in _leaves(value)]
    return [node]


PLAUSIBLE = st.sampled_from(sorted({json.dumps(v) for v in _leaves(VALID)})).map(json.loads)


@st.composite
def mutated_instances(draw) -> dict[str, Any]:
    document = copy.deepcopy(VALID)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        places = _places(document)
        if not places:
            break
        path = draw(st.sampled_from(places))
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        operation = draw(st.sampled_from(["delete", "replace", "plausible", "duplicate"]))
        if operation == "delete":
            del parent[last]
        elif operation == "replace":
            parent[last] = draw(
                JSON_VALUES.filter(lambda v, old=parent[last]: type(v) is not type(old))
            )
        elif operation == "plausible":
            parent[last] = draw(PLAUSIBLE)
        elif isinstance(parent, list):
            parent.insert(last, copy.deepcopy(parent[last]))
        else:
            parent[last] = copy.deepcopy(parent[last])
    return document


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=mutated_instances())
def test_random_damage_gives_exit_0_or_2_and_never_a_traceback(tmp_path, document):
    result, path = validate(tmp_path, document)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        lines = problem_lines(result)
        assert lines and all(line.startswith(f"{path}") for line in lines), result.stderr


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.binary(max_size=64) | st.text(max_size=64).map(str.encode))
def test_random_bytes_give_exit_2_and_never_a_traceback(tmp_path, raw):
    result, _ = validate_bytes(tmp_path, raw)
    assert_clean_exit(result, 2)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [("priority", 10**30, "at most 1000000"), ("slots", 10**9, "at most 1000")],
)
def test_absurdly_large_numbers_are_refused(tmp_path, field, value, expected):
    document = make_instance()
    document["requests"][0][field] = value
    path = tmp_path / "event.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"requests[0].{field}: expected {expected}" in result.output


def test_file_named_like_a_field_still_gets_its_name_in_front(tmp_path):
    document = make_instance()
    document["event"]["timezone"] = "Mars/Olympus"
    path = tmp_path / "event"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert f"{path}: event.timezone:" in result.output


def test_quoted_line_breaks_keep_each_problem_on_one_line(tmp_path):
    document = make_instance()
    document["format"] = {"\u2028": None}
    document["requests"][0]["to"] = "big\nco"
    path = tmp_path / "event.json"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    assert all(line.startswith(str(path)) for line in result.output.splitlines())


def test_a_problem_inside_a_company_or_request_names_it_by_id_and_name():
    """An organiser knows companies by id and name, not by their position in the file."""
    document = make_instance()
    document["companies"][1]["attendees"] = []
    document["requests"][0]["priority"] = 0
    with pytest.raises(InvalidInput) as caught:
        instance_from_document(document)
    messages = [str(p) for p in caught.value.problems]
    company = document["companies"][1]
    assert any(
        m.startswith("companies[1].attendees: must not be empty")
        and f'(company "{company["id"]}", "{company["name"]}")' in m
        for m in messages
    ), messages
    assert any(f'(request "{document["requests"][0]["id"]}")' in m for m in messages), messages


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\u202e", "\u2066"])
def test_invisible_characters_are_refused_with_their_place(char):
    """NUL cannot be stored in PostgreSQL; control characters and bidirectional overrides
    show as nothing or turn text around. Tabs and line breaks in notes are fine."""
    document = make_instance()
    document["companies"][0]["name"] = f"Evil{char}Corp"
    document["requests"][0]["notes"] = "first line\n\tsecond line"
    with pytest.raises(InvalidInput) as caught:
        instance_from_document(document)
    (problem,) = caught.value.problems
    assert str(problem).startswith("companies[0].name: holds the invisible character U+")
    assert f"U+{ord(char):04X}" in str(problem) and "position 5" in str(problem)
