"""The API's collections as the import's sheets: a PUT body becomes the rows of a sheet and
goes through the same reader, checks and writer as a file (web.importing), so it is refused
with the same problem list, all or nothing; a GET reads the rows the export writes.

The API's fields are the sheets' columns (web.importing.columns.SHEETS): a column added to a
sheet is a field of the API too. Lists travel as JSON arrays (attendees) and windows as
{"start", "end"} objects, which the sheets write as "a; b" and "start/end; ..."."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.formats.problems import InvalidInput
from web.events.models import Event
from web.importing.columns import SHEETS
from web.importing.export import sheet_rows
from web.importing.sheets import RawSheet, SheetReader
from web.importing.writer import ImportReport, check_pairs, load_known, write_import
from web.meeting_requests.models import MeetingRequest
from web.webhooks import operations as webhooks

COLLECTIONS = ("companies", "attendees", "requests", "availability")
LIST_KINDS = {"list of attendee ids"}
WINDOW_KINDS = {"list of windows"}


def kind_of(sheet: str, column: str) -> str:
    return next(c.kind for c in SHEETS[sheet] if c.name == column)


def as_cell(sheet: str, column: str, value: object) -> object:
    """A JSON value as the sheet's cell holds it."""
    if value is None:
        return None
    kind = kind_of(sheet, column)
    if kind in LIST_KINDS:
        return "; ".join(str(v) for v in value)
    if kind in WINDOW_KINDS:
        return "; ".join(f"{w['start']}/{w['end']}" for w in value)
    return value


def as_json(sheet: str, column: str, cell: object) -> object:
    """A sheet's cell as the API gives it."""
    kind = kind_of(sheet, column)
    if kind in LIST_KINDS:
        return [p.strip() for p in str(cell).split(";") if p.strip()] if cell else []
    if kind in WINDOW_KINDS:
        spans = [p.strip().split("/") for p in str(cell).split(";") if p.strip()] if cell else []
        return [{"start": start, "end": end} for start, end in spans]
    return cell


def raw_sheet(sheet: str, items: list[dict]) -> RawSheet:
    """The body as a sheet: one row per item, numbered from 1 in the body's order; a field
    no item has is a column the sheet leaves out (its stored values stay)."""
    header = [c.name for c in SHEETS[sheet] if any(c.name in item for item in items)]
    rows = [
        (number, [as_cell(sheet, column, item.get(column)) for column in header])
        for number, item in enumerate(items, start=1)
    ]
    return RawSheet(sheet, sheet, header, rows)


def with_stored(session: Session, event: Event, sheet: str, body: list[dict]) -> list[dict]:
    """Each item of a stored row completed with its stored values for the fields other items
    give and it leaves out: a field an item leaves out stays as it is (null clears it)."""
    given = {field for item in body for field in item}
    if "id" not in given or not given - {"id"}:
        return body
    stored = {i["id"]: i for i in items(session, event, sheet)}
    columns = {c.name for c in SHEETS[sheet]} & given
    return [
        {**{f: v for f, v in stored.get(item.get("id"), {}).items() if f in columns}, **item}
        for item in body
    ]


def read(session: Session, event: Event, sheet: str, items: list[dict]):
    """The body read as the import reads a file: ImportData, or InvalidInput with every
    problem (sheet, row, column) found."""
    known = load_known(session, event)
    reader = SheetReader(known, ZoneInfo(event.timezone))
    data = reader.read({sheet: raw_sheet(sheet, with_stored(session, event, sheet, items))}, sheet)
    problems = reader.problems + check_pairs(data, known)
    if problems:
        raise InvalidInput(problems)
    return data


def put(session: Session, event: Event, sheet: str, items: list[dict]) -> ImportReport:
    """Add and update the items by their ids, all or nothing (InvalidInput); the requests
    it creates or answers are told to the event's webhooks in the same transaction."""
    data = read(session, event, sheet, items)
    before = _statuses(session, event) if sheet == "requests" else {}
    report = write_import(session, event, data)
    if sheet == "requests":
        _tell_webhooks(session, event, before)
    return report


def _statuses(session: Session, event: Event) -> dict[str, str]:
    return {
        ext: status
        for ext, status in session.execute(
            select(MeetingRequest.external_id, MeetingRequest.status).where(
                MeetingRequest.event_id == event.id
            )
        )
    }


def _tell_webhooks(session: Session, event: Event, before: dict[str, str]) -> None:
    after = _statuses(session, event)
    changed = [ext for ext, status in after.items() if before.get(ext) != status]
    if not changed:
        return
    rows = session.scalars(
        select(MeetingRequest).where(
            MeetingRequest.event_id == event.id, MeetingRequest.external_id.in_(changed)
        )
    )
    for row in rows:
        if row.external_id in before:
            webhooks.request_answered(session, row)
        else:
            webhooks.request_created(session, row)


def items(session: Session, event: Event, sheet: str) -> list[dict]:
    """The collection as the export's sheet has it, one dict per row, in creation order."""
    heading, *rows = sheet_rows(session, event)[sheet]
    found = [
        {column: as_json(sheet, column, cell) for column, cell in zip(heading, row, strict=True)}
        for row in rows
    ]
    if sheet == "requests":
        answers = {
            ext: (by, at)
            for ext, by, at in session.execute(
                select(
                    MeetingRequest.external_id,
                    MeetingRequest.answered_by,
                    MeetingRequest.answered_at,
                ).where(MeetingRequest.event_id == event.id)
            )
        }
        for item in found:
            by, at = answers.get(item["id"], (None, None))
            item["answered_by"], item["answered_at"] = by, at.isoformat() if at else None
    return found
