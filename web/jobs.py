"""The job queue (Huey): solves run outside the web request that started them, the outbox
is delivered (after each change that writes to it, and every minute for retries), the
capacity page's figures are worked out, and the clock's work is done (digests, summaries,
the request rules' expiries and reminders).

Embedded default: a SQLite queue file in the instance folder, worked by threads inside
`partnering serve`, so nothing else needs installing. With `REDIS_URL` set the queue is in
Redis, and any number of `partnering worker` processes, on any machine that reaches Redis and
the database, take the solves. No Flask here: the worker runs without the web app.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from functools import partial, wraps
from pathlib import Path

from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey, crontab
from huey.api import TaskWrapper
from sqlalchemy.engine import Engine

from web.analytics.capacity_job import run_capacity
from web.db import instance_path, make_engine
from web.meeting_requests.deadlines import apply_rules
from web.notifications.delivery import deliver_due, mail_server
from web.notifications.digest import write_digests, write_summaries
from web.solving.job import run_solver
from web.webhooks.delivery import deliver_webhooks

QUEUE_NAME = "partnering"
QUEUE_FILE = "jobs.sqlite3"


@dataclass
class Queue:
    """The Huey instance, its `solve` task and the database the task writes to."""

    huey: Huey
    solve: TaskWrapper
    engine: Engine
    deliver: TaskWrapper | None = None
    webhooks: TaskWrapper | None = None
    capacity: TaskWrapper | None = None

    def enqueue_solve(self, run_id: int) -> None:
        self.solve(run_id)

    def enqueue_capacity(self, run_id: int) -> None:
        if self.capacity is not None:
            self.capacity(run_id)

    def enqueue_delivery(self) -> None:
        if self.deliver is not None:
            self.deliver()

    def enqueue_webhooks(self) -> None:
        if self.webhooks is not None:
            self.webhooks()


def make_queue(
    database_url: str | None = None,
    redis_url: str | None = None,
    folder: Path | None = None,
    immediate: bool = False,
) -> Queue:
    """The queue and its `solve` task, bound to one database.

    The task is registered under a fixed name, so a worker started elsewhere with the same
    settings runs what the web app enqueued.
    """
    redis_url = redis_url if redis_url is not None else os.environ.get("REDIS_URL")
    if immediate:
        huey: Huey = MemoryHuey(QUEUE_NAME, immediate=True)
    elif redis_url:
        huey = RedisHuey(QUEUE_NAME, url=redis_url)
    else:
        folder = folder or instance_path()
        folder.mkdir(parents=True, exist_ok=True)
        huey = SqliteHuey(QUEUE_NAME, filename=str(folder / QUEUE_FILE))
    engine = make_engine(database_url)
    work = run_solver if immediate else _behind_web_requests(run_solver)
    task = huey.task(name="solve")(partial(work, engine))
    deliver = huey.task(name="deliver")(partial(deliver_outbox, engine))
    huey.periodic_task(crontab(minute="*"), name="deliver-due")(partial(deliver_outbox, engine))
    huey.periodic_task(crontab(minute="5"), name="digests")(partial(digests, engine))
    webhooks = huey.task(name="webhooks")(partial(deliver_webhooks, engine))
    capacity = huey.task(name="capacity")(partial(run_capacity, engine))
    huey.periodic_task(crontab(minute="*"), name="webhooks-due")(partial(deliver_webhooks, engine))
    huey.periodic_task(crontab(minute="*/10"), name="request-rules")(partial(request_rules, engine))
    return Queue(huey, task, engine, deliver, webhooks, capacity)


def digests(engine: Engine) -> int:
    """Every hour: the evening digests due now go into the outbox, and out."""
    written = write_digests(engine) + write_summaries(engine)
    deliver_outbox(engine)
    return written


def request_rules(engine: Engine) -> tuple[int, int]:
    """Every ten minutes: unanswered requests past their days expire, and companies with
    requests awaiting their answer are reminded before the window closes (both idempotent),
    and what that told goes out."""
    done = apply_rules(engine)
    if any(done):
        deliver_outbox(engine)
    return done


def deliver_outbox(engine: Engine) -> int:
    """Send what the outbox holds, if a mail server is configured (else it waits there)."""
    return deliver_due(engine, mail_server())


# How far below the web server's threads a solve runs (nice(1) values: 0 normal, 19 lowest).
SOLVE_NICENESS = 10


def _behind_web_requests(run: Callable[..., str]) -> Callable[..., str]:
    """A solve takes every core it may for its whole time limit, while companies' calendar
    apps keep polling their feeds: the thread working it runs at a lower CPU priority, so a
    page waits for no solve and a solve loses only what the pages use. On Linux the nice value
    is the thread's own, and the solver's threads and child processes inherit it; elsewhere it
    would be the whole process's (the web server's too, with `partnering serve`): left as is."""

    @wraps(run)
    def behind(*args, **kwargs) -> str:
        if sys.platform == "linux":
            with suppress(OSError):
                if os.getpriority(os.PRIO_PROCESS, 0) < SOLVE_NICENESS:
                    os.setpriority(os.PRIO_PROCESS, 0, SOLVE_NICENESS)
        return run(*args, **kwargs)

    return behind
