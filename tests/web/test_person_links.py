"""Each attendee's own agenda link: their meetings and their own calendar feed, from the
company's page; it opens nothing else of the company, and a new company link renews it."""

from __future__ import annotations

import re

import icalendar
from sqlalchemy import select

from web.companies.models import Attendee, Company
from web.schedules.operations import published_state


def _publish(organiser) -> None:
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})


def test_each_person_sees_only_their_meetings(organiser, client, session, dummy_event):
    _publish(organiser)
    session.rollback()
    big = session.scalar(select(Company).where(Company.external_id == "big"))
    home = client.get(f"/c/{big.access_token}/").get_data(as_text=True)
    links = re.findall(r'value="http://localhost(/p/[^"]+/)"', home)
    assert len(links) == 2  # Bo and Bea Big
    published = published_state(session, dummy_event)
    attended = [a for m in published.schedule.meetings for a in m.attendees if a.startswith("big")]
    assert len(attended) >= 2  # both of Big Pharma's meetings have someone of it
    for person in big.attendees:
        link = f"/p/{person.access_token}/"
        assert link in links
        theirs = {
            m.request for m in published.schedule.meetings if person.external_id in m.attendees
        }
        page = client.get(link)
        assert page.headers["Cache-Control"] == "private, no-store"
        assert page.headers["Referrer-Policy"] == "no-referrer"
        text = page.get_data(as_text=True)
        assert person.name in text
        assert len(re.findall(r"<li[^>]*>\s*<time>", text)) == len(theirs)
        feed = client.get(f"{link}agenda.ics")
        assert feed.status_code == 200
        events = icalendar.Calendar.from_ical(feed.data).walk("VEVENT")
        assert len(events) == len(theirs)
        assert "Referrer-Policy" in feed.headers


def test_a_person_link_opens_nothing_else(organiser, client, session, dummy_event):
    _publish(organiser)
    session.rollback()
    big = session.scalar(select(Company).where(Company.external_id == "big"))
    person = big.attendees[0]
    assert client.get(f"/c/{person.access_token}/").status_code == 404
    assert client.get(f"/c/{person.access_token}/agenda.ics").status_code == 404
    assert client.get(f"/p/{big.access_token}/").status_code == 404
    assert client.get("/p/not-a-real-token/agenda.ics").status_code == 404
    old = person.access_token
    organiser.post(f"/events/tiny/companies/{big.id}/rotate")  # without the tick: nothing
    session.rollback()
    assert session.get(Attendee, person.id).access_token == old
    organiser.post(f"/events/tiny/companies/{big.id}/rotate", data={"confirm": "1"})
    session.rollback()
    renewed = session.scalar(select(Attendee).where(Attendee.id == person.id))
    assert renewed.access_token != old
    assert client.get(f"/p/{old}/").status_code == 404
    assert client.get(f"/p/{renewed.access_token}/").status_code == 200
