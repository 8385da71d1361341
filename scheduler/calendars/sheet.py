"""All meetings as one sheet (CSV or XLSX): for the organiser's desk, the signage, the caterer;
and the requests not scheduled with their reasons, for the organiser's follow-up.

One row per meeting in time order, in the event's local time. The CSV starts with a UTF-8 byte
order mark, which is what makes Excel read 武田薬品 as text rather than mojibake; the XLSX has
real date-time cells, a bold frozen header and a filter.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from scheduler.calendars.details import MeetingDetails, meeting_details
from scheduler.calendars.revisions import Placement
from scheduler.domain import Instance, Schedule

COLUMNS = (
    "date",
    "start",
    "end",
    "table",
    "table name",
    "requester",
    "requester attendees",
    "requested",
    "requested attendees",
    "request",
    "notes",
)
_WIDTHS = (11, 7, 7, 10, 24, 28, 30, 28, 30, 8, 40)


# A text cell starting with one of these is a formula to Excel, LibreOffice and Sheets (a name
# like "=HYPERLINK(...)" or "=cmd|..." typed into a registration form): CSV cells get a
# leading apostrophe, which spreadsheets show as text; XLSX cells are written as text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: object) -> object:
    """`value` for a CSV cell, never read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xlsx_value(value: object) -> object:
    """`value` for an XLSX cell: without the control characters the format cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _rows(instance: Instance, schedule: Schedule) -> list[MeetingDetails]:
    ordered = sorted(schedule.meetings, key=lambda m: (m.start, m.location, m.request))
    return [meeting_details(instance, Placement.of(m)) for m in ordered]


def _cells(d: MeetingDetails) -> list[object]:
    first, second = (*d.sides, None, None)[:2]
    return [
        d.start.date(),
        d.start.strftime("%H:%M"),
        d.end.strftime("%H:%M"),
        d.location_id,
        d.location_name,
        first.name if first else "",
        ", ".join(first.attendees) if first else "",
        second.name if second else "",
        ", ".join(second.attendees) if second else "",
        d.request,
        d.notes or "",
    ]


UNSCHEDULED_COLUMNS = ("request", "requester", "requested", "priority", "reason")


def _unscheduled_cells(instance: Instance, schedule: Schedule) -> list[list[object]]:
    rows = []
    for u in schedule.unscheduled:
        request = instance.request_by_id.get(u.request)
        names = instance.company_by_id
        requester = names[request.requester].name if request else ""
        requested = names[request.requested].name if request else ""
        priority = request.priority if request else ""
        rows.append([u.request, requester, requested, priority, u.reason])
    return rows


def unscheduled_csv(instance: Instance, schedule: Schedule) -> bytes:
    """The requests not scheduled with the solver's reasons, as meetings_csv writes."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(UNSCHEDULED_COLUMNS)
    for cells in _unscheduled_cells(instance, schedule):
        writer.writerow([as_text(c) for c in cells])
    return out.getvalue().encode("utf-8-sig")


def meetings_csv(instance: Instance, schedule: Schedule) -> bytes:
    """UTF-8 with a byte order mark, CRLF rows, times local to the event."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for details in _rows(instance, schedule):
        cells = _cells(details)
        cells[0] = cells[0].isoformat()
        writer.writerow([as_text(c) for c in cells])
    return out.getvalue().encode("utf-8-sig")


def meetings_xlsx(instance: Instance, schedule: Schedule, stamp: datetime | None = None) -> bytes:
    """An Excel workbook; `stamp` fixes its document dates so the bytes are reproducible."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Meetings"
    sheet.append([c.capitalize() for c in COLUMNS])
    for details in _rows(instance, schedule):
        cells = _cells(details)
        cells[1] = details.start.replace(tzinfo=None)  # Excel has no time zones: wall clock
        cells[2] = details.end.replace(tzinfo=None)
        sheet.append([xlsx_value(c) for c in cells])
    _format(sheet)
    missed = book.create_sheet("Unscheduled")
    missed.append([c.capitalize() for c in UNSCHEDULED_COLUMNS])
    for cells in _unscheduled_cells(instance, schedule):
        missed.append([xlsx_value(c) for c in cells])
    for row in missed.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even when it starts with "=": never a formula
    for cell in missed[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDE", (10, 28, 28, 8, 90), strict=True):
        missed.column_dimensions[letter].width = width
    missed.freeze_panes = "A2"
    when = (stamp or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None)
    book.properties.created = book.properties.modified = when
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _format(sheet) -> None:
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, even when it starts with "=": never a formula
        row[0].number_format = "yyyy-mm-dd"
        row[1].number_format = row[2].number_format = "hh:mm"
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
