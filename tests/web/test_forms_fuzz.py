"""Every form the app shows, fuzzed as a browser would post it: the forms are read from the
pages themselves (an organiser's and a company's, with CSRF on), so a form added later is
fuzzed too, and each POST rule must be reached by a found form or be listed in
`REACHED_OTHERWISE`. Per post: never a 500; a refusal (a 4xx, a page showing an error, a
redirect flashing one) leaves every row as it was; an accepted post leaves a database that
passes SQLite's and PostgreSQL's own checks, and a published schedule that still passes the
scheduler's checker. Then the API's operations driven from its OpenAPI document
(schemathesis), and uploads of hostile files to every file input.

Each post starts from the same database (restored from rows taken after the walk), so a
deleted event or a revoked key does not change what the next example tries."""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text
from sqlalchemy.engine import Engine

from tests.web.conftest import PASSWORD, TEST_ORGANISER
from tests.web.fairdays_builders import TEN, company, published_fair
from tests.web.test_fuzz import csv_files, workbooks
from tests.web.test_security import tiny_png
from web.events.models import Event
from web.models import Base

# --- the pages' forms, read with the standard library's HTML parser -------------------------


@dataclass
class Field:
    name: str
    kind: str  # an input's type, "select", "textarea" or "button"
    value: str = ""
    required: bool = False
    maxlength: int | None = None
    low: str | None = None  # min
    high: str | None = None  # max
    options: list[str] = field(default_factory=list)
    checked: bool = False


@dataclass
class Form:
    page: str  # where it was found
    action: str  # the path it posts to
    multipart: bool
    fields: list[Field]
    clock: str  # the moment the walk saw it (before or during the fair)

    def __repr__(self) -> str:  # hypothesis shows the draws of a failing example: the action
        return f"Form({self.action!r}, {[f.name for f in self.fields]})"

    @property
    def key(self) -> tuple:
        return (self.action, tuple(sorted((f.name, f.kind) for f in self.fields)))

    @property
    def files(self) -> list[Field]:
        return [f for f in self.fields if f.kind == "file"]


class FormParser(HTMLParser):
    """The POST forms of a page and the links it offers (to walk to)."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.textarea: Field | None = None
        self.option: str | None = None
        self.method = "get"

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urljoin(self.page, a["href"]))
        if tag == "form":
            action = urljoin(self.page, a.get("action") or self.page)
            self.form = Form(
                page=self.page,
                action=urlsplit(action).path,
                multipart=a.get("enctype") == "multipart/form-data",
                fields=[],
                clock="",
            )
            self.method = a.get("method", "get").lower()
            return
        if self.form is None:
            return
        limit = a.get("maxlength")
        common = {
            "required": "required" in a,
            "maxlength": int(limit) if limit and limit.isdigit() else None,
            "low": a.get("min"),
            "high": a.get("max"),
        }
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            self.form.fields.append(
                Field(a["name"], kind, a.get("value", ""), checked="checked" in a, **common)
            )
        elif tag == "button" and a.get("name"):
            self.form.fields.append(Field(a["name"], "button", a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self.select = Field(a["name"], "select", **common)
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self.option = a.get("value")
            if self.option is not None:
                self.select.options.append(self.option)
            if "selected" in a:
                self.select.checked = True
                self.select.value = self.option or ""
        elif tag == "textarea" and a.get("name"):
            self.textarea = Field(a["name"], "textarea", **common)
            self.form.fields.append(self.textarea)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea.value += data
        if self.select is not None and self.option is None and data.strip():
            pass  # an option without a value posts its text: the app gives every one a value

    def handle_endtag(self, tag):
        if tag == "form" and self.form is not None:
            if self.method == "post":
                self.forms.append(self.form)
            else:  # a search or a choice (whom to book with): walked with each option
                self.links += searches(self.form)
            self.form = None
        elif tag == "select":
            if self.select is not None and not self.select.checked and self.select.options:
                self.select.value = self.select.options[0]
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "option":
            self.option = None


def searches(form: Form) -> list[str]:
    """The pages a GET form choosing one thing leads to (whom to book a time with): its
    first options. Searches and filters of several fields are not walked: their pages hold
    the same forms as the pages they filter."""
    selects = [f for f in form.fields if f.kind == "select"]
    if len(selects) != 1:
        return []
    shown = {f.name: f.value for f in form.fields if f.kind not in ("button", "submit")}
    return [
        f"{form.action}?{urlencode({**shown, selects[0].name: option})}"
        for option in selects[0].options[:4]
    ]


# Pages not worth walking into: files (nothing to post), leaving the session, other sites.
NOT_PAGES = re.compile(r"\.(csv|ics|json|xlsx|zip|png|svg|pdf|css|js)$|/logout$|/language$")


def walk(client, starts: list[str], inside: tuple[str, ...], most: int = 250) -> list[Form]:
    """Every POST form on the pages reachable from `starts` by links under `inside`."""
    seen: set[str] = set()
    queue = list(starts)
    forms: list[Form] = []
    while queue and len(seen) < most:
        path = queue.pop(0)
        parts = urlsplit(path)
        if parts.netloc and parts.netloc != "localhost":
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        outside = not parts.path.startswith(inside) and path not in starts
        if path in seen or outside or NOT_PAGES.search(parts.path):
            continue
        seen.add(path)
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        parser = FormParser("http://localhost" + path)
        parser.feed(response.get_data(as_text=True))
        forms += parser.forms
        queue += [link for link in parser.links if "page=" not in link]
    return forms


# --- the event: a published fair with one of everything a form acts on ----------------------

BEFORE = TEN - timedelta(days=3)  # requests are made and answered before the fair
DURING = TEN + timedelta(minutes=5)  # booking, attendance and feedback during it
CLOCKS = {"before": BEFORE, "during": DURING}
INVITEE = "invited@example.org"  # no account yet: the invitation's page asks for a password


def build_fair(session) -> dict:
    """published_fair (r1 acme x big at 10:00, r2 cell x big at 10:30 at T1; T2 free) plus
    a pending request, a pending booking, a blocked time, logos, an API key, a webhook with a
    failed delivery, a failed message in the outbox, another member, an open invitation, a
    queued run and a version not yet published: every form has something to act on."""
    from scheduler.solver.cpsat import SolverSettings
    from web.api.keys import create_key
    from web.auth.operations import create_organiser, find_organiser
    from web.companies.operations import block_time
    from web.conversion import add_schedule_version, schedule_from_version
    from web.fairdays.operations import book
    from web.meeting_requests.operations import add_request
    from web.members.operations import grant, invite
    from web.notifications.models import Notification
    from web.profiles.operations import store_logo
    from web.schedules.models import ScheduleVersion
    from web.solving.operations import queue_run
    from web.webhooks.models import WebhookDelivery
    from web.webhooks.operations import subscribe

    event = published_fair(session, tables=3, mode="accept", solved=True)
    companies = {c: company(session, c, event) for c in ("acme", "big", "cell", "dell")}
    add_request(session, event, companies["dell"], companies["acme"], "r3", status="requested")
    book(session, event, companies["acme"], companies["cell"], TEN + timedelta(hours=1), BEFORE)
    # After the session: a blocked time over the booking's 11:00 would withdraw the booking
    # when cell accepts it (on purpose: "no longer free", flashed as an error, and written).
    block_time(session, companies["acme"], TEN + timedelta(hours=2), TEN + timedelta(hours=3))
    for each in companies.values():
        store_logo(session, each, tiny_png())
    key = create_key(session, event, "crm", read_only=False)
    hook = subscribe(session, event, "https://example.org/hook", ["request.answered"])
    session.flush()
    session.add(
        WebhookDelivery(
            subscription_id=hook.row.id,
            message_id="msg_1",
            kind="request.answered",
            payload={},
            status="failed",
        )
    )
    owner = find_organiser(session, TEST_ORGANISER)
    grant(session, event, create_organiser(session, "editor@example.org", PASSWORD), "editor")
    _invitation, invitation_token = invite(session, event, INVITEE, "viewer", owner)
    for message in session.scalars(select(Notification)):
        message.status, message.last_error = "failed", "550 no such mailbox"
    published = session.scalar(select(ScheduleVersion))
    again = add_schedule_version(session, event, schedule_from_version(session, published))
    again.instance = published.instance
    queue_run(session, event, SolverSettings(time_limit=1))
    session.commit()
    return {
        "tokens": {name: each.access_token for name, each in companies.items()},
        "people": [a.access_token for each in companies.values() for a in each.attendees],
        "invitation": invitation_token,
        "key": key.text,
    }


def login(client) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    answer = client.post(
        "/login", data={"email": TEST_ORGANISER, "password": PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)


def found_forms(app, clients: dict, made: dict) -> dict[str, list[tuple[str, Form]]]:
    """Per POST endpoint, the forms found on the pages: the organiser's (the event's pages),
    each company's (its private link), each person's (their own link), and an anonymous
    visitor's (login, the invitation),
    before and during the fair (the fair's forms open on its day)."""
    adapter = app.url_map.bind("localhost")
    walks = {
        "organiser": (["/", "/events/new", "/events/fair/"], ("/events",)),
        "company": ([f"/c/{t}/" for t in made["tokens"].values()], ("/c/",)),
        "person": ([f"/p/{t}/" for t in made["people"]], ("/p/",)),  # their own check-in
        "anonymous": (["/login", f"/invitations/{made['invitation']}"], ("/login", "/inv")),
    }
    found: dict[str, dict[tuple, tuple[str, Form]]] = {}
    for clock, moment in CLOCKS.items():
        app.config["CLOCK"] = lambda moment=moment: moment
        for who, (starts, inside) in walks.items():
            client = clients["organiser" if who in ("company", "person") else who]
            for form in walk(client, starts, inside):
                form.clock = clock
                try:
                    endpoint, _ = adapter.match(form.action, method="POST")
                except Exception as error:
                    raise AssertionError((form.page, form.action)) from error
                found.setdefault(endpoint, {}).setdefault(form.key, (who, form))
    return {endpoint: list(forms.values()) for endpoint, forms in found.items()}


# --- the database: every row, restored before each post; its own checks after one -----------

# Columns any request may change, refused or not: a company's link is marked opened by any
# visit of the link (the outbox's "not opened yet" reads it), an API key's last use by any
# call with it. Neither is data a form writes.
VOLATILE = {("companies", "link_opened_at"), ("api_keys", "last_used_at")}


def rows_of(engine: Engine) -> dict[str, list[dict]]:
    with engine.connect() as connection:
        return {
            table.name: [dict(row._mapping) for row in connection.execute(select(table))]
            for table in Base.metadata.sorted_tables
        }


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table (but the VOLATILE columns), comparable."""
    shown = {}
    for name, rows in rows_of(engine).items():
        shown[name] = sorted(
            repr(sorted((k, v) for k, v in row.items() if (name, k) not in VOLATILE))
            for row in rows
        )
    return shown


def restore(engine: Engine, rows: dict[str, list[dict]]) -> None:
    tables = Base.metadata.sorted_tables
    with engine.begin() as connection:
        # DELETE rather than PostgreSQL's TRUNCATE: a few rows, and TRUNCATE of every table
        # costs a quarter of a second per post.
        for table in reversed(tables):
            connection.execute(table.delete())
        for table in tables:
            if rows[table.name]:
                connection.execute(insert(table), rows[table.name])
        if engine.dialect.name == "postgresql":
            for table in tables:
                if "id" in table.c and table.c.id.autoincrement in (True, "auto"):
                    connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                        )
                    )


def differences(before: dict, after: dict) -> dict:
    return {
        name: {
            "gone": sorted(set(before[name]) - set(after[name]))[:3],
            "new": sorted(set(after[name]) - set(before[name]))[:3],
        }
        for name in before
        if before[name] != after[name]
    }


def assert_consistent(engine: Engine) -> None:
    """The database's own checks, and the published schedules: each still passes the
    scheduler's checker (`partnering check`) against the instance it was published from."""
    from scheduler.formats.schedule_io import schedule_to_document
    from scheduler.validate.check import check_schedule
    from web.db import make_session_factory
    from web.events.models import Event
    from web.schedules.models import ScheduleVersion
    from web.schedules.operations import published_state

    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
    # PostgreSQL enforces its foreign keys and constraints at every statement.
    with make_session_factory(engine)() as session:
        for event in session.scalars(select(Event)):
            published = published_state(session, event)
            if published is None:
                continue
            version = session.get(ScheduleVersion, published.schedule_version_id)
            document = schedule_to_document(published.schedule, published.instance)
            assert check_schedule(version.instance, document) == [], event.slug


# --- what a field gets: mostly what the page offers, sometimes something hostile -------------

HOSTILE = [
    "",
    " ",
    "\r\n",
    "ann@example.org\r\nBcc: everyone@example.org",
    "\x00",
    "a\x00b",
    "\u202eevil\u202c",
    "x" * 5_000,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    "99999999999999999999",
    str(2**63),
    "2147483648",
    "-1",
    "-99999",
    "0",
    "1e309",
    "NaN",
    "1.5",
    "\uff12",  # a full-width digit
    "2026-02-30",
    "2026-10-14T25:99",
    "24:00",
    "9999-12-31",
    "0001-01-01T00:00",
    "javascript:alert(1)",
    "https://127.0.0.1/admin",
    "../../etc/passwd",
    "武田薬品工業",
    "y",
    "on",
    "'; DROP TABLE companies; --",
]
hostile = st.sampled_from(HOSTILE) | st.text(max_size=20)
words = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40
) | st.sampled_from(["Acme Bio", "Ann Acme", "山田 花子", "Head of BD", "oncology, ADC"])
emails = (
    st.sampled_from(["ann@example.org", "new.person@example.co.jp", INVITEE, TEST_ORGANISER])
    | st.emails()
)
days = st.sampled_from(["2026-10-14", "2026-10-13", "2026-10-15", "2026-10-11"])
times = st.builds("{:02d}:{:02d}".format, st.integers(8, 13), st.sampled_from([0, 15, 30, 45]))
moments = st.builds("{}T{}".format, days, times)
urls = st.sampled_from(
    ["https://example.org/hook", "https://meet.example.org/r/1", "http://example.org", "x"]
)


def numbers(low: str | None, high: str | None) -> st.SearchStrategy[str]:
    def bound(value, default):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return default

    low_n, high_n = bound(low, 0), bound(high, 1000)
    return st.integers(low_n - 3, high_n + 3).map(str)


# Fields whose expected text the type does not say: the setup's days, the typed
# confirmation of a deletion, a new event's short name, a company's people.
BY_NAME = {
    "days": st.sampled_from(
        [
            "2026-10-14 10:00-11:30",
            "2026-10-14 09:00-12:00\n2026-10-15 10:00-11:00",
            "2026-10-14 11:30-10:00",
            "2026-10-14 10:00-11:30\n2026-10-14 11:00-12:00",
        ]
    ),
    "confirm": st.sampled_from(["fair", "FAIR", " fair ", "tiny"]),
    "slug": st.sampled_from(["new-fair", "fair", "Bad Slug", "x" * 80, "new2"]),
    "attendees": st.sampled_from(
        ["Ann New", "Ann New, CEO, ann@example.org\nBo New", "山田 花子, 部長, hanako@example.jp"]
    ),
    "fill_from": times | st.just(""),
}


def likely(each: Field) -> st.SearchStrategy[str]:
    """A value such a field expects, by its type and name."""
    name = each.name.lower()
    if each.kind in ("hidden", "button", "checkbox", "radio", "submit"):
        return st.just(each.value)
    if name in BY_NAME and each.kind in ("text", "textarea"):
        return BY_NAME[name]
    if each.value.strip() and each.kind in ("text", "textarea", "email", "number", "url"):
        return st.just(each.value.removeprefix("\r\n")) | st.just(each.value) | words
    if each.kind == "select":
        return st.sampled_from(each.options) if each.options else st.just(each.value)
    if each.kind == "number" or name in ("priority", "time_limit", "seed", "allow_moves"):
        return numbers(each.low, each.high)
    if each.kind == "email" or "email" in name:
        return emails
    if each.kind == "time" or name in ("start", "end", "from", "until"):
        return times
    if each.kind == "date" or name == "day":
        return days
    if each.kind == "datetime-local" or name.endswith("_at") or name in ("opens", "closes"):
        return moments
    if each.kind == "url" or "url" in name or name == "website":
        return urls
    if each.kind == "password":
        return st.sampled_from([PASSWORD, "correct horse battery staple", "short"]) | words
    if each.kind == "textarea":
        return words | st.lists(words, max_size=3).map("\n".join)
    if each.value and each.kind == "text":
        return st.just(each.value) | words
    return words


@st.composite
def filled(draw, form: Form, files) -> list[tuple[str, object]]:
    """What a browser (or someone pretending to be one) posts for `form`: per field mostly a
    value it expects, sometimes a hostile one, sometimes nothing, sometimes twice; one of
    the submit buttons; the CSRF token as the page gave it (rarely left out)."""
    posted: list[tuple[str, object]] = []
    # A third of the posts are clean (every field as expected, every box ticked as a careful
    # user would), so that the forms' deeper code runs too and not only their validation.
    clean = draw(st.integers(0, 2)) == 0
    buttons = [f for f in form.fields if f.kind == "button"]
    if buttons:
        chosen = draw(st.sampled_from(buttons))
        posted.append(
            (chosen.name, chosen.value if clean else draw(st.just(chosen.value) | hostile))
        )
    radios = {f.name: f for f in form.fields if f.kind == "radio"}  # one value per group
    for each in form.fields:
        if each.kind == "button":
            continue
        if each.name == "csrf_token":
            if clean or draw(st.integers(0, 49)):
                posted.append((each.name, each.value))
            continue
        if each.kind == "file":
            posted.append((each.name, draw(files)))
            continue
        if each.kind == "radio" and clean:
            if radios.pop(each.name, None) is not None:
                group = [f.value for f in form.fields if f.name == each.name]
                posted.append((each.name, draw(st.sampled_from(group))))
            continue
        if each.kind in ("checkbox", "radio"):
            if clean and each.required:
                posted.append((each.name, each.value))
            elif draw(st.booleans()):
                posted.append(
                    (each.name, each.value if clean else draw(st.just(each.value) | hostile))
                )
            continue
        choice = draw(st.integers(0, 12 if clean else 19))
        if choice < 13:
            value = draw(likely(each))
        elif choice < 18:
            value = draw(hostile)
        elif choice == 18:
            continue  # left out
        else:
            value = draw(likely(each) | hostile)
            posted.append((each.name, draw(hostile)))  # sent twice
        posted.append((each.name, value))
    if not clean and draw(st.integers(0, 9)) == 0:
        posted.append((draw(st.sampled_from(["x", "id", "event_id", "company_id"])), "1"))
    return posted


# --- uploads: what a file input may be sent --------------------------------------------------


def png(width: int, height: int, body: bytes = b"") -> bytes:
    """A PNG's signature and header chunk claiming width x height (valid CRC), then `body`."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = struct.pack(">I", len(header)) + b"IHDR" + header
    chunk += struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return b"\x89PNG\r\n\x1a\n" + chunk + body


def image(kind: str, size: tuple[int, int] = (8, 8)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, "teal").save(out, format=kind)
    return out.getvalue()


KINDS = {"png": "PNG", "jpg": "JPEG", "gif": "GIF", "webp": "WEBP"}
GOOD_IMAGES = {name: image(kind) for name, kind in KINDS.items()}
HOSTILE_FILES = [
    (b"", "logo.png"),
    (png(100_000, 100_000), "bomb.png"),  # a decompression bomb's header: 10^10 pixels
    (png(100_000, 100_000, zlib.compress(b"\x00" * 100_000)), "bomb.png"),
    (png(1, 1_000_000), "tall.png"),
    (b"GIF89a\xff\xff\xff\xff\x00\x00\x00", "huge.gif"),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00<html><script>alert(1)</script></html>", "x.gif"),
    (GOOD_IMAGES["gif"] + b"<html><script>alert(1)</script></html>", "polyglot.gif"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "logo.svg"),
    (b'<?xml version="1.0"?><svg onload="alert(1)"/>', "logo.png"),
    (b"<html><script>alert(1)</script></html>", "logo.png"),
    (GOOD_IMAGES["png"], "logo.html"),
    (GOOD_IMAGES["png"], "companies.csv"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "cut.webp"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "cut.jpg"),
    (b"PK\x03\x04" + b"\x00" * 60, "sheets.zip"),
    (b'{"format": "partnering-instance/1", "event": {', "event.json"),
    (b"id,name,role\n=cmd|' /C calc'!A0,X,corporate\n", "companies.csv"),
    (b"\xef\xbb\xbfid,name,role\r\nacme,Acme Bio,delegation\r\n", "companies.csv"),
]


@st.composite
def truncated_images(draw) -> tuple[bytes, str]:
    name = draw(st.sampled_from(sorted(GOOD_IMAGES)))
    data = GOOD_IMAGES[name]
    return data[: draw(st.integers(0, len(data) - 1))], f"logo.{name}"


def uploads(sheets: list | None) -> st.SearchStrategy[tuple[bytes, str, str]]:
    """A file and the name and type the browser gives it: good images, cut ones, hostile
    ones, random bytes under any name; for the imports, the import fuzzing's sheets too, and
    the event's own exports (`sheets`: JSON, XLSX, ZIP), whole, cut or renamed."""
    files = (
        st.sampled_from(HOSTILE_FILES)
        | st.sampled_from([(data, f"logo.{name}") for name, data in GOOD_IMAGES.items()])
        | truncated_images()
        | st.tuples(
            st.binary(max_size=300),
            st.sampled_from(["logo.png", "x.exe", "", "event.json", "a" * 300 + ".png"]),
        )
    )
    if sheets is not None:
        whole = st.sampled_from(sheets)
        files |= whole | whole
        files |= st.tuples(whole, st.integers(0, 10_000)).map(
            lambda cut: (cut[0][0][: cut[1]], cut[0][1])
        )
        files |= st.tuples(whole, st.sampled_from(["x.csv", "x.json", "x.png", "x"])).map(
            lambda named: (named[0][0], named[1])
        )
        files |= csv_files().map(lambda named: (named[1], named[0]))
        files |= workbooks().map(lambda data: (data, "event.xlsx"))
    types = st.sampled_from(["application/octet-stream", "image/png", "text/html", "text/csv"])
    return st.tuples(files, types).map(lambda f: (f[0][0], f[0][1], f[1]))


# --- the world: built once per database for this file's tests --------------------------------


@dataclass
class World:
    app: object
    engine: Engine
    rows: dict  # every row after login and walk: each post starts from them
    before: dict  # their snapshot
    forms: dict[str, list[tuple[str, Form]]]  # per endpoint: (who posts it, the form)
    made: dict
    clients: dict
    cookies: dict
    api: list = field(default_factory=list)  # the API's operations (schemathesis reads them)
    outcomes: dict = field(default_factory=dict)  # per action's endpoint: what its posts got


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory, postgres_engine):
    from tests.services import service_missing
    from web.app import create_app
    from web.auth.operations import create_organiser
    from web.db import make_engine, make_session_factory
    from web.members.operations import grant

    folder = tmp_path_factory.mktemp("forms")
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{folder / 'fuzz.sqlite3'}")
        Base.metadata.create_all(engine)
    elif postgres_engine is None:
        service_missing("PostgreSQL is not reachable")
    else:
        engine = postgres_engine
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PARTNERING_INSTANCE_PATH", str(folder))
        patch.delenv("REDIS_URL", raising=False)
        url = engine.url.render_as_string(hide_password=False)
        app = create_app(
            {"DATABASE_URL": url, "JOBS_IMMEDIATE": True, "SECRET_KEY": "fuzz", "TESTING": True}
        )
        assert app.config.get("WTF_CSRF_ENABLED", True)  # the pages' tokens are posted
        with make_session_factory(engine)() as session:
            owner = create_organiser(session, TEST_ORGANISER, PASSWORD)
            made = build_fair(session)
            grant(
                session, session.scalar(select(Event).where(Event.slug == "fair")), owner, "owner"
            )
            session.commit()
        clients = {"organiser": app.test_client(), "anonymous": app.test_client()}
        login(clients["organiser"])
        made["exports"] = [
            (clients["organiser"].get(f"/events/fair/export.{kind}").get_data(), f"fair.{kind}")
            for kind in ("json", "xlsx", "zip")
        ]
        rows = rows_of(engine)
        forms = found_forms(app, clients, made)
        restore(engine, rows)  # what the walk's visits changed (a link opened) is undone
        world = World(
            app=app,
            engine=engine,
            rows=rows,
            before=snapshot(engine),
            forms=forms,
            made=made,
            clients=clients,
            cookies={who: dict(client._cookies) for who, client in clients.items()},
        )
        world.api = api_operations(world)
        yield world
        app.extensions["partnering.engine"].dispose()
        app.extensions["partnering.queue"].engine.dispose()
        if request.param == "sqlite":
            engine.dispose()
        else:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


# --- the walk found every form ----------------------------------------------------------------

# POST rules no page offers a form for, and where they are fuzzed instead.
REACHED_OTHERWISE = {
    "api.answer_request": "JSON: test_every_api_operation_answers_its_schema (below)",
    "api.cancel": "JSON: test_every_api_operation_answers_its_schema",
    "api.publish_version": "JSON: test_every_api_operation_answers_its_schema",
    "api.start_run": "JSON: test_every_api_operation_answers_its_schema",
    "api.not_found": "the API's catch-all for unknown paths, every method: tests/web/test_api.py",
}


def test_the_pages_offer_a_form_for_every_post_rule(world):
    """So that a form added later is fuzzed as well: every POST rule is reached by a form
    the walk found, or is listed in REACHED_OTHERWISE (and no longer listed once found)."""
    posts = {r.endpoint for r in world.app.url_map.iter_rules() if "POST" in r.methods}
    assert set(world.forms) == posts - set(REACHED_OTHERWISE)
    assert set(REACHED_OTHERWISE) <= posts
    assert sum(len(forms) for forms in world.forms.values()) >= 150
    by_who = Counter(who for forms in world.forms.values() for who, _form in forms)
    assert by_who["company"] >= 50 and by_who["anonymous"] >= 2, by_who
    multipart = {e for e, forms in world.forms.items() if any(f.files for _, f in forms)}
    assert multipart == {
        "events.import_data",
        "events.import_event",
        "profiles.upload_logo",
        "directory.own_logo",
    }


# --- posting, and what must hold after -------------------------------------------------------

ERROR_SHOWN = re.compile(r'<small class="error">|<p class="flash error" role="status">')


def refused(client, response) -> bool:
    """A refusal: a 4xx, the form shown again with an error, or a redirect flashing one."""
    if response.status_code >= 400:
        return True
    if response.status_code == 200 and response.mimetype == "text/html":
        return bool(ERROR_SHOWN.search(response.get_data(as_text=True)))
    with client.session_transaction() as cookie:
        return any(category == "error" for category, _ in cookie.get("_flashes", []))


def post(world: World, who: str, form: Form, posted: list[tuple[str, object]], then=None):
    """Post as the page would, from the world as it was, and check what must hold after."""
    from werkzeug.datastructures import MultiDict

    from web.security import limiter

    browser = "organiser" if who in ("company", "person") else who  # it holds the links too
    client = world.clients[browser]
    client._cookies = dict(world.cookies[browser])
    world.app.config["CLOCK"] = lambda: CLOCKS[form.clock]
    limiter.reset()  # the login limit would refuse every later login after ten
    data = MultiDict()
    for name, value in posted:
        if isinstance(value, tuple):
            body, filename, mime = value
            value = (io.BytesIO(body), filename, mime)
        data.add(name, value)
    kind = "multipart/form-data" if form.multipart else "application/x-www-form-urlencoded"
    try:
        response = client.post(form.action, data=data, content_type=kind)
        after = snapshot(world.engine)
    except BaseException:
        restore(world.engine, world.rows)
        raise
    try:
        check(world, form, posted, client, response, after)
        if then is not None and after != world.before and not refused(client, response):
            then(client, after)  # before the rows are put back
    finally:
        if after != world.before:
            restore(world.engine, world.rows)  # the next post starts from the same rows
    return response


def check(world: World, form: Form, posted, client, response, after) -> None:
    shown = [(n, v[1] if isinstance(v, tuple) else v[:80]) for n, v in posted]
    assert response.status_code < 500, (form.action, response.status_code, shown)
    outcome = "refused" if refused(client, response) else "accepted"
    if after != world.before:
        outcome += ", changed"
    endpoint = world.app.url_map.bind("localhost").match(form.action, method="POST")[0]
    world.outcomes.setdefault(endpoint, Counter())[outcome] += 1
    if after != world.before:
        changed = differences(world.before, after)
        assert not refused(client, response), f"half-written: {form.action} {shown} {changed}"
        assert_consistent(world.engine)


def files_for(world: World, endpoint: str):
    return uploads(world.made["exports"] if "import" in endpoint else None)


FORMS = settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@FORMS
@given(data=st.data())
def test_every_form_on_the_pages_takes_hostile_values_whole_or_not_at_all(world, data):
    """Each example posts every endpoint's form once (one of the forms found for it)."""
    for endpoint in sorted(world.forms):
        found = world.forms[endpoint]
        who, form = found[data.draw(st.integers(0, len(found) - 1), label=endpoint)]
        note(f"{endpoint}: {who} posts {form.action} ({form.clock} the fair)")
        posted = data.draw(filled(form, files_for(world, endpoint)), label=form.action)
        post(world, who, form, posted)


# --- the API: every operation of its OpenAPI document, driven by schemathesis ---------------


def api_operations(world: World) -> list:
    import schemathesis

    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", world.app)
    return [result.ok() for result in schema.get_all_operations()]


def api_paths(world: World) -> dict[str, st.SearchStrategy]:
    """Path parameters that exist in the world, mostly: an operation's deeper code runs on
    them; sometimes the generated ones (made up, hostile) stay."""
    from web.companies.models import Company
    from web.meeting_requests.models import MeetingRequest
    from web.solving.models import SolverRun

    with world.engine.connect() as connection:
        runs = connection.execute(select(SolverRun.id)).scalars().all()
        requests = connection.execute(select(MeetingRequest.external_id)).scalars().all()
        companies = connection.execute(select(Company.external_id)).scalars().all()
    return {
        "slug": st.just("fair"),
        "run_id": st.sampled_from(runs),
        "request_id": st.sampled_from(requests),
        "company": st.sampled_from(companies),
        "number": st.sampled_from([1, 2]),
    }


API = settings(FORMS, max_examples=6)


@API
@given(data=st.data())
def test_every_api_operation_answers_its_schema(world, data):
    """Each example calls every operation once, with a body, query and path schemathesis
    generates from the document (the path's ids mostly real ones). Never a 500; the answer
    conforms to the document (status, content type, body schema); a refused call (4xx)
    changes no row; an accepted one passes the database's and the scheduler's checks."""
    from schemathesis import GenerationMode
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from web.security import limiter

    real = api_paths(world)
    for operation in world.api:
        # Bodies and queries that fit the document, and (a third) ones that do not.
        mode = GenerationMode.NEGATIVE if data.draw(st.integers(0, 2)) == 0 else None
        strategy = operation.as_strategy(mode) if mode else operation.as_strategy()
        case = data.draw(strategy, label=f"{operation.method} {operation.path}")
        for name in case.path_parameters or {}:
            if name in real and data.draw(st.integers(0, 4)):
                case.path_parameters[name] = data.draw(real[name])
        limiter.reset()
        headers = {"Authorization": f"Bearer {world.made['key']}"}
        try:
            response = case.call(headers=headers)
            after = snapshot(world.engine)
        except BaseException:
            restore(world.engine, world.rows)
            raise
        label = f"api {operation.method.upper()} {operation.path}"
        world.outcomes.setdefault(label, Counter())[response.status_code] += 1
        try:
            case.validate_response(
                response,
                checks=[
                    not_a_server_error,
                    status_code_conformance,
                    content_type_conformance,
                    response_schema_conformance,
                ],
                headers=headers,
            )
            if after != world.before:
                changed = differences(world.before, after)
                assert response.status_code < 400, f"half-written: {case.path} {changed}"
                assert_consistent(world.engine)
        finally:
            if after != world.before:
                restore(world.engine, world.rows)


# --- uploads: every file input, hostile files ------------------------------------------------

UPLOADS = settings(FORMS, max_examples=12)


def served_logos(world: World, client, after: dict) -> None:
    """Every stored logo is served back as a PNG (the one fixed type), never as a page."""
    from web.profiles.models import CompanyLogo

    with world.engine.connect() as connection:
        ids = connection.execute(select(CompanyLogo.company_id)).scalars().all()
    for company_id in ids:
        response = client.get(f"/events/fair/companies/{company_id}/logo.png")
        assert response.status_code == 200, company_id
        assert response.headers["Content-Type"] == "image/png"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.get_data().startswith(b"\x89PNG\r\n\x1a\n")
        assert b"<script" not in response.get_data()


@UPLOADS
@given(data=st.data())
def test_every_file_input_takes_hostile_files_whole_or_not_at_all(world, data):
    """Each example sends every file input (the imports, the organiser's and the company's
    logo upload) a file: random bytes, cut images, a decompression bomb's header, an image
    with a page in it, SVG with script, an empty file, a misleading name or type, a sheet.
    Never a 500; a refusal changes nothing; an accepted logo is served as a PNG."""
    for endpoint, found in sorted(world.forms.items()):
        for who, form in found[:1]:
            if not form.files:
                continue
            posted = [(f.name, f.value) for f in form.fields if f.kind == "hidden"]
            posted += [
                (f.name, data.draw(files_for(world, endpoint), label=endpoint)) for f in form.files
            ]
            if endpoint == "events.import_event":
                posted.append(("slug", data.draw(st.sampled_from(["fair", "new-one", ""]))))
            then = None
            if "logo" in endpoint:
                then = lambda client, after: served_logos(world, world.clients["organiser"], after)  # noqa: E731
            response = post(world, who, form, posted, then)
            if "import" in endpoint:
                assert response.status_code in (302, 422), (endpoint, response.status_code)
