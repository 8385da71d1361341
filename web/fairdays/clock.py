""" "Now" for the fair's pages: the server's clock, or the one a test or a preview sets.

A test puts a function returning an aware datetime in `app.config["CLOCK"]`; the organiser
previews a moment of the fair with `?at=2026-10-14T14:05` (local time of the event)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from scheduler.times import parse_local_time
from web.db import utc_now


def now() -> datetime:
    """The current instant (UTC, aware)."""
    clock = current_app.config.get("CLOCK")
    return clock() if clock else utc_now()


def moment(text: str | None, zone: ZoneInfo) -> datetime:
    """`?at=` read in the event's zone (the preview), else now; a wrong one is ignored."""
    if text:
        try:
            return parse_local_time(text, zone)
        except ValueError:
            pass
    return now()
