"""A person's personal data: all of it, for the organiser to hand over on request (GDPR's
right of access), and its erasure (the right to erasure).

Erasing keeps the event's published history consistent: a person placed in a kept schedule
stays as a row (as a removal leaves them), so meetings still have both sides and `partnering
check` still passes, but the row no longer says who they were: the name becomes `ERASED` (in
both languages), the title and address go, the private link is replaced (a mailed one opens
nothing). Copies of the
person kept elsewhere go too: the instance each schedule version was solved from, and the
outbox (messages not yet sent are dropped; sent ones lose the address and what they said),
and the audit trail's values of the person's row.
The person's id in files is kept: it names no one unless the organiser made it from a name."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from web.audit.trail import erase_row
from web.companies.models import Attendee, new_access_token
from web.companies.operations import remove_attendee

ERASED = "(erased · 消去済み)"  # a stored name, read in either language


def personal_data(session: Session, person: Attendee) -> dict[str, Any]:
    """Everything the app keeps about one person, as plain data (a JSON download)."""
    from web.notifications.models import Notification

    zone = person.company.event.timezone
    messages = session.scalars(
        select(Notification).where(Notification.attendee_id == person.id).order_by(Notification.id)
    )
    return {
        "event": person.company.event.slug,
        "company": person.company.name,
        "id": person.external_id,
        "name": person.name,
        "title": person.title,
        "email": person.email,
        "time_zone": zone,
        "unavailable": [{"start": _iso(b.start), "end": _iso(b.end)} for b in person.unavailable],
        "meetings": _meetings(session, person),
        "messages": [
            {
                "kind": m.kind,
                "subject": m.subject,
                "address": m.address,
                "status": m.status,
                "sent_at": _iso(m.sent_at),
            }
            for m in messages
        ],
    }


def erase_person(session: Session, person: Attendee) -> None:
    """Take the person off the event and erase what identifies them (see the module)."""
    from web.notifications.models import Notification

    event_id, external_id, person_id = person.event_id, person.external_id, person.id
    session.execute(
        delete(Notification).where(
            Notification.attendee_id == person.id,
            Notification.status.in_(("queued", "sending")),
        )
    )
    sent = select(Notification).where(Notification.attendee_id == person.id)
    for message in session.scalars(sent):
        message.address, message.payload, message.subject = None, {}, None
    if person.removed_at is None:
        remove_attendee(session, person)
    if person in session and person.removed_at is not None:  # kept for a schedule's history
        person.name, person.title, person.email = ERASED, None, None
        person.access_token = new_access_token()
    _scrub_solved_instances(session, event_id, external_id)
    session.flush()
    erase_row(session, event_id, "attendees", person_id)  # the trail's copies, this one's too


def _scrub_solved_instances(session: Session, event_id: int, external_id: str) -> None:
    """The person in the instance documents schedule versions were solved from."""
    from web.schedules.models import ScheduleVersion

    versions = session.scalars(
        select(ScheduleVersion).where(
            ScheduleVersion.event_id == event_id, ScheduleVersion.instance.is_not(None)
        )
    )
    for version in versions:
        changed = False
        for company in version.instance.get("companies", []):
            for entry in company.get("attendees", []):
                if entry.get("id") == external_id:
                    entry.clear()
                    entry.update(id=external_id, name=ERASED)
                    changed = True
        if changed:
            flag_modified(version, "instance")


def _meetings(session: Session, person: Attendee) -> list[dict[str, Any]]:
    """The person's meetings in every kept schedule version (the published one included)."""
    from web.schedules.models import ScheduledMeeting, ScheduledMeetingAttendee, ScheduleVersion

    rows = session.execute(
        select(ScheduleVersion.number, ScheduledMeeting)
        .join(ScheduledMeeting, ScheduledMeeting.schedule_version_id == ScheduleVersion.id)
        .join(ScheduledMeetingAttendee, ScheduledMeetingAttendee.meeting_id == ScheduledMeeting.id)
        .where(ScheduledMeetingAttendee.attendee_id == person.id)
        .order_by(ScheduleVersion.number, ScheduledMeeting.start)
    )
    return [
        {
            "schedule_version": number,
            "request": m.request.external_id,
            "start": _iso(m.start),
            "end": _iso(m.end),
            "location": m.location.external_id,
        }
        for number, m in rows
    ]


def _iso(moment) -> str | None:
    return moment.isoformat() if moment is not None else None
