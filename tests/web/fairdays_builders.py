"""Builders for the fair-days tests: a small fair published by hand (no solve), where
10:00 and 10:30 at table T1 hold r1 (acme x big) and r2 (cell x big), and 11:00 is free."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

from sqlalchemy import select

from scheduler.domain import Meeting, Schedule
from tests.conftest import TINY_EVENT
from tests.web.conftest import create_event
from web.companies.models import Company
from web.conversion import add_schedule_version, document_from_event
from web.events.models import Event
from web.schedules.operations import publish

# 2026-10-14 in Tokyo (UTC+9): the session runs 10:00-11:30, three slots of 30 minutes.
TEN = datetime(2026, 10, 14, 1, 0, tzinfo=UTC)
HALF_PAST_TEN = datetime(2026, 10, 14, 1, 30, tzinfo=UTC)
ELEVEN = datetime(2026, 10, 14, 2, 0, tzinfo=UTC)
HALF_PAST_ELEVEN = datetime(2026, 10, 14, 2, 30, tzinfo=UTC)


def fair_document(tables: int = 1) -> dict:
    document = copy.deepcopy(TINY_EVENT)
    document["companies"].append(
        {
            "id": "dell",
            "name": "Dell Therapeutics",
            "role": "corporate",
            "attendees": [{"id": "dell-1", "name": "Di Dell"}],
        }
    )
    for each in document["companies"]:
        for person in each["attendees"]:
            person["email"] = f"{person['id']}@example.org"
    document["locations"] = [
        {"id": f"T{n}", "name": f"Table {n}", "kind": "table"} for n in range(1, tables + 1)
    ]
    return document


def published_fair(
    session, tables: int = 1, mode: str = "confirm", slug: str = "fair", solved: bool = False
) -> Event:
    """The fair stored and published with r1 at 10:00 and r2 at 10:30 on T1; `solved`: with
    the summary a solve writes (its counts and objective, which the checker compares)."""
    document = fair_document(tables)
    event = create_event(session, slug, document)
    meetings = [
        Meeting("r1", TEN, HALF_PAST_TEN, "T1", ("acme-1", "big-1")),
        Meeting("r2", HALF_PAST_TEN, ELEVEN, "T1", ("cell-1", "big-2")),
    ]
    summary = {}
    if solved:
        priorities = {r["id"]: r.get("priority", 1) for r in document["requests"]}
        summary = {
            "status": "OPTIMAL",
            "objective": priorities["r1"] + priorities["r2"],
            "scheduled": 2,
            "requests": len(document["requests"]),
        }
    schedule = Schedule(meetings, [], summary)
    version = add_schedule_version(session, event, schedule)
    version.instance = document_from_event(session, event)
    publish(session, version)
    event.booking_mode = mode
    session.commit()
    return event


def company(session, external_id: str, event: Event | None = None) -> Company:
    """A company by its id (in `event`, where the database holds several)."""
    query = select(Company).where(Company.external_id == external_id)
    if event is not None:
        query = query.where(Company.event_id == event.id)
    return session.scalar(query)
