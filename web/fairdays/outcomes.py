"""The outcomes report: per company, per delegation and in total, the published meetings,
how many were held, the no-shows, the follow-ups planned and the average rating, the figures
a delegation's sponsor asks for. `outcomes(session, event)` is plain data for any page,
download or chart."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.calendars.sheet import as_text
from web.companies.models import Company
from web.events.models import Event
from web.fairdays.attendance import marks, meeting_state
from web.fairdays.meetings import fair_meetings
from web.fairdays.models import Feedback


@dataclass
class Outcome:
    """The figures of one company, one delegation or the whole event."""

    name: str
    meetings: int = 0  # published
    held: int = 0  # meetings marked held (no side missing)
    no_shows: int = 0  # meetings it did not come to (the whole event: meetings a side missed)
    follow_ups: int = 0  # meetings after which it plans a follow-up
    ratings: list[int] = field(default_factory=list)

    @property
    def average_rating(self) -> float | None:
        return round(sum(self.ratings) / len(self.ratings), 2) if self.ratings else None

    @property
    def no_show_rate(self) -> float:
        known = self.held + self.no_shows
        return self.no_shows / known if known else 0.0


@dataclass(frozen=True)
class Outcomes:
    total: Outcome
    by_delegation: list[Outcome]
    by_company: list[Outcome]


def outcomes(session: Session, event: Event) -> Outcomes:
    """Every figure of the report, read from the latest publication, attendance and feedback."""
    companies = list(session.scalars(select(Company).where(Company.event_id == event.id)))
    mine = {c.id: Outcome(c.name) for c in companies}
    total = Outcome("")
    marked = marks(session, event)
    feedback = {
        (f.request_id, f.company_id): f
        for f in session.scalars(select(Feedback).where(Feedback.event_id == event.id))
    }
    for meeting in fair_meetings(session, event):
        state = meeting_state(meeting, marked)
        total.meetings += 1
        total.held += state == "held"
        total.no_shows += state == "no_show"
        for company_id in meeting.company_ids:
            row = mine[company_id]
            row.meetings += 1
            row.held += state == "held"
            row.no_shows += marked.get((meeting.request_id, company_id)) == "no_show"
            given = feedback.get((meeting.request_id, company_id))
            if given is not None:
                row.follow_ups += given.follow_up
                row.ratings.append(given.rating)
                total.follow_ups += given.follow_up
                total.ratings.append(given.rating)
    delegations: dict[str, Outcome] = defaultdict(lambda: Outcome(""))
    for company in companies:
        if company.role == "delegation" and company.delegation:
            _add(delegations[company.delegation], mine[company.id], company.delegation)
    return Outcomes(
        total,
        sorted(delegations.values(), key=lambda o: o.name),
        sorted(mine.values(), key=lambda o: o.name),
    )


def _add(into: Outcome, part: Outcome, name: str) -> None:
    into.name = name
    into.meetings += part.meetings
    into.held += part.held
    into.no_shows += part.no_shows
    into.follow_ups += part.follow_ups
    into.ratings += part.ratings


COLUMNS = ("kind", "name", "meetings", "held", "no_shows", "follow_ups", "average_rating")


def outcomes_csv(report: Outcomes) -> bytes:
    """The report as one CSV (a row per delegation, per company, and the total); names that
    look like formulas are written as text (scheduler.calendars.sheet.as_text)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    rows = [("total", report.total)]
    rows += [("delegation", o) for o in report.by_delegation]
    rows += [("company", o) for o in report.by_company]
    for kind, o in rows:
        rating = "" if o.average_rating is None else o.average_rating
        writer.writerow(
            [kind, as_text(o.name), o.meetings, o.held, o.no_shows, o.follow_ups, rating]
        )
    return out.getvalue().encode("utf-8-sig")
