"""Files in and out: which reader a file needs, and turning bytes into sheets.

In: an exchange JSON (`partnering-instance/1`, creates or updates the event), an Excel
workbook (.xlsx), one CSV file named after its sheet (companies.csv, ...), a folder of such
CSV files, or a .zip of them. Out: the same kinds, by the output file's suffix.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.formats.json_file import read_json_file
from scheduler.formats.problems import InvalidInput, Problem
from web.conversion import save_instance
from web.events.models import Event
from web.importing.columns import SHEETS
from web.importing.sheets import RawSheet, SheetReader
from web.importing.writer import ImportReport, check_pairs, load_known, write_import

SHEET_FILES = ", ".join(f"{name}.csv" for name in SHEETS)
IGNORED_SHEETS = {"instructions", "readme"}  # the template explains itself in one


def import_file(session: Session, path: Path, slug: str) -> ImportReport:
    """Import `path` into event `slug`, all or nothing; raise InvalidInput listing every
    problem (the caller's transaction then rolls back, so nothing is half-imported)."""
    if path.suffix.lower() == ".json":
        try:
            return save_instance(session, read_json_file(path), slug, source=path.name)[1]
        except InvalidInput as error:
            raise InvalidInput(error.problems, str(path)) from None
    sheets = load_sheets(path)
    event = session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise InvalidInput(
            [
                Problem(
                    "--event",
                    f'no event "{slug}" yet; create it first from its instance file '
                    f"(partnering import EVENT.json --event {slug}), which sets its days, "
                    "sessions and tables",
                )
            ]
        )
    known = load_known(session, event)
    reader = SheetReader(known, ZoneInfo(event.timezone))
    data = reader.read(sheets, path.name)
    problems = reader.problems + check_pairs(data, known)
    if problems:
        raise InvalidInput(problems)
    return write_import(session, event, data)


def load_sheets(path: Path) -> dict[str, RawSheet]:
    if path.is_dir():
        files = sorted(path.glob("*.csv")) + sorted(path.glob("*.CSV"))
        if not files:
            raise _bad(path.name, f"holds no CSV files; expected {SHEET_FILES}")
        return _by_name([_csv_sheet(f.name, f.read_bytes()) for f in files], path.name)
    if not path.exists():
        raise _bad(str(path), "no such file; check the path")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _by_name([_csv_sheet(path.name, path.read_bytes())], path.name)
    if suffix == ".zip":
        return _zip_sheets(path)
    if suffix in (".xlsx", ".xlsm"):
        return _workbook_sheets(path)
    raise _bad(
        path.name,
        "is not a file this import reads; give an instance .json, an Excel .xlsx, "
        f"CSV files named {SHEET_FILES}, or a .zip or folder of them",
    )


def _bad(place: str, message: str) -> InvalidInput:
    return InvalidInput([Problem(place, message)])


def _by_name(sheets: list[RawSheet], source: str) -> dict[str, RawSheet]:
    found: dict[str, RawSheet] = {}
    for sheet in sheets:
        if sheet.name in found:
            raise _bad(source, f"has two {sheet.name} sheets; merge them into one")
        found[sheet.name] = sheet
    return found


def _sheet_name(name: str, label: str, what: str) -> str:
    stem = name.strip().lower()
    if stem not in SHEETS:
        raise _bad(
            label,
            f"{what} {name!r} is not one of {', '.join(SHEETS)}; rename it "
            f"(CSV files: {SHEET_FILES})",
        )
    return stem


# --- CSV ---------------------------------------------------------------------------------------


def _csv_sheet(file_name: str, raw: bytes) -> RawSheet:
    name = _sheet_name(Path(file_name).stem, file_name, "file name")
    reader = csv.reader(io.StringIO(decode_csv(raw, file_name), newline=""), _dialect(raw))
    try:
        lines = list(reader)
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            raise _bad(
                f"{file_name}: row {reader.line_num}",
                f"has a cell of more than {csv.field_size_limit()} characters (perhaps a "
                "quote opened and never closed); shorten or close it and import again",
            ) from None
        raise _bad(f"{file_name}: row {reader.line_num}", f"is not valid CSV ({error})") from None
    if not lines:
        raise _bad(file_name, "is empty; expected a heading row, then one row per entry")
    rows = [(number, cells) for number, cells in enumerate(lines[1:], start=2)]
    return RawSheet(name, file_name, list(lines[0]), rows)


def decode_csv(raw: bytes, label: str) -> str:
    """UTF-8, with or without the BOM Excel writes; anything else is refused with the fix."""
    save_as = 'save it as "CSV UTF-8 (comma delimited)" in Excel (or as UTF-8 elsewhere)'
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _bad(label, f"is UTF-16 text (Excel's Unicode Text), not CSV UTF-8; {save_as}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise _bad(
            f"{label}: row {line}",
            "is not UTF-8 text (perhaps Shift_JIS or Windows-1252, which Excel's plain CSV "
            f"writes); {save_as} and import again",
        ) from None
    if "\x00" in text:
        raise _bad(label, f"holds NUL characters, so it is not a text file; {save_as}")
    return text


def _dialect(raw: bytes) -> type[csv.Dialect]:
    """Comma, or semicolon as Excel writes in countries with a decimal comma."""
    first = raw.split(b"\n", 1)[0]
    return _Semicolon if first.count(b";") > first.count(b",") else csv.excel


class _Semicolon(csv.excel):
    delimiter = ";"


def _zip_sheets(path: Path) -> dict[str, RawSheet]:
    _refuse_zip_bomb(path)
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise _bad(path.name, "is not a .zip file; give a .zip of CSV files") from None
    with archive:
        members = [m for m in archive.namelist() if m.lower().endswith(".csv")]
        if not members:
            raise _bad(path.name, f"holds no CSV files; expected {SHEET_FILES}")
        sheets = [
            _csv_sheet(Path(m).name, archive.read(m))
            for m in members
            if not Path(m).name.startswith(".")
        ]
    return _by_name(sheets, path.name)


# --- Excel -------------------------------------------------------------------------------------


def _workbook_sheets(path: Path) -> dict[str, RawSheet]:
    from openpyxl import load_workbook

    not_a_workbook = _bad(
        path.name,
        "is not an Excel workbook (.xlsx); open it in Excel and save it as "
        '"Excel Workbook (.xlsx)", or as CSV UTF-8 files',
    )
    _refuse_zip_bomb(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl meets a broken file with any of a dozen exception types
        raise not_a_workbook from None
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            if worksheet.title.strip().lower() in IGNORED_SHEETS:
                continue
            label = f"{path.name}, sheet {worksheet.title}"
            name = _sheet_name(worksheet.title, path.name, "sheet")
            lines = [list(r) for r in worksheet.iter_rows(values_only=True)]
            header = lines[0] if lines else []
            rows = [(number, cells) for number, cells in enumerate(lines[1:], start=2)]
            sheets.append(RawSheet(name, label, header, rows))
    except InvalidInput:
        raise
    except Exception:  # a sheet's XML is broken: the same answer as for a broken file
        raise not_a_workbook from None
    finally:
        workbook.close()
    return _by_name(sheets, path.name)


MAX_UNPACKED = 500 * 1024 * 1024  # a workbook or .zip of a very large fair unpacks to far less


def _refuse_zip_bomb(path: Path) -> None:
    """A small file that would unpack to gigabytes is refused before anything reads it."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader says so in its own words
    if unpacked > MAX_UNPACKED:
        raise _bad(path.name, f"unpacks to {unpacked // 2**20} MB; split it into smaller files")
