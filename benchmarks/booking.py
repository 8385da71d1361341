"""Self-booking on a published fair: how long a company waits for a confirmed booking.

    python benchmarks/booking.py                       # BioJapan size, seeds 2026 and 11
    python benchmarks/booking.py --sizes biojapan,bio --seeds 2026

For each size and seed: generate the event, solve it (`--time-limit 20`: the schedule's
quality does not matter here) and publish it on a fresh SQLite database, with 5% of the
meetings after midday of day 2 cancelled since (their slots free). Then companies book
free times with a corporate, confirmed at once (`web.fairdays.operations.book`, as the
company's "Book" button does, under the event's lock): each booking is a new version of the
whole schedule, checked by the format's validator and published. Baseline of the same run:
the organiser's publication of the whole schedule on the same database. Checked at the end:
the published schedule passes `check_schedule` against the event exported then.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
from run import PARTNERING, SIZES, generate  # noqa: E402

from scheduler.formats.instance_reader import instance_from_document  # noqa: E402
from scheduler.formats.schedule_io import schedule_from_document, schedule_to_document  # noqa: E402
from scheduler.validate.check import check_schedule  # noqa: E402

SHARE_CANCELLED = 0.05
BOOKINGS = 5


def published_file(instance: Path, workdir: Path, seed: int) -> tuple[dict, dict, str]:
    """The instance, its solved schedule with some meetings after the cut cancelled (listed
    as unscheduled, as a publication after cancellations would be) and the cut."""
    solved = workdir / f"{instance.stem}.solved.json"
    command = [*PARTNERING, "solve", str(instance), "-o", str(solved), "--quiet"]
    subprocess.run([*command, "--time-limit", "20"], check=True, capture_output=True)
    document = json.loads(instance.read_text(encoding="utf-8"))
    schedule = json.loads(solved.read_text(encoding="utf-8"))
    cut = f"{document['event']['days'][1]['date']}T12:00"
    fixed = {f["request"] for f in document.get("fixed", [])}  # the organiser's: never cancelled
    late = [m["request"] for m in schedule["meetings"] if m["start"] >= cut]
    late = [r for r in late if r not in fixed]
    gone = set(random.Random(seed).sample(late, int(len(late) * SHARE_CANCELLED)))
    schedule["meetings"] = [m for m in schedule["meetings"] if m["request"] not in gone]
    schedule["unscheduled"] += [{"request": r, "reason": "cancelled since"} for r in sorted(gone)]
    return document, schedule, cut


def measure(size_name: str, seed: int, workdir: Path) -> dict:
    from sqlalchemy import select

    from web.companies.models import Company
    from web.conversion import add_schedule_version, document_from_event, save_instance
    from web.db import make_engine, make_session_factory
    from web.fairdays.free import free_slots, partners
    from web.fairdays.operations import book
    from web.migrations import upgrade
    from web.schedules.operations import publish, published_state

    instance_path = workdir / f"booking-{size_name}-{seed}.json"
    generate(SIZES[size_name], instance_path, seed=seed)
    document, schedule_document, cut = published_file(instance_path, workdir, seed)
    engine = make_engine(f"sqlite:///{workdir / f'booking-{size_name}-{seed}.sqlite3'}")
    upgrade(engine)
    factory = make_session_factory(engine)
    with factory() as session:
        event, _report = save_instance(session, document, f"fair-{seed}")
        instance, _warnings = instance_from_document(document)
        version = add_schedule_version(
            session, event, schedule_from_document(schedule_document, instance)
        )
        version.instance = document_from_event(session, event)
        started = time.perf_counter()
        publish(session, version)
        session.commit()
        publishing = time.perf_counter() - started
        event.booking_mode = "confirm"
        session.commit()
        at = datetime.fromisoformat(f"{cut}:00").replace(tzinfo=ZoneInfo(instance.event.timezone))
        waits = []
        startups = session.scalars(
            select(Company).where(Company.event_id == event.id, Company.role == "delegation")
        ).all()
        for company in startups:
            slots = next(
                (
                    (other, slots)
                    for other in partners(session, event, company)[:5]
                    if (slots := free_slots(session, event, company, other, at))
                ),
                None,
            )
            if slots is None:
                continue
            other, free = slots
            started = time.perf_counter()
            book(session, event, company, other, free[0].start, at)
            session.commit()
            waits.append(time.perf_counter() - started)
            if len(waits) == BOOKINGS:
                break
        published = published_state(session, event)
        exported = document_from_event(session, event)
        problems = check_schedule(
            exported, schedule_to_document(published.schedule, published.instance)
        )
    engine.dispose()
    return {
        "size": size_name,
        "seed": seed,
        "meetings": len(schedule_document["meetings"]),
        "publish": publishing,
        "bookings": waits,
        "valid": not problems,
    }


def report(rows: list[dict], load: str) -> str:
    lines = [
        "# Self-booking on a published fair\n",
        "Written by `python benchmarks/booking.py`. Each row: a generated event of that size, "
        "solved and published on a fresh SQLite database with 5% of its meetings after midday "
        f"of day 2 cancelled since; then {BOOKINGS} companies each book a free time with a "
        "corporate, confirmed at once (`web.fairdays.operations.book`, what the company's "
        "Book button runs: a new version of the whole schedule, checked by the format's "
        "validator and published, under the event's lock). Baseline of the same run: the "
        "organiser's publication of the whole schedule. `check`: the published schedule "
        "passes `check_schedule` against the event exported at the end.\n",
        f"Measured on this project's 2-core machine ({load}).\n",
        "| size | seed | meetings | publish s (baseline) | booking median s | booking max s "
        "| ratio (median / baseline) | check |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        median = statistics.median(row["bookings"]) if row["bookings"] else float("nan")
        lines.append(
            f"| {row['size']} | {row['seed']} | {row['meetings']:,} | {row['publish']:.2f} | "
            f"{median:.2f} | {max(row['bookings'], default=float('nan')):.2f} | "
            f"{median / row['publish']:.2f}x | {'valid' if row['valid'] else 'INVALID'} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="biojapan")
    parser.add_argument("--seeds", default="2026,11")
    parser.add_argument("-o", "--output", type=Path, default=HERE / "BOOKING.md")
    args = parser.parse_args()
    before = os.getloadavg()[0]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in args.sizes.split(","):
            for seed in (int(s) for s in args.seeds.split(",")):
                print(f"  {size}, seed {seed} ...", file=sys.stderr, flush=True)
                rows.append(measure(size, seed, Path(folder)))
    load = f"load average {before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    args.output.write_text(report(rows, load), encoding="utf-8")
    print(report(rows, load))


if __name__ == "__main__":
    main()
