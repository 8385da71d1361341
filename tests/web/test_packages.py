"""Packages through the web app: a company's most meetings over the event and its guaranteed
meetings, in the form, the sheets, the solve, the review and the overview's warnings."""

from __future__ import annotations

import io
import re

from sqlalchemy import select

from tests.conftest import make_instance
from tests.web.conftest import create_event, upload
from web.companies.models import Company


def _row(session, external_id, slug="tiny"):
    session.rollback()
    session.expire_all()  # the app's commits: rollback alone does nothing outside a transaction
    return session.scalar(
        select(Company).where(Company.external_id == external_id, Company.event.has(slug=slug))
    )


def test_the_form_keeps_a_package_and_refuses_a_guarantee_above_the_maximum(
    organiser, session, dummy_event
):
    big = _row(session, "big")
    path = f"/events/tiny/companies/{big.id}/edit"
    form = {"name": "Big Pharma", "role": "corporate", "version": big.version_id}
    page = organiser.post(path, data={**form, "max_meetings": 2, "min_meetings": 3}).get_data(
        as_text=True
    )
    assert "At most 2: the company may have no more meetings than that." in page
    assert _row(session, "big").min_meetings is None
    organiser.post(path, data={**form, "max_meetings": 3, "min_meetings": 2})
    big = _row(session, "big")
    assert (big.max_meetings, big.min_meetings) == (3, 2)
    page = organiser.get(f"/events/tiny/companies/{big.id}").get_data(as_text=True)
    assert "at most 3 meetings in all" in page and "2 meetings guaranteed" in page
    overview = organiser.get("/events/tiny/").get_data(as_text=True)
    assert "guaranteed 2 meetings but has only" not in overview  # it has 2 requests
    organiser.post(path, data={**form, "version": big.version_id, "min_meetings": 3})
    overview = organiser.get("/events/tiny/").get_data(as_text=True)
    assert "guaranteed 3 meetings but has only 2 requests: it will be left short" in overview


def test_sheets_carry_packages_both_ways(organiser, session, dummy_event):
    sheet = "id,name,role,max_meetings,min_meetings\nbig,Big Pharma,corporate,5,2\n"
    response = upload(organiser, "/events/tiny/import", "companies.csv", sheet.encode())
    assert response.status_code == 302
    big = _row(session, "big")
    assert (big.max_meetings, big.min_meetings) == (5, 2)
    bad = "id,name,role,max_meetings,min_meetings\nbig,Big Pharma,corporate,2,5\n"
    response = upload(organiser, "/events/tiny/import", "companies.csv", bad.encode())
    assert response.status_code == 422
    assert "row 2, column min_meetings" in response.get_data(as_text=True)
    exported = organiser.get("/events/tiny/export.zip")
    import zipfile

    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        companies = archive.read("companies.csv").decode("utf-8-sig")
    assert "max_meetings,min_meetings" in companies.splitlines()[0]
    assert re.search(r"^big,Big Pharma,corporate,[^,]*,[^,]*,5,2(,|\r?$)", companies, re.M)


def test_the_solve_keeps_the_maximum_and_the_review_names_who_is_short(organiser, session):
    """Big Pharma may have one meeting in all: one of its two requests stays out, with the
    event maximum as its reason; Cell Co is guaranteed one it cannot get and is listed."""
    document = make_instance()
    document["companies"][1]["max_meetings"] = 1
    document["companies"][2]["min_meetings"] = 2  # Cell Co has one request only
    create_event(session, "pack", document)
    organiser.post("/events/pack/runs/", data={"time_limit": 5, "seed": 0})
    page = organiser.get("/events/pack/schedules/1/").get_data(as_text=True)
    assert re.search(r'data-kind="event_max"[^>]*>\s*maximum for the event reached \(1\)', page)
    short = re.search(r'<ul class="short">(.*?)</ul>', page, re.S).group(1)
    assert "Cell Co" in short and "of 2 guaranteed meetings" in short
