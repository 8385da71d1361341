"""Changes that touch published meetings are never silent: a decline of a published meeting
is confirmed first and shows as pending on both companies' pages, the organiser's overview and
schedules page say the published schedule is out of date (with what and why), publishing asks
for a tick, and an older version or one made before a change says what it would bring back."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select

from web.companies.models import Attendee, Company, UnavailableBlock
from web.meeting_requests.models import MeetingRequest
from web.schedules.drift import published_drift


def _published_tiny(organiser) -> None:
    """Tiny event solved (both requests placed) and version 1 published."""
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    answer = organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    assert answer.status_code == 302


def _row(session, model, external_id):
    session.rollback()  # read what the app committed
    return session.scalar(select(model).where(model.external_id == external_id))


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_a_company_declines_a_published_meeting_only_when_it_confirms(
    organiser, client, session, dummy_event
):
    _published_tiny(organiser)
    big = _row(session, Company, "big")
    r2 = _row(session, MeetingRequest, "r2")
    home = client.get(f"/c/{big.access_token}/").get_data(as_text=True)
    assert "declining cancels it for both of you" in home  # the button asks for a tick

    client.post(f"/c/{big.access_token}/requests/{r2.id}/answer", data={"status": "declined"})
    assert _row(session, MeetingRequest, "r2").status == "accepted"  # no tick, no change
    home = client.get(f"/c/{big.access_token}/").get_data(as_text=True)
    assert "Tick the box to confirm" in home

    client.post(
        f"/c/{big.access_token}/requests/{r2.id}/answer",
        data={"status": "declined", "confirm": "1", "reason": "no_time"},
    )
    r2 = _row(session, MeetingRequest, "r2")
    assert (r2.status, r2.answered_by, r2.decline_reason) == ("declined", "company:big", "no_time")
    assert r2.answered_at is not None

    # The other company still has the meeting on its agenda, marked as going.
    cell = _row(session, Company, "cell")
    page = _text(client.get(f"/c/{cell.access_token}/").get_data(as_text=True))
    assert "declined by Big Pharma on" in page
    assert "cancelled for both companies when the organiser publishes" in page
    # Its printed agenda too: nobody goes to that table for nothing.
    printed = client.get(f"/c/{cell.access_token}/agenda").get_data(as_text=True)
    assert 'class="meeting pending" data-request="r2"' in printed
    assert "declined by Big Pharma on" in printed

    # The organiser's overview and schedules page name it, with who and why.
    for path in ("/events/tiny/", "/events/tiny/schedules/"):
        page = _text(organiser.get(path).get_data(as_text=True))
        assert "The published schedule is out of date" in page, path
        assert "1 published meeting is affected" in page
        assert "Cell Co × Big Pharma" in page and "declined by Big Pharma on" in page  # noqa: RUF001


def test_the_re_solve_from_the_notice_keeps_the_rest_and_the_feed_cancels_the_meeting(
    organiser, client, session, dummy_event
):
    _published_tiny(organiser)
    r2 = _row(session, MeetingRequest, "r2")
    organiser.post(
        f"/events/tiny/requests/{r2.id}/status", data={"status": "declined", "confirm": "1"}
    )
    page = organiser.get("/events/tiny/").get_data(as_text=True)
    form = re.search(
        r'<section class="box out-of-date".*?<form[^>]*action="([^"]+)"(.*?)</form>', page, re.S
    )
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(2)))
    assert fields["keep_published"] == "y" and fields["allow_moves"] == "0"
    organiser.post(form.group(1), data=fields)  # the notice's one-click re-solve
    page = organiser.get("/events/tiny/").get_data(as_text=True)
    assert 'href="/events/tiny/schedules/2/">Review version 2, made since' in page
    review = organiser.get("/events/tiny/schedules/2/").get_data(as_text=True)
    assert "1 kept, 0 moved, 0 new, 1 dropped" in _text(review)
    organiser.post("/events/tiny/schedules/2/publish", data={"confirm": "1"})
    cell = _row(session, Company, "cell")
    feed = client.get(f"/c/{cell.access_token}/agenda.ics").get_data(as_text=True)
    assert "STATUS:CANCELLED" in feed
    assert "out of date" not in organiser.get("/events/tiny/").get_data(as_text=True)
    page = _text(client.get(f"/c/{cell.access_token}/").get_data(as_text=True))
    assert "declined by" not in page  # no longer on its agenda, so no longer pending
    # Its page says what the publication changed for it; Acme's, that nothing did.
    assert re.search(r"Updated 2026-\d\d-\d\d \d\d:\d\d: 0 moved, 1 cancelled, 0 new", page)
    assert "cancelled Big Pharma: 10-14 " in page
    acme = _row(session, Company, "acme")
    page = _text(client.get(f"/c/{acme.access_token}/").get_data(as_text=True))
    assert "no change to this agenda" in page


def test_publishing_needs_a_tick_and_says_how_many_companies_see_a_change(
    organiser, session, dummy_event
):
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    review = _text(organiser.get("/events/tiny/schedules/1/").get_data(as_text=True))
    assert "Publishing sends their agendas to 3 companies" in review
    organiser.post("/events/tiny/schedules/1/publish")
    assert published_drift(session, dummy_event) is None  # nothing went out
    page = organiser.get("/events/tiny/schedules/1/").get_data(as_text=True)
    assert "Tick the box to confirm" in page
    organiser.post("/events/tiny/schedules/1/publish", data={"confirm": "1"})
    session.rollback()
    assert published_drift(session, dummy_event) is not None
    big = _row(session, Company, "big")
    page = _text(organiser.get(f"/c/{big.access_token}/").get_data(as_text=True))
    assert re.search(r"Published 2026-\d\d-\d\d \d\d:\d\d", page)


def test_an_older_version_says_what_it_brings_back_before_it_goes_out(
    organiser, session, dummy_event
):
    """Version 1 has both meetings; r2 is declined and version 2 (without it) published. Version
    1 then says it was made before version 2 went out, brings back one meeting, and that this
    meeting's request is declined now; the tick box says so."""
    _published_tiny(organiser)
    r2 = _row(session, MeetingRequest, "r2")
    organiser.post(
        f"/events/tiny/requests/{r2.id}/status", data={"status": "declined", "confirm": "1"}
    )
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/tiny/schedules/2/publish", data={"confirm": "1"})
    page = _text(organiser.get("/events/tiny/schedules/1/").get_data(as_text=True))
    assert "made before version 2 was published" in page
    assert "meetings brought back: 1, meetings taken away: 0" in page
    assert "1 meeting of this version no longer fits the event as it is now" in page
    assert "Cell Co × Big Pharma" in page and "declined by the organiser on" in page  # noqa: RUF001
    assert "publish it all the same" in page


def test_the_notice_names_blocked_times_and_counts_new_requests(
    organiser, client, session, dummy_event
):
    _published_tiny(organiser)
    session.rollback()
    drift = published_drift(session, dummy_event)
    assert drift is not None and not drift.out_of_date
    big = _row(session, Company, "big")
    session.add(  # Big Pharma blocks the whole session (10:00-11:30 in Tokyo)
        UnavailableBlock(
            event_id=dummy_event.id,
            company_id=big.id,
            start=datetime(2026, 10, 14, 1, 0, tzinfo=UTC),
            end=datetime(2026, 10, 14, 2, 30, tzinfo=UTC),
        )
    )
    session.commit()
    acme, cell = _row(session, Company, "acme"), _row(session, Company, "cell")
    client.post(f"/c/{acme.access_token}/requests", data={"to": cell.id, "priority": 3})
    session.rollback()
    asked = session.scalar(select(MeetingRequest).where(MeetingRequest.requested_id == cell.id))
    client.post(f"/c/{cell.access_token}/requests/{asked.id}/answer", data={"status": "accepted"})
    session.rollback()
    drift = published_drift(session, dummy_event)
    assert [a.kinds for a in drift.affected] == [("blocked",), ("blocked",)]
    assert drift.companies() == {"acme", "big", "cell"} and drift.waiting == 1
    page = _text(organiser.get("/events/tiny/").get_data(as_text=True))
    assert "2 published meetings are affected" in page
    assert "a time blocked since covers it" in page
    assert "1 accepted request is waiting for a meeting" in page


def test_a_company_withdraws_its_own_requests_and_no_one_else_s(
    organiser, client, session, dummy_event
):
    _published_tiny(organiser)
    acme, big, cell = (_row(session, Company, c) for c in ("acme", "big", "cell"))
    r1 = _row(session, MeetingRequest, "r1")  # Acme asked Big Pharma; published
    assert client.post(f"/c/{big.access_token}/requests/{r1.id}/withdraw").status_code == 404
    client.post(f"/c/{acme.access_token}/requests/{r1.id}/withdraw", data={"status": "cancelled"})
    assert _row(session, MeetingRequest, "r1").status == "accepted"  # published: a tick first
    client.post(
        f"/c/{acme.access_token}/requests/{r1.id}/withdraw",
        data={"status": "cancelled", "confirm": "1"},
    )
    r1 = _row(session, MeetingRequest, "r1")
    assert (r1.status, r1.answered_by) == ("cancelled", "company:acme")
    page = _text(client.get(f"/c/{big.access_token}/").get_data(as_text=True))
    assert "cancelled by Acme Bio on" in page

    # A request still waiting goes without a tick; accepting or declining is not for the asker.
    client.post(f"/c/{acme.access_token}/requests", data={"to": cell.id, "priority": 3})
    session.rollback()
    waiting = session.scalar(select(MeetingRequest).where(MeetingRequest.requested_id == cell.id))
    path = f"/c/{acme.access_token}/requests/{waiting.id}/withdraw"
    assert client.post(path, data={"status": "accepted"}).status_code == 400
    client.post(path, data={"status": "cancelled"})
    session.rollback()
    assert session.get(MeetingRequest, waiting.id).status == "cancelled"


def test_the_rule_is_the_service_layer_s_not_a_page_s(organiser, session, dummy_event):
    """Any caller (a page, the CLI, the coming API) answers through the same function, and
    it refuses to take back a published meeting unconfirmed."""
    import pytest

    from web.meeting_requests.answering import NeedsConfirmation, answer

    _published_tiny(organiser)
    r2 = _row(session, MeetingRequest, "r2")
    with pytest.raises(NeedsConfirmation):
        answer(session, r2, "declined", r2.version_id, "company:big")
    assert r2.status == "accepted"
    answer(session, r2, "declined", r2.version_id, "company:big", confirmed=True)
    session.commit()
    assert _row(session, MeetingRequest, "r2").status == "declined"


def test_the_review_groups_unscheduled_requests_by_reason_and_links_the_companies(
    organiser, session
):
    """One 30-minute slot and one table for two requests: one is placed, the other's reason is
    'no table free'; the review counts it under that kind, filters by it, links both companies
    and offers every unscheduled request as a CSV download."""
    import csv
    import io

    from tests.conftest import make_instance
    from tests.web.conftest import create_event

    one_slot = {"date": "2026-10-14", "sessions": [{"start": "10:00", "end": "10:30"}]}
    document = make_instance(event={**make_instance()["event"], "days": [one_slot]})
    create_event(session, "slot", document)
    organiser.post("/events/slot/runs/", data={"time_limit": 5, "seed": 0})
    page = organiser.get("/events/slot/schedules/1/").get_data(as_text=True)
    assert re.search(r'data-kind="tables"[^>]*>\s*no table free \(1\)', page)
    cell = _row(session, Company, "cell")
    big = _row(session, Company, "big")
    item = re.search(r'<li data-request="r2">(.*?)</li>', page, re.S).group(1)
    assert (
        f"/events/slot/companies/{cell.id}" in item and f"/events/slot/companies/{big.id}" in item
    )
    assert "no table is free" in item
    assert 'href="/events/slot/locations/">add tables' in item  # where to fix it
    # The figure 'companies without meetings' leads to them, by name, linked.
    assert '<a href="#no-meetings">1</a>' in page
    names = re.search(r'id="no-meetings".*?<ul class="columns-list">(.*?)</ul>', page, re.S).group(
        1
    )
    assert f"/events/slot/companies/{cell.id}" in names and "Big Pharma" not in names
    other = organiser.get("/events/slot/schedules/1/?reason=daily").get_data(as_text=True)
    assert 'data-request="r2"' not in other  # filtered out
    sheet = organiser.get("/events/slot/schedules/1/unscheduled.csv")
    rows = list(csv.DictReader(io.StringIO(sheet.get_data().decode("utf-8-sig"))))
    assert [(r["request"], r["requester"], r["requested"]) for r in rows] == [
        ("r2", "Cell Co", "Big Pharma")
    ]
    assert "no table is free" in rows[0]["reason"]


def test_companies_and_requests_are_found_by_a_part_of_a_name(organiser, session, dummy_event):
    page = organiser.get("/events/tiny/companies/?q=cell").get_data(as_text=True)
    assert "Cell Co" in page and "Acme Bio" not in page and "1 of 3" in page
    page = organiser.get("/events/tiny/companies/?role=corporate").get_data(as_text=True)
    assert "Big Pharma" in page and "Cell Co" not in page
    page = organiser.get("/events/tiny/companies/?q=%25").get_data(as_text=True)
    assert "No company matches." in page  # % is a letter here, not a wildcard
    page = organiser.get("/events/tiny/requests/?q=acme").get_data(as_text=True)
    assert "Acme Bio" in page and "Cell Co" not in page
    page = organiser.get("/events/tiny/requests/?q=big").get_data(as_text=True)
    assert "Acme Bio" in page and "Cell Co" in page  # Big Pharma is asked by both


def test_the_organiser_cancels_requests_and_deletes_a_company_entered_by_mistake(
    organiser, session, dummy_event
):
    from tests.web.conftest import create_event

    r1 = _row(session, MeetingRequest, "r1")  # before the second event: ids are unique
    organiser.post(f"/events/tiny/requests/{r1.id}/status", data={"status": "cancelled"})
    r1 = _row(session, MeetingRequest, "r1")
    assert (r1.status, r1.answered_by) == ("cancelled", "organiser:tiny")
    # A company no schedule has seen goes, with its requests; one on a kept version stays.
    other = create_event(session, "other")
    cell = session.scalar(
        select(Company).where(Company.event_id == other.id, Company.external_id == "cell")
    )
    cell_id, other_id = cell.id, other.id
    organiser.post(f"/events/other/companies/{cell_id}/delete")  # without the tick: kept
    session.rollback()
    assert session.get(Company, cell_id) is not None
    organiser.post(f"/events/other/companies/{cell_id}/delete", data={"confirm": "1"})
    session.rollback()
    session.expunge_all()
    assert session.get(Company, cell_id) is None
    assert (
        session.scalar(
            select(MeetingRequest).where(
                MeetingRequest.event_id == other_id, MeetingRequest.external_id == "r2"
            )
        )
        is None
    )
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    big = session.scalar(
        select(Company).where(Company.event_id != other_id, Company.external_id == "big")
    )
    page = organiser.post(
        f"/events/tiny/companies/{big.id}/delete", data={"confirm": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "has requests in schedule version 1, so stays" in page
    session.rollback()
    assert session.get(Company, big.id) is not None


def test_the_review_grid_shows_one_day_at_a_time(organiser, session):
    """Day by day (a BioJapan-size fair's three grids were two megabytes of page); a day
    number out of range shows the nearest day."""
    from tests.conftest import make_instance
    from tests.web.conftest import create_event

    days = [
        {"date": "2026-10-14", "sessions": [{"start": "10:00", "end": "11:00"}]},
        {"date": "2026-10-15", "sessions": [{"start": "14:00", "end": "15:00"}]},
    ]
    create_event(session, "two", make_instance(event={**make_instance()["event"], "days": days}))
    organiser.post("/events/two/runs/", data={"time_limit": 5, "seed": 0})
    first = organiser.get("/events/two/schedules/1/").get_data(as_text=True)
    second = organiser.get("/events/two/schedules/1/?day=1").get_data(as_text=True)
    beyond = organiser.get("/events/two/schedules/1/?day=9").get_data(as_text=True)
    heads = [re.findall(r"<th>(\d\d:\d\d)</th>", page) for page in (first, second, beyond)]
    assert heads[0] == ["10:00", "10:30"] and heads[1] == ["14:00", "14:30"] == heads[2]
    assert first.count('<table class="grid">') == 1


def test_an_event_is_deleted_whole_only_with_its_name_typed(organiser, session, dummy_event):
    from tests.web.conftest import create_event
    from web.events.models import Event
    from web.schedules.models import Publication, ScheduleVersion
    from web.solving.models import SolverRun

    create_event(session, "kept")
    _published_tiny(organiser)
    tiny_id = dummy_event.id
    organiser.post("/events/tiny/delete", data={"confirm": "tin"})
    session.rollback()
    assert session.scalar(select(Event.id).where(Event.slug == "tiny")) == tiny_id
    page = organiser.post("/events/tiny/delete", data={"confirm": "tiny"}, follow_redirects=True)
    assert "Tiny partnering deleted." in page.get_data(as_text=True)
    session.rollback()
    session.expunge_all()
    for model in (Company, MeetingRequest, ScheduleVersion, Publication, SolverRun):
        rows = session.scalars(select(model).where(model.event_id == tiny_id)).all()
        assert rows == [], model.__name__
    kept = session.scalar(select(Event).where(Event.slug == "kept"))
    assert len(session.scalars(select(Company).where(Company.event_id == kept.id)).all()) == 3
    assert organiser.get("/events/tiny/").status_code == 404


def test_a_form_sent_twice_publishes_once_and_the_notice_keeps_the_real_changes(
    organiser, client, session, dummy_event
):
    """Found in a browser walk: the same publish sent twice made a second publication of the
    same version, after which every agenda said 'no change'."""
    from web.schedules.models import Publication

    _published_tiny(organiser)
    r2 = _row(session, MeetingRequest, "r2")
    organiser.post(
        f"/events/tiny/requests/{r2.id}/status", data={"status": "declined", "confirm": "1"}
    )
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0})
    for _twice in range(2):
        page = organiser.post(
            "/events/tiny/schedules/2/publish", data={"confirm": "1"}, follow_redirects=True
        ).get_data(as_text=True)
    assert "Version 2 is already what companies see." in page
    session.rollback()
    assert len(session.scalars(select(Publication)).all()) == 2
    cell = _row(session, Company, "cell")
    page = _text(client.get(f"/c/{cell.access_token}/").get_data(as_text=True))
    assert "0 moved, 1 cancelled, 0 new" in page


def test_a_person_sees_the_meeting_going_too_and_a_company_asks_again(
    organiser, client, session, dummy_event
):
    _published_tiny(organiser)
    acme = _row(session, Company, "acme")
    r1 = _row(session, MeetingRequest, "r1")
    withdraw = f"/c/{acme.access_token}/requests/{r1.id}/withdraw"
    client.post(withdraw, data={"status": "cancelled", "confirm": "1"})
    ann = acme.attendees[0]
    page = _text(client.get(f"/p/{ann.access_token}/").get_data(as_text=True))
    assert "cancelled by Acme Bio on" in page  # on the person's own agenda as well
    assert "Ask again" in client.get(f"/c/{acme.access_token}/").get_data(as_text=True)
    client.post(withdraw, data={"status": "requested"})
    assert _row(session, MeetingRequest, "r1").status == "requested"
    # A declined request is not the asker's to ask again, unless the organiser allows it.
    r1 = _row(session, MeetingRequest, "r1")
    big = _row(session, Company, "big")
    answer = {"status": "declined", "confirm": "1", "reason": "not_a_fit"}  # still published
    client.post(f"/c/{big.access_token}/requests/{r1.id}/answer", data=answer)
    assert _row(session, MeetingRequest, "r1").status == "declined"
    refused = client.post(withdraw, data={"status": "requested"}, follow_redirects=True)
    assert "The organiser does not let a declined request be asked again." in refused.get_data(
        as_text=True
    )
    assert _row(session, MeetingRequest, "r1").status == "declined"


def test_the_same_person_added_twice_is_one_person(organiser, client, session, dummy_event):
    """On the company's page and the organiser's alike (one rule: add_attendee's)."""
    acme = _row(session, Company, "acme")
    for _twice in range(2):
        client.post(f"/c/{acme.access_token}/people", data={"name": "Aki Acme"})
    page = organiser.post(
        f"/events/tiny/companies/{acme.id}/attendees",
        data={"name": " aki acme ", "title": "CSO"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "aki acme is already one of Acme Bio" in page
    session.rollback()
    assert [a.name for a in acme.attendees] == ["Ann Acme", "Aki Acme"]
    organiser.post(
        "/events/tiny/companies/new",
        data={"name": "Twice Co", "role": "delegation", "attendees": "Tom\ntom\nTia"},
    )
    session.rollback()
    twice = session.scalar(select(Company).where(Company.name == "Twice Co"))
    assert [a.name for a in twice.attendees] == ["Tom", "Tia"]


def test_a_meeting_held_by_other_people_is_a_change_on_review_and_on_the_agenda(
    organiser, client, session, dummy_event
):
    """Same time, same table, Bea instead of Bo: the company's agenda keeps the meeting, but
    Bo's and Bea's own agendas change, so the review counts it and the company is told."""
    from dataclasses import replace

    from web.conversion import add_schedule_version, schedule_from_version
    from web.schedules.operations import current_version

    _published_tiny(organiser)
    session.rollback()
    schedule = schedule_from_version(session, current_version(session, dummy_event))
    first = schedule.meetings[0]
    other = {"big-1": "big-2", "big-2": "big-1"}
    swapped = tuple(other.get(a, a) for a in first.attendees)
    meetings = (replace(first, attendees=swapped), *schedule.meetings[1:])
    add_schedule_version(session, dummy_event, replace(schedule, meetings=meetings))
    session.commit()
    page = _text(organiser.get("/events/tiny/schedules/2/").get_data(as_text=True))
    assert "1 kept, 0 moved, 0 new, 0 dropped, 1 with other people" in page
    assert "changes the agendas and subscribed calendars of 2 companies (0 moved" in page
    organiser.post("/events/tiny/schedules/2/publish", data={"confirm": "1"})
    big = _row(session, Company, "big")
    agenda = _text(client.get(f"/c/{big.access_token}/").get_data(as_text=True))
    assert "0 moved, 0 cancelled, 0 new, 1 with other people" in agenda
    # Each of the two people is told on their own page; Ann Acme's agenda is unchanged.
    for person in ("big-1", "big-2"):
        token = _row(session, Attendee, person).access_token
        own = _text(client.get(f"/p/{token}/").get_data(as_text=True))
        assert "0 moved, 0 cancelled, 0 new, 1 with other people" in own, person


def test_a_reason_links_to_the_form_that_fixes_it(organiser, session):
    """Big Pharma may hold one meeting a day: the second request's reason links to Big
    Pharma's form, where the daily maximum is changed, not to the other side's."""
    from tests.conftest import make_instance
    from tests.web.conftest import create_event

    document = make_instance()
    document["companies"][1]["max_meetings_per_day"] = 1
    create_event(session, "daily", document)
    organiser.post("/events/daily/runs/", data={"time_limit": 5, "seed": 0})
    page = organiser.get("/events/daily/schedules/1/").get_data(as_text=True)
    item = re.search(r'<li data-request="r2">(.*?)</li>', page, re.S).group(1)
    big = _row(session, Company, "big")
    assert f'href="/events/daily/companies/{big.id}/edit">change the daily maximum' in item


def test_who_may_answer_is_the_service_layer_s_rule(session, dummy_event):
    """The asked company answers, the asking one takes back and asks again, whatever page
    or caller sends the change."""
    import pytest

    from web.meeting_requests.answering import NotYourAnswer, answer

    r1 = _row(session, MeetingRequest, "r1")  # acme asked big; not published
    with pytest.raises(NotYourAnswer):
        answer(session, r1, "accepted", r1.version_id, "company:acme", side="asking")
    with pytest.raises(NotYourAnswer):
        answer(session, r1, "cancelled", r1.version_id, "company:big", side="asked")
    with pytest.raises(NotYourAnswer):  # asking again is for a request taken back, not declined
        answer(session, r1, "requested", r1.version_id, "company:acme", side="asking")
    answer(session, r1, "cancelled", r1.version_id, "company:acme", side="asking")
    answer(session, r1, "requested", r1.version_id, "company:acme", side="asking")
    session.commit()
    assert _row(session, MeetingRequest, "r1").status == "requested"


def test_a_person_placed_in_published_meetings_can_be_taken_off_and_a_colleague_takes_over(
    organiser, client, session, dummy_event
):
    """Bo Big drops out after publishing: he is taken off (his own link ends), the overview
    says his meeting is affected, and the re-solve gives it to Bea with the rest kept."""
    from web.conversion import schedule_from_version
    from web.schedules.operations import current_version

    _published_tiny(organiser)
    session.rollback()
    schedule = schedule_from_version(session, current_version(session, dummy_event))
    with_bo = [m for m in schedule.meetings if "big-1" in m.attendees]
    if not with_bo:  # the solver gave both meetings to Bea: take her off instead
        gone, stays = "big-2", "big-1"
    else:
        gone, stays = "big-1", "big-2"
    person = _row(session, Attendee, gone)
    link = f"/p/{person.access_token}/"
    assert client.get(link).status_code == 200
    page = organiser.post(
        f"/events/tiny/attendees/{person.id}/remove", data={"confirm": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "removed." in _text(page) and "gives them to a colleague" in _text(page)
    assert client.get(link).status_code == 404
    overview = _text(organiser.get("/events/tiny/").get_data(as_text=True))
    assert "an attendee was removed or changed" in overview
    organiser.post("/events/tiny/runs/", data={"time_limit": 5, "seed": 0, "keep_published": "y"})
    session.rollback()
    from web.schedules.models import ScheduleVersion

    latest = session.scalar(select(ScheduleVersion).order_by(ScheduleVersion.number.desc()))
    again = schedule_from_version(session, latest)
    assert len(again.meetings) == len(schedule.meetings)
    assert all(gone not in m.attendees for m in again.meetings)
    assert any(stays in m.attendees for m in again.meetings)


def test_a_company_is_told_which_accepted_request_has_no_meeting_and_why(
    organiser, client, session
):
    """One slot, one table, two requests: the request left out says so on both companies'
    pages, with a reason that tells nothing of the other side's agenda."""
    from tests.conftest import make_instance
    from tests.web.conftest import create_event

    one_slot = {"date": "2026-10-14", "sessions": [{"start": "10:00", "end": "10:30"}]}
    create_event(
        session, "one", make_instance(event={**make_instance()["event"], "days": [one_slot]})
    )
    organiser.post("/events/one/runs/", data={"time_limit": 5, "seed": 0})
    organiser.post("/events/one/schedules/1/publish", data={"confirm": "1"})
    session.rollback()
    for external_id in ("cell", "big"):
        company = session.scalar(
            select(Company).where(Company.external_id == external_id, Company.event.has(slug="one"))
        )
        page = _text(client.get(f"/c/{company.access_token}/").get_data(as_text=True))
        assert (
            "not in the published schedule: no table was free at the times you are both free"
            in page
        )
    acme = session.scalar(
        select(Company).where(Company.external_id == "acme", Company.event.has(slug="one"))
    )
    assert "not in the published schedule" not in client.get(f"/c/{acme.access_token}/").get_data(
        as_text=True
    )
