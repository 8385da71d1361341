"""UIDs: one per request and event, the same in every export and every re-solve.

A calendar client recognises an update only by its UID, so the UID must not depend on the
meeting's time, table or attendees, which a re-solve changes. It is a name-based UUID (RFC 4122
version 5) of the event key and the request id: stable, unique across events, and free of
characters that need escaping, as RFC 7986 recommends for UIDs.
"""

from __future__ import annotations

import json
import re
import unicodedata
import uuid

from scheduler.domain import Event

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://partnering.invalid/meetings")


def default_event_key(event: Event) -> str:
    """A slug of the event's name and first day, e.g. 'biojapan-2026-partnering-2026-10-14'.

    Renaming the event changes it, so a publication remembers the key it used
    (`published_file`) and callers with a stable id of their own (the web app) pass that.
    """
    text = unicodedata.normalize("NFKC", event.name).lower()
    slug = re.sub(r"[^\w]+", "-", text).strip("-_") or "event"
    first = min(day.date for day in event.days)
    return f"{slug}-{first.isoformat()}"


def meeting_uid(event_key: str, request_id: str) -> str:
    """The UID of the meeting for `request_id`, whenever and wherever it takes place."""
    name = json.dumps([event_key, request_id], ensure_ascii=False)
    return f"{uuid.uuid5(_NAMESPACE, name)}@partnering"
