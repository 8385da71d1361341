"""Who may see what (SECURITY.md), tried as an attacker would: every URL the app has, built
with real ids and tokens, from an anonymous visitor, from a company's link and from the wrong
company's link; CSRF, cookies, headers, the login rate limit and the secret key.

The walk covers `app.url_map` itself, so a route added later is tried too; a route whose
blueprint is not classified below fails the test until someone says who may open it."""

from __future__ import annotations

import copy
import re
import stat
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select
from werkzeug.routing import Rule
from werkzeug.security import check_password_hash

from scheduler.solver.cpsat import SolverSettings
from tests.conftest import TINY_EVENT
from tests.web.conftest import (
    PASSWORD,
    create_event,
)
from web.api.keys import create_key
from web.app import create_app
from web.auth.operations import find_organiser, set_password
from web.companies.models import Attendee, Company
from web.companies.operations import block_time
from web.db import make_engine, make_session_factory
from web.events.models import Location
from web.meeting_requests.models import MeetingRequest
from web.members.models import Invitation, Membership, token_hash
from web.models import Base
from web.notifications.models import Notification
from web.profiles.operations import store_logo
from web.schedules.models import ScheduleVersion
from web.schedules.operations import publish
from web.solving.job import run_solver
from web.solving.models import SolverRun
from web.solving.operations import queue_run
from web.webhooks.models import WebhookDelivery
from web.webhooks.operations import subscribe

ROOT = Path(__file__).resolve().parents[2]

# Who may open each part of the app. A new blueprint must be added here, saying who it is for.
ORGANISER_BLUEPRINTS = {
    "events",
    "companies",
    "meeting_requests",
    "solving",
    "schedules",
    "notifications",
    "integrations",
    "analytics",
    "fairdays",  # the help desk's part: web.fairdays.desk.DESK_ENDPOINTS
    "profiles",
    "members",
    "audit",
}
# Then, within an event, what each role may do there: tests/web/test_roles.py walks it.
# opened by the company's private token in the URL
COMPANY_BLUEPRINTS = {"portal", "agenda", "fair_portal", "directory"}
# opened by one attendee's own token: read only, but checking in a meeting that person attends
PERSON_BLUEPRINTS = {"person", "person_fair"}
PERSON_WRITES = {"person_fair.person_attendance"}
INVITATION_BLUEPRINTS = {"invitations"}  # opened by an invitation's single-use token
# Opened by an API key of the event in `Authorization: Bearer`, and by nothing else: neither
# the organiser's cookie nor a company's link (tests/web/test_api.py tries the keys).
API_BLUEPRINTS = {"api"}
PUBLIC_ENDPOINTS = {
    "static",
    "auth.login",
    "auth.language",
    "api-docs.openapi_json",  # the API's description, no data
    "api_reference.page",
}
ORGANISER_ENDPOINTS = {"auth.logout"}


def who_may_open(endpoint: str) -> str:
    blueprint = endpoint.rpartition(".")[0]
    if endpoint in PUBLIC_ENDPOINTS:
        return "public"
    if endpoint in ORGANISER_ENDPOINTS or blueprint in ORGANISER_BLUEPRINTS:
        return "organiser"
    if blueprint in COMPANY_BLUEPRINTS:
        return "company"
    if blueprint in PERSON_BLUEPRINTS:
        return "person"
    if blueprint in API_BLUEPRINTS:
        return "api"
    if blueprint in INVITATION_BLUEPRINTS:
        return "invitation"
    raise AssertionError(
        f"endpoint {endpoint} is not classified: say in tests/web/test_security.py (and "
        "SECURITY.md) who may open it, and protect it accordingly"
    )


def rules(app, kind: str) -> list[Rule]:
    found = [r for r in app.url_map.iter_rules() if who_may_open(r.endpoint) == kind]
    assert found, kind
    return found


def methods(rule: Rule) -> list[str]:
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


# --- a fixture event with one of everything -------------------------------------------------


@pytest.fixture
def fair(engine, session, dummy_event):
    """The tiny event solved and published, with a blocked time for each company, so that
    every URL can be built with real ids. Returns the values URLs need, per company."""
    run = queue_run(session, dummy_event, SolverSettings(time_limit=5))
    session.commit()
    assert run_solver(engine, run.id) == "succeeded"
    session.expire_all()
    publish(session, session.scalar(select(ScheduleVersion)))
    companies = {c.external_id: c for c in session.scalars(select(Company))}
    day = datetime(2026, 10, 14, 1, 0, tzinfo=UTC)
    blocks = {
        key: block_time(session, c, day, day.replace(hour=2)).id for key, c in companies.items()
    }
    for company in companies.values():  # so that the logo routes have an image to serve
        store_logo(session, company, tiny_png())
    acme = companies["acme"]
    message = Notification(
        event_id=acme.event_id,
        company_id=acme.id,
        attendee_id=acme.attendees[0].id,
        kind="link",
        key="link:test",
        payload={},
    )
    session.add(message)
    key = create_key(session, dummy_event, "crm", read_only=False)
    hook = subscribe(session, dummy_event, "https://example.org/hook", ["request.answered"])
    session.flush()
    sent = WebhookDelivery(
        subscription_id=hook.row.id, message_id="msg_test", kind="request.answered", payload={}
    )
    session.add(sent)
    invitation = Invitation(
        event_id=acme.event_id,
        email="invited@example.org",
        role="viewer",
        token_hash=token_hash("an invitation's token"),
        expires_at=day.replace(year=2100),
    )
    session.add(invitation)
    session.commit()
    requests = {r.external_id: r for r in session.scalars(select(MeetingRequest))}
    return {
        "companies": companies,
        "blocks": blocks,
        "requests": requests,
        "values": {
            "slug": dummy_event.slug,
            "location_id": session.scalar(select(Location.id)),
            "company_id": companies["acme"].id,
            "attendee_id": session.scalar(select(Attendee.id)),
            "block_id": blocks["acme"],
            "request_id": requests["r1"].id,
            "run_id": run.id,
            "notification_id": message.id,
            "invitation_id": invitation.id,
            "member_id": session.scalar(select(Membership.id)) or 1,
            "number": 1,
            "kind": "meetings.csv",
            "suffix": "xlsx",
            "company": "acme",
            "filename": "app.css",
            "key_id": key.row.id,
            "subscription_id": hook.row.id,
            "delivery_id": sent.id,
            "rest": "anything",
            "plot": "meetings",
            "fmt": "svg",
            "booking_id": 1,
        },
    }


def tiny_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), "teal").save(out, format="PNG")
    return out.getvalue()


def url(rule: Rule, values: dict) -> str:
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(values[name]), path)
    assert "<" not in path, path
    return path


def snapshot(session) -> dict[str, int]:
    """Row counts and the columns an intruder would want to change."""
    session.rollback()
    counts = {
        t.name: session.scalar(select(func.count()).select_from(t))
        for t in Base.metadata.sorted_tables
    }
    counts["statuses"] = sorted(session.scalars(select(MeetingRequest.status)).all())
    counts["tokens"] = sorted(session.scalars(select(Company.access_token)).all())
    counts["names"] = sorted(session.scalars(select(Company.name)).all())
    counts["runs"] = sorted(session.scalars(select(SolverRun.status)).all())
    return counts


# --- organiser pages ----------------------------------------------------------------------


def test_every_route_is_classified(app):
    for rule in app.url_map.iter_rules():
        who_may_open(rule.endpoint)


def test_every_organiser_page_refuses_an_anonymous_visitor_and_a_company_link(
    app, client, session, fair
):
    """Anonymous, and a browser that holds company acme's link (and has used it): each
    method of each organiser URL sends to the login page and changes nothing. CSRF is off
    here, so the login check itself is what refuses."""
    before = snapshot(session)
    token = fair["companies"]["acme"].access_token
    with_link = app.test_client()
    assert with_link.get(f"/c/{token}/").status_code == 200
    tried = 0
    for visitor in (client, with_link):
        for rule in rules(app, "organiser"):
            for method in methods(rule):
                path = url(rule, fair["values"])
                for target in (path, f"{path}?token={token}"):
                    response = visitor.open(target, method=method, data={"status": "accepted"})
                    assert response.status_code == 302, (method, target, response.status_code)
                    assert response.location.startswith("/login"), (method, target)
                    tried += 1
    assert tried >= 4 * 30
    assert snapshot(session) == before


def test_no_cookie_and_no_company_link_opens_the_api(app, organiser, session, fair):
    """Every API path and method, from a logged-in organiser's browser that has also opened
    a company's link, with the company's token as a bearer, in the query and as a cookie-less
    visitor: 401, and nothing changes. Only an API key of the event opens it."""
    before = snapshot(session)
    token = fair["companies"]["acme"].access_token
    assert organiser.get(f"/c/{token}/").status_code == 200
    anonymous = app.test_client()
    tried = 0
    for rule in rules(app, "api"):
        for method in methods(rule):
            path = url(rule, fair["values"])
            for visitor, target, headers in (
                (organiser, path, {}),
                (organiser, f"{path}?token={token}", {}),
                (anonymous, path, {"Authorization": f"Bearer {token}"}),
                (anonymous, path, {"Authorization": f"Token {token}"}),
            ):
                response = visitor.open(target, method=method, json=[], headers=headers)
                assert response.status_code == 401, (method, target, response.status_code)
                assert response.content_type == "application/problem+json"
                tried += 1
    assert tried >= 4 * 20
    assert snapshot(session) == before


def test_every_organiser_page_opens_for_an_organiser(organiser, app, fair):
    """The same URLs, logged in: they exist (so the refusals above were not 404s by chance)."""
    for rule in rules(app, "organiser"):
        if "GET" in rule.methods:
            response = organiser.get(url(rule, fair["values"]))
            assert response.status_code in (200, 302), (rule.rule, response.status_code)


# --- company links --------------------------------------------------------------------------


def portal_targets(app, fair, own: str, other: str) -> list[tuple[str, str]]:
    """Each company URL built with `own`'s token but the other company's ids where it has any."""
    values = {
        **fair["values"],
        "token": fair["companies"][own].access_token,
        "block_id": fair["blocks"][other],
        # a request made to `other` (r1 and r2 are made to big)
        "request_id": next(
            r.id for r in fair["requests"].values() if r.requested_id == fair["companies"][other].id
        ),
    }
    return [(m, url(rule, values)) for rule in rules(app, "company") for m in methods(rule)]


def test_a_company_link_shows_only_its_own_company(client, app, session, fair):
    companies = fair["companies"]
    for own, company in companies.items():
        others = [c for key, c in companies.items() if key != own]
        for rule in rules(app, "company"):
            if "GET" not in rule.methods:
                continue
            response = client.get(url(rule, {**fair["values"], "token": company.access_token}))
            assert response.status_code in (200, 404), rule.rule
            body = response.get_data().decode("utf-8", "replace")  # a logo is an image
            for other in others:
                assert other.access_token not in body
                for person in other.attendees:  # nor the links of its people
                    assert person.access_token not in body
                # another company's blocked times and contacts do not show either
                assert f"/unavailable/{fair['blocks'][other.external_id]}/" not in body
        page = client.get(f"/c/{company.access_token}/").get_data(as_text=True)
        assert company.name in page


def test_a_company_link_cannot_act_on_another_companys_rows(client, session, app, fair):
    """Company cell's token, with the ids of big's blocked time and of a request made to big:
    every such POST is a 404 and nothing changes."""
    before = snapshot(session)
    for method, target in portal_targets(app, fair, own="cell", other="big"):
        if method != "POST" or not re.search(r"/\d+/", target):
            continue
        if "/directory/" in target:
            continue  # acting on another company is what it is for: tests/web/test_directory.py
        response = client.post(target, data={"status": "declined"})
        assert response.status_code == 404, target
    assert snapshot(session) == before


def test_a_person_link_is_read_only_and_shows_no_one_else_s_link(client, app, session, fair):
    """An attendee's own link (/p/<token>/) has pages to read and one thing to post, the
    check-in of a meeting that person attends (tests/web/test_fairdays_web.py); its pages
    carry no company's link and no other person's (the company's page hands them out)."""
    person_rules = [r for r in rules(app, "person") if r.endpoint not in PERSON_WRITES]
    assert all(methods(rule) == ["GET"] for rule in person_rules)
    writes = [r for r in rules(app, "person") if r.endpoint in PERSON_WRITES]
    assert [methods(rule) for rule in writes] == [["POST"]]
    people = [a for c in fair["companies"].values() for a in c.attendees]
    companies = list(fair["companies"].values())
    for person in people:
        for rule in person_rules:
            response = client.get(url(rule, {**fair["values"], "token": person.access_token}))
            assert response.status_code in (200, 404), rule.rule
            body = response.get_data(as_text=True)
            assert all(c.access_token not in body for c in companies)
            assert all(p.access_token not in body for p in people if p is not person)
        # A person's token is no company's: it opens none of the company's pages.
        assert client.get(f"/c/{person.access_token}/").status_code == 404


@pytest.mark.parametrize("change", ["guessed", "rotated", "other-case", "truncated"])
def test_a_wrong_or_rotated_token_opens_nothing(organiser, client, session, app, fair, change):
    company = fair["companies"]["big"]  # the requests are made to big: answer would work
    token = company.access_token
    if change == "rotated":
        assert organiser.get(f"/c/{token}/").status_code == 200
        assert (
            organiser.post(
                f"/events/tiny/companies/{company.id}/rotate", data={"confirm": "1"}
            ).status_code
            == 302
        )
        session.rollback()
        assert session.get(Company, company.id).access_token != token
    elif change == "guessed":
        token = "A" * len(token)
    elif change == "other-case":
        token = token.swapcase()
    else:
        token = token[:-1]
    before = snapshot(session)
    for method, target in portal_targets(app, fair, own="big", other="big"):
        target = target.replace(company.access_token, token)
        response = client.open(target, method=method, data={"status": "declined"})
        assert response.status_code == 404, (method, target)
    assert snapshot(session) == before


def test_tokens_are_long_random_and_compared_in_constant_time(session, fair):
    import inspect

    from web.companies import operations

    tokens = [c.access_token for c in fair["companies"].values()]
    assert len(set(tokens)) == len(tokens)
    for token in tokens:
        assert len(token) >= 43 and re.fullmatch(r"[A-Za-z0-9_-]+", token)  # 256 random bits
    assert "hmac.compare_digest" in inspect.getsource(operations._by_token)
    for lookup in (operations.company_by_token, operations.attendee_by_token):
        assert "_by_token(" in inspect.getsource(lookup)
    source = inspect.getsource(operations.rotate_token)
    assert "new_access_token()" in source


# --- CSRF -----------------------------------------------------------------------------------


def test_every_form_refuses_a_missing_or_wrong_csrf_token(app, session, fair):
    """CSRF on, as in production; logged in (the login itself with its token). Every POST of
    every URL, organiser's and company's, without a token or with a wrong one: 400, and
    nothing changes."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    good = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post(
        "/login", data={"email": "organiser@example.org", "password": PASSWORD, "csrf_token": good}
    )
    assert client.get("/events/tiny/").status_code == 200
    before = snapshot(session)
    values = {**fair["values"], "token": fair["companies"]["acme"].access_token}
    person = {**fair["values"], "token": fair["companies"]["acme"].attendees[0].access_token}
    posts = [
        url(r, person if who_may_open(r.endpoint) == "person" else values)
        for r in app.url_map.iter_rules()
        if "POST" in r.methods and who_may_open(r.endpoint) != "api"  # keys, no cookies
    ]
    assert len(posts) >= 20
    for target in posts:
        # The signature one letter off, at its first letter (the last one's low bits may be
        # padding that base64 decoding drops: changing it can leave the same signature).
        head, _, signature = good.rpartition(".")
        altered = f"{head}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
        for token in (None, "wrong", altered):
            data = {"status": "accepted", "name": "Mallory"}
            if token:
                data["csrf_token"] = token
            response = client.post(target, data=data)
            assert response.status_code == 400, (target, token, response.status_code)
    assert snapshot(session) == before


# --- cookies, headers ------------------------------------------------------------------------


def test_session_cookie_flags(app, monkeypatch, tmp_path, engine):
    organiser = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = False
    organiser.post("/login", data={"email": "organiser@example.org", "password": PASSWORD})
    cookie = organiser.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    monkeypatch.setenv("PARTNERING_HTTPS", "1")
    url_ = engine.url.render_as_string(hide_password=False)
    secure = create_app({"DATABASE_URL": url_, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False})
    client = secure.test_client()
    response = client.post(
        "/login",
        data={"email": "organiser@example.org", "password": PASSWORD},
        base_url="https://fair.example.org",
    )
    assert response.status_code == 302
    header = response.headers["Set-Cookie"]
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    assert "Strict-Transport-Security" in response.headers
    secure.extensions["partnering.engine"].dispose()
    secure.extensions["partnering.queue"].engine.dispose()


def test_security_headers(organiser, fair):
    token = fair["companies"]["acme"].access_token
    for path in ("/login", "/events/tiny/", f"/c/{token}/", f"/c/{token}/agenda.ics"):
        headers = organiser.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] in ("same-origin", "no-referrer")
        assert "no-store" in headers["Cache-Control"]
    assert organiser.get(f"/c/{token}/").headers["Referrer-Policy"] == "no-referrer"
    # The printable agenda carries its own <style>: inline styles only, never scripts.
    policy = organiser.get(f"/c/{token}/agenda").headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy and "script-src 'self';" in policy


def test_pages_have_no_inline_scripts(organiser, fair):
    """The CSP forbids them; a page relying on one would break silently in a browser."""
    token = fair["companies"]["acme"].access_token
    for path in ("/", "/events/tiny/", "/events/tiny/companies/1", f"/c/{token}/", "/login"):
        body = organiser.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), path
        assert not re.search(r"\son[a-z]+=", body), path


# --- logins ---------------------------------------------------------------------------------


def test_failed_logins_are_rate_limited(app, client, dummy_event):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit):
        response = client.post("/login", data={"email": "organiser@example.org", "password": "x"})
        assert response.status_code == 200
    refused = client.post("/login", data={"email": "organiser@example.org", "password": "x"})
    assert refused.status_code == 429
    # Even the right password waits out the window from this address.
    right = client.post("/login", data={"email": "organiser@example.org", "password": PASSWORD})
    assert right.status_code == 429


def test_guessing_one_account_from_many_addresses_is_limited(app, client, dummy_event):
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for n in range(limit + 1):
        response = client.post(
            "/login",
            data={"email": "Organiser@example.org", "password": "x"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{n + 1}"},
        )
    assert response.status_code == 429
    other = client.post(
        "/login",
        data={"email": "someone@example.org", "password": "x"},
        environ_base={"REMOTE_ADDR": "10.0.1.1"},
    )
    assert other.status_code == 200


def test_successful_logins_are_not_counted(app, dummy_event):
    app.config["WTF_CSRF_ENABLED"] = False
    limit = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    for _ in range(limit + 2):
        client = app.test_client()
        response = client.post(
            "/login", data={"email": "organiser@example.org", "password": PASSWORD}
        )
        assert response.status_code == 302


# --- sessions: logout and a new password end them everywhere -------------------------------


def login_page(client) -> bool:
    """Whether `client` is sent to the login page from an organiser page (not logged in)."""
    response = client.get("/events/tiny/")
    return response.status_code == 302 and response.location.startswith("/login")


def replay(app, cookie):
    """Another browser holding a saved copy of a session cookie, as an attacker would."""
    other = app.test_client()
    other.set_cookie("session", cookie.value)
    return other


def test_logout_ends_every_copy_of_the_session_cookie(app, organiser, dummy_event):
    saved = organiser.get_cookie("session")
    second = replay(app, saved)
    assert second.get("/events/tiny/").status_code == 200
    assert organiser.post("/logout").status_code == 302
    assert login_page(second) and login_page(organiser) and login_page(replay(app, saved))
    again = organiser.post("/login", data={"email": "organiser@example.org", "password": PASSWORD})
    assert again.status_code == 302 and organiser.get("/events/tiny/").status_code == 200
    assert login_page(replay(app, saved))  # logging in again does not revive the old cookie


def test_a_new_password_ends_every_session(app, organiser, session, dummy_event):
    saved = organiser.get_cookie("session")
    set_password(find_organiser(session, "organiser@example.org"), "a new password")
    session.commit()
    assert login_page(organiser) and login_page(replay(app, saved))
    again = organiser.post(
        "/login", data={"email": "organiser@example.org", "password": "a new password"}
    )
    assert again.status_code == 302 and organiser.get("/events/tiny/").status_code == 200


@pytest.mark.parametrize(
    ("user_id", "logged_in"),
    [
        ("{id}:{token}", True),
        ("{id}", False),  # a session from before the token (the id alone)
        ("{id}:", False),
        ("{id}:{token}x", False),
        ("{id}:" + "A" * 43, False),
        ("{token}", False),
        ("x:{token}", False),
        ("", False),
    ],
)
def test_a_session_logs_in_only_with_the_current_token(
    client, session, dummy_event, user_id, logged_in
):
    account = find_organiser(session, "organiser@example.org")
    assert len(account.session_token) >= 43  # 256 random bits
    with client.session_transaction() as cookie:
        cookie["_user_id"] = user_id.format(id=account.id, token=account.session_token)
    assert login_page(client) is not logged_in


def test_an_unknown_email_costs_a_password_check_too(client, monkeypatch):
    """So that the time of the answer does not tell which emails are organisers' (timed
    tests would be flaky: this checks that both paths run the same check)."""
    from web.auth import operations

    checked = []

    def spy(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return check_password_hash(password_hash, password)

    monkeypatch.setattr(operations, "check_password_hash", spy)
    for email in ("organiser@example.org", "nobody@example.org"):
        response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 200  # the unknown email is not logged in
    known, unknown = checked
    assert unknown == operations.UNKNOWN_EMAIL_HASH != known
    assert unknown.split("$")[0] == known.split("$")[0]  # same method and cost


# --- the secret key -----------------------------------------------------------------------


def test_secret_key_is_made_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PARTNERING_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    first = create_app({"DATABASE_URL": database})
    key = tmp_path / "instance" / "secret_key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 64
    second = create_app({"DATABASE_URL": database})
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]  # sessions survive restarts
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app({"DATABASE_URL": database}).config["SECRET_KEY"] == "from-the-environment"


def test_no_secret_in_the_repository():
    try:
        listed = subprocess.run(
            ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    assert not [p for p in listed if Path(p).name in ("secret_key", ".env")]
    assert not [p for p in listed if p.startswith("instance/")]
    assert "/instance/" in (ROOT / ".gitignore").read_text().splitlines()
    pattern = re.compile(r"SECRET_KEY\s*=\s*['\"][^'\"]{8,}['\"]")
    for path in listed:
        if path.endswith((".py", ".cfg", ".toml", ".ini", ".env", ".yml", ".yaml")):
            text = (ROOT / path).read_text(errors="replace")
            assert not pattern.search(text), path


def test_a_cached_feed_follows_re_publishing(organiser, engine, session, fair):
    """Feeds are kept per publication: a new publication is served at once."""
    token = fair["companies"]["big"].access_token
    first = organiser.get(f"/c/{token}/agenda.ics")
    assert first.status_code == 200 and organiser.get(f"/c/{token}/agenda.ics").data == first.data
    run = queue_run(session, fair["companies"]["big"].event, SolverSettings(time_limit=5))
    session.commit()
    assert run_solver(engine, run.id) == "succeeded"
    assert (
        organiser.post("/events/tiny/schedules/2/publish", data={"confirm": "1"}).status_code == 302
    )
    second = organiser.get(f"/c/{token}/agenda.ics")
    assert second.status_code == 200 and second.data != first.data


def test_a_kept_feed_is_never_another_publications_with_the_same_id(tmp_path, monkeypatch):
    """What is kept is filed by publication id and instant: in SQLite an id comes back once
    the rows holding it are deleted, and here two databases each have a publication 1 with
    a company "acme". Each app serves its own database's agendas, whichever comes first."""
    monkeypatch.delenv("REDIS_URL", raising=False)
    served = {}
    for name in ("first", "second"):
        url = f"sqlite:///{tmp_path / name}.sqlite3"
        engine = make_engine(url)
        Base.metadata.create_all(engine)
        with make_session_factory(engine)() as session:
            document = copy.deepcopy(TINY_EVENT)
            document["event"]["name"] = f"The {name} fair"
            event = create_event(session, document=document)
            run = queue_run(session, event, SolverSettings(time_limit=5))
            session.commit()
            assert run_solver(engine, run.id) == "succeeded"
            publish(session, session.scalar(select(ScheduleVersion)))
            session.commit()
            token = session.scalar(
                select(Company.access_token).where(Company.external_id == "acme")
            )
        monkeypatch.setenv("PARTNERING_INSTANCE_PATH", str(tmp_path / name))
        client = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"}).test_client()
        served[name] = [client.get(f"/c/{token}{path}") for path in ("/agenda.ics", "/agenda", "/")]
        engine.dispose()
    for name, (feed, printable, page) in served.items():
        assert feed.status_code == printable.status_code == page.status_code == 200
        for response in (feed, printable, page):
            assert f"The {name} fair" in response.get_data(as_text=True)


HOSTILE_TARGETS = (
    "//evil.example/",
    "https://evil.example/",
    "/\t/evil.example",  # browsers drop the tab: //evil.example
    "/\\evil.example",  # and read the backslash as a slash
    "/\r\nSet-Cookie: x=1",  # a newline cannot go into a header at all (it was a 500)
)


def test_redirect_targets_stay_on_the_site_and_never_fail(client, session, dummy_event):
    """?next= after login, the language form's back and the request-status action's back:
    each hostile target is replaced by a page of this site, never followed, never a 500."""
    row = session.scalars(select(MeetingRequest)).first()
    for target in HOSTILE_TARGETS:
        login = client.post(
            f"/login?next={quote(target)}",
            data={"email": "organiser@example.org", "password": PASSWORD},
        )
        assert login.status_code == 302 and login.location == "/", target
        answers = [
            client.post("/language", data={"language": "en", "back": target}),
            client.post(
                f"/events/tiny/requests/{row.id}/status?back={quote(target)}",
                data={"status": "accepted", "version": 0},
            ),
        ]
        for answer in answers:
            assert answer.status_code == 302, target
            assert answer.location.startswith("/") and not answer.location.startswith("//")
            assert "evil" not in answer.location and "Set-Cookie" not in answer.location
        client.post("/logout")


def test_no_open_redirect_and_no_hint_which_login_part_was_wrong(client, dummy_event):
    for target in ("//evil.example/", "https://evil.example/", "javascript:alert(1)", "\\\\x"):
        response = client.post(
            f"/login?next={target}",
            data={"email": "organiser@example.org", "password": PASSWORD},
        )
        assert response.status_code == 302 and response.location == "/", target
        response = client.post("/language", data={"language": "ja", "back": target})
        assert "evil" not in response.location and response.location.startswith("/")
        client.post("/logout")
    wrong_password = client.post("/login", data={"email": "organiser@example.org", "password": "x"})
    no_account = client.post("/login", data={"email": "nobody@example.org", "password": "x"})
    assert wrong_password.status_code == no_account.status_code == 200

    # The same page but for the email typed, and the forms' CSRF tokens: they carry the
    # second they were made, and the two answers may fall in two seconds.
    def page(response) -> bytes:
        return re.sub(rb'(<input[^>]*name="csrf_token"[^>]*value=")[^"]*', rb"\1", response.data)

    assert page(wrong_password) == page(no_account).replace(b"nobody@", b"organiser@")


def test_behind_a_public_address_only_its_host_names_are_answered(engine, tmp_path, monkeypatch):
    """PARTNERING_HOSTS lists the host names the app answers to; another Host header (which
    would go into the calendar links a page writes) is refused with 400."""
    monkeypatch.setenv("PARTNERING_HOSTS", "partnering.example.org, localhost")
    monkeypatch.setenv("PARTNERING_INSTANCE_PATH", str(tmp_path))
    url = engine.url.render_as_string(hide_password=False)
    client = create_app({"DATABASE_URL": url, "SECRET_KEY": "test"}).test_client()
    assert client.get("/login", headers={"Host": "partnering.example.org"}).status_code == 200
    assert client.get("/login", headers={"Host": "localhost"}).status_code == 200
    assert client.get("/login", headers={"Host": "evil.example"}).status_code == 400
