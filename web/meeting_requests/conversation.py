"""A request as a conversation: the asking company's message, replies from either side
without answering, and the reason a decline came with. Both sides read the whole thread on
their pages, the organiser reads every thread; only the two sides write in it, and only while
the request is open or accepted (a declined or withdrawn request is closed until asked again).

Messages are free text from the public: stored without control characters (NUL cannot go
into PostgreSQL, CR/LF become a line break) or bidi overrides (which can make a message read
as something else), and at most MESSAGE_LONGEST characters."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.words import N_, Refusal
from web.meeting_requests.models import (
    DECLINE_REASONS,
    EXPIRED,
    MESSAGE_LONGEST,
    MeetingRequest,
    RequestMessage,
)
from web.meeting_requests.statuses import status_words
from web.notifications.outbox import request_replied

Side = Literal["asked", "asking", "organiser"]
MESSAGES_MOST = 100  # a request's replies: a conversation, not a chat room
OPEN = ("requested", "accepted")  # the statuses in which the two sides may write

# The decline reasons in words (the pages' and the mails' catalogue both carry them).
REASON_WORDS = {
    "not_a_fit": N_("not a fit for us at this event"),
    "no_time": N_("our agenda is full"),
    "in_touch": N_("we are already in touch"),
    "too_early": N_("too early for us; let us talk later"),
    "other": N_("another reason"),
    EXPIRED: N_("expired: not answered in time"),
}
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u0085\u202a-\u202e\u2066-\u2069\u200e\u200f]")


TOO_LONG = N_("A message may be at most {most} characters; shorten it.")


class MessageTooLong(Refusal):
    """A message over MESSAGE_LONGEST characters."""


class NothingWritten(Refusal):
    """A reply with no words in it (or only invisible ones)."""


class ConversationClosed(Refusal):
    """Writing in a declined or withdrawn request's thread, or past MESSAGES_MOST."""


class NotASide(Refusal):
    """Someone who is not one of the request's two companies writing in its thread."""


class NoReason(Refusal):
    """A company declining without saying why (one of DECLINE_REASONS)."""


def clean_message(text: str | None) -> str | None:
    """The message as stored: line breaks as \\n, no controls or bidi overrides, trimmed;
    None if nothing is left. MessageTooLong past the limit (counted after cleaning)."""
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = _CONTROLS.sub("", text).replace("\u2029", "\n").strip()
    if len(text) > MESSAGE_LONGEST:
        raise MessageTooLong(TOO_LONG, most=MESSAGE_LONGEST)
    return text or None


def check_reason(reason: str | None, side: Side) -> str | None:
    """The decline reason a side gives: a company must pick one of the list; the organiser,
    answering on a company's behalf, may give none. "expired" is the rules' own."""
    if reason in DECLINE_REASONS:
        return reason
    if reason in (None, "") and side == "organiser":
        return None
    raise NoReason(N_("Choose why you decline, from the list (or another reason, in words)."))


def may_reply(row: MeetingRequest, side: Side) -> bool:
    """The two sides write while the request is open or accepted."""
    return side in ("asked", "asking") and row.status in OPEN


def reply(session: Session, row: MeetingRequest, text: str | None, side: Side, by: str):
    """A message from one side that answers nothing: the other side is told (outbox)."""
    if side not in ("asked", "asking"):
        raise NotASide(N_("Only the two companies write in a request's conversation."))
    if row.status not in OPEN:
        raise ConversationClosed(
            N_("This request is {status}: its conversation is closed."),
            status=status_words(row.status),
        )
    if len(row.replies) >= MESSAGES_MOST:
        raise ConversationClosed(
            N_("This conversation has {count} messages, the most there may be."),
            count=len(row.replies),
        )
    cleaned = clean_message(text)
    if cleaned is None:
        raise NothingWritten(N_("Write a message first."))
    author = row.requested_id if side == "asked" else row.requester_id
    message = RequestMessage(author_id=author, entered_by=by, kind="reply", text=cleaned)
    row.replies.append(message)
    session.flush()
    request_replied(session, row, message)
    return message


def add_decline_note(
    session: Session,
    row: MeetingRequest,
    reason: str | None,
    text: str | None,
    by: str,
    author_id: int | None,
) -> RequestMessage | None:
    """The thread's entry for a decline: why, and the words it came with (if any)."""
    if reason is None and text is None:
        return None
    note = RequestMessage(
        author_id=author_id, entered_by=by, kind="decline", reason=reason, text=text
    )
    row.replies.append(note)
    session.flush()
    return note


@dataclass(frozen=True)
class Entry:
    """One line of a thread as the pages show it."""

    author_id: int | None  # the company that wrote it; None: the organiser
    at: datetime
    text: str | None
    kind: str  # "ask", "reply" or "decline"
    reason: str | None = None


def threads(session: Session, rows: list[MeetingRequest]) -> dict[int, list[Entry]]:
    """Per request (row id), its conversation in order: the asking message, then replies and
    declines (those of all `rows` in one query)."""
    ids = [r.id for r in rows]
    replies: dict[int, list[RequestMessage]] = {i: [] for i in ids}
    if ids:
        query = select(RequestMessage).where(RequestMessage.request_id.in_(ids))
        for message in session.scalars(query.order_by(RequestMessage.id)):
            replies[message.request_id].append(message)
    result = {}
    for r in rows:
        entries = [Entry(r.requester_id, r.created_at, r.message, "ask")] if r.message else []
        entries += [
            Entry(m.author_id, m.created_at, m.text, m.kind, m.reason) for m in replies[r.id]
        ]
        result[r.id] = entries
    return result
