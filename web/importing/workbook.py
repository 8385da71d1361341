"""Excel workbooks into sheets, within limits whatever the file declares or holds.

`web.importing.bounded` runs `workbook_sheets` in a child process with a memory and a CPU
limit; the limits here bound the work inside it (rows, columns, cells, bytes unpacked).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from scheduler.formats.problems import InvalidInput, Problem
from scheduler.words import N_, Words
from web.importing.columns import IGNORED_SHEETS, NOT_A_SHEET, SHEETS, refuse, row_place, sheet_name
from web.importing.sheets import RawSheet, by_name

MAX_ROWS = 500_000  # entries per sheet (rows 2 to 500,001); a BIO-size fair has ~100,000 requests
MAX_COLUMNS = 30  # headings per sheet; the widest sheet (requests) has 11
MAX_CELLS = MAX_ROWS * MAX_COLUMNS  # cells per sheet, empty or not
MAX_CELLS_IN_A_ROW = 16_384  # as many as Excel has columns, A to XFD


def too_large(path: Path) -> InvalidInput:
    """One answer wherever the reading runs out (in openpyxl, or the child killed by its
    limit): the organiser's remedy is the same."""
    return refuse(
        path.name,
        N_(
            "needs more memory or time to read than an import may take; split it into "
            "smaller workbooks, or save each sheet as a CSV UTF-8 file"
        ),
    )


def workbook_sheets(path: Path, problems: list[Problem]) -> dict[str, RawSheet]:
    """The workbook's sheets (web.importing.bounded runs this in a child process)."""
    from openpyxl import load_workbook

    not_a_workbook = refuse(
        path.name,
        N_(
            "is not an Excel workbook (.xlsx); open it in Excel and save it as "
            '"Excel Workbook (.xlsx)", or as CSV UTF-8 files'
        ),
    )
    too_big = too_large(path)
    refuse_zip_bomb(path)
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
            name = sheet_name(worksheet.title, path.name, NOT_A_SHEET)
            label = Words.of(N_("{file}, sheet {sheet}"), file=path.name, sheet=worksheet.title)
            sheets.append(_worksheet_sheet(worksheet, name, label, problems))
    except InvalidInput:
        raise
    except MemoryError:
        raise too_big from None
    except Exception:  # a sheet's XML is broken: the same answer as for a broken file
        raise not_a_workbook from None
    finally:
        workbook.close()
    return by_name(sheets, path.name)


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
            raise refuse(
                row_place(label, number),
                N_(
                    "comes twice, or out of order, in the file; open it in Excel, save it "
                    "again and import that"
                ),
            )
        previous = number
        if number == 1:
            width = max((c for c, value in cells if not _empty(value)), default=0)
            if width > MAX_COLUMNS:
                raise refuse(
                    row_place(label, 1),
                    N_(
                        "has headings as far right as column {column}, but a sheet may have at "
                        "most {most} columns; delete the columns that are not one of "
                        "{columns}, and import again"
                    ),
                    column=get_column_letter(width),
                    most=MAX_COLUMNS,
                    columns=", ".join(c.name for c in SHEETS[name]),
                )
            header = _row_values(cells, width)
            continue
        if all(_empty(value) for _, value in cells):
            continue  # formatting only, say: an empty row, as one the file leaves out
        if number > MAX_ROWS + 1:
            raise refuse(
                row_place(label, number),
                N_(
                    "is past the last row a sheet may have ({last}: a heading row and "
                    "{most} entries); split the sheet into files of at most {most} rows each "
                    "and import them one after another"
                ),
                last=f"{MAX_ROWS + 1:,}",
                most=f"{MAX_ROWS:,}",
            )
        # Empty rows before this one are refused, as in CSV files (trailing ones never get here).
        rows.extend((missing, []) for missing in range(rows[-1][0] + 1 if rows else 2, number))
        rows.append((number, _row_values(cells, width)))
        beyond = sorted(c for c, value in cells if c > width and not _empty(value))
        if beyond and width:  # (no headings at all: the missing columns are named instead)
            more = (
                Words.of(N_(" (and {count} more in this row)"), count=len(beyond) - 1)
                if beyond[1:]
                else ""
            )
            problems.append(
                Problem.of(
                    row_place(label, number, get_column_letter(beyond[0])),
                    N_(
                        "holds a value, but the headings end at column {column}; delete the "
                        "value, or give its column a heading{more}"
                    ),
                    column=get_column_letter(width),
                    more=more,
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
                    raise refuse(
                        row_place(label, cell["row"] if placed else cell_reader.row_counter + 1),
                        N_(
                            "holds more than {most} cells, which is more than Excel has "
                            "columns; open the file in Excel, save it again and import that"
                        ),
                        most=f"{MAX_CELLS_IN_A_ROW:,}",
                    )
                if cell_count > MAX_CELLS:
                    raise refuse(
                        label,
                        N_(
                            "holds more than the {most} cells a sheet may have ({rows} rows of "
                            "{columns} columns), empty ones with formatting included; delete "
                            "the rows and columns that are not imported, or split the sheet "
                            "into several files, and import again"
                        ),
                        most=f"{MAX_CELLS:,}",
                        rows=f"{MAX_ROWS:,}",
                        columns=MAX_COLUMNS,
                    )
            elif element.tag == ROW_TAG:
                row_count += 1
                if row_count > MAX_ROWS + 1:
                    raise refuse(
                        label,
                        N_(
                            "has more than {last} rows (a heading row and {most} entries), empty "
                            "ones with formatting included; delete the empty rows below the "
                            "data, or split the sheet into files of at most {most} rows each "
                            "and import them one after another"
                        ),
                        last=f"{MAX_ROWS + 1:,}",
                        most=f"{MAX_ROWS:,}",
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


def refuse_zip_bomb(path: Path) -> None:
    """A small file that would unpack to gigabytes is refused before anything reads it."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip: the reader says so in its own words
    if unpacked > MAX_UNPACKED:
        raise refuse(
            path.name,
            N_("unpacks to {size} MB; split it into smaller files"),
            size=unpacked // 2**20,
        )
