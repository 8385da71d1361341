"""The organiser's analytics: plots with their numbers, downloads, capacity, companies at
risk, demand signals and reports, on a generated event before and after a solve."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from scheduler.capacity import count_bound
from scheduler.generate.instances import generate_instance
from scheduler.solver.cpsat import SolverSettings
from web.analytics.figures import AFTER_FAIR, after_fair
from web.analytics.loads import companies_at_risk, demand_signal, event_loads
from web.companies.models import Company
from web.conversion import save_instance
from web.solving.job import run_solver
from web.solving.operations import queue_run


@pytest.fixture
def generated(session):
    document = generate_instance(companies=40, requests=260, days=2, tables=4, seed=4)
    document["fixed"] = []
    event, _report = save_instance(session, document, "gen")
    session.commit()
    return event


def _csv_rows(client, path: str) -> list[list[str]]:
    text = client.get(path).get_data(as_text=True).lstrip("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def _solve(engine, session, event):
    run = queue_run(session, event, SolverSettings(time_limit=5))
    session.commit()
    assert run_solver(engine, run.id) == "succeeded"
    session.rollback()


def test_the_page_shows_each_plot_with_its_numbers_and_downloads(
    organiser, engine, session, generated
):
    _solve(engine, session, generated)
    page = organiser.get("/events/gen/analytics/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for key in ("requests", "meetings", "delegations", "demand", "tables"):
        assert f'id="plot-{key}"' in text
        svg = organiser.get(f"/events/gen/analytics/{key}.svg")
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        assert b"<script" not in svg.data
        png = organiser.get(f"/events/gen/analytics/{key}.png")
        assert png.data[:8] == b"\x89PNG\r\n\x1a\n"
    rows = list(
        csv.reader(
            io.StringIO(
                organiser.get("/events/gen/analytics/meetings.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    companies = sum(int(r[1]) + int(r[2]) for r in rows[1:])
    assert companies == 40  # every company counted once in the histogram
    assert "After the fair" in text


def test_demand_against_capacity_lists_the_oversubscribed_by_the_bound(
    organiser, session, generated
):
    rows = list(
        csv.reader(
            io.StringIO(
                organiser.get("/events/gen/analytics/demand.csv")
                .get_data(as_text=True)
                .lstrip("\ufeff")
            )
        )
    )
    assert rows[1:], "a 4-table event with 260 requests has oversubscribed corporates"
    assert all(int(r[1]) > int(r[2]) for r in rows[1:])
    gaps = [int(r[1]) - int(r[2]) for r in rows[1:]]
    assert gaps == sorted(gaps, reverse=True)


def test_demand_signal_from_the_bound_then_from_the_solve(engine, session, generated):
    corporate = session.scalars(
        select(Company).where(Company.event_id == generated.id, Company.role == "corporate")
    ).first()
    before = demand_signal(session, generated, corporate.id)
    assert before.source == "bound" and 0 <= before.chance <= 1
    _solve(engine, session, generated)
    after = demand_signal(session, generated, corporate.id)
    assert after.source == "solve" and after.wanted == before.wanted


def test_companies_at_risk_are_those_the_bound_leaves_short(session, generated):
    for company in session.scalars(select(Company).where(Company.event_id == generated.id)):
        company.min_meetings = 12
    session.commit()
    found = companies_at_risk(session, generated)
    loads = event_loads(session, generated)
    assert found and all(r.kind in ("short", "none") for r in found)
    assert all(
        r.most <= loads.loads[session.get(Company, r.company_id).external_id].holds for r in found
    )


def test_capacity_page_and_report_in_both_languages(organiser, session, engine, generated):
    page = organiser.get("/events/gen/capacity/")
    assert page.status_code == 200
    loads = event_loads(session, generated)
    assert str(count_bound(loads.prepared).met) in page.get_data(as_text=True)
    _solve(engine, session, generated)
    delegation = session.scalars(
        select(Company.delegation).where(Company.delegation.is_not(None))
    ).first()
    for language in ("en", "ja"):
        organiser.post("/language", data={"language": language, "back": "/"})
        assert organiser.get("/events/gen/reports/").status_code == 200
        report = organiser.get("/events/gen/reports/", query_string={"delegation": delegation})
        assert report.status_code == 200 and delegation in report.get_data(as_text=True)
    assert (
        organiser.get("/events/gen/reports/", query_string={"delegation": "nobody"}).status_code
        == 404
    )


def test_after_fair_figures_show_once_registered_and_with_data(organiser, generated):
    from web.analytics.figures import Figure

    @after_fair("noshows")
    def noshows(session, event):
        return Figure("noshows", "No-shows", "bars_missing", ["Day", "No-shows"], [["d1", 2]])

    try:
        text = organiser.get("/events/gen/analytics/").get_data(as_text=True)
        assert 'id="plot-noshows"' in text
        assert organiser.get("/events/gen/analytics/noshows.csv").status_code == 200
    finally:
        AFTER_FAIR.pop("noshows")


def test_the_capacity_page_waits_for_its_job_and_shows_its_figures(
    app, organiser, session, engine, generated
):
    from web.analytics.capacity_job import run_capacity
    from web.analytics.models import CapacityRun

    app.extensions["partnering.queue"].capacity = None  # a worker that has not taken it yet
    for language, words in (("en", "in the background"), ("ja", "バックグラウンド")):
        organiser.post("/language", data={"language": language, "back": "/"})
        page = organiser.get("/events/gen/capacity/").get_data(as_text=True)
        assert words in page and "<progress" in page and 'http-equiv="refresh"' in page
    runs = session.scalars(select(CapacityRun).where(CapacityRun.event_id == generated.id)).all()
    assert [r.status for r in runs] == ["queued"]  # one job for the event as it is, not two
    assert organiser.get("/events/gen/analytics/capacity.csv").status_code == 404
    assert run_capacity(engine, runs[0].id) == "succeeded"
    session.expire_all()
    page = organiser.get("/events/gen/capacity/").get_data(as_text=True)
    loads = event_loads(session, generated)
    assert str(count_bound(loads.prepared).met) in page and "<progress" not in page
    rows = _csv_rows(organiser, "/events/gen/analytics/capacity.csv")
    assert len(rows) > 2 and all(int(r[1]) <= len(loads.instance.requests) for r in rows[1:])


def test_a_change_to_the_requests_queues_the_capacity_job_again(organiser, session, generated):
    from web.analytics.models import CapacityRun
    from web.meeting_requests.models import MeetingRequest

    assert organiser.get("/events/gen/capacity/").status_code == 200
    assert organiser.get("/events/gen/capacity/").status_code == 200
    request = session.scalars(
        select(MeetingRequest).where(MeetingRequest.event_id == generated.id)
    ).first()
    request.priority = 5 if request.priority != 5 else 4
    session.commit()
    assert organiser.get("/events/gen/capacity/").status_code == 200
    session.expire_all()
    runs = session.scalars(select(CapacityRun).where(CapacityRun.event_id == generated.id)).all()
    assert [r.status for r in runs] == ["succeeded", "succeeded"]
    assert runs[0].fingerprint != runs[1].fingerprint
