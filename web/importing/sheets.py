"""Reading the organiser's sheets (companies, attendees, requests, availability) into an
`ImportData`, noting every bad row and cell: sheet, row, column, what is wrong, what was
expected. References may point into the same file or at what the event already holds."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from scheduler.formats.problems import Problem, did_you_mean, quote
from scheduler.formats.wire import plain_text
from scheduler.times import exists_in_zone, parse_local_time
from scheduler.words import N_, Refusal, Words
from web.companies.models import EMAIL_LONGEST, NAME_LONGEST, ROLES
from web.importing.columns import SHEETS, refuse, row_place
from web.importing.records import (
    AttendeeRecord,
    CompanyRecord,
    ImportData,
    Owner,
    RequestRecord,
    Window,
)
from web.importing.writer import Known
from web.meeting_requests.conversation import clean_message
from web.meeting_requests.models import STATUSES
from web.profiles.sheets import read_profile

# Far beyond any real event, as in the exchange format: absurd numbers are input errors.
LIMITS = {
    "priority": 1_000_000,
    "slots": 1_000,
    "max_meetings_per_day": 100_000,
    "max_meetings": 100_000,
    "min_meetings": 100_000,
}
# Optional columns whose absence means "keep what is stored" -> the field they fill.
KEPT_FIELD = {"asked_by": "asked_by_id"}
KIND_OF_SHEET = {"companies": "company", "attendees": "attendee", "requests": "request"}
DUPLICATE_COMPANY, DUPLICATE_ATTENDEE, DUPLICATE_REQUEST = (
    N_('duplicate company id "{id}", already in row {first}; give each one once, or rename one'),
    N_('duplicate attendee id "{id}", already in row {first}; give each one once, or rename one'),
    N_('duplicate request id "{id}", already in row {first}; give each one once, or rename one'),
)
UNKNOWN_COMPANY = N_(
    'unknown company "{id}"{hint}; expected the id of a company in this file or already in '
    "the event"
)
UNKNOWN_ATTENDEE = N_(
    'unknown attendee "{id}"{hint}; expected the id of an attendee in this file or already in '
    "the event"
)
WORKS_ELSEWHERE = N_(
    '"{id}" works for "{employer}", not for "{one}" or "{other}"; name one of their attendees'
)


@dataclass
class RawSheet:
    """A sheet as read from its file: cells are text (CSV) or Excel values."""

    name: str  # companies, attendees, requests or availability
    label: str | Words  # for messages: "companies.csv" or "event.xlsx, sheet companies"
    header: list[object]
    rows: list[tuple[int, list[object]]]  # (row number as the spreadsheet shows it, cells)


def by_name(sheets: list[RawSheet], source: str) -> dict[str, RawSheet]:
    """The sheets by their name; two of one name are refused, not merged silently."""
    found: dict[str, RawSheet] = {}
    for sheet in sheets:
        if sheet.name in found:
            raise refuse(
                source, N_("has two {sheet} sheets; merge them into one"), sheet=sheet.name
            )
        found[sheet.name] = sheet
    return found


class CellError(Refusal):
    """What is wrong with one cell, and what was expected."""


@dataclass
class Row:
    sheet: RawSheet
    number: int
    cells: dict[str, object]


class SheetReader:
    def __init__(self, known: Known, zone: ZoneInfo) -> None:
        self.known = known
        self.zone = zone
        self.problems: list[Problem] = []

    def error(
        self,
        sheet: RawSheet,
        row: int,
        column: str | None,
        template: str | Exception,
        /,
        **values: object,
    ) -> None:
        """A problem at this row (and column): a template and its values, or a CellError."""
        place = row_place(sheet.label, row, column)
        if isinstance(template, Exception):
            self.problems.append(Problem.told(place, template))
        else:
            self.problems.append(Problem.of(place, template, **values))

    # --- the whole file ------------------------------------------------------------------

    def read(self, sheets: dict[str, RawSheet], source: str) -> ImportData:
        rows = {name: self._rows(sheet) for name, sheet in sheets.items()}
        present = {name: self._present(sheet) for name, sheet in sheets.items()}
        data = ImportData(source=source)
        data.companies = self._companies(rows.get("companies", []))
        company_of = set(self.known.companies) | {c.id for c in data.companies}
        data.attendees = self._attendees(rows.get("attendees", []), company_of)
        attendee_company = {a: c for a, (_row, c) in self.known.attendees.items()} | {
            a.id: a.company for a in data.attendees
        }
        data.requests = self._requests(rows.get("requests", []), company_of, attendee_company)
        if "availability" in sheets:
            data.unavailable = self._availability(
                rows["availability"], company_of, attendee_company, data
            )
        data.keep = frozenset(
            f"{KIND_OF_SHEET[name]}.{KEPT_FIELD.get(column.name, column.name)}"
            for name in sheets
            if name in KIND_OF_SHEET
            for column in SHEETS[name]
            if not column.required and column.name not in present[name]
        )
        return data

    # --- header and rows -------------------------------------------------------------------

    def _present(self, sheet: RawSheet) -> set[str]:
        return {_column_name(h) for h in sheet.header if _column_name(h)}

    def _rows(self, sheet: RawSheet) -> list[Row]:
        columns = self._columns(sheet)
        if columns is None:
            return []
        last = max((n for n, cells in sheet.rows if not _blank(cells)), default=0)
        rows = []
        for number, cells in sheet.rows:
            if number > last:
                break  # blank rows after the data: what spreadsheets leave behind
            if _blank(cells):
                self.error(sheet, number, None, N_("is empty; delete the row or fill it in"))
                continue
            values = {name: _clean(cells[i]) if i < len(cells) else None for name, i in columns}
            extra = [c for i, c in enumerate(cells) if i not in {i for _, i in columns}]
            if any(not _blank([c]) for c in extra):
                self.error(sheet, number, None, N_("has values in columns without a heading"))
            rows.append(Row(sheet, number, values))
        return rows

    def _columns(self, sheet: RawSheet) -> list[tuple[str, int]] | None:
        spec = SHEETS[sheet.name]
        expected = [c.name for c in spec]
        found: dict[str, int] = {}
        ok = True
        for index, heading in enumerate(sheet.header):
            name = _column_name(heading)
            if not name:
                continue
            if name in found:
                self.error(sheet, 1, name, N_("appears twice; keep one column of each name"))
                ok = False
            elif name not in expected:
                hint = did_you_mean(name, expected)
                self.error(
                    sheet,
                    1,
                    name,
                    N_("unknown column{hint}; expected columns: {columns}"),
                    hint=hint,
                    columns=", ".join(expected),
                )
                ok = False
            found.setdefault(name, index)
        for column in spec:
            if column.required and column.name not in found:
                self.error(
                    sheet,
                    1,
                    column.name,
                    N_("is missing; add a column headed {column} (required columns: {required})"),
                    column=column.name,
                    required=", ".join(c.name for c in spec if c.required),
                )
                ok = False
        return list(found.items()) if ok else None

    # --- one cell ----------------------------------------------------------------------------

    def cell(self, row: Row, column: str, convert: Callable[[object], object], default=None):
        value = row.cells.get(column)
        spec = next(c for c in SHEETS[row.sheet.name] if c.name == column)
        if value is None:
            if spec.required:
                self.error(
                    row.sheet,
                    row.number,
                    column,
                    N_("is empty; expected {kind}"),
                    kind=Words(spec.kind),
                )
            return default
        try:
            return convert(value)
        except CellError as error:
            self.error(row.sheet, row.number, column, error)
            return default

    def _unique(self, rows: list[Row], ids: list[str | None], what: str) -> None:
        first: dict[str, int] = {}
        for row, ext in zip(rows, ids, strict=True):
            if ext is None:
                continue
            if ext in first:
                self.error(row.sheet, row.number, "id", what, id=ext, first=first[ext])
            first.setdefault(ext, row.number)

    def _reference(self, row: Row, column: str, ext: str | None, known, what: str) -> bool:
        if ext is None:
            return False
        if ext in known:
            return True
        hint = did_you_mean(ext, sorted(known))
        self.error(row.sheet, row.number, column, what, id=ext, hint=hint)
        return False

    # --- the four sheets ---------------------------------------------------------------------

    def _companies(self, rows: list[Row]) -> list[CompanyRecord]:
        records, ids = [], []
        for row in rows:
            ext = self.cell(row, "id", identifier)
            name = self.cell(row, "name", line(NAME_LONGEST))
            role = self.cell(row, "role", one_of(ROLES))
            delegation = self.cell(row, "delegation", line(NAME_LONGEST))
            daily = self.cell(row, "max_meetings_per_day", whole("max_meetings_per_day"))
            most = self.cell(row, "max_meetings", whole("max_meetings"))
            least = self.cell(row, "min_meetings", whole("min_meetings"))
            ids.append(ext)
            least_over_most = bool(least and most and least > most)
            if least_over_most:
                self.error(
                    row.sheet,
                    row.number,
                    "min_meetings",
                    N_("is more than max_meetings ({most}); lower it or raise max_meetings"),
                    most=most,
                )
            profile = read_profile(
                row.cells, lambda c, f, d=None, r=row: self.cell(r, c, f, d), CellError
            )
            if None not in (ext, name, role) and not least_over_most:
                records.append(
                    CompanyRecord(ext, name, role, delegation, daily, most, least, profile)
                )
        self._unique(rows, ids, DUPLICATE_COMPANY)
        return records

    def _attendees(self, rows: list[Row], companies) -> list[AttendeeRecord]:
        records, ids = [], []
        for row in rows:
            ext = self.cell(row, "id", identifier)
            company = self.cell(row, "company", identifier)
            name = self.cell(row, "name", line(NAME_LONGEST))
            title = self.cell(row, "title", line(NAME_LONGEST))
            email = self.cell(row, "email", line(EMAIL_LONGEST))
            bio = self.cell(row, "bio", text)
            ids.append(ext)
            known = self._reference(row, "company", company, companies, UNKNOWN_COMPANY)
            if known and None not in (ext, name):
                place = row_place(row.sheet.label, row.number, "company")
                records.append(
                    AttendeeRecord(ext, company, name, title, email, place=place, bio=bio)
                )
        self._unique(rows, ids, DUPLICATE_ATTENDEE)
        return records

    def _requests(self, rows: list[Row], companies, attendee_company) -> list[RequestRecord]:
        records, ids, pairs = [], [], {}
        for row in rows:
            ext = self.cell(row, "id", identifier)
            ids.append(ext)
            requester = self.cell(row, "from", identifier)
            requested = self.cell(row, "to", identifier)
            status = self.cell(row, "status", one_of(STATUSES), "accepted")
            priority = self.cell(row, "priority", whole("priority"), 1)
            slots = self.cell(row, "slots", whole("slots"), 1)
            named = self.cell(row, "attendees", id_list, ())
            within = self.cell(row, "within", self.windows, ())
            asked_by = self.cell(row, "asked_by", identifier)
            notes = self.cell(row, "notes", text)
            message = self.cell(row, "message", message_text)
            ok = self._reference(row, "from", requester, companies, UNKNOWN_COMPANY)
            ok = self._reference(row, "to", requested, companies, UNKNOWN_COMPANY) and ok
            if ok and requester == requested:
                self.error(
                    row.sheet, row.number, "to", N_("is the same company as from; name another")
                )
                ok = False
            if ok:
                pair = frozenset((requester, requested))
                if pair in pairs:
                    self.error(
                        row.sheet,
                        row.number,
                        "to",
                        N_(
                            '"{one}" and "{other}" are already asked to meet in row {first}; '
                            "a pair of companies meets once, so keep one row"
                        ),
                        one=requester,
                        other=requested,
                        first=pairs[pair],
                    )
                    ok = False
                pairs.setdefault(pair, row.number)
                both = (requester, requested)
                for column, people in (("attendees", named), ("asked_by", (asked_by,))):
                    ok = self._members(row, column, people, both, attendee_company) and ok
            if ok and None not in (ext, status, priority, slots, named, within):
                place = row_place(row.sheet.label, row.number)
                records.append(
                    RequestRecord(
                        ext,
                        requester,
                        requested,
                        status,
                        priority,
                        slots,
                        named,
                        within,
                        notes,
                        asked_by,
                        place=place,
                        message=message,
                    )
                )
        self._unique(rows, ids, DUPLICATE_REQUEST)
        return records

    def _members(self, row: Row, column: str, people, companies, attendee_company) -> bool:
        ok = True
        for person in people:
            if person is None:
                continue
            if not self._reference(row, column, person, attendee_company, UNKNOWN_ATTENDEE):
                ok = False
            elif attendee_company[person] not in companies:
                self.error(
                    row.sheet,
                    row.number,
                    column,
                    WORKS_ELSEWHERE,
                    id=person,
                    employer=attendee_company[person],
                    one=companies[0],
                    other=companies[1],
                )
                ok = False
        return ok

    def _availability(
        self, rows: list[Row], companies, attendee_company, data: ImportData
    ) -> dict[Owner, tuple[Window, ...]]:
        """Blocks replace those of everyone this file names, so that a block deleted from
        an exported workbook is deleted from the event too."""
        blocks: dict[Owner, list[Window]] = {("company", c.id): [] for c in data.companies}
        blocks |= {("attendee", a.id): [] for a in data.attendees}
        for row in rows:
            company = self.cell(row, "company", identifier)
            attendee = self.cell(row, "attendee", identifier)
            start = self.cell(row, "start", self.local_time)
            end = self.cell(row, "end", self.local_time)
            ok = self._reference(row, "company", company, companies, UNKNOWN_COMPANY)
            if ok and attendee is not None:
                ok = self._members(
                    row, "attendee", (attendee,), (company, company), attendee_company
                )
            if start and end and end <= start:
                self.error(row.sheet, row.number, "end", N_("is not after start; give a later end"))
                ok = False
            if ok and start and end:
                owner = ("attendee", attendee) if attendee else ("company", company)
                blocks.setdefault(owner, []).append((start, end))
        return {owner: tuple(sorted(found)) for owner, found in blocks.items()}

    # --- converters that need the event's time zone --------------------------------------------

    def local_time(self, value: object) -> datetime:
        if isinstance(value, datetime):  # an Excel date-time cell: wall-clock time, no zone
            local = value.replace(tzinfo=self.zone)
            if not exists_in_zone(local):
                raise CellError(
                    N_("{time} does not exist in {zone}"),
                    time=f"{value:%Y-%m-%d %H:%M}",
                    zone=self.zone.key,
                )
            return local.astimezone(ZoneInfo("UTC"))
        written = str(value).strip().replace(" ", "T", 1)
        try:
            return parse_local_time(written, self.zone)
        except Refusal as error:
            raise CellError(error.words.template, **dict(error.words.values)) from None

    def windows(self, value: object) -> tuple[Window, ...]:
        result = []
        for part in (p.strip() for p in str(value).split(";")):
            if not part:
                continue
            if part.count("/") != 1:
                raise CellError(
                    N_(
                        '{window} is not a window; expected "start/end" such as '
                        '"2026-10-15T13:30/2026-10-15T17:30", windows separated by ;'
                    ),
                    window=quote(part),
                )
            start, end = (self.local_time(t) for t in part.split("/"))
            if end <= start:
                raise CellError(
                    N_("{window} ends at or before its start; give a later end"), window=quote(part)
                )
            result.append((start, end))
        return tuple(sorted(result))


# --- converters of one cell ------------------------------------------------------------------


def text(value: object) -> str:
    """A cell as text; control characters and bidirectional overrides are refused, as in
    instance files (`scheduler.formats.wire.plain_text`)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    try:
        return plain_text(str(value).strip())
    except Refusal as error:
        raise CellError(error.words.template, **dict(error.words.values)) from None


def line(longest: int) -> Callable[[object], str]:
    """A one-line cell (a name, a title, an address), as the pages' forms take it: no line
    break (a name is written into mail headers and calendar lines) and at most `longest`
    characters (a name is shown on every page that lists the company)."""

    def convert(value: object) -> str:
        found = text(value)
        if "\n" in found or "\r" in found:
            raise CellError(N_("holds a line break; give it on one line"))
        if len(found) > longest:
            raise CellError(
                N_("is {length} characters long; give at most {longest}"),
                length=len(found),
                longest=longest,
            )
        return found

    return convert


def message_text(value: object) -> str | None:
    """A request's message: line breaks kept, invisible characters dropped (as the pages
    store it), at most MESSAGE_LONGEST characters."""
    try:
        return clean_message(str(value))
    except Refusal as error:
        raise CellError(error.words.template, **dict(error.words.values)) from None


def identifier(value: object) -> str:
    return text(value)


def whole(column: str) -> Callable[[object], int]:
    limit = LIMITS[column]

    def convert(value: object) -> int:
        number: object = value
        if isinstance(value, str) and re.fullmatch(r"\s*[0-9]+\s*", value):
            number = int(value)
        if isinstance(value, float) and value.is_integer():
            number = int(value)
        if isinstance(number, bool) or not isinstance(number, int):
            raise CellError(
                N_("{got} is not a whole number; expected 1, 2, 3, ..."), got=quote(text(value))
            )
        if not 0 < number <= limit:
            raise CellError(
                N_("{got} is out of range; expected a whole number 1 to {most}"),
                got=number,
                most=limit,
            )
        return number

    return convert


def one_of(choices: tuple[str, ...]) -> Callable[[object], str]:
    def convert(value: object) -> str:
        word = text(value).lower()
        if word not in choices:
            hint = did_you_mean(word, choices)
            raise CellError(
                N_('"{got}" is not one of {choices}{hint}'),
                got=text(value),
                choices=", ".join(choices),
                hint=hint,
            )
        return word

    return convert


def id_list(value: object) -> tuple[str, ...]:
    return tuple(dict.fromkeys(p.strip() for p in re.split(r"[;,]", text(value)) if p.strip()))


def _column_name(heading: object) -> str:
    return "" if heading is None else str(heading).strip().lower().replace(" ", "_")


def _clean(value: object) -> object:
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("'") and value[1:2] in ("=", "+", "-", "@"):
            value = value[1:]  # the apostrophe our CSV export puts before formula-like text
        return value or None
    return value


def _blank(cells: list[object]) -> bool:
    return all(_clean(c) is None for c in cells)
