"""Answering a request, as every page (and the coming API) does it: the rule that a published
meeting is not taken back without saying so lives here once.

Apart from `operations` because it reads the published schedule (web.schedules), which itself
reads requests: this module sits above both."""

from __future__ import annotations

from typing import Literal

from sqlalchemy.orm import Session

from scheduler.words import Refusal
from web.meeting_requests.conversation import add_decline_note, check_reason, clean_message
from web.meeting_requests.models import MeetingRequest
from web.meeting_requests.operations import set_status
from web.meeting_requests.rules import check_may_ask_again
from web.notifications.outbox import request_answered
from web.schedules.operations import published_state
from web.webhooks import operations as webhooks

TAKEN_BACK = ("declined", "cancelled")  # what cancels a published meeting at the next publish
Side = Literal["asked", "asking", "organiser"]


def may_answer(row: MeetingRequest, status: str, side: Side) -> bool:
    """Who may move a request to what: the asked company accepts or declines; the asking one
    takes its request back, and asks again after a withdrawal or a decline (where the
    event's rules allow it: rules.check_may_ask_again); the organiser answers on either's
    behalf and may cancel too. (Which moves any status allows at all is set_status's rule,
    TRANSITIONS.)"""
    if side == "asked":
        return status in ("accepted", "declined")
    if side == "asking":
        again = status == "requested" and row.status in ("cancelled", "declined")
        return status == "cancelled" or again
    return status in ("accepted", "declined", "cancelled")


def may_ask_again(session: Session, row: MeetingRequest) -> bool:
    """Whether the asking company may ask again now (for the page's button)."""
    if row.status not in ("cancelled", "declined"):
        return False
    try:
        check_may_ask_again(session, row)
    except Refusal:
        return False
    return True


class NotYourAnswer(PermissionError):
    """This side may not move the request to this status (a forged form)."""


class NeedsConfirmation(ValueError):
    """Declining or withdrawing a request whose meeting is published: both companies lose it
    at the next publication, so whoever does it must confirm they know."""


def is_published(session: Session, row: MeetingRequest) -> bool:
    """Whether the request has a meeting in the event's latest publication."""
    published = published_state(session, row.event)
    return published is not None and row.external_id in published.request_ids


def answer(
    session: Session,
    row: MeetingRequest,
    status: str,
    version: int,
    by: str,
    confirmed: bool = False,
    side: Side = "organiser",
    reason: str | None = None,
    note: str | None = None,
) -> None:
    """Move the request to `status` on behalf of `by`, one of its sides (`may_answer`), under
    set_status's rules (the transition allowed, the version the answerer saw); NeedsConfirmation
    if that takes back a published meeting without `confirmed`. A decline says why (`reason`,
    required from a company) and may add words (`note`), which join the conversation; asking
    again is under the event's rules (a Refusal in words)."""
    if not may_answer(row, status, side):
        raise NotYourAnswer(f"{side} may not make request {row.external_id} {status}")
    if status in TAKEN_BACK and not confirmed and is_published(session, row):
        raise NeedsConfirmation(row.external_id)
    if status == "declined":
        reason = check_reason(reason, side)
        note = clean_message(note)
    if status == "requested":
        check_may_ask_again(session, row)
    set_status(session, row, status, version, by, reason if status == "declined" else None)
    answering_side = {"asked": row.requested_id, "asking": row.requester_id}.get(side)
    written = None
    if status == "declined":
        written = add_decline_note(session, row, reason, note, by, answering_side)
    request_answered(session, row, answering_side, written)
    webhooks.request_answered(session, row)
