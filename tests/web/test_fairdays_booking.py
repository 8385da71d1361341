"""Self-booking of free slots after publication: what is free, the booking made part of the
published schedule (a new publication, the new meeting at SEQUENCE 0, the format's rules
kept), both sides told, and each refusal worded."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from scheduler.formats.schedule_io import schedule_to_document
from scheduler.validate.check import check_schedule
from tests.web.fairdays_builders import ELEVEN, TEN, company, published_fair
from web.conversion import document_from_event
from web.fairdays.free import NotBookable, free_slots, partners
from web.fairdays.models import Booking
from web.fairdays.operations import SlotTaken, answer_booking, book
from web.notifications.models import Notification
from web.schedules.models import Publication
from web.schedules.operations import published_state

BEFORE = TEN.replace(hour=0)  # 09:00 in Tokyo, before the session


def test_only_the_times_both_companies_and_a_table_are_free_are_offered(session):
    event = published_fair(session)
    acme, cell, big = company(session, "acme"), company(session, "cell"), company(session, "big")
    assert [s.start for s in free_slots(session, event, acme, cell, BEFORE)] == [ELEVEN]
    assert [s.start for s in free_slots(session, event, acme, cell, ELEVEN)] == []  # started
    names = [c.external_id for c in partners(session, event, acme)]
    assert "big" not in names  # already meets acme
    assert names == ["cell", "dell"]
    assert free_slots(session, event, big, company(session, "dell"), BEFORE)[0].start == ELEVEN


def test_a_confirmed_booking_is_published_and_checked_and_told(session):
    event = published_fair(session)
    acme, cell = company(session, "acme"), company(session, "cell")
    before = published_state(session, event)
    book(session, event, acme, cell, ELEVEN, BEFORE)
    session.commit()
    after = published_state(session, event)
    assert after.key.id != before.key.id
    assert session.scalar(select(func.count()).select_from(Publication)) == 2
    new = [m for m in after.calendars.meetings if m.request not in before.request_ids]
    assert len(new) == 1 and new[0].sequence == 0 and new[0].placement.start == ELEVEN
    kept = {
        m.request: m.sequence for m in after.calendars.meetings if m.request in before.request_ids
    }
    assert kept == {m.request: m.sequence for m in before.calendars.meetings}
    # the published schedule exported now passes the format's check against the event now
    instance_doc = document_from_event(session, event)
    assert check_schedule(instance_doc, schedule_to_document(after.schedule, after.instance)) == []
    told = {n.company.external_id for n in session.scalars(select(Notification))}
    assert {"acme", "cell"} <= told
    assert "big" not in {
        n.company.external_id
        for n in session.scalars(select(Notification).where(Notification.kind == "schedule"))
        if n.payload.get("publication") == after.key.id
    }


def test_what_a_booking_keeps_in_memory_is_what_the_database_reads_back(session):
    """The booking does not read the fair back (seconds at scale): the publication it keeps
    for this process (instance with the request it made, schedule, calendars) must be what
    any other process reads from the rows."""
    from scheduler.formats.instance_reader import instance_from_document
    from web.schedules import operations

    event = published_fair(session)
    book(session, event, company(session, "acme"), company(session, "cell"), ELEVEN, BEFORE)
    session.commit()
    kept = published_state(session, event)
    with operations._KEPT_LOCK:
        operations._KEPT.clear()
    session.expire_all()
    read = published_state(session, event)
    assert read is not kept
    assert read.instance == kept.instance
    assert read.schedule == kept.schedule
    assert read.calendars == kept.calendars
    version = session.get(operations.ScheduleVersion, read.schedule_version_id)
    assert instance_from_document(version.instance)[0] == kept.instance
    made = kept.instance.requests[-1]  # the request the booking made (the two had none)
    assert made.id.startswith("booked-") and made.companies == ("acme", "cell")


def test_a_booking_on_a_solved_schedule_keeps_its_summary_true(session):
    """A solve's summary counts the meetings and sums their priorities: the booking's new
    version says them of the schedule with the booked meeting, so the checker passes."""
    event = published_fair(session, solved=True)
    before = published_state(session, event).schedule.summary
    book(session, event, company(session, "acme"), company(session, "cell"), ELEVEN, BEFORE)
    session.commit()
    after = published_state(session, event)
    assert after.schedule.summary["scheduled"] == before["scheduled"] + 1 == 3
    assert after.schedule.summary["status"] == "OPTIMAL"  # what the solve said is kept
    instance_doc = document_from_event(session, event)
    assert check_schedule(instance_doc, schedule_to_document(after.schedule, after.instance)) == []


def test_the_slot_taken_is_refused_with_a_clear_message(session):
    event = published_fair(session)
    book(session, event, company(session, "acme"), company(session, "cell"), ELEVEN, BEFORE)
    session.commit()
    with pytest.raises(SlotTaken, match="no longer free"):
        book(session, event, company(session, "big"), company(session, "dell"), ELEVEN, BEFORE)


def test_a_booking_to_accept_waits_holds_the_slot_and_is_published_when_accepted(session):
    event = published_fair(session, mode="accept")
    acme, cell = company(session, "acme"), company(session, "cell")
    booking = book(session, event, acme, cell, ELEVEN, BEFORE)
    session.commit()
    assert booking.status == "pending"
    assert session.scalar(select(func.count()).select_from(Publication)) == 1
    asked = session.scalar(select(Notification).where(Notification.kind == "booking"))
    assert asked.company_id == cell.id and asked.payload["state"] == "asked"
    with pytest.raises(SlotTaken):  # held for the pending booking
        book(session, event, company(session, "big"), company(session, "dell"), ELEVEN, BEFORE)
    session.rollback()
    with pytest.raises(NotBookable):  # only the asked side answers
        answer_booking(session, event, booking, acme, True, BEFORE)
    answer_booking(session, event, booking, cell, True, BEFORE)
    session.commit()
    assert booking.status == "confirmed"
    assert ELEVEN in [m.start for m in published_state(session, event).schedule.meetings]


def test_a_declined_booking_frees_the_slot_and_tells_the_booker(session):
    event = published_fair(session, mode="accept")
    acme, cell = company(session, "acme"), company(session, "cell")
    booking = book(session, event, acme, cell, ELEVEN, BEFORE)
    session.commit()
    answer_booking(session, event, booking, cell, False, BEFORE)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Booking)) == 0
    told = session.scalars(select(Notification).where(Notification.kind == "booking")).all()
    assert {(n.company_id, n.payload["state"]) for n in told} == {
        (cell.id, "asked"),
        (acme.id, "declined"),
    }
    assert [s.start for s in free_slots(session, event, acme, cell, BEFORE)] == [ELEVEN]


def test_booking_is_refused_while_the_organiser_has_it_off(session):
    event = published_fair(session, mode="off")
    with pytest.raises(NotBookable, match="not opened"):
        book(session, event, company(session, "acme"), company(session, "cell"), ELEVEN, BEFORE)


def test_a_booking_to_answer_is_told_in_the_asked_company_s_language(session):
    from web.notifications.compose import letter

    event = published_fair(session, mode="accept")
    cell = company(session, "cell")
    cell.language = "ja"
    session.commit()
    book(session, event, company(session, "acme"), cell, ELEVEN, BEFORE)
    session.commit()
    row = session.scalar(select(Notification).where(Notification.kind == "booking"))
    told = letter(session, row)
    assert "Acme Bio" in told.subject and "商談を予約しました" in told.subject
    assert "10月14日" in told.text and "11:00" in told.text and "Table 1" in told.text
    assert f"/c/{cell.access_token}/fair/book" in told.text


def test_a_booking_places_the_pair_s_accepted_request_with_the_people_it_names(session):
    """Big Pharma and Dell have an accepted request the schedule left out, naming Bea Big:
    booking places that request (no second one) with Bea, not the first free person."""
    from web.companies.models import Attendee
    from web.meeting_requests.models import MeetingRequest, RequestAttendee
    from web.meeting_requests.operations import add_request

    event = published_fair(session)
    big, dell = company(session, "big"), company(session, "dell")
    request = add_request(session, event, big, dell, "r3", status="accepted")
    bea = session.scalar(select(Attendee).where(Attendee.external_id == "big-2"))
    session.add(RequestAttendee(request_id=request.id, attendee_id=bea.id))
    session.commit()
    [slot] = free_slots(session, event, big, dell, BEFORE)
    assert bea.id in slot.people
    book(session, event, big, dell, ELEVEN, BEFORE)
    session.commit()
    placed = {m.request: m for m in published_state(session, event).schedule.meetings}
    assert set(placed["r3"].attendees) == {"big-2", "dell-1"}
    assert session.scalar(select(func.count()).select_from(MeetingRequest)) == 3
