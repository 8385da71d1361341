"""Every form the pages show, filled by hypothesis: never a 500, and a refused form changes
nothing in the database.

The forms are read from the pages themselves (an organiser's, a company's through its link,
a person's through theirs, on a published fair with fair days open), so each form is posted
with the fields it really has: its selects' options, its hidden version fields and buttons,
mixed with hostile values (line breaks, NUL, bidi overrides, 5,000 characters, markup,
formula prefixes, numbers beyond any column). After each post the database is compared with
the copy taken before it: a refusal (4xx, or a page or redirect that says an error) must
leave every table as it was; an accepted post must leave a database that passes SQLite's own
integrity and foreign-key checks. The database is put back after every example, so that one
example's deletion does not decide the next one's page.

A test fails when a POST route is reached by no form of the walk and is not listed in
`REACHED_ELSEWHERE` with where it is fuzzed instead."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from scheduler.solver.cpsat import SolverSettings
from tests.web.fairdays_builders import TEN
from tests.web.test_security import fair, rules, url, who_may_open  # noqa: F401 - fixture
from web.conversion import add_schedule_version, schedule_from_version
from web.events.models import Event, Location
from web.events.operations import add_location
from web.fairdays.models import Booking
from web.notifications.models import Notification
from web.schedules.models import Publication, ScheduleVersion
from web.solving.models import SolverRun
from web.solving.operations import queue_run
from web.webhooks.models import WebhookDelivery

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)

# POST routes that no page shows a form for here, and where they are fuzzed instead.
REACHED_ELSEWHERE = {
    "auth.login": "tests/web/test_security.py (the login's limits); posting it would log out",
    "auth.logout": "tests/web/test_security.py; posting it would end the walk's session",
    "invitations.accept_invitation": "tests/web/test_members.py, the invitation's own page",
    "fair_portal.book_slot": "tests/web/test_fairdays_fuzz.py (the tiny fair has no free time)",
    "api.answer_request": "tests/web/test_api.py (bodies from the API's document)",
    "api.cancel": "tests/web/test_api.py",
    "api.not_found": "tests/web/test_api.py",
    "api.publish_version": "tests/web/test_api.py",
    "api.start_run": "tests/web/test_api.py",
}
HOSTILE = [
    "",
    " ",
    "x\r\nBcc: victim@example.org",
    "nul\x00byte",
    "\u202etxt.exe",
    "<script>alert(1)</script>",
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)",
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "a" * 5000,
    "１２",  # noqa: RUF001 - full-width digits on purpose
    "2026-13-45",
    "25:99",
    "../../etc/passwd",
    "%00",
    "null",
]
FUZZ = settings(
    max_examples=500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- forms as the pages show them ------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea", "button"
    value: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Form:
    page: str
    action: str
    multipart: bool
    fields: list[Field] = field(default_factory=list)


class _Forms(HTMLParser):
    """The POST forms of a page, with their fields."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page, self.forms, self._form, self._select = page, [], None, None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            action = urlsplit(urljoin(self.page, a.get("action") or self.page))
            path = action.path + (f"?{action.query}" if action.query else "")
            multipart = a.get("enctype", "") == "multipart/form-data"
            self._form = Form(self.page, path, multipart)
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag in ("input", "button") and a.get("name"):
            kind = a.get("type", "text" if tag == "input" else "submit")
            kind = "button" if tag == "button" or kind == "submit" else kind
            self._form.fields.append(Field(a["name"], kind, a.get("value", "")))
        elif tag == "textarea" and a.get("name"):
            self._form.fields.append(Field(a["name"], "textarea"))
        elif tag == "select" and a.get("name"):
            self._select = Field(a["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def page_forms(client, page: str) -> list[Form]:
    response = client.get(page)
    if response.status_code != 200 or "html" not in response.content_type:
        return []
    parser = _Forms(page)
    parser.feed(response.get_data(as_text=True))
    return parser.forms


def walk(client, app, fair: dict, session) -> list[Form]:  # noqa: F811 - the fixture's value
    """Every POST form of every page an organiser, a company and a person open, once per
    action (the first page that shows it)."""
    companies = fair["companies"]
    person = companies["acme"].attendees[0]
    organiser = fair["values"]
    pages = [url(r, organiser) for r in rules(app, "organiser") if "GET" in r.methods]
    newest = {  # the version not published, the run waiting
        **organiser,
        "number": session.scalar(select(func.max(ScheduleVersion.number))),
        "run_id": session.scalar(select(func.max(SolverRun.id))),
    }
    pages += [url(r, newest) for r in rules(app, "organiser") if "GET" in r.methods]
    for company in companies.values():
        for other in companies.values():
            if other is company:
                continue
            token = company.access_token
            values = {**organiser, "token": token, "company_id": other.id}
            pages += [url(r, values) for r in rules(app, "company") if "GET" in r.methods]
            pages += [f"/c/{token}/fair/book?with={other.id}", f"/c/{token}/directory/{other.id}"]
    values = {**organiser, "token": person.access_token}
    pages += [url(r, values) for r in rules(app, "person") if "GET" in r.methods]
    found: dict[str, Form] = {}
    for page in dict.fromkeys(pages):
        if page.endswith((".ics", ".csv", ".xlsx", ".json", ".png", ".svg", ".pdf", ".zip")):
            continue
        for form in page_forms(client, page):
            found.setdefault(form.action, form)
    return [found[a] for a in sorted(found)]


def endpoint(app, action: str) -> str:
    adapter = app.url_map.bind("localhost")
    try:
        return adapter.match(urlsplit(action).path, method="POST")[0]
    except Exception as error:  # a form posting where no route takes a POST: a broken page
        raise AssertionError(f"a page's form posts to {action}, which takes no POST") from error


def pages_posting_nowhere(app, forms: list[Form]) -> list[tuple[str, str]]:
    adapter = app.url_map.bind("localhost")
    out = []
    for form in forms:
        try:
            adapter.match(urlsplit(form.action).path, method="POST")
        except Exception:
            out.append((form.page, form.action))
    return out


# --- values ----------------------------------------------------------------------------------

hostile = st.sampled_from(HOSTILE) | st.text(max_size=30)


def _png(width: int = 8, height: int = 8) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(out, format="PNG")
    return out.getvalue()


def _claims(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` (a decompression bomb's first bytes)."""
    import struct
    import zlib

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return (
        b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk))
    )


FILES = [
    b"",
    _png(),
    _png()[:40],  # cut short
    _claims(100_000, 100_000),
    b"GIF89a\x01\x00\x01\x00<html><script>alert(1)</script></html>",  # a polyglot
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>1</script></svg>',
    b"PK\x03\x04" + b"\x00" * 40,  # a zip's signature, nothing behind it
    b'{"format": "partnering-instance/1", "event": {',
    b"id,name,role\nx,=cmd|' /C calc'!A0,corporate\n",
    b"\xef\xbb\xbfid,name\r\n\x00,\xff\xfe\r\n",
]
DATES = [(TEN + timedelta(days=d)).date().isoformat() for d in (-1, 0, 1, 2, 400)]


def values_for(item: Field) -> st.SearchStrategy[str]:
    if item.kind == "select":
        return st.sampled_from(item.options or [""]) if item.options else hostile
    if item.kind in ("hidden", "checkbox", "radio", "button"):
        return st.just(item.value or "y")
    if item.kind == "number":
        return st.integers(-(10**6), 10**6).map(str) | st.sampled_from(["0", "1", "2", "100"])
    if item.kind == "date":
        return st.sampled_from(DATES)
    if item.kind == "time":
        return st.sampled_from(["00:00", "09:30", "10:00", "12:00", "23:59"])
    if item.kind == "datetime-local":
        return st.sampled_from([f"{d}T{t}" for d in DATES for t in ("10:00", "11:00", "14:30")])
    if item.kind == "email":
        return st.sampled_from(["someone@example.org", "acme-9@example.org", "not an address"])
    if item.kind == "url":
        return st.sampled_from(["https://example.org/x", "javascript:alert(1)", "ftp://x"])
    return st.sampled_from(["Torrey Pines", "抗体医薬", "A note", "r1", "1", "held"])


@st.composite
def filled(draw, form: Form) -> dict:
    """Each field: left out, its own kind of value, or a hostile one; one button of several."""
    data: dict[str, list] = {}
    buttons = [f for f in form.fields if f.kind == "button"]
    pressed = draw(st.sampled_from(buttons)) if buttons else None
    for item in form.fields:
        if item.kind == "button" and item is not pressed:
            continue
        if item.name == "csrf_token":
            continue  # the test client has CSRF off (tests/web/test_security.py checks it)
        choice = draw(st.sampled_from(["own", "own", "own", "hostile", "missing"]))
        if choice == "missing" or (item.kind in ("checkbox", "radio") and draw(st.booleans())):
            continue
        if item.kind == "file":
            data.setdefault(item.name, []).append(draw(st.sampled_from(FILES) | st.binary()))
            continue
        value = draw(values_for(item) if choice == "own" else hostile)
        data.setdefault(item.name, []).append(value)
    return data


def _file_name(body: bytes) -> str:
    """A name that claims what the importer or the logo check expects, whatever the body."""
    return ["logo.png", "event.json", "companies.csv", "event.xlsx", "event.zip"][len(body) % 5]


def as_post(form: Form, data: dict) -> dict:
    import io

    out = {}
    for name, values in data.items():
        parts = [(io.BytesIO(v), _file_name(v)) if isinstance(v, bytes) else v for v in values]
        out[name] = parts if len(parts) > 1 else parts[0]
    return out


# --- the database before and after -----------------------------------------------------------


def database_file(engine) -> str:
    return engine.url.database


def copy_of(path: str) -> sqlite3.Connection:
    kept = sqlite3.connect(":memory:")
    with sqlite3.connect(path) as source:
        source.backup(kept)
    return kept


def restore(kept: sqlite3.Connection, path: str) -> None:
    with sqlite3.connect(path) as target:
        kept.backup(target)


def rows(connection: sqlite3.Connection) -> dict[str, list]:
    tables = [
        t
        for (t,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'profile_search%'"  # FTS5's shadow tables follow company_profiles
        )
    ]
    return {t: connection.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in tables}


FLASHED_ERROR = '<p class="flash error" role="status">'  # base.html's flashed messages
FIELD_ERROR = '<small class="error">'  # macros.html's field(): a form shown again


def refused(response, follow) -> bool:
    """A 4xx; a form shown again with a field's or a flashed error; or a redirect to a page
    that flashes an error."""
    if 400 <= response.status_code < 500:
        return True
    if response.status_code in (302, 303):
        return FLASHED_ERROR in follow().get_data(as_text=True)
    body = response.get_data(as_text=True)
    return FLASHED_ERROR in body or FIELD_ERROR in body


# --- the tests -------------------------------------------------------------------------------


@pytest.fixture
def walked(organiser, app, fair, session):  # noqa: F811 - fixtures
    """The walk on the published tiny event with what makes the rarer forms show: an unused
    table, a version not published, a run waiting, a message failed and one webhook
    delivery failed, a booking to answer; the first meetings running now."""
    app.config["CLOCK"] = lambda: TEN + timedelta(minutes=5)
    event = session.scalar(select(Event))
    event.booking_mode = "accept"
    add_location(session, event, "Spare table")
    latest = session.scalar(select(ScheduleVersion).order_by(ScheduleVersion.id.desc()))
    add_schedule_version(session, event, schedule_from_version(session, latest))
    queue_run(session, event, SolverSettings(time_limit=5))
    for row in session.scalars(select(Notification)):
        row.status, row.last_error = "failed", "550 no such mailbox"
    for row in session.scalars(select(WebhookDelivery)):
        row.status = "failed"
    acme, big = fair["companies"]["acme"], fair["companies"]["big"]
    session.add(
        Booking(
            event_id=event.id,
            publication_id=session.scalar(select(Publication.id)),
            requester_id=big.id,
            requested_id=acme.id,
            start=TEN + timedelta(hours=1),
            end=TEN + timedelta(hours=1, minutes=30),
            location_id=session.scalar(select(Location.id)),
            status="pending",
        )
    )
    session.commit()
    return walk(organiser, app, fair, session)


def test_the_walk_reaches_every_form_route(app, walked):
    """Every POST route is posted by a form of the walk, or fuzzed elsewhere (listed)."""
    assert pages_posting_nowhere(app, walked) == []
    reached = {endpoint(app, f.action) for f in walked}
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in r.methods}
    missing = posts - reached - set(REACHED_ELSEWHERE)
    assert not missing, f"POST routes no page form reaches: {sorted(missing)}"
    assert len(walked) >= 40


@FUZZ
@given(data=st.data())
def test_every_form_of_the_pages_survives_hostile_values(organiser, app, engine, walked, data):
    """Never a 500; a refused form changes no row; an accepted one leaves a sound database."""
    usable = [f for f in walked if endpoint(app, f.action) not in REACHED_ELSEWHERE]
    form = data.draw(st.sampled_from(usable), label="form")
    values = data.draw(filled(form), label="values")
    path = database_file(engine)
    app.extensions["partnering.engine"].dispose()
    kept = copy_of(path)
    before = rows(kept)
    try:
        response = organiser.post(form.action, data=as_post(form, values))
        assert response.status_code < 500, (form.action, values, response.status_code)
        app.extensions["partnering.engine"].dispose()
        with sqlite3.connect(path) as now:
            after = rows(now)
            assert now.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            assert now.execute("PRAGMA foreign_key_check").fetchall() == []
            logos = [bytes(b) for (b,) in now.execute("SELECT image FROM company_logos")]
            assert all(logo.startswith(b"\x89PNG") for logo in logos)  # re-encoded, always
        location = response.headers.get("Location", "")
        if refused(response, lambda: organiser.get(location)):
            changed = sorted(t for t in before if before[t] != after.get(t))
            assert not changed, (form.action, values, changed)
    finally:
        app.extensions["partnering.engine"].dispose()
        restore(kept, path)
        kept.close()


def test_the_company_s_own_forms_are_among_those_walked(app, walked):
    kinds = {who_may_open(endpoint(app, f.action)) for f in walked}
    assert {"organiser", "company", "person"} <= kinds
