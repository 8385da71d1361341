"""The organiser's forms for companies, attendees, blocked times and tables: each saves what
it shows, two organisers saving the same row do not overwrite each other silently, and a table
or attendee a kept schedule version uses stays."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from tests.web.conftest import PASSWORD
from web.companies.models import Attendee, Company, UnavailableBlock
from web.events.models import Location
from web.schedules.operations import current_version


def company(session, external_id: str = "acme") -> Company:
    session.rollback()
    return session.scalar(select(Company).where(Company.external_id == external_id))


def test_edit_a_company(organiser, session, dummy_event):
    acme = company(session)
    page = organiser.get(f"/events/tiny/companies/{acme.id}/edit").get_data(as_text=True)
    assert f'name="version" type="hidden" value="{acme.version_id}"' in page
    response = organiser.post(
        f"/events/tiny/companies/{acme.id}/edit",
        data={
            "name": "アクメ・バイオ",
            "role": "corporate",
            "delegation": "",
            "max_meetings_per_day": 4,
            "version": acme.version_id,
        },
    )
    assert response.status_code == 302
    acme = company(session)
    assert (acme.name, acme.role, acme.delegation, acme.max_meetings_per_day) == (
        "アクメ・バイオ",
        "corporate",
        None,
        4,
    )
    assert "アクメ・バイオ" in organiser.get(response.location).get_data(as_text=True)


def test_two_organisers_editing_one_company(app, organiser, session, dummy_event):
    """Both load the form; the first save wins, the second is refused with a message, and the
    form then shows the first one's save to redo the change on."""
    acme = company(session)
    shown = acme.version_id
    other = app.test_client()
    other.post("/login", data={"email": "organiser@example.org", "password": PASSWORD})
    fields = {"role": "delegation", "delegation": "San Diego", "version": shown}
    first = other.post(f"/events/tiny/companies/{acme.id}/edit", data={**fields, "name": "First"})
    assert first.status_code == 302
    second = organiser.post(
        f"/events/tiny/companies/{acme.id}/edit", data={**fields, "name": "Second"}
    )
    assert second.status_code == 302 and second.location.endswith("/edit")
    page = organiser.get(second.location).get_data(as_text=True)
    assert "Someone else saved this meanwhile" in page
    assert 'value="First"' in page
    assert company(session).name == "First"


def test_attendees_added_edited_and_removed(organiser, session, dummy_event):
    acme = company(session)
    organiser.post(
        f"/events/tiny/companies/{acme.id}/attendees",
        data={"name": "山田 花子", "title": "事業開発部長", "email": "hanako@example.jp"},
    )
    session.rollback()
    person = session.scalar(select(Attendee).where(Attendee.name == "山田 花子"))
    assert (person.title, person.email, person.company_id) == (
        "事業開発部長",
        "hanako@example.jp",
        acme.id,
    )
    # A wrong email address is refused, with the field's name.
    organiser.post(f"/events/tiny/companies/{acme.id}/attendees", data={"name": "X", "email": "no"})
    page = organiser.get(f"/events/tiny/companies/{acme.id}").get_data(as_text=True)
    assert "not an email address" in page and "事業開発部長" in page
    response = organiser.post(
        f"/events/tiny/attendees/{person.id}/edit",
        data={"name": "山田 花子", "title": "", "email": "", "version": person.version_id},
    )
    assert response.status_code == 302
    session.rollback()
    assert (person.title, person.email) == (None, None)
    stale = organiser.post(
        f"/events/tiny/attendees/{person.id}/edit",
        data={"name": "Old", "version": person.version_id - 1},
    )
    assert stale.location.endswith("/edit")
    person_id = person.id
    organiser.post(f"/events/tiny/attendees/{person_id}/remove")  # without the tick: kept
    session.rollback()
    assert session.get(Attendee, person_id) is not None
    organiser.post(f"/events/tiny/attendees/{person_id}/remove", data={"confirm": "1"})
    session.rollback()
    assert session.get(Attendee, person_id) is None


def test_blocked_times_of_a_company_and_an_attendee(organiser, session, dummy_event):
    big = company(session, "big")
    bea = next(a for a in big.attendees if a.name == "Bea Big")
    for who in (0, bea.id):
        organiser.post(
            f"/events/tiny/companies/{big.id}/unavailable",
            data={"who": who, "day": "2026-10-14", "start": "10:00", "end": "10:30"},
        )
    session.rollback()
    blocks = session.scalars(select(UnavailableBlock).order_by(UnavailableBlock.id)).all()
    assert [(b.company_id, b.attendee_id) for b in blocks] == [(big.id, None), (None, bea.id)]
    assert blocks[0].start == datetime(2026, 10, 14, 1, 0, tzinfo=UTC)  # 10:00 in Tokyo
    # Another company's attendee cannot be given a block through this company's page.
    acme = company(session)
    organiser.post(
        f"/events/tiny/companies/{acme.id}/unavailable",
        data={"who": bea.id, "day": "2026-10-14", "start": "11:00", "end": "11:30"},
    )
    session.rollback()
    assert len(session.scalars(select(UnavailableBlock)).all()) == 2
    page = organiser.get(f"/events/tiny/companies/{big.id}").get_data(as_text=True)
    assert "2026-10-14 10:00\u201310:30" in page and "Bea Big" in page
    organiser.post(f"/events/tiny/unavailable/{blocks[1].id}/remove")
    session.rollback()
    assert session.scalars(select(UnavailableBlock.attendee_id)).all() == [None]


def test_tables_and_rooms(organiser, session, dummy_event):
    acme = company(session)
    organiser.post(
        "/events/tiny/locations/", data={"name": "Acme room", "kind": "room", "owner": acme.id}
    )
    organiser.post("/events/tiny/locations/", data={"name": "Table 2", "kind": "table", "owner": 0})
    session.rollback()
    rooms = {loc.name: loc for loc in session.scalars(select(Location))}
    assert rooms["Acme room"].owner_id == acme.id and rooms["Acme room"].external_id == "R001"
    assert rooms["Table 2"].owner_id is None
    assert "Acme room" in organiser.get(f"/events/tiny/companies/{acme.id}").get_data(as_text=True)
    table = rooms["Table 2"]
    organiser.post(
        f"/events/tiny/locations/{table.id}/edit",
        data={"name": "テーブル 2", "kind": "table", "owner": 0, "version": table.version_id},
    )
    session.rollback()
    assert table.name == "テーブル 2"
    # A table the published schedule uses stays; an unused one goes.
    run = organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    assert run.status_code == 302
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    session.rollback()
    from web.schedules.models import ScheduledMeeting

    used = session.get(Location, session.scalar(select(ScheduledMeeting.location_id).limit(1)))
    response = organiser.post(f"/events/tiny/locations/{used.id}/remove", follow_redirects=True)
    assert "schedule version 1" in response.get_data(as_text=True)
    organiser.post("/events/tiny/locations/", data={"name": "Spare", "kind": "table", "owner": 0})
    session.rollback()
    spare = session.scalar(select(Location).where(Location.name == "Spare"))
    organiser.post(f"/events/tiny/locations/{spare.id}/remove")
    session.rollback()
    names = set(session.scalars(select(Location.name)))
    assert used.name in names and "Spare" not in names
    assert current_version(session, dummy_event).number == 1


def test_setup_form_shows_the_days_and_saves_as_shown(organiser, session, dummy_event):
    """The setup form shows the days as the text it asks for (not the stored rows), so saving
    it untouched keeps the event as it is."""
    page = organiser.get("/events/tiny/setup").get_data(as_text=True)
    days = re.search(r'<textarea[^>]*name="days"[^>]*>\s*(.*?)</textarea>', page, re.S).group(1)
    assert days.strip() == "2026-10-14 10:00-11:30"
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    data = {
        "name": "Tiny partnering",
        "timezone": "Asia/Tokyo",
        "slot_minutes": 30,
        "days": days,
        "tables": 1,
        "version": version,
    }
    response = organiser.post("/events/tiny/setup", data=data)
    assert response.status_code == 302 and response.location.endswith("/events/tiny/")
    session.rollback()
    event = session.get(type(dummy_event), dummy_event.id)
    assert [d.date.isoformat() for d in event.days] == ["2026-10-14"]


def test_the_new_event_page_offers_no_delete_form(organiser, session, dummy_event):
    """The setup page's "Delete this event" section is an existing event's: on the page that
    makes a new one it posted to /events//delete (found by tests/web/test_forms_fuzz.py)."""
    page = organiser.get("/events/new").get_data(as_text=True)
    assert "/delete" not in page and 'id="delete"' not in page
    setup = organiser.get("/events/tiny/setup").get_data(as_text=True)
    assert 'action="/events/tiny/delete"' in setup


def _setup(organiser, **changes) -> tuple[int, str]:
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
    response = organiser.post("/events/tiny/setup", data=data, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def test_setup_refuses_what_every_solve_would_refuse(organiser, session, dummy_event):
    """Sessions the slots do not divide, sessions that overlap and a day given twice are
    refused in the form, in its words, and nothing is saved."""
    for days, message in [
        ("2026-10-14 10:00-12:45", "165 minutes, not a whole number of 30-minute slots"),
        ("2026-10-14 10:00-12:00 11:30-13:00", "10:00-12:00 and 11:30-13:00 overlap"),
        ("2026-10-14 10:00-11:00\n2026-10-14 14:00-15:00", "2026-10-14 is given twice"),
    ]:
        _status, page = _setup(organiser, days=days)
        assert message in page, days
        assert "Setup saved." not in page
    session.rollback()
    event = session.get(type(dummy_event), dummy_event.id)
    assert [(s.start.hour, s.end.hour) for d in event.days for s in d.sessions] == [(1, 2)]
    assert "end it at 12:30" in _setup(organiser, days="2026-10-14 10:00-12:45")[1]


def test_a_setup_change_that_unseats_published_meetings_asks_first(organiser, session, dummy_event):
    """After publishing, 20-minute slots leave every 30-minute meeting off the slots: the
    form lists them and saves only when told to, then says what the next solve must do."""
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    _status, page = _setup(organiser, slot_minutes=20, days="2026-10-14 10:00-11:20")
    assert "published meetings outside the sessions, off the slots" in page
    assert "Setup saved." not in page and "Acme Bio" in page
    slot = select(type(dummy_event).slot_minutes)
    session.rollback()
    assert session.scalar(slot) == 30
    _status, page = _setup(organiser, slot_minutes=30, days="2026-10-14 10:00-12:00")
    assert "Setup saved." in page and "no longer fit" not in page  # a longer day unseats none
    _status, page = _setup(organiser, slot_minutes=20, days="2026-10-14 10:00-11:20", take_out="y")
    assert "Setup saved." in page and "2 published meetings no longer fit the setup" in page
    session.rollback()
    assert session.scalar(slot) == 20


def test_shorter_slots_unseat_every_meeting_of_the_old_length(organiser, session, dummy_event):
    """30-minute slots become 15: each published meeting of one slot would now last two, so
    every one is listed, not only those off the new slots."""
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    _status, page = _setup(organiser, slot_minutes=15, days="2026-10-14 10:00-11:30")
    assert "This setup leaves 2 published meetings outside the sessions" in page


def test_setup_keeps_imported_tables(organiser, session, dummy_event):
    """Saving the setup with the same number of tables changes none of them; a higher number
    adds tables with fresh ids."""
    page = organiser.get("/events/tiny/setup").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    data = {
        "name": "Tiny partnering",
        "timezone": "Asia/Tokyo",
        "slot_minutes": 30,
        "days": "2026-10-14 10:00-11:30",
        "tables": 1,
        "version": version,
    }
    assert organiser.post("/events/tiny/setup", data=data).status_code == 302
    session.rollback()
    assert session.scalars(select(Location.external_id)).all() == ["T1"]
    page = organiser.get("/events/tiny/setup").get_data(as_text=True)
    data["version"] = re.search(r'name="version" value="(\d+)"', page).group(1)
    organiser.post("/events/tiny/setup", data={**data, "tables": 3})
    session.rollback()
    assert sorted(session.scalars(select(Location.external_id))) == ["T001", "T002", "T1"]


def test_organiser_forms_in_japanese(organiser, session, dummy_event):
    acme = company(session)
    organiser.post("/language", data={"language": "ja", "back": "/"})
    page = organiser.get(f"/events/tiny/companies/{acme.id}").get_data(as_text=True)
    assert "参加者を追加" in page
    assert "テーブル・部屋を追加" in organiser.get("/events/tiny/locations/").get_data(as_text=True)


def test_organiser_enters_a_request_for_a_company(organiser, session, dummy_event):
    """On a company's page the organiser asks, on its behalf, a company it has no request
    with; ticked as already accepted, the request is accepted at once. A second one for the
    same pair is refused with a message."""
    from web.meeting_requests.models import MeetingRequest

    acme, cell = company(session), company(session, "cell")
    page = organiser.get(f"/events/tiny/companies/{acme.id}").get_data(as_text=True)
    form = re.search(r'<select[^>]*name="to"[^>]*>(.*?)</select>', page, re.S).group(1)
    assert "Cell Co" in form and "Big Pharma" not in form  # acme already asked Big Pharma
    response = organiser.post(
        f"/events/tiny/companies/{acme.id}/requests",
        data={"to": cell.id, "priority": 4, "notes": "名刺交換済み", "accepted": "y"},
    )
    assert response.status_code == 302
    session.rollback()
    row = session.scalar(select(MeetingRequest).where(MeetingRequest.requested_id == cell.id))
    assert (row.requester_id, row.priority, row.notes, row.status, row.entered_by) == (
        acme.id,
        4,
        "名刺交換済み",
        "accepted",
        "organiser",
    )
    page = organiser.get(response.location).get_data(as_text=True)
    assert "Acme Bio and Cell Co: accepted" in page
    again = organiser.post(
        f"/events/tiny/companies/{cell.id}/requests", data={"to": acme.id, "priority": 2}
    )
    assert "Choose a company" in organiser.get(again.location).get_data(as_text=True)
    session.rollback()
    assert session.query(MeetingRequest).filter_by(requested_id=acme.id).count() == 0


def test_the_template_and_the_event_download_from_the_dashboard(
    organiser, session, dummy_event, tmp_path
):
    """What `partnering export` writes comes from the web app too, and imports back as it is:
    the organiser edits a sheet and brings it back without the command line."""
    from openpyxl import load_workbook

    from web.importing.files import import_file

    page = organiser.get("/events/tiny/").get_data(as_text=True)
    for link in ("/import-template.xlsx", "/events/tiny/export.xlsx", "/events/tiny/export.json"):
        assert f'href="{link}"' in page
    template = organiser.get("/import-template.xlsx")
    assert template.status_code == 200 and "attachment" in template.headers["Content-Disposition"]
    (tmp_path / "t.xlsx").write_bytes(template.data)
    assert "companies" in load_workbook(tmp_path / "t.xlsx").sheetnames
    for kind in ("xlsx", "zip", "json"):
        download = organiser.get(f"/events/tiny/export.{kind}")
        assert download.status_code == 200, kind
        path = tmp_path / f"tiny.{kind}"
        path.write_bytes(download.data)
        report = import_file(session, path, "tiny")
        session.rollback()
        assert all(c.get("created", 0) == 0 for c in report.counts.values()), (kind, report.counts)
    assert organiser.get("/events/tiny/export.exe").status_code == 404
    organiser.post("/logout")
    assert organiser.get("/events/tiny/export.json").status_code in (302, 401)
