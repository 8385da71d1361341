"""Keeping schedule versions and choosing the current (published) one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from web.conversion import add_schedule_version, schedule_from_version
from web.db import utc_now
from web.events.models import Event
from web.schedules.models import CurrentSchedule, ScheduleVersion

__all__ = ["add_schedule_version", "current_version", "publish", "schedule_from_version"]


def publish(session: Session, version: ScheduleVersion) -> None:
    """Make `version` the event's current one; the earlier versions are kept."""
    current = session.get(CurrentSchedule, version.event_id)
    if current is None:
        session.add(CurrentSchedule(event_id=version.event_id, schedule_version_id=version.id))
    else:
        current.schedule_version_id = version.id
    if version.published_at is None:
        version.published_at = utc_now()
    session.flush()


def current_version(session: Session, event: Event) -> ScheduleVersion | None:
    return session.scalar(
        select(ScheduleVersion)
        .join(CurrentSchedule, CurrentSchedule.schedule_version_id == ScheduleVersion.id)
        .where(CurrentSchedule.event_id == event.id)
    )


def versions(session: Session, event: Event) -> list[ScheduleVersion]:
    return list(
        session.scalars(
            select(ScheduleVersion)
            .where(ScheduleVersion.event_id == event.id)
            .order_by(ScheduleVersion.number)
        )
    )
