"""What companies are served from a kept publication is what the whole schedule gives."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scheduler.calendars.agenda import company_agenda_html, company_meetings
from scheduler.calendars.ical import company_calendar
from scheduler.calendars.revisions import publish
from scheduler.formats.instance_reader import load_instance
from scheduler.solver.cpsat import SolverSettings
from scheduler.solver.solve import solve
from web.schedules.operations import PublicationKey, Published

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "biojapan-2026" / "instance.json"


@pytest.fixture(scope="module")
def published() -> Published:
    instance, _warnings = load_instance(EXAMPLE)
    schedule = solve(instance, SolverSettings(time_limit=10, workers=1))
    earlier = publish(schedule, "event-biojapan-2026")
    # A re-publish without some meetings: its calendars carry cancelled ones too.
    fewer = type(schedule)(schedule.meetings[::2], schedule.unscheduled, schedule.summary)
    calendars = publish(fewer, "event-biojapan-2026", earlier)
    stamp = datetime(2026, 10, 1, tzinfo=UTC)
    return Published(PublicationKey(2, stamp), 2, instance, fewer, calendars)


def test_a_companys_cut_down_schedule_gives_its_whole_agenda_and_feed(published):
    instance, stamp = published.instance, published.published_at
    assert any(m.cancelled for m in published.calendars.meetings)
    for company in instance.companies:
        schedule, calendars = published.of_company(company.id)
        assert company_meetings(instance, schedule, company.id) == company_meetings(
            instance, published.schedule, company.id
        )
        assert company_calendar(instance, calendars, company.id, stamp) == company_calendar(
            instance, published.calendars, company.id, stamp
        )
        assert company_agenda_html(instance, schedule, company.id) == company_agenda_html(
            instance, published.schedule, company.id
        )
