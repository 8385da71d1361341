"""Export: the event as an exchange JSON (accepted requests, ready for `partnering solve`),
or as the organiser's sheets (everything, requests of every status) in Excel or CSV files
that import back unchanged."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.calendars.sheet import FORMULA_START, as_text, xlsx_value
from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.problems import InvalidInput, Problem
from scheduler.times import format_local_time
from scheduler.words import N_
from web.companies.models import Attendee, Company, UnavailableBlock
from web.conversion import document_from_event
from web.events.models import Event
from web.importing.columns import SHEETS
from web.importing.records import LIMIT_FIELDS
from web.meeting_requests.models import MeetingRequest, RequestAttendee, RequestWindow
from web.profiles.models import CompanyProfile
from web.profiles.sheets import profile_cells

SUFFIXES = (".json", ".xlsx", ".zip")


def export_file(session: Session, event: Event, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise InvalidInput(
            [Problem(str(path), "give a file ending in .json (exchange format), .xlsx or .zip")]
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")  # never leave half a file behind
    if suffix == ".json":
        document = exchange_document(session, event)
        text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
        temporary.write_text(text, encoding="utf-8")
    elif suffix == ".xlsx":
        write_workbook(sheet_rows(session, event), temporary)
    else:
        write_csv_zip(sheet_rows(session, event), temporary)
    temporary.replace(path)


def exchange_document(session: Session, event: Event) -> dict:
    """The event in the exchange format, refused (InvalidInput, each problem named) when it
    would not be a valid one: say, a company put through the API whose people are not yet
    there (the format needs at least one attendee a company). The sheets hold any state."""
    document = document_from_event(session, event)
    try:
        instance_from_document(document)
    except InvalidInput as error:
        hint = Problem.of(
            "",
            N_(
                "the event is not yet a complete exchange file: fix the above, or export the "
                "sheets (.xlsx or .zip), which keep the event as it is"
            ),
        )
        raise InvalidInput([*error.problems, hint]) from None
    return document


def sheet_rows(session: Session, event: Event) -> dict[str, list[list[object]]]:
    """Every sheet's rows (heading first), in the order the rows were created."""
    zone = ZoneInfo(event.timezone)
    companies = {
        c.id: c
        for c in session.scalars(
            select(Company).where(Company.event_id == event.id).order_by(Company.id)
        )
    }
    attendees = {
        a.id: a
        for a in session.scalars(
            select(Attendee)
            .where(Attendee.event_id == event.id, Attendee.removed_at.is_(None))
            .order_by(Attendee.id)
        )
    }
    rows: dict[str, list[list[object]]] = {n: [[c.name for c in s]] for n, s in SHEETS.items()}
    profiles = {
        p.company_id: p
        for p in session.scalars(select(CompanyProfile).where(CompanyProfile.event_id == event.id))
    }
    for c in companies.values():
        rows["companies"].append(
            [
                c.external_id,
                c.name,
                c.role,
                c.delegation,
                *(getattr(c, f) for f in LIMIT_FIELDS),
                *profile_cells(profiles.get(c.id)),
            ]
        )
    for a in attendees.values():
        company = companies[a.company_id].external_id
        rows["attendees"].append([a.external_id, company, a.name, a.title, a.email, a.bio])
    rows["requests"] += _request_rows(session, event, zone, companies, attendees)
    for block in session.scalars(
        select(UnavailableBlock)
        .where(UnavailableBlock.event_id == event.id)
        .order_by(UnavailableBlock.id)
    ):
        person = attendees.get(block.attendee_id) if block.attendee_id else None
        company = companies[person.company_id if person else block.company_id]
        rows["availability"].append(
            [
                company.external_id,
                person.external_id if person else None,
                format_local_time(block.start, zone),
                format_local_time(block.end, zone),
            ]
        )
    return rows


def _request_rows(session, event, zone, companies, attendees) -> list[list[object]]:
    named: dict[int, list[str]] = defaultdict(list)
    for request_id, attendee_id in session.execute(
        select(RequestAttendee.request_id, RequestAttendee.attendee_id)
        .join(MeetingRequest)
        .where(MeetingRequest.event_id == event.id)
        .order_by(RequestAttendee.position)
    ):
        named[request_id].append(attendees[attendee_id].external_id)
    within: dict[int, list[str]] = defaultdict(list)
    for window in session.scalars(
        select(RequestWindow)
        .join(MeetingRequest)
        .where(MeetingRequest.event_id == event.id)
        .order_by(RequestWindow.start, RequestWindow.end)
    ):
        span = f"{format_local_time(window.start, zone)}/{format_local_time(window.end, zone)}"
        within[window.request_id].append(span)
    rows = []
    for r in session.scalars(
        select(MeetingRequest)
        .where(MeetingRequest.event_id == event.id)
        .order_by(MeetingRequest.id)
    ):
        asked_by = attendees[r.asked_by_id].external_id if r.asked_by_id else None
        rows.append(
            [
                r.external_id,
                companies[r.requester_id].external_id,
                companies[r.requested_id].external_id,
                r.status,
                r.priority,
                r.slots,
                "; ".join(named.get(r.id, [])) or None,
                "; ".join(within.get(r.id, [])) or None,
                asked_by,
                r.notes,
                r.message,
            ]
        )
    return rows


def write_workbook(rows: dict[str, list[list[object]]], path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for name, lines in rows.items():
        sheet = workbook.create_sheet(name)
        for line in lines:
            sheet.append([_text_cell(sheet, v) for v in line])
    workbook.save(path)


def _text_cell(sheet, value: object) -> object:
    """openpyxl writes a string starting with "=" as a formula: write such text as text."""
    value = xlsx_value(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        from openpyxl.cell import WriteOnlyCell

        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"
        return cell
    return value


def csv_text(lines: list[list[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([["" if v is None else as_text(v) for v in line] for line in lines])
    return buffer.getvalue()


def write_csv_zip(rows: dict[str, list[list[object]]], path: Path) -> None:
    """One CSV UTF-8 file per sheet (with the BOM, so that Excel reads the names right)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, lines in rows.items():
            info = zipfile.ZipInfo(f"{name}.csv", date_time=(2026, 1, 1, 0, 0, 0))
            archive.writestr(info, csv_text(lines).encode("utf-8-sig"), zipfile.ZIP_DEFLATED)
