"""Printable agendas: one HTML page per company, with print CSS, for the desk and the badge.

HTML rather than PDF: every browser prints it (A4, a day per section, no row split over a
page) and it needs no PDF engine; names in any script (武田薬品, Zoë) pass through as UTF-8
and are escaped by Jinja2's autoescape. In English or Japanese: the words come from the
catalogue in scheduler/calendars/translations (domain "agenda"), dates from Babel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache, partial
from itertools import groupby
from pathlib import Path

from babel.dates import format_date, get_timezone_name
from babel.support import Translations
from jinja2 import Environment, PackageLoader, select_autoescape

from scheduler.calendars.details import MeetingDetails, meeting_details
from scheduler.calendars.revisions import Placement
from scheduler.calendars.video import VideoLinks
from scheduler.domain import Instance, Schedule


@dataclass(frozen=True)
class AgendaDay:
    date: date
    meetings: list[MeetingDetails]


LANGUAGES = ("en", "ja")
TRANSLATIONS = Path(__file__).parent / "translations"


def N_(message: str) -> str:
    """Marks a message for the catalogue; translated where it is shown."""
    return message


ROLES = {"corporate": N_("Corporate"), "delegation": N_("Delegation member")}
DELEGATION = N_("%(name)s delegation")  # a member's role, named by its delegation


@cache
def _templates(language: str = "en") -> Environment:
    if language not in LANGUAGES:
        raise ValueError(f"no agendas in {language!r}: choose one of {', '.join(LANGUAGES)}")
    environment = Environment(
        loader=PackageLoader("scheduler.calendars", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    words = Translations.load(str(TRANSLATIONS), [language], domain="agenda")
    environment.install_gettext_translations(words, newstyle=True)
    environment.globals.update(
        language=language,
        who=partial(_who, words=words),
        zone_name=partial(_zone_name, language=language),
        long_date=partial(_long_date, language=language),
    )
    return environment


def _who(side, words) -> str:
    """ "Corporate", "San Diego delegation" or "Delegation member": a company's role in one
    phrase, without saying "delegation" twice."""
    delegation = getattr(side, "delegation", None)
    if side.role == "delegation" and delegation:
        return words.gettext(DELEGATION) % {"name": delegation}
    return words.gettext(ROLES.get(side.role, side.role))


def _zone_name(zone: str, language: str) -> str:
    """ "Japan Time (Asia/Tokyo)": the zone in words, and its name to look up."""
    try:
        return f"{get_timezone_name(zone, locale=language)} ({zone})"
    except LookupError:
        return zone


def _long_date(day: date, language: str) -> str:
    """Wednesday 14 October 2026; 2026年10月14日水曜日."""
    return format_date(day, "EEEE d MMMM y" if language == "en" else "full", locale=language)


def company_meetings(
    instance: Instance, schedule: Schedule, company_id: str, video: VideoLinks | None = None
) -> list[MeetingDetails]:
    """The company's meetings in time order, described (with their video links, if any)."""
    requests = instance.request_by_id
    mine = [m for m in schedule.meetings if company_id in requests[m.request].companies]
    mine.sort(key=lambda m: (m.start, m.request))
    return [meeting_details(instance, Placement.of(m), video) for m in mine]


def agenda_days(meetings: list[MeetingDetails]) -> list[AgendaDay]:
    """Meetings in time order, grouped by day: how every agenda (page or print) reads."""
    return [AgendaDay(d, list(ms)) for d, ms in groupby(meetings, key=lambda m: m.start.date())]


def company_agenda_html(
    instance: Instance,
    schedule: Schedule,
    company_id: str,
    language: str = "en",
    back: str | None = None,
    pending: dict[str, str] | None = None,
    video: VideoLinks | None = None,
) -> str:
    """The printable agenda of one company, which the company itself may be given; `back`,
    an address relative to the page's own, is a link back that is not printed; `pending`,
    request id -> a note, marks meetings that go at the next publication (declined since)."""
    company = instance.company_by_id[company_id]
    meetings = company_meetings(instance, schedule, company_id, video)
    days = agenda_days(meetings)
    # Without the solver's reasons: they are advice to the organiser and speak of the other
    # company's agenda and availability, which are not this company's to read.
    unscheduled = [
        instance.request_by_id[u.request]
        for u in schedule.unscheduled
        if company_id in instance.request_by_id[u.request].companies
    ]
    return (
        _templates(language)
        .get_template("agenda.html")
        .render(
            event=instance.event,
            company=company,
            days=days,
            unscheduled=unscheduled,
            companies=instance.company_by_id,
            back=back,
            pending=pending or {},
        )
    )


def index_html(
    instance: Instance, schedule: Schedule, link: Callable[[str], str], language: str = "en"
) -> str:
    """A page listing every company's agenda with its number of meetings."""
    counts = {c.id: 0 for c in instance.companies}
    for meeting in schedule.meetings:
        for company_id in instance.request_by_id[meeting.request].companies:
            counts[company_id] += 1
    return (
        _templates(language)
        .get_template("index.html")
        .render(event=instance.event, companies=instance.companies, counts=counts, link=link)
    )
