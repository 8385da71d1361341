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


def test_a_company_manages_its_own_people(client, session, dummy_event):
    acme = session.scalar(select(Company).where(Company.external_id == "acme"))
    big = session.scalar(select(Company).where(Company.external_id == "big"))
    base = f"/c/{acme.access_token}"
    client.post(f"{base}/people", data={"name": "Aki Acme", "title": "CSO"})
    session.rollback()
    assert [a.name for a in acme.attendees] == ["Ann Acme", "Aki Acme"]
    ann = acme.attendees[0]
    assert client.post(f"{base}/people/{big.attendees[0].id}/remove").status_code == 404
    client.post(f"{base}/people/{ann.id}/remove")  # without the tick: kept
    session.rollback()
    assert len(acme.attendees) == 2
    client.post(f"{base}/people/{ann.id}/remove", data={"confirm": "1"})
    session.rollback()
    assert [a.name for a in acme.attendees] == ["Aki Acme"]
    last = acme.attendees[0]
    page = client.post(
        f"{base}/people/{last.id}/remove", data={"confirm": "1"}, follow_redirects=True
    )
    assert "your last person" in page.get_data(as_text=True)
    session.rollback()
    assert len(acme.attendees) == 1


def test_a_company_says_who_of_it_attends_a_meeting(organiser, client, session, dummy_event):
    from web.meeting_requests.models import MeetingRequest

    big = session.scalar(select(Company).where(Company.external_id == "big"))
    cell = session.scalar(select(Company).where(Company.external_id == "cell"))
    r1 = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r1"))
    bea = next(a for a in big.attendees if a.name == "Bea Big")
    path = f"/c/{big.access_token}/requests/{r1.id}/people"
    assert client.post(f"/c/{cell.access_token}/requests/{r1.id}/people").status_code == 404
    other = cell.attendees[0].id
    assert client.post(path, data={"attendee": [other]}).status_code == 404
    client.post(path, data={"attendee": [bea.id]})
    assert client.post(path, data={"attendee": ["Bea"]}).status_code == 400  # kept as it was
    session.rollback()
    assert [n.attendee.name for n in r1.named_attendees] == ["Bea Big"]
    _publish(organiser)
    session.rollback()
    meeting = next(
        m for m in published_state(session, dummy_event).schedule.meetings if m.request == "r1"
    )
    assert "big-2" in meeting.attendees  # Bea, as named
    page = client.get(f"/c/{big.access_token}/").get_data(as_text=True)
    assert re.search(r"Who attends: Bea Big", page)
    client.post(path, data={})  # none: whoever is free
    session.rollback()
    assert r1.named_attendees == []
