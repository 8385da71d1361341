"""A solver run's record: queued, running (with progress), then succeeded with a schedule
version, failed with its error, or cancelled. The solver itself knows nothing of this."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy.orm import Session

from scheduler.cpsat import SolverSettings
from scheduler.domain import Schedule
from web.conversion import add_schedule_version
from web.db import utc_now
from web.events.models import Event
from web.schedules.models import ScheduleVersion
from web.solving.models import SolverRun


def queue_run(session: Session, event: Event, settings: SolverSettings) -> SolverRun:
    run = SolverRun(event_id=event.id, settings=asdict(settings), status="queued")
    session.add(run)
    session.flush()
    return run


def start_run(session: Session, run: SolverRun, requests: int) -> None:
    run.status, run.started_at, run.requests = "running", utc_now(), requests
    session.flush()


def record_progress(session: Session, run: SolverRun, **progress) -> None:
    """Store the latest figures (stage, objective, bound, seconds) for the progress page."""
    run.progress = {**run.progress, **progress}
    session.flush()


def append_log(session: Session, run: SolverRun, line: str) -> None:
    run.log = (run.log or "") + line.rstrip("\n") + "\n"
    session.flush()


def finish_run(session: Session, run: SolverRun, schedule: Schedule) -> ScheduleVersion:
    """Record the figures and keep the schedule as the event's next version."""
    summary = schedule.summary
    run.status, run.finished_at = "succeeded", utc_now()
    run.scheduled = _int(summary.get("scheduled"))
    run.objective = _int(summary.get("objective"))
    run.bound = _int(summary.get("bound"))
    run.solver_status = str(summary.get("status")) if "status" in summary else None
    return add_schedule_version(session, run.event, schedule, run=run)


def fail_run(session: Session, run: SolverRun, error: str, status: str = "failed") -> None:
    run.status, run.finished_at, run.error = status, utc_now(), error
    session.flush()


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None
