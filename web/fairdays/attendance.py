"""Attendance: who came to each published meeting, the window in which a side may say so,
and the no-show rates the organiser reads."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.times import describe_time
from scheduler.words import N_, Refusal
from web.companies.models import Company
from web.events.models import Event
from web.fairdays.meetings import FairMeeting
from web.fairdays.models import Attendance

# A side may mark a meeting from a little before it starts (people arrive early) until a
# while after it ends (marked on the way to the next one, or at the coffee break).
EARLY = timedelta(minutes=10)
GRACE = timedelta(hours=2)


class OutsideWindow(Refusal):
    """Marked too early or too late for a side (the desk may mark at any time)."""


def check_window(meeting: FairMeeting, at: datetime, zone: ZoneInfo) -> None:
    """OutsideWindow, with the times in words, unless `at` is within the meeting's window."""
    opens, closes = meeting.start - EARLY, meeting.end + GRACE
    if not opens <= at <= closes:
        raise OutsideWindow(
            N_("this meeting can be marked from {opens} to {closes}; ask the desk otherwise"),
            opens=describe_time(opens, zone),
            closes=describe_time(closes, zone),
        )


def marks(session: Session, event: Event) -> dict[tuple[int, int], str]:
    """(request id, company id) -> held or no_show, for the whole event."""
    rows = session.execute(
        select(Attendance.request_id, Attendance.company_id, Attendance.status).where(
            Attendance.event_id == event.id
        )
    )
    return {(request, company): status for request, company, status in rows}


def meeting_state(meeting: FairMeeting, marked: dict[tuple[int, int], str]) -> str | None:
    """None (nobody said), held (everyone who was marked came) or no_show (a side did not)."""
    states = [marked.get((meeting.request_id, c)) for c in meeting.company_ids]
    if "no_show" in states:
        return "no_show"
    return "held" if "held" in states else None


@dataclass(frozen=True)
class NoShowRate:
    company_id: int
    name: str
    marked: int  # its meetings with its attendance known
    no_shows: int

    @property
    def rate(self) -> float:
        return self.no_shows / self.marked if self.marked else 0.0


def no_show_rates(session: Session, event: Event) -> tuple[list[NoShowRate], NoShowRate]:
    """Per company (most no-shows first) and in total: of the meetings whose attendance is
    known, the share the company did not come to."""
    marked: Counter[int] = Counter()
    missed: Counter[int] = Counter()
    for (_request, company), status in marks(session, event).items():
        marked[company] += 1
        missed[company] += status == "no_show"
    names = {
        row_id: name
        for row_id, name in session.execute(
            select(Company.id, Company.name).where(Company.id.in_(marked))
        )
    }
    rates = [NoShowRate(c, names.get(c, "?"), marked[c], missed[c]) for c in marked]
    rates.sort(key=lambda r: (-r.rate, -r.no_shows, r.name))
    total = NoShowRate(0, "", sum(marked.values()), sum(missed.values()))
    return rates, total
