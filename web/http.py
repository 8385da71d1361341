"""What every view needs: the request's database session, the event in the URL, replies."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import abort, current_app, g, request
from sqlalchemy import event as orm_events
from sqlalchemy import select
from sqlalchemy.orm import Session

from web.db import begin_writing
from web.events.models import Event
from web.jobs import Queue
from web.notifications.outbox import MAIL_WRITTEN
from web.webhooks.operations import WEBHOOKS_WRITTEN


def db() -> Session:
    """One session per request, closed when the request ends (views commit explicitly). A
    POST will write: its transaction takes SQLite's write lock from the start (`WRITES`), so a
    job's progress committed meanwhile cannot make its write fail."""
    if "db" not in g:
        g.db = current_app.extensions["partnering.sessions"]()
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            begin_writing(g.db)
        orm_events.listen(g.db, "after_commit", _deliver_what_was_written)
    return g.db


def _deliver_what_was_written(session: Session) -> None:
    """A change that wrote to the outbox (web.notifications.outbox marks the session) or to
    the webhook deliveries (web.webhooks.operations) is told at once: delivery is queued as
    soon as the change is committed."""
    if session.info.pop(MAIL_WRITTEN, False):
        queue().enqueue_delivery()
    if session.info.pop(WEBHOOKS_WRITTEN, False):
        queue().enqueue_webhooks()


def close_db() -> None:
    session = g.pop("db", None)
    if session is not None:
        session.close()


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None: no open redirect through `?next=`
    or a form's `back`. Control characters and backslashes are refused too: browsers drop
    tabs and newlines and read a backslash as a slash (so "/\t/evil" and "/\\evil" lead to
    another site), and a newline cannot go into the Location header at all."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def queue() -> Queue:
    return current_app.extensions["partnering.queue"]


def event_or_404(slug: str) -> Event:
    event = db().scalar(select(Event).where(Event.slug == slug))
    if event is None:
        abort(404)
    return event


def row_or_404(model, row_id: int, event: Event):
    """A row of `event` by id; 404 for another event's row, as for a missing one."""
    row = db().get(model, row_id)
    if row is None or row.event_id != event.id:
        abort(404)
    return row
