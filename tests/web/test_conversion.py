"""Round trips: instance -> database -> instance and document; schedules -> versions."""

from __future__ import annotations

import copy
import json
from datetime import UTC

from sqlalchemy import func, select

from scheduler.formats.instance_reader import instance_from_document
from scheduler.generate.instances import generate_instance
from scheduler.solver.cpsat import SolverSettings
from scheduler.solver.solve import solve
from tests.conftest import EXAMPLE, make_instance
from tests.web.conftest import create_event
from web.conversion import document_from_event, instance_from_event, save_instance
from web.events.models import EventSession
from web.meeting_requests.models import MeetingRequest
from web.schedules.operations import (
    add_schedule_version,
    current_version,
    publish,
    schedule_from_version,
    versions,
)


def round_trip(session, document: dict, slug: str = "trip") -> tuple[dict, object]:
    event = create_event(session, slug, document)
    return document_from_event(session, event), instance_from_event(session, event)


def test_the_example_event_comes_back_equal(session):
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    back, instance = round_trip(session, document)
    assert back == document
    assert instance == instance_from_document(document)[0]


def test_generated_events_come_back_equal(session):
    for seed in (1, 2):
        document = generate_instance(80, 400, 2, 12, seed=seed, attendees=130)
        back, instance = round_trip(session, document, f"seed-{seed}")
        assert instance == instance_from_document(document)[0]
        assert instance_from_document(back)[0] == instance


def test_names_in_any_script_and_daylight_saving_survive(session):
    document = make_instance()
    document["event"]["timezone"] = "Europe/Berlin"
    document["event"]["days"] = [
        {"date": "2026-03-29", "sessions": [{"start": "01:00", "end": "04:00"}]}
    ]  # clocks go from 02:00 to 03:00 that night
    document["companies"][0]["name"] = "武田薬品工業 — Ünïcødé 🧬"
    document["companies"][0]["attendees"][0]["name"] = "山田 花子"
    back, instance = round_trip(session, document)
    assert back["companies"][0]["name"] == "武田薬品工業 — Ünïcødé 🧬"
    assert back["companies"][0]["attendees"][0]["name"] == "山田 花子"
    assert instance == instance_from_document(document)[0]


def test_times_come_back_aware_in_utc(session, dummy_event):
    start = session.scalars(select(EventSession.start)).first()
    assert start.tzinfo is not None and start.utcoffset().total_seconds() == 0
    assert start.astimezone(UTC).hour == 1  # 10:00 in Tokyo


def test_only_accepted_requests_go_to_the_solver(session, dummy_event):
    r1 = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r1"))
    r1.status = "declined"
    session.commit()
    instance = instance_from_event(session, dummy_event)
    assert [r.id for r in instance.requests] == ["r2"]


def test_a_fixed_request_still_asked_goes_to_the_solver_but_not_a_cancelled_one(session):
    document = make_instance(fixed=[{"request": "r1", "start": "2026-10-14T10:00"}])
    event = create_event(session, "fixed", document)
    r1 = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r1"))
    r1.status = "requested"
    session.commit()
    assert [f.request for f in instance_from_event(session, event).fixed] == ["r1"]
    r1.status = "cancelled"
    session.commit()
    instance = instance_from_event(session, event)
    assert instance.fixed == () and [r.id for r in instance.requests] == ["r2"]


def test_schedules_are_kept_as_numbered_versions_and_come_back_equal(session, dummy_event):
    instance = instance_from_event(session, dummy_event)
    schedule = solve(instance, SolverSettings(time_limit=5, workers=1))
    first = add_schedule_version(session, dummy_event, schedule)
    second = add_schedule_version(session, dummy_event, schedule, note="after late changes")
    session.commit()
    assert [v.number for v in versions(session, dummy_event)] == [1, 2]
    back = schedule_from_version(session, first)
    assert back.meetings == schedule.meetings
    assert back.unscheduled == schedule.unscheduled
    assert back.summary == json.loads(json.dumps(schedule.summary))
    assert current_version(session, dummy_event) is None
    publish(session, first)
    publish(session, second)
    session.commit()
    assert current_version(session, dummy_event).number == 2
    assert first.published and second.published


def test_saving_an_instance_object_works_like_its_document(session):
    instance, _ = instance_from_document(copy.deepcopy(make_instance()))
    event, report = save_instance(session, instance, "from-object")
    session.commit()
    assert instance_from_event(session, event) == instance
    assert report.counts["requests"]["created"] == 2
    assert session.scalar(select(func.count()).select_from(MeetingRequest)) == 2
