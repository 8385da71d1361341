"""Importing sheets: every broken file is refused whole, with row-level messages and no row
written; good files import once, and importing them again changes nothing."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from scheduler.formats.problems import InvalidInput
from scheduler.generate.instances import generate_instance
from tests.conftest import ROOT, make_instance
from tests.web.conftest import create_event
from web.companies.models import Attendee, Company, UnavailableBlock
from web.conversion import document_from_event, instance_from_event
from web.importing.columns import SHEETS
from web.importing.export import export_file
from web.importing.files import import_file
from web.meeting_requests.models import MeetingRequest
from web.models import Base

TEMPLATE = ROOT / "examples" / "import-template.xlsx"
TEMPLATE_CSV = ROOT / "examples" / "import-template"


def row_counts(session) -> dict[str, int]:
    return {
        t.name: session.scalar(select(func.count()).select_from(t))
        for t in Base.metadata.sorted_tables
    }


def write_csv(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def refused(session, path: Path, slug: str = "tiny") -> list[str]:
    """Import `path`, expecting a refusal; return its messages after checking nothing changed."""
    before = row_counts(session)
    with pytest.raises(InvalidInput) as caught:
        import_file(session, path, slug)
    session.rollback()
    assert row_counts(session) == before
    return [str(p) for p in caught.value.problems]


def test_wrong_columns_are_named_with_what_was_expected(session, dummy_event, tmp_path):
    path = write_csv(tmp_path, "companies.csv", "id,nmae,role,colour\nx,X,corporate,red\n")
    messages = refused(session, path)
    assert any('row 1, column nmae: unknown column (did you mean "name"?)' in m for m in messages)
    assert any("row 1, column colour: unknown column" in m for m in messages)
    assert any("row 1, column name: is missing" in m for m in messages)


def test_unknown_companies_and_attendees_are_named_per_row(session, dummy_event, tmp_path):
    path = write_csv(
        tmp_path,
        "requests.csv",
        "id,from,to,attendees\nr9,acme,bgi,\nr10,cell,acme,big-1\n",
    )
    messages = refused(session, path)
    assert (
        'requests.csv: row 2, column to: unknown company "bgi" (did you mean "big"?); '
        "expected the id of a company in this file or already in the event"
    ) in messages
    assert any('row 3, column attendees: "big-1" works for "big"' in m for m in messages)


def test_bad_values_name_sheet_row_column_and_what_was_expected(session, dummy_event, tmp_path):
    path = write_csv(
        tmp_path,
        "companies.csv",
        "id,name,role,max_meetings_per_day\nx,X,corp,0\ny,Y,corporate,many\n",
    )
    messages = refused(session, path)
    assert (
        'companies.csv: row 2, column role: "corp" is not one of corporate, delegation '
        '(did you mean "corporate"?)'
    ) in messages
    assert (
        "companies.csv: row 2, column max_meetings_per_day: 0 is out of range; "
        "expected a whole number 1 to 100000"
    ) in messages
    assert any(
        'row 3, column max_meetings_per_day: "many" is not a whole number' in m for m in messages
    )


def test_bad_times_are_refused(session, dummy_event, tmp_path):
    path = write_csv(
        tmp_path,
        "availability.csv",
        "company,attendee,start,end\n"
        "acme,,2026-10-14T25:00,2026-10-14T11:00\n"
        "big,big-1,2026-10-14T11:00,2026-10-14T10:00\n"
        "big,,14 Oct 10am,2026-10-14T10:00\n",
    )
    messages = refused(session, path)
    assert any(
        m.startswith("availability.csv: row 2, column start:") and "not a real" in m
        for m in messages
    )
    assert "availability.csv: row 3, column end: is not after start; give a later end" in messages
    assert any(
        m.startswith("availability.csv: row 4, column start: expected a local time")
        for m in messages
    )


def test_duplicates_in_the_file_and_against_the_event_are_refused(session, dummy_event, tmp_path):
    path = write_csv(
        tmp_path,
        "requests.csv",
        "id,from,to\nr3,acme,cell\nr3,cell,big\nr4,cell,acme\nr5,big,acme\n",
    )
    messages = refused(session, path)
    assert any(
        'row 3, column id: duplicate request id "r3", already in row 2' in m for m in messages
    )
    assert any(
        'row 4, column to: "cell" and "acme" are already asked to meet in row 2' in m
        for m in messages
    )
    # r5 is the pair of r1 (acme -> big) the other way round: taken in the event already
    assert any(
        m.startswith("requests.csv: row 5:") and 'already have request "r1"' in m for m in messages
    )


def test_empty_rows_between_data_are_refused_trailing_ones_ignored(session, dummy_event, tmp_path):
    path = write_csv(
        tmp_path, "companies.csv", "id,name,role\nx,X,corporate\n,,\ny,Y,corporate\n,,\n\n"
    )
    messages = refused(session, path)
    assert messages == ["companies.csv: row 3: is empty; delete the row or fill it in"]
    path = write_csv(tmp_path, "companies.csv", "id,name,role\nx,X,corporate\n,,\n")
    assert import_file(session, path, "tiny").counts["companies"]["created"] == 1


def test_required_cells_left_empty_are_refused(session, dummy_event, tmp_path):
    path = write_csv(tmp_path, "attendees.csv", "id,company,name\nacme-2,acme,\n")
    assert refused(session, path) == ["attendees.csv: row 2, column name: is empty; expected text"]


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [("shift_jis", "is not UTF-8 text"), ("utf-16", "is UTF-16 text")],
)
def test_other_encodings_are_refused_with_the_fix(
    session, dummy_event, tmp_path, encoding, expected
):
    path = write_csv(tmp_path, "companies.csv", "id,name,role\nx,武田薬品,corporate\n", encoding)
    messages = refused(session, path)
    assert len(messages) == 1 and expected in messages[0]
    assert messages[0].startswith("companies.csv") and 'save it as "CSV UTF-8' in messages[0]


def test_a_huge_cell_or_an_unclosed_quote_is_named_by_its_row(session, dummy_event, tmp_path):
    """Python's CSV reader stops at cells over 131072 characters (an unclosed quote swallows
    the rest of the file into one): the row is named and the file refused, not a crash."""
    huge = "x" * 200_000
    path = write_csv(
        tmp_path, "companies.csv", f"id,name,role\na,A,corporate\nb,{huge},corporate\n"
    )
    messages = refused(session, path)
    assert len(messages) == 1 and messages[0].startswith("companies.csv: row 3")
    assert "more than 131072 characters" in messages[0]
    quoted = 'id,name,role\na,A,corporate\nb,"Bio' + "tech " * 30_000 + "\n"
    messages = refused(session, write_csv(tmp_path, "companies.csv", quoted))
    assert len(messages) == 1 and "perhaps a quote opened and never closed" in messages[0]


def test_invisible_characters_in_a_cell_are_refused_with_their_place(
    session, dummy_event, tmp_path
):
    """As in instance files: a control character or a bidirectional override (which turns a
    name, or the warning printed beside it, around) is refused, named by row and column."""
    text = "id,name,role\nx,Evil\u202eCorp,corporate\ny,Bell\x07Corp,corporate\n"
    messages = refused(session, write_csv(tmp_path, "companies.csv", text))
    assert any(
        m.startswith("companies.csv: row 2, column name") and "U+202E" in m for m in messages
    )
    assert any(
        m.startswith("companies.csv: row 3, column name") and "U+0007" in m for m in messages
    )


def test_utf8_with_or_without_bom_and_semicolons_import_alike(session, dummy_event, tmp_path):
    for i, (prefix, sep) in enumerate([("\ufeff", ","), ("", ","), ("", ";")]):
        text = f"{prefix}id{sep}name{sep}role\nx{i}{sep}武田薬品工業{sep}corporate\n"
        import_file(session, write_csv(tmp_path, "companies.csv", text), "tiny")
    names = session.scalars(select(Company.name).where(Company.external_id.like("x%"))).all()
    assert names == ["武田薬品工業"] * 3


def test_a_second_download_imports_under_its_browser_name(session, dummy_event, tmp_path):
    """Browsers save a second download as "companies (1).csv": still the companies sheet."""
    path = write_csv(tmp_path, "companies (1).csv", "id,name,role\nx,X Bio,delegation\n")
    assert import_file(session, path, "tiny").counts["companies"]["created"] == 1
    session.commit()
    assert "is not one of" in refused(session, write_csv(tmp_path, "companies (a).csv", ""))[0]


def test_files_that_are_not_sheets_are_refused(session, dummy_event, tmp_path):
    fake = tmp_path / "event.xlsx"
    fake.write_text("not a workbook")
    assert "is not an Excel workbook" in refused(session, fake)[0]
    other = write_csv(tmp_path, "firms.csv", "id,name,role\n")
    assert (
        "is not one of companies, attendees, requests, availability" in refused(session, other)[0]
    )


def test_a_workbook_with_bad_rows_in_several_sheets_reports_them_all(
    session, dummy_event, tmp_path
):
    workbook = Workbook()
    workbook.active.title = "companies"
    workbook["companies"].append(["id", "name", "role"])
    workbook["companies"].append(["new", "New Co", "delegation"])
    requests = workbook.create_sheet("requests")
    requests.append(["id", "from", "to", "priority"])
    requests.append(["r7", "new", "acme", 2.5])
    requests.append(["r8", "new", "nobody", 1])
    path = tmp_path / "event.xlsx"
    workbook.save(path)
    messages = refused(session, path)
    assert messages == [
        'event.xlsx, sheet requests: row 2, column priority: "2.5" is not a whole number; '
        "expected 1, 2, 3, ...",
        'event.xlsx, sheet requests: row 3, column to: unknown company "nobody"; expected the '
        "id of a company in this file or already in the event",
    ]


def import_a_request_naming_big_1(session, tmp_path) -> None:
    """Builder: the tiny event gets request r1 (acme to big) naming big-1."""
    names_big_1 = write_csv(tmp_path, "requests.csv", "id,from,to,attendees\nr1,acme,big,big-1\n")
    import_file(session, names_big_1, "tiny")
    session.commit()


def test_moving_a_person_a_request_names_to_another_company_is_refused(
    session, dummy_event, tmp_path
):
    """The file is consistent in itself, but the event would not be: r1 names big-1."""
    import_a_request_naming_big_1(session, tmp_path)
    moving = write_csv(tmp_path, "attendees.csv", "id,company,name\nbig-1,cell,Bo Big\n")
    assert refused(session, moving) == [
        'attendees.csv: row 2, column company: moves "big-1" to "cell", but request "r1" '
        'between "acme" and "big" names them; change that request first, or keep their company'
    ]
    document = make_instance()
    document["companies"][2]["attendees"].append({"id": "big-1", "name": "Bo Big"})
    del document["companies"][1]["attendees"][0]
    document["requests"] = [{"id": "r2", "from": "cell", "to": "big"}]  # r1 is not in it
    path = tmp_path / "moved.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert refused(session, path) == [
        'companies[2].attendees[1].company: moves "big-1" to "cell", but request "r1" '
        'between "acme" and "big" names them; change that request first, or keep their company'
    ]


def test_changing_a_requests_companies_but_not_its_people_is_refused(
    session, dummy_event, tmp_path
):
    import_a_request_naming_big_1(session, tmp_path)
    other_pair = write_csv(tmp_path, "requests.csv", "id,from,to\nr1,acme,cell\n")
    assert refused(session, other_pair) == [
        'requests.csv: row 2: request "r1" would be between "acme" and "cell" but still names '
        '"big-1" of "big" (as stored); name people of those two companies in its attendees and '
        "asked_by"
    ]


def test_a_person_moves_with_the_requests_that_name_them(session, dummy_event, tmp_path):
    import_a_request_naming_big_1(session, tmp_path)
    folder = tmp_path / "both"
    folder.mkdir()
    write_csv(folder, "attendees.csv", "id,company,name\nbig-1,cell,Bo Big\n")
    write_csv(folder, "requests.csv", "id,from,to,attendees\nr1,acme,big,big-2\n")
    import_file(session, folder, "tiny")
    session.commit()
    instance = instance_from_event(session, dummy_event)
    assert instance.attendee_by_id["big-1"].company == "cell"
    assert instance.request_by_id["r1"].attendees == ("big-2",)


def test_sheets_need_an_existing_event(session, tmp_path):
    path = write_csv(tmp_path, "companies.csv", "id,name,role\nx,X,corporate\n")
    messages = refused(session, path, slug="nowhere")
    assert 'no event "nowhere" yet' in messages[0]


def test_the_template_imports_and_again_changes_nothing(session, tmp_path):
    document = json.loads((ROOT / "examples/biojapan-2026/instance.json").read_text())
    setup_only = {**document, "companies": [], "requests": [], "fixed": [], "locations": []}
    create_event(session, "bj", setup_only)
    for path in (TEMPLATE, TEMPLATE_CSV):
        report = import_file(session, path, "bj")
        session.commit()
        assert report.changed == (path == TEMPLATE)
    assert session.scalar(select(func.count()).select_from(MeetingRequest)) == 2
    names = set(session.scalars(select(Attendee.name)))
    assert {"山田 花子", "Ana Müller"} <= names
    blocks = session.scalars(select(UnavailableBlock)).all()
    assert sorted(b.start.hour for b in blocks) == [1, 5]  # 10:00 and 14:00 in Tokyo


@pytest.mark.parametrize("suffix", [".xlsx", ".zip"])
def test_exported_sheets_import_back_unchanged(session, tmp_path, suffix):
    event = create_event(session, "gen", generate_instance(40, 150, 2, 8, seed=4))
    session.scalar(select(MeetingRequest).limit(1)).status = "declined"
    session.commit()
    path = tmp_path / f"event{suffix}"
    export_file(session, event, path)
    before = document_from_event(session, event)
    report = import_file(session, path, "gen")
    assert not report.changed, report.lines()
    assert report.counts["requests"]["unchanged"] == 150
    assert document_from_event(session, event) == before


def test_edited_sheets_update_by_id_and_blocks_removed_from_the_sheet_go(session, tmp_path):
    document = make_instance()
    document["companies"][1]["unavailable"] = [
        {"start": "2026-10-14T10:00", "end": "2026-10-14T10:30"}
    ]
    event = create_event(session, "tiny", document)
    folder = tmp_path / "sheets"
    folder.mkdir()
    write_csv(folder, "companies.csv", "id,name,role\nbig,Big Pharma KK,corporate\n")
    write_csv(folder, "availability.csv", "company,attendee,start,end\n")
    write_csv(folder, "requests.csv", "id,from,to,status\nr2,cell,big,declined\n")
    report = import_file(session, folder, "tiny")
    session.commit()
    assert report.counts["companies"]["updated"] == 1
    big = session.scalar(select(Company).where(Company.external_id == "big"))
    assert big.name == "Big Pharma KK" and big.version_id == 2 and big.unavailable == []
    assert [r.id for r in instance_from_event(session, event).requests] == ["r1"]


def test_a_large_import_writes_every_request(session):
    """Bulk writes must not drop rows (their speed is measured outside the tests)."""
    document = generate_instance(300, 5000, 3, 80, seed=1, attendees=480)
    create_event(session, "big", document)
    assert session.scalar(select(func.count()).select_from(MeetingRequest)) == 5000


# --- workbooks: the work follows the cells, never what the file declares ----------------------


def companies_workbook(path: Path, rows: list[tuple[int, int, object]]) -> Path:
    """Builder: a workbook whose companies sheet has the headings id, name, role and the
    entry x, then a value at each (row, column) given."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "companies"
    sheet.append(["id", "name", "role"])
    sheet.append(["x", "X", "corporate"])
    for row, column, value in rows:
        sheet.cell(row=row, column=column, value=value)
    workbook.save(path)
    return path


def test_values_far_right_of_the_headings_are_named_by_row_and_column(
    session, dummy_event, tmp_path
):
    """One value in column XFD on each of 3,000 rows (the file says its sheet spans A1:XFD3002):
    each is named, and nothing is read or padded out to 16,384 columns."""
    path = companies_workbook(tmp_path / "event.xlsx", [(r, 16_384, 1) for r in range(3, 3003)])
    messages = refused(session, path)
    assert messages == [
        f"event.xlsx, sheet companies: row {r}, column XFD: holds a value, but the headings end "
        "at column C; delete the value, or give its column a heading"
        for r in range(3, 3003)
    ]


def test_a_value_right_of_the_headings_is_listed_with_the_rows_problems(
    session, dummy_event, tmp_path
):
    path = companies_workbook(
        tmp_path / "event.xlsx",
        [(2, 5, "stray"), (2, 9, "more"), (3, 1, "y"), (3, 2, "Y"), (3, 3, "corp")],
    )
    messages = refused(session, path)
    assert messages == [
        "event.xlsx, sheet companies: row 2, column E: holds a value, but the headings end at "
        "column C; delete the value, or give its column a heading (and 1 more in this row)",
        'event.xlsx, sheet companies: row 3, column role: "corp" is not one of corporate, '
        'delegation (did you mean "corporate"?)',
    ]


def test_a_sheet_past_the_row_limit_is_refused_with_the_limit(session, dummy_event, tmp_path):
    path = companies_workbook(tmp_path / "event.xlsx", [(500_002, 1, "far")])
    assert refused(session, path) == [
        "event.xlsx, sheet companies: row 500002: is past the last row a sheet may have "
        "(500,001: a heading row and 500,000 entries); split the sheet into files of at most "
        "500,000 rows each and import them one after another"
    ]
    # Formatting far below the data is no entry: the sheet imports.
    path = companies_workbook(tmp_path / "formatted.xlsx", [(1_048_576, 1, " ")])
    assert import_file(session, path, "tiny").counts["companies"]["created"] == 1


def test_a_sheet_with_too_many_rows_or_cells_is_refused_as_they_come(
    session, dummy_event, tmp_path, monkeypatch
):
    from web.importing import workbook

    monkeypatch.setattr(workbook, "MAX_ROWS", 10)
    path = companies_workbook(tmp_path / "event.xlsx", [(r, 1, f"c{r}") for r in range(3, 13)])
    assert refused(session, path) == [
        "event.xlsx, sheet companies: has more than 11 rows (a heading row and 10 entries), "
        "empty ones with formatting included; delete the empty rows below the data, or split "
        "the sheet into files of at most 10 rows each and import them one after another"
    ]
    monkeypatch.setattr(workbook, "MAX_CELLS_IN_A_ROW", 5)
    path = companies_workbook(tmp_path / "wide.xlsx", [(3, c, c) for c in range(1, 7)])
    assert refused(session, path) == [
        "wide.xlsx, sheet companies: row 3: holds more than 5 cells, which is more than Excel "
        "has columns; open the file in Excel, save it again and import that"
    ]


def test_a_sheet_with_headings_past_the_column_limit_is_refused(session, dummy_event, tmp_path):
    path = companies_workbook(tmp_path / "event.xlsx", [(1, 31, "colour")])
    assert refused(session, path) == [
        "event.xlsx, sheet companies: row 1: has headings as far right as column AE, but a "
        "sheet may have at most 30 columns; delete the columns that are not one of "
        + ", ".join(c.name for c in SHEETS["companies"])
        + ", and import again"
    ]


def test_empty_rows_between_entries_of_a_workbook_are_refused_as_in_csv(
    session, dummy_event, tmp_path
):
    path = companies_workbook(
        tmp_path / "event.xlsx", [(5, 1, "y"), (5, 2, "Y"), (5, 3, "corporate")]
    )
    assert refused(session, path) == [
        "event.xlsx, sheet companies: row 3: is empty; delete the row or fill it in",
        "event.xlsx, sheet companies: row 4: is empty; delete the row or fill it in",
    ]


# --- JSON: problems name the file, not where it was put ---------------------------------------


def test_json_problems_name_the_file_not_its_folder(session, dummy_event, tmp_path):
    folder = tmp_path / "tmpab12cd"
    folder.mkdir()
    broken = folder / "broken.json"
    broken.write_text('{"format": "partnering-instance/1", "event": {', encoding="utf-8")
    messages = refused(session, broken)
    assert len(messages) == 1 and messages[0].startswith("broken.json:1:"), messages
    digits = folder / "digits.json"
    digits.write_text('{"n": ' + "9" * 5000 + "}", encoding="utf-8")
    assert refused(session, digits) == [
        "digits.json:1:7: a number has far too many digits; shorten it"
    ]
    with pytest.raises(InvalidInput) as caught:
        import_file(session, broken, "tiny")
    assert caught.value.source == "broken.json"
    assert not any(str(folder) in str(p) for p in caught.value.problems)


@pytest.mark.skipif(sys.platform != "linux", reason="the child's memory limit is Linux's")
def test_a_workbook_too_large_to_read_is_refused_by_its_child_not_the_server(
    session, dummy_event, tmp_path, monkeypatch
):
    """openpyxl reads a sheet declaring no dimension whole on opening (about 16 bytes a byte
    unpacked): 60 MB of empty rows would take about a gigabyte. The child reading workbooks
    runs out under its limit (lowered here) and the organiser is told; the server reads on."""
    from web.importing import bounded

    crafted = tmp_path / "event.xlsx"
    with zipfile.ZipFile(TEMPLATE) as source, zipfile.ZipFile(crafted, "w") as out:
        for member in source.infolist():
            data = source.read(member.filename)
            if member.filename == "xl/worksheets/sheet2.xml":
                assert b"<dimension" not in data  # as openpyxl's write-only mode writes
                head, tail = data.split(b"</sheetData>")
                data = head + b"<row/>" * 10_000_000 + b"</sheetData>" + tail
            out.writestr(member, data, zipfile.ZIP_DEFLATED)
    monkeypatch.setattr(bounded, "MEMORY_LIMIT", 450 * 1024**2)
    bounded._retire()  # a child with the lowered limit
    try:
        messages = refused(session, crafted)
    finally:
        bounded._retire()  # the next import gets a child with the usual limit
    assert messages == [
        "event.xlsx: needs more memory or time to read than an import may take; split it into "
        "smaller workbooks, or save each sheet as a CSV UTF-8 file"
    ]
    import_file(session, TEMPLATE, "tiny")  # and the next workbook is read as ever


def test_the_exchange_download_of_an_incomplete_event_names_what_is_missing(
    organiser, session, dummy_event
):
    session.add(
        Company(event_id=dummy_event.id, external_id="new-co", name="New Co", role="corporate")
    )
    session.commit()
    refused = organiser.get("/events/tiny/export.json")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409 and "Not exported" in page
    assert "attendees" in page and "New Co" in page and ".xlsx or .zip" in page
    assert organiser.get("/events/tiny/export.xlsx").status_code == 200
