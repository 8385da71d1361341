"""Rows that a job sends out at least once (mail in the outbox, webhook deliveries): claimed
by one worker before sending, retried with backoff, reclaimed when their worker died.

A model that uses this has `id`, `status` ("queued", "sending", then the model's own end
states), `attempts`, `next_attempt_at`, `claimed_at` and `last_error` columns."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine

from web.db import transaction, utc_now

CLAIM_TIMEOUT = timedelta(minutes=10)  # a `sending` row older than this: its worker died


def claim_due(engine: Engine, model, now: datetime, batch: int) -> list[int]:
    """Take up to `batch` due rows for this worker (rows locked, skipped by other workers on
    PostgreSQL; SQLite has one writer at a time). A row left `sending` by a killed worker is
    due again after CLAIM_TIMEOUT."""
    with transaction(engine) as session:
        due = session.scalars(
            select(model.id)
            .where(
                or_(
                    (model.status == "queued") & (model.next_attempt_at <= now),
                    (model.status == "sending") & (model.claimed_at < now - CLAIM_TIMEOUT),
                )
            )
            .order_by(model.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        ).all()
        if due:
            session.execute(
                update(model).where(model.id.in_(due)).values(status="sending", claimed_at=now)
            )
        return list(due)


def retry_later(row, why: str, max_attempts: int, now: datetime | None = None) -> None:
    """Queued again after 1, 2, 4, 8, ... minutes; failed after `max_attempts`."""
    row.attempts += 1
    row.last_error = why
    if row.attempts >= max_attempts:
        row.status = "failed"
    else:
        row.status = "queued"
        row.next_attempt_at = (now or utc_now()) + timedelta(minutes=2 ** (row.attempts - 1))


def give_up(row, why: str) -> None:
    row.attempts += 1
    row.status, row.last_error = "failed", why


def queue_again(row) -> None:
    """The organiser sends a row once more (failed, or sent and wanted again)."""
    row.status, row.next_attempt_at, row.last_error = "queued", utc_now(), None
    row.attempts = 0
