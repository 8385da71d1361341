"""Files in and out: which reader a file needs, and turning bytes into sheets.

In: an exchange JSON (`partnering-instance/1`, creates or updates the event), an Excel
workbook (.xlsx), one CSV file named after its sheet (companies.csv, ...), a folder of such
CSV files, or a .zip of them. Out: the same kinds, by the output file's suffix.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.formats.json_file import read_json_file
from scheduler.formats.problems import InvalidInput, Problem
from scheduler.words import N_, Words
from web.audit.trail import audit_action
from web.conversion import save_instance
from web.events.models import Event
from web.importing.bounded import read_workbook
from web.importing.columns import NOT_A_FILE, SHEET_FILES, refuse, row_place, sheet_name
from web.importing.sheets import RawSheet, SheetReader, by_name
from web.importing.workbook import refuse_zip_bomb
from web.importing.writer import ImportReport, check_pairs, load_known, write_import

NO_CSV_FILES = N_("holds no CSV files; expected {files}")


def import_file(session: Session, path: Path, slug: str) -> ImportReport:
    """Import `path` into event `slug`, all or nothing; raise InvalidInput listing every
    problem (the caller's transaction then rolls back, so nothing is half-imported). The
    audit trail keeps it as one entry, the rows counted per table."""
    event_id = session.scalar(select(Event.id).where(Event.slug == slug))
    with audit_action(session, "import", f"imported {path.name}", event_id, file=path.name) as act:
        report = _import_file(session, path, slug)
        act.event_id = session.scalar(select(Event.id).where(Event.slug == slug))
    return report


def _import_file(session: Session, path: Path, slug: str) -> ImportReport:
    if path.suffix.lower() == ".json":
        try:
            return save_instance(session, _read_json(path), slug, source=path.name)[1]
        except InvalidInput as error:
            raise InvalidInput(error.problems, path.name) from None
    problems: list[Problem] = []
    sheets = load_sheets(path, problems)
    event = session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise InvalidInput(
            [
                Problem.of(
                    "--event",
                    N_(
                        'no event "{slug}" yet; create it first from its instance file '
                        "(partnering import EVENT.json --event {slug}), which sets its days, "
                        "sessions and tables"
                    ),
                    slug=slug,
                )
            ]
        )
    known = load_known(session, event)
    reader = SheetReader(known, ZoneInfo(event.timezone))
    data = reader.read(sheets, path.name)
    problems += reader.problems + check_pairs(data, known)
    if problems:
        raise InvalidInput(problems)
    return write_import(session, event, data)


def _read_json(path: Path) -> object:
    """The JSON document, its problems named by the file's name as sheets' are: the path is a
    temporary file's for an upload, which means nothing to the organiser."""
    try:
        return read_json_file(path)
    except InvalidInput as error:
        if not path.is_file():
            raise  # "no such file": the path as given is the one to check
        full = str(path)
        raise InvalidInput(
            [
                replace(p, place=path.name + p.place[len(full) :])
                if p.place == full or p.place.startswith(full + ":")
                else p
                for p in error.problems
            ]
        ) from None


def load_sheets(path: Path, problems: list[Problem] | None = None) -> dict[str, RawSheet]:
    """The file's sheets. Problems that need not stop the reading (a value right of the
    headings) go to `problems`, to be listed with the rows' own; without it they are raised."""
    if problems is None:
        found: list[Problem] = []
        sheets = load_sheets(path, found)
        if found:
            raise InvalidInput(found)
        return sheets
    if path.is_dir():
        files = sorted(path.glob("*.csv")) + sorted(path.glob("*.CSV"))
        if not files:
            raise refuse(path.name, NO_CSV_FILES, files=SHEET_FILES)
        return by_name([_csv_sheet(f.name, f.read_bytes()) for f in files], path.name)
    if not path.exists():
        raise refuse(str(path), N_("no such file; check the path"))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return by_name([_csv_sheet(path.name, path.read_bytes())], path.name)
    if suffix == ".zip":
        return _zip_sheets(path)
    if suffix in (".xlsx", ".xlsm"):
        sheets, found = read_workbook(path)  # in a child, within memory limits
        problems.extend(found)
        return sheets
    raise refuse(
        path.name,
        N_(
            "is not a file this import reads; give an instance .json, an Excel .xlsx, "
            "CSV files named {files}, or a .zip or folder of them"
        ),
        files=SHEET_FILES,
    )


# --- CSV ---------------------------------------------------------------------------------------


def _csv_sheet(file_name: str, raw: bytes) -> RawSheet:
    name = sheet_name(Path(file_name).stem, file_name, NOT_A_FILE)
    reader = csv.reader(io.StringIO(decode_csv(raw, file_name), newline=""), _dialect(raw))
    try:
        lines = list(reader)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise refuse(
                row_place(file_name, reader.line_num),
                N_(
                    "has a cell of more than {most} characters (perhaps a quote opened and "
                    "never closed); shorten or close it and import again"
                ),
                most=csv.field_size_limit(),
            ) from None
        raise refuse(
            row_place(file_name, reader.line_num), N_("is not valid CSV ({why})"), why=error
        ) from None
    if not lines:
        raise refuse(file_name, N_("is empty; expected a heading row, then one row per entry"))
    rows = [(number, cells) for number, cells in enumerate(lines[1:], start=2)]
    return RawSheet(name, file_name, list(lines[0]), rows)


def decode_csv(raw: bytes, label: str) -> str:
    """UTF-8, with or without the BOM Excel writes; anything else is refused with the fix."""
    save_as = Words(N_('save it as "CSV UTF-8 (comma delimited)" in Excel (or as UTF-8 elsewhere)'))
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(
            label,
            N_("is UTF-16 text (Excel's Unicode Text), not CSV UTF-8; {save_as}"),
            save_as=save_as,
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise refuse(
            row_place(label, line),
            N_(
                "is not UTF-8 text (perhaps Shift_JIS or Windows-1252, which Excel's plain CSV "
                "writes); {save_as} and import again"
            ),
            save_as=save_as,
        ) from None
    if "\x00" in text:
        raise refuse(
            label, N_("holds NUL characters, so it is not a text file; {save_as}"), save_as=save_as
        )
    return text


def _dialect(raw: bytes) -> type[csv.Dialect]:
    """Comma, or semicolon as Excel writes in countries with a decimal comma."""
    first = raw.split(b"\n", 1)[0]
    return _Semicolon if first.count(b";") > first.count(b",") else csv.excel


class _Semicolon(csv.excel):
    delimiter = ";"


def _zip_sheets(path: Path) -> dict[str, RawSheet]:
    refuse_zip_bomb(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise refuse(path.name, N_("is not a .zip file; give a .zip of CSV files")) from None
    with archive:
        members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
        if not members:
            raise refuse(path.name, NO_CSV_FILES, files=SHEET_FILES)
        sheets = [
            _csv_sheet(Path(m).name, archive.read(m))
            for m in members
            if not Path(m).name.startswith(".")
        ]
    return by_name(sheets, path.name)
