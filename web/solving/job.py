"""The solve itself, as a queue's worker runs it: load the event, solve with progress written
to the run's row (throttled), stop when the organiser cancels, keep the result as a new,
unpublished schedule version. A failed or cancelled run writes no version, so the published
schedule is never touched."""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from scheduler.formats.instance_reader import instance_from_document
from scheduler.formats.problems import InvalidInput
from scheduler.solver.cpsat import Cancelled, Progress, SolverSettings
from scheduler.solver.solve import solve
from web.audit.trail import Actor, acting_as, audit_action
from web.conversion import document_from_event, schedule_from_version
from web.db import transaction
from web.schedules.operations import current_version
from web.solving import operations
from web.solving.models import SolverRun
from web.solving.operations import beat, fail_run, finish_run, record_progress, start_run

PROGRESS_EVERY = 0.5  # seconds between writes of progress figures (stage changes always)


def run_solver(engine: Engine, run_id: int) -> str:
    """Carry out one queued run; return its final status. The audit trail names the job as
    the actor, and keeps the result as one entry ("solve") with its rows counted."""
    with acting_as(Actor(f"#{run_id}", kind="job")):
        return _run_solver(engine, run_id)


def _run_solver(engine: Engine, run_id: int) -> str:
    with transaction(engine) as session:
        run = session.get(SolverRun, run_id)
        if run is None or run.status != "queued":
            return run.status if run else "missing"
        if run.cancel_requested:
            fail_run(session, run, "cancelled before it started", "cancelled")
            return "cancelled"
        try:
            document = document_from_event(session, run.event)
            instance, _warnings = instance_from_document(document)
        except InvalidInput as error:
            fail_run(session, run, "\n".join(str(p) for p in error.problems))
            return "failed"
        reporter = _Reporter(engine, run_id)
        settings = SolverSettings(
            **_known_settings(run.settings), should_stop=reporter.cancel_requested
        )
        keep = run.settings.get("keep_published", False)
        published = current_version(session, run.event) if keep else None
        meetings = schedule_from_version(session, published).meetings if published else []
        allow_moves = int(run.settings.get("allow_moves", 0)) if keep else 0
        cut = fill_in_cut(run.settings)
        start_run(session, run, len(instance.requests))
    try:
        with heartbeat(engine, run_id):
            schedule = solve(instance, settings, reporter, meetings, allow_moves, cut)
    except Cancelled:
        return _end(engine, run_id, "cancelled by the organiser", "cancelled")
    except InvalidInput as error:
        return _end(engine, run_id, "\n".join(str(p) for p in error.problems), "failed")
    except Exception:
        return _end(engine, run_id, traceback.format_exc(limit=5), "failed")
    with transaction(engine) as session:
        run = session.get(SolverRun, run_id)
        with audit_action(session, "solve", f"solve run {run_id}", run.event_id, run=run_id) as act:
            record_progress(session, run, **reporter.figures)
            version = finish_run(session, run, schedule)
            version.instance = document
            act.details["version"] = version.number
    return "succeeded"


@contextmanager
def heartbeat(engine: Engine, run_id: int) -> Iterator[None]:
    """While the block runs, write the run's heartbeat every HEARTBEAT_EVERY seconds from a
    thread of its own: a step that reports nothing for a long while (building the model of a
    large fair) must not look like a dead worker."""
    done = threading.Event()

    def beat_until_done() -> None:
        while not done.wait(operations.HEARTBEAT_EVERY):
            try:
                with transaction(engine) as session:
                    beat(session, session.get(SolverRun, run_id))
            except SQLAlchemyError:
                pass  # the database is away for a moment: the next beat tries again

    thread = threading.Thread(target=beat_until_done, name=f"heartbeat-{run_id}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def fill_in_cut(settings: dict) -> datetime | None:
    """The instant a same-day fill-in starts from (stored as ISO text), or None."""
    text = settings.get("fill_from")
    return datetime.fromisoformat(text) if text else None


def _known_settings(settings: dict) -> dict:
    names = set(SolverSettings.__dataclass_fields__) - {"should_stop"}
    return {k: v for k, v in settings.items() if k in names}


def _end(engine: Engine, run_id: int, error: str, status: str) -> str:
    with transaction(engine) as session:
        fail_run(session, session.get(SolverRun, run_id), error, status)
    return status


class _Reporter:
    """The solve's progress callback (figures to the run's row) and its cancel check."""

    def __init__(self, engine: Engine, run_id: int) -> None:
        self.engine, self.run_id = engine, run_id
        self.figures: dict = {}
        self.last_write = 0.0
        self.last_check = 0.0
        self.cancelled = False

    def __call__(self, progress: Progress) -> None:
        stage_changed = progress.stage != self.figures.get("stage")
        scheduled = self.figures.get("scheduled")  # CP-SAT's reports do not count meetings
        self.figures = {
            "stage": progress.stage,
            "seconds": round(progress.seconds, 2),
            "objective": progress.objective,
            "bound": progress.bound,
            "scheduled": progress.scheduled if progress.scheduled is not None else scheduled,
        }
        now = time.monotonic()
        if not stage_changed and now - self.last_write < PROGRESS_EVERY:
            return
        self.last_write = now
        with transaction(self.engine) as session:
            record_progress(session, session.get(SolverRun, self.run_id), **self.figures)

    def cancel_requested(self) -> bool:
        """Whether the organiser pressed cancel (read at most every PROGRESS_EVERY seconds;
        the solver asks from its watcher thread too)."""
        now = time.monotonic()
        if not self.cancelled and now - self.last_check >= PROGRESS_EVERY:
            self.last_check = now
            with transaction(self.engine) as session:
                self.cancelled = bool(session.get(SolverRun, self.run_id).cancel_requested)
        return self.cancelled
