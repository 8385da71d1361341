"""Video links set in the event's setup: refused when unsafe, shown on the company's agenda,
the person's, the printable agenda and in their calendar feeds (CONFERENCE)."""

from __future__ import annotations

import re

from sqlalchemy import select

from web.companies.models import Attendee, Company
from web.events.models import Event, Location

TEMPLATE = "https://meet.example.com/p-{meeting}"


def _setup(organiser, **changes):
    page = organiser.get("/events/tiny/setup").get_data(as_text=True)
    data = {
        "name": "Tiny partnering",
        "timezone": "Asia/Tokyo",
        "slot_minutes": 30,
        "days": "2026-10-14 10:00-11:30",
        "tables": 1,
        "version": re.search(r'name="version" value="(\d+)"', page).group(1),
        **changes,
    }
    return organiser.post("/events/tiny/setup", data=data, follow_redirects=True)


def _published(organiser) -> None:
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    answer = organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    assert answer.status_code == 302


def _row(session, model, external_id):
    session.rollback()
    return session.scalar(select(model).where(model.external_id == external_id))


def test_unsafe_patterns_are_refused_in_the_form_and_nothing_is_saved(
    organiser, session, dummy_event
):
    for template, said in [
        ("http://meet.example.com/{meeting}", "https://"),
        ("https://meet.example.com/{room}", "unknown placeholder {room}"),
        ("https://meet.example.com/a\r\nATTENDEE:x", "line breaks"),
        ("", "Give the address each meeting"),
    ]:
        page = _setup(organiser, video_mode="meeting", video_template=template)
        assert said in page.get_data(as_text=True), template
    session.rollback()
    event = session.get(Event, dummy_event.id)
    assert event.video_mode == "none" and event.video_template is None


def test_a_link_per_meeting_reaches_the_agendas_and_the_feeds(
    organiser, client, session, dummy_event
):
    _published(organiser)
    answer = _setup(organiser, video_mode="meeting", video_label="Zoom", video_template=TEMPLATE)
    assert answer.status_code == 200
    acme = _row(session, Company, "acme")
    home = client.get(f"/c/{acme.access_token}/").get_data(as_text=True)
    links = re.findall(r'class="video" href="(https://meet\.example\.com/p-[0-9a-f-]{36})"', home)
    assert links and "Join by video: Zoom" in home
    feed = client.get(f"/c/{acme.access_token}/agenda.ics").get_data(as_text=True)
    unfolded = feed.replace("\r\n ", "")
    assert f"CONFERENCE;FEATURE=VIDEO;LABEL=Zoom;VALUE=URI:{links[0]}" in unfolded
    assert f"Zoom: {links[0]}" in unfolded  # in DESCRIPTION, for clients that ignore it
    printable = client.get(f"/c/{acme.access_token}/agenda").get_data(as_text=True)
    assert f'href="{links[0]}"' in printable
    person = session.scalar(select(Attendee).where(Attendee.external_id == "acme-1"))
    page = client.get(f"/p/{person.access_token}/").get_data(as_text=True)
    assert links[0] in page
    own = client.get(f"/p/{person.access_token}/agenda.ics").get_data(as_text=True)
    assert links[0] in own.replace("\r\n ", "")


def test_a_link_per_table(organiser, client, session, dummy_event):
    _published(organiser)
    _setup(organiser, video_mode="table", video_label="Teams")
    table = _row(session, Location, "T1")
    form = organiser.get(f"/events/tiny/locations/{table.id}/edit").get_data(as_text=True)
    version = re.search(r'name="version"[^>]*value="(\d+)"', form).group(1)
    data = {"name": table.name, "kind": "table", "owner": 0, "version": version}
    refused = organiser.post(
        f"/events/tiny/locations/{table.id}/edit", data={**data, "video_url": "ftp://x.example"}
    )
    assert "https://" in refused.get_data(as_text=True)
    link = "https://teams.example.com/table-1"
    organiser.post(f"/events/tiny/locations/{table.id}/edit", data={**data, "video_url": link})
    acme = _row(session, Company, "acme")
    home = client.get(f"/c/{acme.access_token}/").get_data(as_text=True)
    assert f'href="{link}"' in home and "Join by video: Teams" in home
    feed = client.get(f"/c/{acme.access_token}/agenda.ics").get_data(as_text=True)
    assert f"VALUE=URI:{link}" in feed.replace("\r\n ", "")
