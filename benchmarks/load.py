"""Load on loopback: the production server (`partnering serve`, waitress) on PostgreSQL, with
companies' calendar feeds and agenda pages read by many clients at once, an organiser editing
companies, and a long solve running in a `partnering worker` (Redis queue) all the while.

    python benchmarks/load.py [--seconds 25] [--feed-rate 200] [--out benchmarks/LOAD.md]

Needs PostgreSQL and Redis on 127.0.0.1 (as the tests) and `wrk` (Debian: apt-get install
wrk). Two phases, one after the other, each `--seconds` long:

1. paced: calendar feeds at `--feed-rate` requests per second (the goal: 200/s, p95 under
   100 ms, no error) plus agenda pages at a tenth of that;
2. saturation: feeds as fast as 32 connections get them (the most this machine serves).

Before the solve starts, phase 1 runs once with no solve (the organiser editing as in it):
the baseline, in the same run.

Throughput, latency percentiles and errors go to `--out` (benchmarks/LOAD.md). A fresh
database is created for the run and dropped after it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FAIR = "big-fair"  # the generated fair whose agendas are read and which is re-solved
ADMIN_URL = os.environ.get(
    "PARTNERING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("PARTNERING_LOAD_REDIS_URL", "redis://127.0.0.1:6379/14")
PASSWORD = secrets.token_urlsafe(12)
ORGANISER = "load@example.org"

WRK_SCRIPT = """
local paths = {%(paths)s}
local interval = %(interval)f  -- ms between two requests of this wrk thread; 0: no pacing
local i = 0
local ffi = require("ffi")
ffi.cdef[[
  typedef struct { long tv_sec; long tv_nsec; } timespec;
  int clock_gettime(int clock, timespec *now);
]]
local clock = ffi.new("timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local due = nil
function setup(thread)
  thread:set("offset", math.random(1, #paths))
end
function request()
  i = i + 1
  return wrk.format("GET", paths[((i + offset) %% #paths) + 1])
end
-- Paced on a timetable (open loop): each request is due `interval` after the one before,
-- whatever the answers' latency, so a slow server faces the same rate, not a gentler one.
if interval > 0 then
  function delay()
    local now = now_ms()
    due = (due or now) + interval
    if due <= now then return 0 end
    return due - now
  end
end
function done(summary, latency, requests)
  io.write(string.format(
    '{"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50": %%d, "p95": %%d, "p99": %%d, "max": %%d}\\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max))
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=25, help="length of each phase")
    parser.add_argument("--feed-rate", type=int, default=200, help="feeds per second, paced")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "LOAD.md")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("needs wrk: apt-get install wrk")

    from sqlalchemy import create_engine, text

    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"partnering_load_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    folder = Path(tempfile.mkdtemp(prefix="partnering-load-"))
    processes: list[subprocess.Popen] = []
    try:
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "REDIS_URL": REDIS_URL,
            "PARTNERING_INSTANCE_PATH": str(folder),
            "SECRET_KEY": secrets.token_hex(32),
        }
        tokens, slug = prepare(url, env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        partnering = str(Path(sys.executable).parent / "partnering")
        serve = [partnering, "serve", "--port", str(port), "--workers", "0"]
        serve += ["--threads", str(args.threads)]
        processes.append(spawn(serve, env, folder / "serve.log"))
        processes.append(spawn([partnering, "worker", "--workers", "1"], env, folder / "w.log"))
        wait_until_up(base)
        feed_bytes = check_feeds(base, tokens)
        feeds = [f"/c/{t}/agenda.ics" for t in tokens]
        results: dict = {"feed_bytes": feed_bytes}
        organiser = Organiser(base)
        # The baseline, in the same run: the same paced load and edits, no solve running.
        editing = organiser.edit_while(slug, lambda: results.get("done"))
        quiet = run_wrk(base, folder, feeds, args.seconds, 40, rate=args.feed_rate)
        results["feeds_quiet"], results["pages_quiet"] = quiet
        results["done"] = True
        editing.join()
        results["edits_quiet"], organiser.edits = organiser.edits, organiser.no_edits()
        del results["done"]

        run_url = organiser.start_solve(slug, time_limit=4 * args.seconds)
        organiser.wait_for_search(run_url)
        editing = organiser.edit_while(slug, lambda: results.get("done"))
        paced = run_wrk(base, folder, feeds, args.seconds, 40, rate=args.feed_rate)
        results["feeds_paced"] = paced[0]
        results["pages_paced"] = paced[1]
        results["done"] = True
        editing.join()
        results["edits"] = organiser.edits
        results["solve_during_paced"] = organiser.status(run_url)
        results["feeds_saturation"] = run_wrk(base, folder, feeds, args.seconds, 32)[0]
        results["solve_after"] = organiser.status(run_url)
        del results["done"]
        write_report(args, results, len(tokens))
        print(json.dumps(results, indent=1))
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        shutil.rmtree(folder, ignore_errors=True)


def prepare(url: str, env: dict) -> tuple[list[str], str]:
    """Schema, an organiser, and a generated fair of 800 companies and 6000 requests, solved
    and published: its companies' feeds and pages are what the clients read, and re-solving
    it keeps a worker busy during the load (as an organiser re-solving during the event)."""
    os.environ.update(env)
    from sqlalchemy import select

    from scheduler.generate.instances import generate_instance
    from scheduler.solver.cpsat import SolverSettings
    from web.auth.operations import create_organiser
    from web.companies.models import Company
    from web.conversion import save_instance
    from web.db import make_engine, transaction
    from web.events.models import Event
    from web.migrations import upgrade
    from web.schedules.models import ScheduleVersion
    from web.schedules.operations import publish
    from web.solving.job import run_solver
    from web.solving.operations import queue_run

    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        create_organiser(session, ORGANISER, PASSWORD)
        save_instance(session, generate_instance(800, 6000, 3, 80, seed=2026), FAIR)
    with transaction(engine) as session:
        event = session.scalar(select(Event).where(Event.slug == FAIR))
        run = queue_run(session, event, SolverSettings(time_limit=15))
    assert run_solver(engine, run.id) == "succeeded"
    with transaction(engine) as session:
        made = ScheduleVersion.solver_run_id == run.id
        version = session.scalar(select(ScheduleVersion).where(made))
        publish(session, version)
        tokens = session.scalars(
            select(Company.access_token).where(Company.event_id == version.event_id)
        ).all()
    engine.dispose()
    return list(tokens), FAIR


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(command: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def wait_until_up(base: str) -> None:
    opener = build_opener()
    for _ in range(120):
        try:
            opener.open(base + "/login", timeout=2).read()
            return
        except OSError:
            time.sleep(0.5)
    sys.exit("the server did not start")


def check_feeds(base: str, tokens: list[str]) -> int:
    """Every company's feed is a calendar (read once, as calendar apps would at first);
    their mean size in bytes."""
    opener = build_opener()
    sizes = []
    for token in tokens:
        body = opener.open(f"{base}/c/{token}/agenda.ics", timeout=30).read()
        assert body.startswith(b"BEGIN:VCALENDAR"), token
        sizes.append(len(body))
    return round(statistics.mean(sizes))


class Organiser:
    """A logged-in organiser's browser: starts the solve, then edits companies."""

    def __init__(self, base: str) -> None:
        self.base, self.opener = base, build_opener(HTTPCookieProcessor())
        self.edits = self.no_edits()
        page = self.get("/login")
        self.post("/login", {"email": ORGANISER, "password": PASSWORD, "csrf_token": csrf(page)})

    @staticmethod
    def no_edits() -> dict:
        return {"count": 0, "errors": 0, "latencies_ms": []}

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=60).read().decode()

    def post(self, path: str, fields: dict) -> str:
        request = Request(self.base + path, data=urlencode(fields).encode(), method="POST")
        with self.opener.open(request, timeout=60) as response:
            return response.geturl()

    def start_solve(self, slug: str, time_limit: int) -> str:
        page = self.get(f"/events/{slug}/runs/")
        fields = {"time_limit": time_limit, "seed": 0, "allow_moves": 0, "csrf_token": csrf(page)}
        return self.post(f"/events/{slug}/runs/", fields).removeprefix(self.base)

    def status(self, run_url: str) -> dict:
        progress = json.loads(self.get(run_url.rstrip("/") + "/progress.json"))
        return {k: progress[k] for k in ("status", "stage", "objective", "bound", "seconds")}

    def wait_for_search(self, run_url: str) -> None:
        for _ in range(600):
            if self.status(run_url)["stage"] == "searching":
                return
            time.sleep(0.5)
        sys.exit("the solve did not reach its search")

    def edit_while(self, slug: str, finished) -> threading.Thread:
        """Load a company's form and save it with a changed name, about twice a second."""

        def edit() -> None:
            listing = self.get(f"/events/{slug}/companies/")
            ids = sorted(set(re.findall(rf"/events/{slug}/companies/(\d+)", listing)))
            n = 0
            while not finished():
                company = ids[n % len(ids)]
                started = time.perf_counter()
                try:
                    form = self.get(f"/events/{slug}/companies/{company}/edit")
                    fields = {
                        "name": re.search(r'name="name"[^>]*value="([^"]*)"', form).group(1),
                        "role": re.search(r'<option selected value="([^"]+)"', form).group(1),
                        "delegation": field(form, "delegation"),
                        "max_meetings_per_day": field(form, "max_meetings_per_day"),
                        "version": re.search(r'name="version"[^>]*value="(\d+)"', form).group(1),
                        "csrf_token": csrf(form),
                    }
                    self.post(f"/events/{slug}/companies/{company}/edit", fields)
                    self.edits["count"] += 1
                except Exception as error:  # recorded, the load goes on
                    print("edit failed:", error, file=sys.stderr)
                    self.edits["errors"] += 1
                self.edits["latencies_ms"].append((time.perf_counter() - started) * 1000)
                n += 1
                time.sleep(0.5)

        thread = threading.Thread(target=edit, daemon=True)
        thread.start()
        return thread


def field(page: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    return found.group(1) if found else ""


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def run_wrk(
    base: str, folder: Path, feeds: list[str], seconds: int, connections: int, rate: int = 0
) -> list[dict]:
    """wrk on the feeds (and, when paced, a second wrk on the agenda pages at a tenth of the
    rate); paced, each wrk thread sends on a timetable that makes `rate`/s in all."""
    jobs = [(feeds, connections, rate)]
    if rate:
        pages = [f.replace("/agenda.ics", "/") for f in feeds]
        pages += [f.replace("/agenda.ics", "/agenda") for f in feeds]
        jobs.append((pages, 4, max(1, rate // 10)))
    running = []
    for n, (paths, count, per_second) in enumerate(jobs):
        threads = 2 if count > 4 else 1
        interval = threads * 1000 / per_second if per_second else 0
        script = folder / f"load-{n}.lua"
        script.write_text(
            WRK_SCRIPT % {"paths": ", ".join(json.dumps(p) for p in paths), "interval": interval}
        )
        command = ["wrk", "-t", str(threads), "-c", str(count)]
        command += ["-d", f"{seconds}s", "--timeout", "10s", "-s", str(script), base]
        running.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))
    results = []
    for process in running:
        output, _ = process.communicate()
        line = next(x for x in output.splitlines() if x.startswith("{"))
        figures = json.loads(line)
        figures["per_second"] = round(figures["requests"] / (figures["duration_us"] / 1e6), 1)
        figures["errors"] = sum(
            figures[k] for k in ("connect", "read", "write", "status", "timeout")
        )
        results.append(figures)
    return results


def edits_line(edits: dict) -> str:
    latencies = edits["latencies_ms"]
    return (
        f"{edits['count']} saved, {edits['errors']} failed, load-and-save p50 "
        f"{statistics.median(latencies) if latencies else 0:.0f} ms, max "
        f"{max(latencies, default=0):.0f} ms"
    )


def write_report(args, results: dict, companies: int) -> None:
    def row(label: str, target: str, r: dict) -> str:
        ms = {k: r[k] / 1000 for k in ("p50", "p95", "p99", "max")}
        return (
            f"| {label} | {target} | {r['requests']} | {r['per_second']} | {ms['p50']:.1f} | "
            f"{ms['p95']:.1f} | {ms['p99']:.1f} | {ms['max']:.1f} | {r['errors']} |"
        )

    paced, pages, saturated = (
        results["feeds_paced"],
        results["pages_paced"],
        results["feeds_saturation"],
    )
    quiet, quiet_pages = results["feeds_quiet"], results["pages_quiet"]
    edits = results["edits"]
    met = paced["per_second"] >= 0.95 * args.feed_rate and paced["p95"] < 100_000
    met = met and paced["errors"] == 0
    lines = [
        "# Load on loopback",
        "",
        "Written by `python benchmarks/load.py` (see its docstring); "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores "
        f"({platform.processor() or platform.machine()}), Python {platform.python_version()}.",
        "",
        f"`partnering serve` (waitress, {args.threads} threads, `--workers 0`) on PostgreSQL "
        f"with a generated fair of {companies} companies and 6000 requests published "
        f"(feeds of {results['feed_bytes'] // 1024} KB on average); a `partnering worker` "
        "(Redis queue) re-solving that fair; an organiser loading and saving its "
        "companies' forms about twice a second; `wrk` on the same machine as the load "
        "generator, paced phases on a timetable (open loop: a slow answer does not slow the "
        f"rate). Each phase {args.seconds} s. Latencies in ms.",
        "",
        "| phase | target | requests | per second | p50 | p95 | p99 | max | errors |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
        row("no solve: calendar feeds, paced", f"{args.feed_rate}/s", quiet),
        row("no solve: agenda pages, paced", f"{max(1, args.feed_rate // 10)}/s", quiet_pages),
        row("calendar feeds, paced", f"{args.feed_rate}/s, p95 < 100 ms", paced),
        row("agenda pages (HTML, printable), paced", f"{max(1, args.feed_rate // 10)}/s", pages),
        row("calendar feeds, saturation (32 connections)", "as many as served", saturated),
        "",
        "Feeds with the solve running against the baseline (same run, no solve): "
        f"p50 {paced['p50'] / max(quiet['p50'], 1):.2f}x, "
        f"p95 {paced['p95'] / max(quiet['p95'], 1):.2f}x, "
        f"p99 {paced['p99'] / max(quiet['p99'], 1):.2f}x.",
        "",
        f"Organiser edits during the paced phases: {edits_line(results['edits_quiet'])} "
        f"with no solve, {edits_line(edits)} with the solve running.",
        "",
        f"The solve during the paced phase: {results['solve_during_paced']}; after the "
        f"saturation phase: {results['solve_after']}.",
        "",
        f"Goal (200 feeds/s, p95 under 100 ms, no error, while a solve runs): "
        f"**{'met' if met else 'not met'}**.",
        "",
    ]
    args.out.write_text("\n".join(lines))


if __name__ == "__main__":
    main()
