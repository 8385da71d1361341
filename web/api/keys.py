"""API keys: made (shown once), found and checked, revoked. No Flask here: the page, the
command line and the API's authentication all call these.

A key reads `pk_<prefix>_<secret>`: the prefix (public, 12 hex digits) finds the row, the
whole key's SHA-256 is compared in constant time with the stored one. 256 random bits make
guessing hopeless, so a fast hash is enough (keys are not passwords)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from web.api.models import ApiKey
from web.db import utc_now
from web.events.models import Event

KEY_START = "pk_"
# last_used_at is written at most this often: a busy integration does not write every request.
LAST_USED_EVERY = timedelta(minutes=1)
# A well-formed key that opens nothing still costs the same compare as one that does.
_NOBODY = hashlib.sha256(b"no such key").hexdigest()


@dataclass(frozen=True)
class NewKey:
    row: ApiKey
    text: str  # shown once, never stored


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def create_key(
    session: Session, event: Event, name: str, read_only: bool, made_by: int | None = None
) -> NewKey:
    """A new key of `event`; `made_by` is the organiser making it on the page (None: the
    command line)."""
    prefix = secrets.token_hex(6)
    text = f"{KEY_START}{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        event_id=event.id,
        name=name.strip() or prefix,
        prefix=prefix,
        digest=digest(text),
        read_only=read_only,
        created_by_id=made_by,
    )
    session.add(row)
    session.flush()
    return NewKey(row, text)


def revoke_key(session: Session, row: ApiKey) -> None:
    if row.revoked_at is None:
        row.revoked_at = utc_now()


def revoke_keys_made_by(session: Session, event_id: int, organiser_id: int) -> int:
    """Revoke the live keys this organiser made on this event; how many."""
    rows = session.scalars(
        select(ApiKey).where(
            ApiKey.event_id == event_id,
            ApiKey.created_by_id == organiser_id,
            ApiKey.revoked_at.is_(None),
        )
    ).all()
    for row in rows:
        revoke_key(session, row)
    return len(rows)


def keys_of(session: Session, event: Event) -> list[ApiKey]:
    return list(
        session.scalars(select(ApiKey).where(ApiKey.event_id == event.id).order_by(ApiKey.id))
    )


def find_key(session: Session, text: str) -> ApiKey | None:
    """The live key `text` is, or None (malformed, unknown, wrong secret or revoked)."""
    prefix = _prefix(text)
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix)) if prefix else None
    stored = row.digest if row is not None else _NOBODY
    if not hmac.compare_digest(stored, digest(text)) or row is None:
        return None
    return row if row.revoked_at is None else None


def _prefix(text: str) -> str | None:
    if not text.startswith(KEY_START) or len(text) > 200:
        return None
    prefix, _, secret = text[len(KEY_START) :].partition("_")
    return prefix if len(prefix) == 12 and secret else None


def note_use(row: ApiKey, now: datetime | None = None) -> bool:
    """Record the key's use (at most once a LAST_USED_EVERY); whether the row changed."""
    now = now or utc_now()
    if row.last_used_at is not None and now - row.last_used_at < LAST_USED_EVERY:
        return False
    row.last_used_at = now
    return True
