"""Writing messages into the outbox, inside the caller's transaction (no Flask here: the
service layer calls these, and so will the API and the CLI).

Each function says who is told what about one cause. A person is told when they have an
email address, and when neither the event nor their company has switched that kind off.
Nothing here sends: web.notifications.delivery does, after the transaction commits."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from web.companies.models import Attendee, Company
from web.db import utc_now
from web.events.models import Event
from web.meeting_requests.models import MeetingRequest, RequestMessage
from web.notifications.models import Notification

MAIL_WRITTEN = "partnering.mail_written"  # in session.info: deliver after the commit


def mail_on(event: Event, company: Company, kind: str) -> bool:
    """Whether `kind` of message is sent to this company at all."""
    return kind not in (event.mail_off or []) and kind not in (company.mail_off or [])


def recipients(company: Company) -> list[Attendee]:
    """The company's people who have an email address."""
    return [a for a in company.attendees if a.email]


def write(
    session: Session,
    company: Company,
    kind: str,
    cause: str,
    payload: dict,
    people: list[Attendee] | None = None,
) -> list[Notification]:
    """One message per person of `company` (or `people`) about `cause`; a message already
    written for the same cause and person is not written again."""
    event = company.event
    if not mail_on(event, company, kind):
        return []
    wanted = {
        f"{kind}:{cause}:{person.id}": person
        for person in (people if people is not None else recipients(company))
        if person.email
    }
    if not wanted:
        return []
    known = set(session.scalars(select(Notification.key).where(Notification.key.in_(wanted))))
    rows = [
        Notification(
            event_id=event.id,
            company_id=company.id,
            attendee_id=person.id,
            kind=kind,
            key=key,
            payload=payload,
        )
        for key, person in wanted.items()
        if key not in known
    ]
    session.add_all(rows)
    if rows:
        session.info[MAIL_WRITTEN] = True
    return rows


# --- the causes -------------------------------------------------------------------------------


def private_link(session: Session, company: Company, at: datetime | None = None) -> list:
    """The organiser sends a company its link (each click is a new cause: a resend)."""
    at = at or utc_now()
    return write(session, company, "link", f"{company.id}:{at.isoformat()}", {})


def request_made(session: Session, request: MeetingRequest) -> list:
    """The asked company hears of a new request (never of its priority: that stays between
    the asking company and the organiser)."""
    payload = {"request": request.id}
    return write(session, request.requested, "request", f"{request.id}:made", payload)


def request_answered(
    session: Session,
    request: MeetingRequest,
    by_company_id: int | None,
    note: RequestMessage | None = None,
):
    """The other side hears an answer: the asking company of an accept or a decline (with
    its reason and the words it came with, `note`), the asked one of a request taken back or
    asked again. An answer the organiser gives on a company's behalf is told to both."""
    told = [side for side in (request.requester, request.requested) if side.id != by_company_id]
    cause = f"{request.id}:{request.status}:{(request.answered_at or utc_now()).isoformat()}"
    payload = {"request": request.id, "status": request.status}
    if request.status == "declined":
        payload |= {"reason": request.decline_reason, "note": note.id if note else None}
    return [n for side in told for n in write(session, side, "answer", cause, payload)]


def request_replied(session: Session, request: MeetingRequest, message: RequestMessage) -> list:
    """The other side of the conversation hears a reply, with its words."""
    other = request.requester if message.author_id == request.requested_id else request.requested
    payload = {"request": request.id, "message": message.id}
    return write(session, other, "reply", str(message.id), payload)


def request_expired(session: Session, request: MeetingRequest) -> list:
    """The asking company hears that its request expired unanswered (once per asking)."""
    payload = {"request": request.id}
    cause = f"{request.id}:{request.asked_at.isoformat()}"
    return write(session, request.requester, "expired", cause, payload)


def window_closing(session: Session, company: Company, closes_at: datetime, waiting: int):
    """A company with requests to it still unanswered hears that the request window closes
    soon: once per company and window (a window moved by the organiser is a new one)."""
    payload = {"closes": closes_at.isoformat(), "waiting": waiting}
    return write(session, company, "reminder", f"{company.id}:{closes_at.isoformat()}", payload)


def schedule_published(
    session: Session, publication_id: int, changes: dict[int, dict], first: bool
) -> list:
    """Each company whose agenda this publication changes (every company with a meeting at the
    first one) hears its own changes; companies whose agenda stays as it was hear nothing."""
    companies = session.scalars(select(Company).where(Company.id.in_(changes)))
    written = []
    for company in companies:
        payload = {"publication": publication_id, "first": first, **changes[company.id]}
        written += write(session, company, "schedule", str(publication_id), payload)
    return written


def organiser_summary(session: Session, event: Event, organiser, day: date, payload: dict):
    """The organiser's morning summary of the event (once per organiser, event and day)."""
    if "summary" in (event.mail_off or []):
        return []
    key = f"summary:{event.id}:{day.isoformat()}:{organiser.id}"
    if session.scalar(select(Notification.id).where(Notification.key == key)) is not None:
        return []
    row = Notification(
        event_id=event.id, organiser_id=organiser.id, kind="summary", key=key, payload=payload
    )
    session.add(row)
    session.info[MAIL_WRITTEN] = True
    return [row]


def companies_not_opened(session: Session, event: Event) -> Iterable[Company]:
    """The companies that have not opened their link yet: those the organiser chases."""
    return session.scalars(
        select(Company).where(Company.event_id == event.id, Company.link_opened_at.is_(None))
    )


def invitation_sent(session: Session, invitation, token: str, by) -> Notification:
    """An owner invites someone to the event: the message carries the link's secret (the
    invitation keeps only its hash); accepting or withdrawing it erases it here too."""
    row = Notification(
        event_id=invitation.event_id,
        kind="invitation",
        key=f"invitation:{invitation.id}",
        payload={"token": token, "role": invitation.role, "invited_by": by.name or by.email},
        address=invitation.email,
    )
    session.add(row)
    session.info[MAIL_WRITTEN] = True
    return row


def invitation_closed(session: Session, invitation) -> None:
    """The link no longer works: its secret leaves the outbox, and a message not sent yet
    is not sent at all."""
    row = session.scalar(
        select(Notification).where(Notification.key == f"invitation:{invitation.id}")
    )
    if row is None:
        return
    row.payload = {**row.payload, "token": None}
    if row.status == "queued":
        row.status, row.last_error = "failed", "the invitation was accepted or withdrawn"


def invitation_link(session: Session, invitation) -> str | None:
    """The link of an invitation not sent yet, for the owner to copy (mail not configured)."""
    row = session.scalar(
        select(Notification).where(Notification.key == f"invitation:{invitation.id}")
    )
    token = row.payload.get("token") if row is not None else None
    return token
