"""Printable agendas: one HTML page per company, with print CSS, for the desk and the badge.

HTML rather than PDF: every browser prints it (A4, a day per section, no row split over a
page) and it needs no PDF engine; names in any script (武田薬品, Zoë) pass through as UTF-8
and are escaped by Jinja2's autoescape.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import groupby

from jinja2 import Environment, PackageLoader, select_autoescape

from scheduler.calendars.details import MeetingDetails, meeting_details
from scheduler.calendars.revisions import Placement
from scheduler.domain import Instance, Schedule


@dataclass(frozen=True)
class AgendaDay:
    date: date
    meetings: list[MeetingDetails]


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("scheduler.calendars", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def company_meetings(
    instance: Instance, schedule: Schedule, company_id: str
) -> list[MeetingDetails]:
    """The company's meetings in time order, described."""
    requests = instance.request_by_id
    mine = [m for m in schedule.meetings if company_id in requests[m.request].companies]
    mine.sort(key=lambda m: (m.start, m.request))
    return [meeting_details(instance, Placement.of(m)) for m in mine]


def company_agenda_html(instance: Instance, schedule: Schedule, company_id: str) -> str:
    """The printable agenda of one company, which the company itself may be given."""
    company = instance.company_by_id[company_id]
    meetings = company_meetings(instance, schedule, company_id)
    days = [AgendaDay(d, list(ms)) for d, ms in groupby(meetings, key=lambda m: m.start.date())]
    # Without the solver's reasons: they are advice to the organiser and speak of the other
    # company's agenda and availability, which are not this company's to read.
    unscheduled = [
        instance.request_by_id[u.request]
        for u in schedule.unscheduled
        if company_id in instance.request_by_id[u.request].companies
    ]
    return (
        _templates()
        .get_template("agenda.html")
        .render(
            event=instance.event,
            company=company,
            days=days,
            unscheduled=unscheduled,
            companies=instance.company_by_id,
        )
    )


def index_html(instance: Instance, schedule: Schedule, link: Callable[[str], str]) -> str:
    """A page listing every company's agenda with its number of meetings."""
    counts = {c.id: 0 for c in instance.companies}
    for meeting in schedule.meetings:
        for company_id in instance.request_by_id[meeting.request].companies:
            counts[company_id] += 1
    return (
        _templates()
        .get_template("index.html")
        .render(event=instance.event, companies=instance.companies, counts=counts, link=link)
    )
