"""A solver run's record: queued, running (with progress), then succeeded with a schedule
version, failed with its error, or cancelled. The solver itself knows nothing of this."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from scheduler.domain import Schedule
from scheduler.solver.cpsat import SolverSettings
from web.conversion import add_schedule_version
from web.db import utc_now
from web.events.models import Event
from web.schedules.models import ScheduleVersion
from web.solving.models import SolverRun


def queue_run(
    session: Session,
    event: Event,
    settings: SolverSettings,
    keep_published: bool = False,
    allow_moves: int = 0,
    fill_from: datetime | None = None,
) -> SolverRun:
    """A solve waiting for a worker. With `keep_published` the published meetings stay where
    they are, but for at most `allow_moves` of them moved to make room for more. With
    `fill_from` (an instant) it is a same-day fill-in: nothing published moves and only the
    free slots from then on are given to waiting requests."""
    stored = {**asdict(settings), "keep_published": keep_published, "allow_moves": allow_moves}
    if fill_from is not None:
        stored.update(keep_published=True, allow_moves=0, fill_from=fill_from.isoformat())
    stored.pop("should_stop", None)
    run = SolverRun(event_id=event.id, settings=stored, status="queued")
    session.add(run)
    session.flush()
    return run


# A running run's worker writes its heartbeat this often, from a thread of its own
# (web/solving/job.py: heartbeat); a run silent for STALE_AFTER lost its worker.
HEARTBEAT_EVERY = 5.0
STALE_AFTER = 60.0


def start_run(session: Session, run: SolverRun, requests: int) -> None:
    run.status, run.started_at, run.requests = "running", utc_now(), requests
    run.heartbeat_at = run.started_at
    session.flush()


def record_progress(session: Session, run: SolverRun, **progress) -> None:
    """Store the latest figures (stage, objective, bound, seconds) for the progress page."""
    run.progress = {**run.progress, **progress}
    run.heartbeat_at = utc_now()
    session.flush()


def beat(session: Session, run: SolverRun) -> None:
    """The worker is alive and still solving this run."""
    run.heartbeat_at = utc_now()
    session.flush()


def stale_runs(
    session: Session,
    event_id: int | None = None,
    stale_after: float = STALE_AFTER,
    now: datetime | None = None,
) -> list[SolverRun]:
    """Running runs whose worker has not been heard from for `stale_after` seconds: it was
    killed (or its machine lost) in the middle of the solve."""
    limit = (now or utc_now()) - timedelta(seconds=stale_after)
    query = select(SolverRun).where(SolverRun.status == "running")
    if event_id is not None:
        query = query.where(SolverRun.event_id == event_id)
    return [
        run
        for run in session.scalars(query)
        if (run.heartbeat_at or run.started_at or run.created_at) < limit
    ]


def fail_stale_runs(
    session: Session, event_id: int | None = None, stale_after: float = STALE_AFTER
) -> list[int]:
    """Mark runs that lost their worker as failed. They never wrote a schedule version (a
    version is written in the same transaction as "succeeded"), so the published schedule
    stays as it is; the organiser starts the solve again."""
    failed = []
    for run in stale_runs(session, event_id, stale_after):
        fail_run(
            session,
            run,
            f"the worker stopped while solving (no sign of life for {stale_after:.0f} s); "
            "nothing was published; start the solve again",
        )
        failed.append(run.id)
    return failed


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


def cancel_run(session: Session, run: SolverRun) -> None:
    """Ask the run to stop: a queued one is cancelled now, a running one at its next report.
    Either way it writes no schedule version, so the published one stays as it is."""
    if run.status == "queued":
        run.cancel_requested = True
        fail_run(session, run, "cancelled before it started", "cancelled")
    elif run.status == "running":
        run.cancel_requested = True
    session.flush()


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def run_numbers(session: Session, event: Event) -> dict[int, int]:
    """Runs numbered within their event, first run 1: what the organiser calls "run 2" is
    the event's second, whatever other events ran in between."""
    ids = session.scalars(
        select(SolverRun.id).where(SolverRun.event_id == event.id).order_by(SolverRun.id)
    )
    return {run_id: number for number, run_id in enumerate(ids, start=1)}
