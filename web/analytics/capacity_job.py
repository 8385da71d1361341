"""The capacity job: the capacity page's figures worked out by the queue's worker, not in the
page's request. At BioJapan size they take seconds (the event read from the database, a
maximum flow per number of tables: 4 s on the 2-core machine). One `CapacityRun` row per event
and state of its requests (`capacity_run`); the page shows its progress until the figures
are there. No Flask here: the worker runs without the web app."""

from __future__ import annotations

import hashlib
import traceback

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from scheduler.capacity import (
    TARGET,
    _bound_at,
    count_bound,
    needed_count,
    shared_tables,
    smallest_tables_by_bound,
)
from scheduler.formats.problems import InvalidInput
from scheduler.solver.prepare import Prepared
from web.analytics.loads import fingerprint
from web.analytics.models import CapacityRun
from web.conversion import instance_from_event
from web.db import transaction, utc_now
from web.events.models import Event

STEPS = (0, 10, 25, 50, 100, 200, 400)  # percent more tables


def capacity_figures(prepared: Prepared, target: float = TARGET, report=None) -> dict:
    """The page's figures from the prepared event (plain data, as the job stores them);
    `report(share)` after each step."""
    instance = prepared.instance
    owned = sum(1 for loc in instance.locations if loc.owner)
    tables = len(shared_tables(instance))
    requests = len(instance.requests)
    needed = needed_count(target, requests)
    at_least = smallest_tables_by_bound(prepared, owned, needed)
    unlimited = count_bound(prepared).met
    points = sorted(
        {tables + tables * s // 100 for s in STEPS} | ({at_least} if at_least else set())
    )
    rows = []
    for done, count in enumerate(points, start=1):
        rows.append([count, _bound_at(prepared, owned, count), needed])
        if report:
            report(0.3 + 0.7 * done / len(points))
    return {
        "requests": requests,
        "tables": tables,
        "target": target,
        "target_requests": needed,
        "at_least": at_least,
        "unlimited": unlimited,
        "rows": rows,
    }


def _key(session: Session, event: Event) -> str:
    return hashlib.sha256(repr(fingerprint(session, event)).encode()).hexdigest()


def capacity_run(
    session: Session, event: Event, target: float = TARGET
) -> tuple[CapacityRun, bool]:
    """The event's capacity run for its requests as they are now, and whether it is new
    (queued here: the caller hands it to the queue once committed)."""
    key = _key(session, event)
    run = session.scalar(
        select(CapacityRun)
        .where(
            CapacityRun.event_id == event.id,
            CapacityRun.fingerprint == key,
            CapacityRun.target == target,
        )
        .order_by(CapacityRun.id.desc())
        .limit(1)
    )
    if run is not None and run.status != "failed":
        return run, False
    run = CapacityRun(event_id=event.id, fingerprint=key, target=target, status="queued")
    session.add(run)
    session.flush()
    return run, True


def run_capacity(engine: Engine, run_id: int) -> str:
    """The queue's task: work out the figures of one queued run and store them."""
    with transaction(engine) as session:
        run = session.get(CapacityRun, run_id)
        if run is None or run.status != "queued":
            return run.status if run else "missing"
        run.status, run.progress = "running", 0.05
        event, target = session.get(Event, run.event_id), run.target
        try:
            instance = instance_from_event(session, event)
        except InvalidInput as error:
            run.status, run.finished_at = "failed", utc_now()
            run.error = "\n".join(str(p) for p in error.problems)
            return "failed"

    def report(share: float) -> None:
        with transaction(engine) as session:
            session.get(CapacityRun, run_id).progress = round(share, 3)

    try:
        prepared = Prepared(instance)
        report(0.3)
        result = capacity_figures(prepared, target, report)
    except Exception:
        with transaction(engine) as session:
            run = session.get(CapacityRun, run_id)
            run.status, run.finished_at = "failed", utc_now()
            run.error = traceback.format_exc(limit=5)
        return "failed"
    with transaction(engine) as session:
        run = session.get(CapacityRun, run_id)
        run.status, run.progress, run.result, run.finished_at = "succeeded", 1.0, result, utc_now()
    return "succeeded"
