"""The job queue: a queued solve runs behind the web requests (a lower CPU priority), so
companies' pages and feeds do not wait for it; a solve run in the request (tests) does not."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from web.db import make_engine
from web.jobs import SOLVE_NICENESS, make_queue
from web.models import Base

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="a thread's own nice value exists on Linux only"
)


def niceness_after_solving(queue, run_id: int) -> tuple[str, int]:
    """Work `run_id` in a new thread, as a worker's thread would; its status and nice value."""
    seen: dict = {}

    def work() -> None:
        seen["status"] = queue.solve.call_local(run_id)
        seen["nice"] = os.getpriority(os.PRIO_PROCESS, 0)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return seen["status"], seen["nice"]


@pytest.fixture
def database(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    Base.metadata.create_all(make_engine(url))
    return url


def test_a_queued_solve_runs_at_a_lower_priority_than_the_web_threads(database, tmp_path):
    before = os.getpriority(os.PRIO_PROCESS, 0)
    queue = make_queue(database, redis_url="", folder=tmp_path)
    assert niceness_after_solving(queue, 404) == ("missing", max(before, SOLVE_NICENESS))
    assert os.getpriority(os.PRIO_PROCESS, 0) == before  # the calling (web) thread is not


def test_a_solve_run_in_the_request_keeps_the_request_threads_priority(database, tmp_path):
    before = os.getpriority(os.PRIO_PROCESS, 0)
    queue = make_queue(database, redis_url="", folder=tmp_path, immediate=True)
    assert niceness_after_solving(queue, 404) == ("missing", before)
