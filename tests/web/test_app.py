"""The web app through Flask's test client: organiser pages need a login, forms need their
CSRF token, a company link opens only its own company, and solves run as jobs whose failure
or cancellation leaves the published schedule alone."""

from __future__ import annotations

import io
import os
import re
import socket
import zipfile
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS
from sqlalchemy import func, select

from scheduler.solver.cpsat import SolverSettings
from tests.services import service_missing
from tests.web.conftest import PASSWORD
from web.companies.models import Company
from web.db import make_session_factory
from web.jobs import make_queue
from web.meeting_requests.models import MeetingRequest
from web.schedules.models import ScheduleVersion
from web.schedules.operations import current_version, publish
from web.solving.job import run_solver
from web.solving.models import SolverRun
from web.solving.operations import queue_run


def tokens(session) -> dict[str, str]:
    return dict(session.execute(select(Company.external_id, Company.access_token)).all())


def test_organiser_pages_need_a_login(client, session, dummy_event):
    for path in ("/", "/events/tiny/", "/events/tiny/companies/", "/events/tiny/runs/"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location
    assert (
        client.post("/login", data={"email": "organiser@example.org", "password": "no"}).status_code
        == 200
    )
    assert client.get("/events/tiny/").status_code == 302


def test_forms_need_their_csrf_token(app, session, dummy_event):
    client = app.test_client()  # CSRF on, as in production
    response = client.post("/login", data={"email": "organiser@example.org", "password": PASSWORD})
    assert response.status_code == 400
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": "organiser@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_session_cookie_is_http_only_and_lax(organiser):
    cookie = organiser.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


def test_a_company_link_opens_only_its_own_company(client, session, dummy_event):
    links = tokens(session)
    (a, token_a), (b, token_b) = sorted(links.items())[:2]
    page = client.get(f"/c/{token_a}/").get_data(as_text=True)
    name_a = session.scalar(select(Company.name).where(Company.external_id == a))
    assert name_a in page
    assert token_b not in page
    assert client.get(f"/c/{token_a[:-1]}x/").status_code == 404
    assert client.get("/c/x/agenda.ics").status_code == 404
    # Answering a request that is not made to this company is refused.
    other = session.scalar(select(Company).where(Company.external_id == b))
    from web.meeting_requests.models import MeetingRequest

    foreign = session.scalar(
        select(MeetingRequest).where(MeetingRequest.requested_id != other.id).limit(1)
    )
    company_b_token = links[b]
    if foreign is not None and foreign.requested_id != other.id:
        response = client.post(
            f"/c/{company_b_token}/requests/{foreign.id}/answer", data={"status": "declined"}
        )
        assert response.status_code == 404


def test_rotated_link_stops_working(organiser, session, dummy_event):
    company = session.scalar(select(Company).order_by(Company.id).limit(1))
    old = company.access_token
    assert organiser.get(f"/c/{old}/").status_code == 200
    organiser.post(f"/events/tiny/companies/{company.id}/rotate", data={"confirm": "1"})
    session.rollback()
    assert organiser.get(f"/c/{old}/").status_code == 404
    assert organiser.get(f"/c/{company.access_token}/").status_code == 200


def test_solve_publish_and_feeds(organiser, session, dummy_event):
    response = organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    assert response.status_code == 302
    progress = organiser.get(response.location.rstrip("/") + "/progress.json").get_json()
    assert progress["status"] == "succeeded" and progress["finished"]
    assert progress["stage"] == "done" and progress["scheduled"] == 2
    assert organiser.get(progress["review_url"]).status_code == 200
    for kind in ("calendars.zip", "agendas.zip", "meetings.csv", "meetings.xlsx", "schedule.json"):
        assert organiser.get(f"/events/tiny/schedules/1/{kind}").status_code == 200
    # The zips are streamed, file after file, and whole when read.
    zipped = organiser.get("/events/tiny/schedules/1/calendars.zip")
    assert zipped.is_streamed
    names = zipfile.ZipFile(io.BytesIO(zipped.data)).namelist()
    assert names[0] == "event.ics" and names[-1] == "published.json"
    assert {"companies/acme.ics", "attendees/big-2.ics"} <= set(names)
    agendas = organiser.get("/events/tiny/schedules/1/agendas.zip").data
    archive = zipfile.ZipFile(io.BytesIO(agendas))
    assert "Acme Bio" in archive.read("companies/acme.html").decode()
    assert archive.namelist()[0] == "index.html"
    links = tokens(session)
    token = next(iter(links.values()))
    assert organiser.get(f"/c/{token}/agenda.ics").status_code == 404  # not published yet
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    feed = organiser.get(f"/c/{token}/agenda.ics")
    assert feed.status_code == 200 and feed.data.startswith(b"BEGIN:VCALENDAR")
    assert "webcal://" in organiser.get(f"/c/{token}/").get_data(as_text=True)


def test_cancelled_and_failed_runs_leave_the_published_schedule(engine, session, dummy_event):
    from scheduler.solver.cpsat import SolverSettings

    first = queue_run(session, dummy_event, SolverSettings(time_limit=5))
    session.commit()
    assert run_solver(engine, first.id) == "succeeded"
    from web.schedules.operations import publish

    version = session.scalar(select(ScheduleVersion))
    publish(session, version)
    session.commit()
    cancelled = queue_run(session, dummy_event, SolverSettings(time_limit=5))
    cancelled.cancel_requested = True
    session.commit()
    assert run_solver(engine, cancelled.id) == "cancelled"
    session.rollback()
    assert current_version(session, dummy_event).id == version.id
    assert session.scalar(select(SolverRun).where(SolverRun.id == cancelled.id)).schedule is None


def test_cancel_while_running_stops_the_solve(engine, session, dummy_event, monkeypatch):
    """The solver's cancel check sees the flag set while it runs and stops the solve: no
    version is written. (The check reads the database at most every PROGRESS_EVERY seconds;
    the tiny event solves faster than that, so the test reads it every time.)"""
    from scheduler.solver.cpsat import SolverSettings
    from web.solving import job

    run = queue_run(session, dummy_event, SolverSettings(time_limit=5))
    session.commit()
    real = job._Reporter.__call__

    def cancel_then_report(self, progress):
        with make_session_factory(engine).begin() as s:
            s.get(SolverRun, self.run_id).cancel_requested = True
        return real(self, progress)

    monkeypatch.setattr(job._Reporter, "__call__", cancel_then_report)
    monkeypatch.setattr(job, "PROGRESS_EVERY", 0.0)
    assert run_solver(engine, run.id) == "cancelled"
    session.rollback()
    assert session.scalar(select(ScheduleVersion)) is None


def redis_database() -> int:
    """A Redis database of its own for each test process (pytest-xdist's gw0, gw1, ...: 15,
    14, ...), so that two processes flushing the queue never take each other's tasks."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    return 15 - int(worker.removeprefix("gw")) % 15


def test_jobs_through_redis(engine, session, dummy_event):
    """The Redis path: the web app enqueues, a worker (here: this process) dequeues and solves."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=2).close()
    except OSError:
        service_missing("Redis is not reachable on 127.0.0.1:6379")
    from scheduler.solver.cpsat import SolverSettings

    url = engine.url.render_as_string(hide_password=False)
    redis_url = f"redis://127.0.0.1:6379/{redis_database()}"
    queue = make_queue(url, redis_url=redis_url)
    queue.huey.flush()
    run = queue_run(session, dummy_event, SolverSettings(time_limit=5))
    session.commit()
    queue.enqueue_solve(run.id)
    worker = make_queue(url, redis_url=redis_url)  # as on another machine
    task = worker.huey.dequeue()
    assert task is not None
    assert worker.huey.execute(task) == "succeeded"
    session.rollback()
    assert session.get(SolverRun, run.id).schedule is not None
    queue.engine.dispose()
    worker.engine.dispose()


def test_japanese_interface_is_remembered(client):
    assert "Organiser login" in client.get("/login").get_data(as_text=True)
    client.post("/language", data={"language": "ja", "back": "/login"})
    assert "主催者ログイン" in client.get("/login").get_data(as_text=True)
    assert "主催者ログイン" in client.get("/login").get_data(as_text=True)  # kept in the session


def test_names_in_any_script_survive_the_forms(organiser, session, dummy_event):
    response = organiser.post(
        "/events/tiny/companies/new",
        data={"name": "武田薬品工業", "role": "corporate", "attendees": "山田 花子\nZoë Müller"},
    )
    assert response.status_code == 302
    page = organiser.get(response.location).get_data(as_text=True)
    assert "武田薬品工業" in page and "山田 花子" in page and "Zoë Müller" in page


def test_every_message_has_a_japanese_translation():
    """Each string the app marks for translation (pages, forms, flashes) has a Japanese one in
    web/translations/ja, so a Japanese visitor meets no English in the interface."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parents[2]
    with (root / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    found = {
        (context, message if isinstance(message, str) else message[0])
        for _file, _line, message, _comments, context in extract_from_dir(
            str(root), method_map, options_map, keywords=keywords
        )
    }
    assert len(found) > 200
    with (root / "web/translations/ja/LC_MESSAGES/messages.po").open("rb") as po:
        catalog = read_po(po)
    missing = sorted(
        (context or "", message)
        for context, message in found
        if not (entry := catalog.get(message, context=context))
        or entry.fuzzy
        or not translated(entry)
    )
    assert missing == []


def translated(entry) -> bool:
    """A message has its translation (each form of a plural one)."""
    forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
    return all(forms)


def test_request_lists_in_japanese_say_who_asked_whom(organiser, session, dummy_event):
    """The columns of a request list are the asking and the asked company, not the start and
    end of a time span (the English 'From' and 'To' mean both)."""
    organiser.post("/language", data={"language": "ja", "back": "/"})
    page = organiser.get("/events/tiny/requests/").get_data(as_text=True)
    header = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    assert "申請元" in header and "申請先" in header
    assert "開始" not in header and "終了" not in header


def test_a_company_sees_what_it_is_asked_and_who_goes_where(organiser, session, dummy_event):
    """A company's page flags the requests awaiting its answer and shows the note that came
    with one; after publishing, its agenda is set out by day and names, for each meeting, the
    counterpart's people and its own (a company with two attendees meets in parallel)."""
    links = tokens(session)
    cell = session.scalar(select(Company).where(Company.external_id == "cell"))
    organiser.post(
        f"/c/{links['acme']}/requests",
        data={"to": cell.id, "priority": 4, "notes": "ペプチド創薬の共同研究について"},
    )
    page = organiser.get(f"/c/{links['cell']}/").get_data(as_text=True)
    assert "1 request awaits your answer" in page
    assert "ペプチド創薬の共同研究について" in page
    assert "awaits your answer" not in organiser.get(f"/c/{links['acme']}/").get_data(as_text=True)

    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    page = organiser.get(f"/c/{links['big']}/").get_data(as_text=True)
    assert "Wednesday, October 14, 2026" in page
    assert "Ann Acme" in page and "Cy Cell" in page  # the counterparts' people
    ours = re.findall(r"You: (B[oe]a? Big)", page)
    assert len(ours) == 2, page
    organiser.post("/language", data={"language": "ja", "back": "/"})
    page = organiser.get(f"/c/{links['big']}/").get_data(as_text=True)
    assert "2026年10月14日水曜日" in page and "自社: " in page


def test_the_organiser_sees_a_companys_agenda_as_the_company_does(organiser, session, dummy_event):
    """One agenda for both sides: the organiser's page of a company lists the same meetings,
    by day, with the same people and tables, as the company's own page."""
    links = tokens(session)
    big = session.scalar(select(Company).where(Company.external_id == "big"))
    before = organiser.get(f"/events/tiny/companies/{big.id}").get_data(as_text=True)
    assert "No schedule is published yet." in before
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})

    def agenda(page: str) -> list[str]:
        lists = re.findall(r'<ol class="agenda">(.*?)</ol>', page, re.S)
        return [re.sub(r"\s+", " ", item) for item in lists]

    own_page = organiser.get(f"/c/{links['big']}/").get_data(as_text=True)
    # The company's own page adds its attendance and rating buttons under each meeting.
    theirs = agenda(re.sub(r'<div class="fair-actions">.*?</div>', "", own_page, flags=re.S))
    ours = agenda(organiser.get(f"/events/tiny/companies/{big.id}").get_data(as_text=True))
    assert theirs and len(theirs) == len(ours)
    assert [t.replace("You:", "Attending:") for t in theirs] == ours


def test_a_requests_priority_stays_with_the_requester(organiser, session, dummy_event):
    """The asked company sees who asks and their note, not how much they want it; the
    requester sees its own priority."""
    links = tokens(session)
    cell = session.scalar(select(Company).where(Company.external_id == "cell"))
    organiser.post(f"/c/{links['acme']}/requests", data={"to": cell.id, "priority": 4})
    asked = organiser.get(f"/c/{links['cell']}/").get_data(as_text=True)
    incoming = re.search(r'<section id="requests">(.*?)Your requests', asked, re.S).group(1)
    assert "Acme Bio" in incoming and "priority" not in incoming.lower()
    asking = organiser.get(f"/c/{links['acme']}/").get_data(as_text=True)
    assert "priority 4" in asking


def test_runs_are_numbered_within_their_event_in_its_time(organiser, session, dummy_event):
    """An event's first run is its run 1, whatever other events ran before; its times are
    the event's clock, not UTC."""
    from tests.conftest import make_instance
    from tests.web.conftest import create_event

    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    create_event(session, "other", make_instance())
    session.commit()
    page = organiser.post(
        "/events/other/runs/", data={"time_limit": 5, "seed": 0}, follow_redirects=True
    ).get_data(as_text=True)
    assert "<h1>Run 1:" in page
    listing = organiser.get("/events/other/runs/").get_data(as_text=True)
    assert " UTC<" not in listing and re.search(r">1</a></td>", listing)


def test_the_run_form_offers_the_quality_goals(organiser, session, dummy_event):
    """--fair, --compact and --max-breaks from the web: they reach the solver's settings and
    the solve that runs with them keeps its count."""
    from web.solving.models import SolverRun

    page = organiser.get("/events/tiny/runs/").get_data(as_text=True)
    assert 'name="fair"' in page and 'name="compact"' in page and 'name="max_breaks"' in page
    data = {"time_limit": 5, "seed": 0, "fair": "y", "max_breaks": 1}
    organiser.post("/events/tiny/runs/", data=data)
    session.rollback()
    run = session.scalars(select(SolverRun).order_by(SolverRun.id.desc())).first()
    assert run.settings["fair"] and run.settings["compact"] and run.settings["max_breaks"] == 1
    assert run.status == "succeeded" and run.scheduled == run.requests > 0


def test_review_grid_and_quality_figures(organiser, session):
    """A two-slot meeting is one cell spanning both slots (not a cell and an empty-looking
    one); the review names the solver's status in words and shows the quality figures."""
    from tests.conftest import make_instance
    from tests.web.conftest import create_event

    create_event(
        session,
        "long",
        make_instance(requests=[{"id": "r1", "from": "acme", "to": "big", "slots": 2}]),
    )
    organiser.post("/events/long/runs/", data={"time_limit": 5, "seed": 0})
    page = organiser.get("/events/long/schedules/1/").get_data(as_text=True)
    grid = re.search(r'<table class="grid">(.*?)</table>', page, re.S).group(1)
    cells = re.findall(r"<td[^>]*>Acme Bio × Big Pharma</td>", grid)  # noqa: RUF001
    assert len(cells) == 1 and 'colspan="2"' in cells[0]
    assert "proven best" in page
    assert "lowest share" in page and "100%" in page


def test_an_event_without_a_venue_reads_cleanly(organiser, session, dummy_event):
    for path in ("/", "/events/tiny/"):
        page = organiser.get(path).get_data(as_text=True)
        assert "Asia/Tokyo" in page
        assert not re.search(r">\s*·", page), path  # no separator before the time zone


def test_changes_against_the_published_version_name_the_meetings(organiser, session, dummy_event):
    """After a request is declined and the event solved again, the review lists the dropped
    meeting by its companies, time and table (not by a request id), and the new ones too."""
    from web.meeting_requests.models import MeetingRequest

    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    r2 = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r2"))
    organiser.post(
        f"/events/tiny/requests/{r2.id}/status", data={"status": "declined", "confirm": "1"}
    )
    acme = session.scalar(select(Company).where(Company.external_id == "acme"))
    cell = session.scalar(select(Company).where(Company.external_id == "cell"))
    organiser.post(f"/c/{acme.access_token}/requests", data={"to": cell.id, "priority": 3})
    session.rollback()
    asked = session.scalar(select(MeetingRequest).where(MeetingRequest.requested_id == cell.id))
    organiser.post(f"/events/tiny/requests/{asked.id}/status", data={"status": "accepted"})
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    page = organiser.get("/events/tiny/schedules/2/").get_data(as_text=True)
    changes = re.search(r'<ul class="changes">(.*?)</ul>', page, re.S).group(1)
    dropped = re.search(r"dropped</span>([^<]*)<", changes).group(1)
    assert "Cell Co × Big Pharma, 10-14 " in dropped and "Table 1" in dropped  # noqa: RUF001
    added = re.search(r"new</span>([^<]*)<", changes).group(1)
    assert "Acme Bio × Cell Co, 10-14 " in added  # noqa: RUF001


def test_a_dead_link_and_an_expired_form_say_what_to_do(app, client, session, dummy_event):
    """A rotated or mistyped company link is a 404 page that tells the company to ask the
    organiser for its current link (in Japanese too); a form sent without a valid token is
    a 400 page that says to reload and send again. Form tokens do not expire within a
    session (a company answers hours after opening its page)."""
    page = client.get("/c/no-such-link/")
    assert page.status_code == 404 and "ask them for your current link" in page.get_data(True)
    client.post("/language", data={"language": "ja", "back": "/"})
    page = client.get("/c/no-such-link/")
    assert page.status_code == 404 and "現在のリンクを主催者に" in page.get_data(True)
    strict = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = strict.post("/login", data={"email": "a@b.c", "password": "x"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400 and "reload the page" in refused.get_data(True)


def test_a_form_can_be_sent_hours_after_it_was_shown(app, session, dummy_event, monkeypatch):
    """Flask-WTF's tokens expire after an hour by default; here they last the session, so a
    company that opened its page in the morning can still answer in the afternoon."""
    from itsdangerous.timed import TimestampSigner

    client = app.test_client()
    app.config["WTF_CSRF_ENABLED"] = True
    now = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: now(self) - 5 * 3600)
    page = client.get("/login").get_data(as_text=True)  # the form, shown five hours ago
    monkeypatch.setattr(TimestampSigner, "get_timestamp", now)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": "organiser@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_japanese_tells_corporates_from_companies(organiser, session, dummy_event):
    """'Companies' (every one) and 'Corporate' (the role) are different words in Japanese."""
    organiser.post("/language", data={"language": "ja", "back": "/"})
    page = organiser.get("/events/tiny/companies/").get_data(as_text=True)
    assert "<h1>企業" in page and "大手企業" in page


def test_blocking_a_time_with_a_published_meeting_says_it_stands(organiser, session, dummy_event):
    """A block does not cancel a published meeting (only the organiser's next schedule can):
    the company is told, so that it does not simply stay away from a meeting it still has."""
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    big = tokens(session)["big"]

    def block(start: str, end: str) -> str:
        data = {"day": "2026-10-14", "start": start, "end": end}
        return organiser.post(f"/c/{big}/unavailable", data=data, follow_redirects=True).get_data(
            as_text=True
        )

    assert "stay on your agenda" not in block("06:00", "07:00")  # before the session
    page = block("06:00", "23:00")
    assert "You have 2 meeting(s) on your agenda in that time" in page
    assert "stay on your agenda" in page


def test_the_desk_blocking_a_published_meeting_is_told_too(organiser, session, dummy_event):
    """The organiser's desk enters blocks under the same rules as the company's link, and is
    told of the published meetings in that time: for one attendee, only that person's."""
    from web.companies.models import Attendee

    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    big = session.scalar(select(Company).where(Company.external_id == "big"))
    people = session.scalars(select(Attendee).where(Attendee.company_id == big.id)).all()
    assert len(people) == 2

    def block(start: str, end: str, who: int = 0) -> str:
        data = {"day": "2026-10-14", "start": start, "end": end, "who": who}
        path = f"/events/tiny/companies/{big.id}/unavailable"
        return organiser.post(path, data=data, follow_redirects=True).get_data(as_text=True)

    assert "in that time" not in block("06:00", "07:00")
    assert "That time is already blocked." in block("06:00", "07:00")
    assert "2 published meetings fall in that time" in block("06:00", "23:00")
    counts = [
        re.search(r"(\d+) published meetings? falls? in", block("05:00", "23:30", p.id))
        for p in people
    ]
    assert sorted(int(c.group(1)) for c in counts) == [1, 1]  # one meeting each, in parallel


def test_the_request_list_comes_in_pages_that_together_hold_every_request(
    organiser, session, dummy_event, monkeypatch
):
    """A large fair's list is paged (tens of thousands of rows would be tens of megabytes);
    every request is on exactly one page, in order; a page beyond the last shows the last."""
    from web.meeting_requests import views

    monkeypatch.setattr(views, "REQUESTS_PER_PAGE", 1)
    everyone = session.scalars(
        select(MeetingRequest.external_id)
        .where(MeetingRequest.event_id == dummy_event.id)
        .order_by(MeetingRequest.id)
    ).all()
    assert len(everyone) > 1

    def shown(page: str) -> list[str]:
        return re.findall(r'<tr data-request="([^"]+)"', page)

    pages, seen, path = 0, [], "/events/tiny/requests/"
    while path:
        page = organiser.get(path).get_data(as_text=True)
        assert f"({len(everyone)})" in page  # the heading counts all of them, not the page
        seen += shown(page)
        pages += 1
        following = re.search(r'<a href="([^"]+)" rel="next">', page)
        path = following.group(1).replace("&amp;", "&") if following else None
    assert seen == everyone and pages == len(everyone)
    last = organiser.get("/events/tiny/requests/?page=999").get_data(as_text=True)
    assert shown(last) == everyone[-1:]
    first = organiser.get("/events/tiny/requests/?page=x").get_data(as_text=True)
    assert shown(first) == everyone[:1]


def test_a_printable_agenda_comes_in_the_visitors_language(organiser, engine, session, dummy_event):
    """The portal's and the organiser's printable agendas follow the language chosen; each
    language's page is kept apart (the English one is not served to a Japanese visitor)."""
    run = queue_run(session, dummy_event, SolverSettings(time_limit=5))
    session.commit()
    assert run_solver(engine, run.id) == "succeeded"
    session.expire_all()
    publish(session, session.scalar(select(ScheduleVersion)))
    session.commit()
    token = tokens(session)["acme"]
    pages = {}
    for language in ("en", "ja", "en"):
        organiser.post("/language", data={"language": language, "back": "/"})
        portal = organiser.get(f"/c/{token}/agenda").get_data(as_text=True)
        desk = organiser.get("/events/tiny/schedules/1/agendas/acme").get_data(as_text=True)
        # The same agenda; each links back to where it was opened from (not printed).
        assert '<p class="no-print back"><a href="./">' in portal  # /c/<token>/
        assert '<p class="no-print back"><a href="../">' in desk  # the version's review
        back = re.compile(r'<p class="no-print back">.*?</p>')
        portal, desk = back.sub("", portal), back.sub("", desk)
        assert portal == desk
        assert pages.setdefault(language, portal) == portal
    assert '<html lang="ja">' in pages["ja"] and "商談相手" in pages["ja"]
    assert '<html lang="en">' in pages["en"] and "Meeting with" in pages["en"]


def test_a_company_link_cannot_store_without_bound(organiser, session, dummy_event, monkeypatch):
    """A company's link writes only what an agenda needs: the same block twice is one block,
    blocks stop at BLOCKS_PER_COMPANY, and a note is at most NOTES_LONGEST characters."""
    from web.companies import operations

    monkeypatch.setattr(operations, "BLOCKS_PER_COMPANY", 3)
    links = tokens(session)
    big = session.scalar(select(Company).where(Company.external_id == "big"))

    def block(start: str, end: str) -> str:
        data = {"day": "2026-10-14", "start": start, "end": end}
        response = organiser.post(
            f"/c/{links['big']}/unavailable", data=data, follow_redirects=True
        )
        return response.get_data(as_text=True)

    def blocks() -> int:
        session.rollback()  # a new transaction: SQLite's snapshot would hide the app's writes
        return len(session.get(Company, big.id).unavailable)

    before = blocks()
    assert "That time is already blocked." not in block("10:00", "11:00")
    assert "That time is already blocked." in block("10:00", "11:00")
    assert blocks() == before + 1
    while blocks() < 3:
        block(f"{12 + blocks()}:00", f"{12 + blocks()}:30")
    assert "the most there may be" in block("17:00", "17:30") and blocks() == 3

    cell = session.scalar(select(Company).where(Company.external_id == "cell"))
    asked = select(func.count()).select_from(MeetingRequest)
    count = session.scalar(asked)
    session.rollback()
    note = {"to": cell.id, "priority": 3, "notes": "x" * 1001}
    page = organiser.post(f"/c/{links['acme']}/requests", data=note, follow_redirects=True)
    assert "at most 1000 characters" in page.get_data(as_text=True)
    assert session.scalar(asked) == count


def test_a_company_link_adds_people_within_bounds(client, session, dummy_event, monkeypatch):
    """A name or title of a badge's length, an address SMTP can carry, and at most
    PEOPLE_PER_COMPANY people: a 20 MB name would weigh down every page that shows it."""
    from web.portal import views

    client.application.config["WTF_CSRF_ENABLED"] = False
    big = session.scalar(select(Company).where(Company.external_id == "big"))
    token, people = big.access_token, len(big.attendees)
    refused = client.post(f"/c/{token}/people", data={"name": "A" * 201}, follow_redirects=True)
    assert "Field cannot be longer than 200 characters" in refused.get_data(as_text=True)
    address = {"name": "Ann", "email": "a" * 320 + "@x.example"}
    client.post(f"/c/{token}/people", data=address)
    monkeypatch.setattr(views, "PEOPLE_PER_COMPANY", people + 1)
    assert client.post(f"/c/{token}/people", data={"name": "Bo"}).status_code == 302
    full = client.post(f"/c/{token}/people", data={"name": "Cy"}, follow_redirects=True)
    assert f"at most {people + 1} people" in full.get_data(as_text=True)
    session.rollback()
    session.expire_all()
    names = sorted(a.name for a in session.get(Company, big.id).attendees)
    assert "Bo" in names and "Cy" not in names and "Ann" not in names
    assert len(names) == people + 1
