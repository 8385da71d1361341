"""Files in and out: which reader a file needs, and turning bytes into sheets.

In: an exchange JSON (`partnering-instance/1`, creates or updates the event), an Excel
workbook (.xlsx), one CSV file named after its sheet (companies.csv, ...), a folder of such
CSV files, or a .zip of them. Out: the same kinds, by the output file's suffix.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import replace
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
            return save_instance(session, _read_json(path), slug, source=path.name)[1]
        except InvalidInput as error:
            raise InvalidInput(error.problems, path.name) from None
    problems: list[Problem] = []
    sheets = load_sheets(path, problems)
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
        from web.importing.bounded import read_workbook  # in a child, within memory limits

        sheets, found = read_workbook(path)
        problems.extend(found)
        return sheets
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

MAX_ROWS = 500_000  # entries per sheet (rows 2 to 500,001); a BIO-size fair has ~100,000 requests
MAX_COLUMNS = 30  # headings per sheet; the widest sheet (requests) has 11
MAX_CELLS = MAX_ROWS * MAX_COLUMNS  # cells per sheet, empty or not
MAX_CELLS_IN_A_ROW = 16_384  # as many as Excel has columns, A to XFD


def workbook_sheets(path: Path, problems: list[Problem]) -> dict[str, RawSheet]:
    """The workbook's sheets (web.importing.bounded runs this in a child process)."""
    from openpyxl import load_workbook

    not_a_workbook = _bad(
        path.name,
        "is not an Excel workbook (.xlsx); open it in Excel and save it as "
        '"Excel Workbook (.xlsx)", or as CSV UTF-8 files',
    )
    too_big = _bad(
        path.name,
        "needs more memory to read than this server has; split it into smaller workbooks, "
        "or save each sheet as a CSV UTF-8 file",
    )
    _refuse_zip_bomb(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except MemoryError:
        raise too_big from None
    except Exception:  # openpyxl meets a broken file with any of a dozen exception types
        raise not_a_workbook from None
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            if worksheet.title.strip().lower() in IGNORED_SHEETS:
                continue
            name = _sheet_name(worksheet.title, path.name, "sheet")
            label = f"{path.name}, sheet {worksheet.title}"
            sheets.append(_worksheet_sheet(worksheet, name, label, problems))
    except InvalidInput:
        raise
    except MemoryError:
        raise too_big from None
    except Exception:  # a sheet's XML is broken: the same answer as for a broken file
        raise not_a_workbook from None
    finally:
        workbook.close()
    return _by_name(sheets, path.name)


def _worksheet_sheet(worksheet, name: str, label: str, problems: list[Problem]) -> RawSheet:
    """The sheet's headings and rows, as wide as its last heading and at most MAX_ROWS long.

    A value right of the headings is a problem named by its row and column (CSV files refuse
    such values too); a sheet with more columns, rows or cells than the limits is refused."""
    from openpyxl.utils import get_column_letter

    header: list[object] = []
    rows: list[tuple[int, list[object]]] = []
    width = 0
    previous = 0  # the row read last
    for number, cells in _sheet_cells(worksheet, label):
        if number <= previous:
            raise _bad(
                f"{label}: row {number}",
                "comes twice, or out of order, in the file; open it in Excel, save it "
                "again and import that",
            )
        previous = number
        if number == 1:
            width = max((c for c, value in cells if not _empty(value)), default=0)
            if width > MAX_COLUMNS:
                raise _bad(
                    f"{label}: row 1",
                    f"has headings as far right as column {get_column_letter(width)}, but a "
                    f"sheet may have at most {MAX_COLUMNS} columns; delete the columns that "
                    f"are not one of {', '.join(c.name for c in SHEETS[name])}, and import "
                    "again",
                )
            header = _row_values(cells, width)
            continue
        if all(_empty(value) for _, value in cells):
            continue  # formatting only, say: an empty row, as one the file leaves out
        if number > MAX_ROWS + 1:
            raise _bad(
                f"{label}: row {number}",
                f"is past the last row a sheet may have ({MAX_ROWS + 1:,}: a heading row and "
                f"{MAX_ROWS:,} entries); split the sheet into files of at most {MAX_ROWS:,} "
                "rows each and import them one after another",
            )
        # Empty rows before this one are refused, as in CSV files (trailing ones never get here).
        rows.extend((missing, []) for missing in range(rows[-1][0] + 1 if rows else 2, number))
        rows.append((number, _row_values(cells, width)))
        beyond = sorted(c for c, value in cells if c > width and not _empty(value))
        if beyond and width:  # (no headings at all: the missing columns are named instead)
            more = f" (and {len(beyond) - 1} more in this row)" if beyond[1:] else ""
            problems.append(
                Problem(
                    f"{label}: row {number}, column {get_column_letter(beyond[0])}",
                    "holds a value, but the headings end at column "
                    f"{get_column_letter(width)}; delete the value, or give its column a "
                    f"heading{more}",
                )
            )
    return RawSheet(name, label, header, rows)


def _sheet_cells(worksheet, label: str) -> Iterator[tuple[int, list[tuple[int, object]]]]:
    """(row number, [(column number, value), ...]) for each row the sheet's XML holds, with
    only the cells it holds, each read by openpyxl's own cell parser (types, shared strings,
    dates), its work bounded by the limits above whatever the file declares or holds.

    Not `iter_rows`: in read-only mode that pads every row to the width the file declares (or
    to the row's last cell) and makes up every row missing in between, so that 30 KB holding
    one cell in column XFD on each of 4,000 rows took 40 s and 860 MB. Nor openpyxl's row
    parser under it, which keeps every row it has read and builds a whole row before anything
    can count its cells: 50 KB of five million empty rows, or of one row of a million cells,
    took half a gigabyte or more. Here each row is emptied once read, and a sheet with more
    rows or cells than allowed is refused as soon as they come. (Opening the workbook, openpyxl
    still reads through a sheet that declares no dimension, as those made by openpyxl's
    write-only mode do, keeping an emptied element per row: that costs time and memory in
    proportion to the unpacked size, which only MAX_UNPACKED bounds.)"""
    from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser
    from openpyxl.xml.functions import iterparse

    workbook = worksheet.parent
    with worksheet._get_source() as source:
        cell_reader = WorkSheetParser(
            source,
            worksheet._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        row_count = cell_count = 0
        cells: list[tuple[int, object]] = []
        for _, element in iterparse(source):  # each element when it ends: a row after its cells
            if element.tag == CELL_TAG:
                placed = "r" in element.attrib  # else in the row after the last one read
                cell = cell_reader.parse_cell(element)
                element.clear()
                cells.append((cell["column"], cell["value"]))
                cell_count += 1
                if len(cells) > MAX_CELLS_IN_A_ROW:
                    raise _bad(
                        f"{label}: row {cell['row'] if placed else cell_reader.row_counter + 1}",
                        f"holds more than {MAX_CELLS_IN_A_ROW:,} cells, which is more than "
                        "Excel has columns; open the file in Excel, save it again and import that",
                    )
                if cell_count > MAX_CELLS:
                    raise _bad(
                        label,
                        f"holds more than the {MAX_CELLS:,} cells a sheet may have ({MAX_ROWS:,} "
                        f"rows of {MAX_COLUMNS} columns), empty ones with formatting included; "
                        "delete the rows and columns that are not imported, or split the sheet "
                        "into several files, and import again",
                    )
            elif element.tag == ROW_TAG:
                row_count += 1
                if row_count > MAX_ROWS + 1:
                    raise _bad(
                        label,
                        f"has more than {MAX_ROWS + 1:,} rows (a heading row and {MAX_ROWS:,} "
                        "entries), empty ones with formatting included; delete the empty rows "
                        f"below the data, or split the sheet into files of at most {MAX_ROWS:,} "
                        "rows each and import them one after another",
                    )
                number = _row_number(element.get("r"), cell_reader.row_counter)
                element.clear()  # its cells are read; the emptied row itself stays behind
                yield number, cells
                cell_reader.row_counter, cell_reader.col_counter = number, 0
                cells = []


def _row_number(attribute: str | None, previous: int) -> int:
    """A row's number as openpyxl reads it: its r attribute, else the one after the last."""
    if attribute is None:
        return previous + 1
    try:
        return int(attribute)
    except ValueError:
        number = float(attribute)  # "5.0", as some programs write it
        if not number.is_integer():
            raise
        return int(number)


def _row_values(cells: list[tuple[int, object]], width: int) -> list[object]:
    values: list[object] = [None] * width
    for column, value in cells:
        if column <= width:
            values[column - 1] = value
    return values


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# A BIO-size fair's workbook (100,000 requests) unpacks to 32 MB. The bound matters beyond
# the zip bomb: openpyxl reads a sheet declaring no dimension once on opening, in about 16
# bytes of memory a byte unpacked (97 MB: 1.6 GB and 14 s), so this keeps that under 3 GB.
MAX_UNPACKED = 160 * 1024 * 1024


def _refuse_zip_bomb(path: Path) -> None:
    """A small file that would unpack to gigabytes is refused before anything reads it."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader says so in its own words
    if unpacked > MAX_UNPACKED:
        raise _bad(path.name, f"unpacks to {unpacked // 2**20} MB; split it into smaller files")
