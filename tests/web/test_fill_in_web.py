"""The same-day fill-in from the web: a run on the queue whose version keeps every published
meeting, adds meetings only after the cut, and whose publication tells only the companies
that get a new meeting."""

from __future__ import annotations

import re

from sqlalchemy import select

from tests.web.test_mail import _emails, inbox  # noqa: F401 - the fixture
from web.companies.models import Company
from web.conversion import schedule_from_version
from web.events.models import Event
from web.meeting_requests.operations import add_request
from web.schedules.models import ScheduleVersion
from web.solving.models import SolverRun


def _placed(session, version: ScheduleVersion) -> dict[str, tuple]:
    meetings = schedule_from_version(session, version).meetings
    return {m.request: (m.start, m.location, sorted(m.attendees)) for m in meetings}


def _company(session, external_id: str) -> Company:
    return session.scalar(select(Company).where(Company.external_id == external_id))


def test_a_fill_in_adds_after_the_cut_and_tells_only_those_it_gives_a_meeting(
    organiser,
    session,
    dummy_event,
    inbox,  # noqa: F811
):
    _emails(
        session,
        **{"acme-1": "ann@acme.example", "big-1": "bo@big.example", "cell-1": "cy@cell.example"},
    )
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    inbox.messages.clear()
    session.rollback()
    event = session.get(Event, dummy_event.id)
    acme, cell = _company(session, "acme"), _company(session, "cell")
    add_request(session, event, acme, cell, "r3", status="accepted")
    session.commit()

    page = organiser.get("/events/tiny/schedules/").get_data(as_text=True)
    assert 'action="/events/tiny/runs/fill-in"' in page
    refused = organiser.post(
        "/events/tiny/runs/fill-in",
        data={"fill_from": "tomorrow", "time_limit": 5},
        follow_redirects=True,
    )
    assert "Fill in free slots from: expected a local time" in refused.get_data(as_text=True)
    answer = organiser.post(
        "/events/tiny/runs/fill-in", data={"fill_from": "2026-10-14T10:00", "time_limit": 5}
    )
    assert answer.status_code == 302
    session.rollback()
    run = session.scalars(select(SolverRun).order_by(SolverRun.id.desc())).first()
    assert run.status == "succeeded" and run.settings["fill_from"].startswith("2026-10-14T01:00")
    first = session.scalar(select(ScheduleVersion).where(ScheduleVersion.number == 1))
    second = run.schedule
    before, after = _placed(session, first), _placed(session, second)
    assert all(after[r] == p for r, p in before.items()), "a published meeting moved"
    assert set(after) - set(before) == {"r3"}
    assert "Fill-in of the published schedule from 2026-10-14 10:00" in organiser.get(
        f"/events/tiny/runs/{run.id}"
    ).get_data(as_text=True)

    organiser.post(f"/events/tiny/schedules/{second.number}/publish", data={"confirm": "1"})
    told = {str(m["To"]): m["Subject"] for m in inbox.messages}
    changed = "Tiny partnering: your agenda changed (0 moved, 0 cancelled, 1 new)"
    assert told == {"Ann Acme <ann@acme.example>": changed, "Cy Cell <cy@cell.example>": changed}


def test_a_fill_in_needs_a_published_schedule(organiser, session, dummy_event):
    page = organiser.post(
        "/events/tiny/runs/fill-in",
        data={"fill_from": "", "time_limit": 5},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Publish a schedule first" in page
    session.rollback()
    assert session.scalar(select(SolverRun)) is None
    assert not re.search(
        r'id="fill-in"', organiser.get("/events/tiny/runs/").get_data(as_text=True)
    )
