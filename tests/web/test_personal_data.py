"""A person's personal data: the organiser downloads all of it, and erases it, with the
event's published history kept whole."""

from __future__ import annotations

import json

from sqlalchemy import select

from scheduler.validate.check import check_schedule
from tests.web.test_security import fair  # noqa: F401 - the solved, published tiny event
from web.audit.models import AuditEntry
from web.companies.models import Attendee
from web.companies.personal_data import ERASED
from web.notifications.models import Notification
from web.schedules.models import Publication, ScheduleVersion


def _placed_person(session) -> Attendee:
    """Someone with a meeting in the published schedule, an email and a message sent."""
    from web.schedules.models import ScheduledMeetingAttendee

    person = session.get(
        Attendee, session.scalars(select(ScheduledMeetingAttendee.attendee_id)).first()
    )
    person.email, person.title = "ann.private@acme.example", "Head of BD"
    session.add(
        Notification(
            event_id=person.event_id,
            company_id=person.company_id,
            attendee_id=person.id,
            kind="link",
            key="link:sent-before",
            payload={"note": "x"},
            status="sent",
            address=person.email,
            subject="Your link",
        )
    )
    session.commit()
    return person


def test_the_download_holds_everything_kept_about_the_person(organiser, session, fair):  # noqa: F811
    person = _placed_person(session)
    answer = organiser.get(f"/events/tiny/attendees/{person.id}/personal-data")
    assert answer.status_code == 200
    assert "attachment" in answer.headers["Content-Disposition"]
    data = json.loads(answer.get_data(as_text=True))
    assert (data["name"], data["email"], data["title"]) == (
        person.name,
        "ann.private@acme.example",
        "Head of BD",
    )
    assert data["company"] == person.company.name
    assert data["meetings"] and all(m["schedule_version"] == 1 for m in data["meetings"])
    assert {"kind": "link", "subject": "Your link"}.items() <= data["messages"][-1].items()


def test_erasing_removes_the_person_everywhere_and_keeps_the_history_whole(
    organiser,
    client,
    session,
    fair,  # noqa: F811
):
    person = _placed_person(session)
    name, token, person_id = person.name, person.access_token, person.id
    company_token = person.company.access_token
    queued = Notification(
        event_id=person.event_id,
        company_id=person.company_id,
        attendee_id=person.id,
        kind="digest",
        key="digest:not-yet",
        payload={},
    )
    session.add(queued)
    session.commit()
    before = json.loads(organiser.get("/events/tiny/schedules/1/schedule.json").get_data())
    organiser.post(  # an edit the audit trail records, with the values before and after
        f"/events/tiny/attendees/{person_id}/edit",
        data={
            "name": name,
            "title": "Head of BD (Asia)",
            "email": person.email,
            "version": person.version_id,
        },
    )
    session.rollback()
    before_trail = [e.changes for e in session.scalars(select(AuditEntry))]
    meetings = len(before["meetings"])

    refused = organiser.post(f"/events/tiny/attendees/{person_id}/erase", follow_redirects=True)
    assert "Tick the box to confirm erasing" in refused.get_data(as_text=True)
    done = organiser.post(
        f"/events/tiny/attendees/{person_id}/erase", data={"confirm": "1"}, follow_redirects=True
    )
    assert f"{name} erased" in done.get_data(as_text=True)

    session.rollback()
    session.expire_all()  # rows the app changed since this session last read them
    erased = session.get(Attendee, person_id)
    assert erased is not None and erased.removed_at is not None  # the history's row stays
    assert (erased.name, erased.title, erased.email) == (ERASED, None, None)
    assert erased.access_token != token
    assert client.get(f"/p/{token}/").status_code == 404  # a mailed link opens nothing
    messages = session.scalars(select(Notification).where(Notification.attendee_id == person_id))
    assert [(m.status, m.address, m.subject, m.payload) for m in messages] == [
        ("sent", None, None, {})
    ]

    # No copy of the name or the address is left in any stored document.
    for document in [v.instance for v in session.scalars(select(ScheduleVersion))] + [
        p.document for p in session.scalars(select(Publication))
    ]:
        text = json.dumps(document, ensure_ascii=False)
        assert name not in text and "ann.private@acme.example" not in text
    assert name not in client.get(f"/c/{company_token}/").get_data(as_text=True)
    trail = json.dumps([e.changes for e in session.scalars(select(AuditEntry))], ensure_ascii=False)
    assert "Head of BD" in json.dumps(before_trail, ensure_ascii=False)  # it was recorded
    assert (
        name not in trail and "ann.private@acme.example" not in trail and "Head of BD" not in trail
    )

    # The published schedule still holds every meeting, and still passes the check.
    after = json.loads(organiser.get("/events/tiny/schedules/1/schedule.json").get_data())
    assert len(after["meetings"]) == meetings
    assert any(erased.external_id in m["attendees"] for m in after["meetings"])
    version = session.scalar(select(ScheduleVersion))
    assert check_schedule(version.instance, after) == []
