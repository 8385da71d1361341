"""The sheets an organiser fills in, and their columns: the one definition that the reader,
the exporter, the template and docs/spreadsheets.md follow."""

from __future__ import annotations

import re
from dataclasses import dataclass

from scheduler.formats.problems import InvalidInput, Problem
from scheduler.words import N_, Words


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text, id, whole number, one of ..., local time, list of ids, list of windows
    required: bool
    example: str
    meaning: str


# The company's profile (web.profiles), on its row of the companies sheet. Lists are codes of
# web.profiles.vocabulary separated by ; (the English or Japanese label is taken too).
CODES = "list of codes"
PROFILE_COLUMNS = (
    Column(
        "description", "text", False, "抗体医薬の創薬。Antibody discovery.", "the profile's text"
    ),
    Column("website", "text", False, "https://example.com", "an http(s) address"),
    Column("country", "country code", False, "JP", "ISO 3166 code (JP, US) or the name"),
    Column("region", "text", False, "関西", "state, prefecture or cluster"),
    Column("organisation_type", "code", False, "pharma", "one of the organisation types"),
    Column("therapeutic_areas", CODES, False, "oncology; immunology", "separated by ;"),
    Column("modalities", CODES, False, "antibody; adc", "separated by ;"),
    Column("stages", CODES, False, "phase1; phase2", "development stages, separated by ;"),
    Column("offers", CODES, False, "licensing", "kinds of deal it offers, separated by ;"),
    Column("seeks", CODES, False, "co_development; investment", "kinds of deal it seeks"),
    Column("keywords", "text", False, "ADC; bispecific", "separated by ;"),
    Column("hidden", "yes or no", False, "no", "yes: the organiser keeps it out of the directory"),
)

SHEETS: dict[str, tuple[Column, ...]] = {
    "companies": (
        Column("id", "id", True, "takeda", "the company's id, unique in the event"),
        Column("name", "text", True, "武田薬品工業", "as shown on agendas (any script)"),
        Column("role", "corporate or delegation", True, "corporate", "which side it is on"),
        Column("delegation", "text", False, "San Diego", "the group a delegation travels with"),
        Column("max_meetings_per_day", "whole number", False, "8", "a daily limit, if any"),
        Column(
            "max_meetings",
            "whole number",
            False,
            "40",
            "over the whole event, if its package limits it",
        ),
        Column("min_meetings", "whole number", False, "4", "guaranteed by its package, if any"),
        *PROFILE_COLUMNS,
    ),
    "attendees": (
        Column("id", "id", True, "takeda-1", "unique in the whole event"),
        Column("company", "id", True, "takeda", "the company they represent"),
        Column("name", "text", True, "山田 花子", "as shown on agendas"),
        Column("title", "text", False, "Head of BD", "job title"),
        Column("email", "text", False, "hanako@example.com", "for agendas and invitations"),
        Column(
            "bio", "text", False, "20 years in oncology licensing", "a few lines, on the profile"
        ),
    ),
    "requests": (
        Column("id", "id", True, "r1", "the request's id, unique in the event"),
        Column("from", "id", True, "organovo", "the company asking for the meeting"),
        Column("to", "id", True, "takeda", "the company asked"),
        Column(
            "status",
            "requested, accepted, declined or cancelled",
            False,
            "accepted",
            "empty means accepted; only accepted requests are scheduled",
        ),
        Column("priority", "whole number", False, "3", "weight of the meeting; empty means 1"),
        Column("slots", "whole number", False, "1", "length in slots; empty means 1"),
        Column(
            "attendees",
            "list of attendee ids",
            False,
            "takeda-1; organovo-1",
            "who must attend, separated by ; or ,",
        ),
        Column(
            "within",
            "list of windows",
            False,
            "2026-10-15T13:30/2026-10-15T17:30",
            "start/end windows the meeting must lie in, separated by ;",
        ),
        Column("asked_by", "attendee id", False, "organovo-1", "the person who asked"),
        Column("notes", "text", False, "met at BIO 2025", "free text"),
        Column(
            "message",
            "text",
            False,
            "We would like to discuss our oncology assets.",
            "the asking company's message to the other (at most 2000 characters; line breaks "
            "kept): starts the request's conversation",
        ),
    ),
    "availability": (
        Column("company", "id", True, "takeda", "whose time is blocked"),
        Column("attendee", "id", False, "takeda-2", "one attendee only; empty: the whole company"),
        Column("start", "local time", True, "2026-10-14T14:00", "in the event's time zone"),
        Column("end", "local time", True, "2026-10-14T17:30", "after the start"),
    ),
}
ORDER = tuple(SHEETS)  # companies before attendees before requests: references point back

# The kinds above, marked so that "is empty; expected a whole number" can be translated.
KINDS = (
    N_("attendee id"),
    N_("corporate or delegation"),
    N_("id"),
    N_("list of attendee ids"),
    N_("list of windows"),
    N_("local time"),
    N_("requested, accepted, declined or cancelled"),
    N_("text"),
    N_("whole number"),
    N_("country code"),
    N_("code"),
    N_("list of codes"),
    N_("yes or no"),
)
SHEET_FILES = ", ".join(f"{name}.csv" for name in SHEETS)
IGNORED_SHEETS = {"instructions", "readme"}  # the template explains itself in one
# How browsers name a second download of the same file: "companies (1).csv" is companies.
DOWNLOAD_COPY = re.compile(r"\s*\(\d+\)$")


def refuse(place: str | Words, template: str, /, **values: object) -> InvalidInput:
    """The whole file refused, for one reason named at its place."""
    return InvalidInput([Problem.of(place, template, **values)])


def row_place(sheet: str | Words, row: int, column: str | None = None) -> Words:
    """'companies.csv: row 5, column name', as a place that can be translated."""
    if column:
        return Words.of(
            N_("{sheet}: row {row}, column {column}"), sheet=sheet, row=row, column=column
        )
    return Words.of(N_("{sheet}: row {row}"), sheet=sheet, row=row)


NOT_A_SHEET = N_("sheet {name} is not one of {sheets}; rename it (CSV files: {files})")
NOT_A_FILE = N_("file name {name} is not one of {sheets}; rename it (CSV files: {files})")


def sheet_name(name: str, label: str, what: str) -> str:
    """The sheet a file or worksheet name stands for, or a refusal naming the sheets there are
    (`what`: NOT_A_SHEET or NOT_A_FILE)."""
    stem = DOWNLOAD_COPY.sub("", name.strip().lower())
    if stem not in SHEETS:
        raise refuse(
            label,
            what,
            name=repr(name),
            sheets=", ".join(SHEETS),
            files=SHEET_FILES,
        )
    return stem
