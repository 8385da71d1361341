"""The live board: for each table and room, the meeting now and the next one, which tables
are free now, and which running meetings nobody has checked in to (late past LATE)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from web.events.models import Event, EventDay, EventSession, Location
from web.fairdays.attendance import marks, meeting_state
from web.fairdays.meetings import FairMeeting, fair_meetings

LATE = timedelta(minutes=5)  # started this long ago and nobody checked in: late


@dataclass(frozen=True)
class TableNow:
    location: Location
    now: FairMeeting | None
    next: FairMeeting | None
    state: str  # free, closed (no session now), waiting, late, held, no_show


@dataclass(frozen=True)
class Board:
    at: datetime
    in_session: bool
    tables: list[TableNow]

    @property
    def free(self) -> list[TableNow]:
        return [t for t in self.tables if t.state == "free"]

    @property
    def not_checked_in(self) -> list[TableNow]:
        return [t for t in self.tables if t.state in ("waiting", "late")]

    @property
    def late(self) -> list[TableNow]:
        return [t for t in self.tables if t.state == "late"]


def live_board(
    session: Session,
    event: Event,
    at: datetime,
    kind: str | None = None,
    location_id: int | None = None,
) -> Board:
    """The board at instant `at`, for every location, one kind (a hall of tables, the
    rooms), or one location."""
    query = select(Location).where(Location.event_id == event.id).order_by(Location.id)
    if kind:
        query = query.where(Location.kind == kind)
    if location_id:
        query = query.where(Location.id == location_id)
    locations = list(session.scalars(query))
    meetings = fair_meetings(session, event)
    marked = marks(session, event)
    by_place: dict[str, list[FairMeeting]] = {}
    for meeting in meetings:
        by_place.setdefault(meeting.details.location_id, []).append(meeting)
    open_now = _in_session(session, event, at)
    tables = [
        _table(location, by_place.get(location.external_id, []), at, open_now, marked)
        for location in locations
    ]
    return Board(at, open_now, tables)


def _table(location, meetings, at, open_now, marked) -> TableNow:
    now = next((m for m in meetings if m.start <= at < m.end), None)
    upcoming = next((m for m in meetings if m.start > at), None)
    if now is None:
        return TableNow(location, None, upcoming, "free" if open_now else "closed")
    state = meeting_state(now, marked)
    if state is None:
        state = "late" if at - now.start >= LATE else "waiting"
    return TableNow(location, now, upcoming, state)


def _in_session(session: Session, event: Event, at: datetime) -> bool:
    found = session.scalar(
        select(EventSession.id)
        .join(EventDay, EventDay.id == EventSession.day_id)
        .where(EventDay.event_id == event.id, EventSession.start <= at, EventSession.end > at)
        .limit(1)
    )
    return found is not None
