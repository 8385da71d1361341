"""Writing a fair's calendars (`partnering ics`, the web's calendars.zip): seconds, and the
ratio against a baseline measured in the same run.

    python benchmarks/calendars.py [--companies 800 --requests 6000] [-o benchmarks/CALENDARS.md]

The baseline is the same writer with the two costs this code removed put back: the
VTIMEZONE worked out afresh for every file (icalendar's `Timezone.from_tzinfo`, ~50 ms each)
and every file going through the fair's every meeting. Both runs write the same bytes, which
is checked. The schedule is the first-come-first-served one (how it was made does not matter
to the writer, and it is quick).
"""

from __future__ import annotations

import argparse
import filecmp
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

from scheduler.calendars import export, ical
from scheduler.calendars.revisions import publish
from scheduler.domain import Schedule
from scheduler.formats.instance_reader import instance_from_document
from scheduler.generate.instances import generate_instance
from scheduler.solver.greedy import greedy_schedule
from scheduler.solver.prepare import Prepared

HERE = Path(__file__).resolve().parent
STAMP = datetime(2026, 12, 1, tzinfo=UTC)


@contextmanager
def as_before():
    """The writer as it was: no kept VTIMEZONE, no index of meetings by company and person."""
    from zoneinfo import ZoneInfo

    from icalendar import Timezone

    def fresh_zone(key, first, last):
        return Timezone.from_tzinfo(ZoneInfo(key), key, first, last)

    def whole(_instance, publication):
        return (lambda _company: publication), (lambda _person: publication)

    with (
        mock.patch.object(ical, "_zone_component", fresh_zone),
        mock.patch.object(export, "_cut", whole),
    ):
        yield


def timed_write(folder: Path, instance, schedule: Schedule, state) -> float:
    started = time.perf_counter()
    export.write_calendars(folder, instance, schedule, state, STAMP)
    return time.perf_counter() - started


def same_files(a: Path, b: Path) -> bool:
    names = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    return names == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file()) and all(
        filecmp.cmp(a / n, b / n, shallow=False) for n in names
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--companies", type=int, default=800)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("-o", "--output", type=Path, default=HERE / "CALENDARS.md")
    args = parser.parse_args()
    document = generate_instance(args.companies, args.requests, days=3, tables=80, seed=2026)
    instance, _ = instance_from_document(document)
    booking = greedy_schedule(Prepared(instance))
    schedule = Schedule(meetings=booking.meetings(), unscheduled=[])
    state = publish(schedule, "event-benchmark")
    with tempfile.TemporaryDirectory() as now_dir, tempfile.TemporaryDirectory() as old_dir:
        now = timed_write(Path(now_dir), instance, schedule, state)
        with as_before():
            before = timed_write(Path(old_dir), instance, schedule, state)
        identical = same_files(Path(now_dir), Path(old_dir))
        files = sum(1 for p in Path(now_dir).rglob("*") if p.is_file())
    lines = [
        "# Calendars benchmark",
        "",
        "`python benchmarks/calendars.py`: every calendar file of a generated fair "
        f"({args.companies} companies, {args.requests} requests, seed 2026, first come first "
        f"served schedule: {len(schedule.meetings)} meetings), {files} files.",
        "",
        "| writer | seconds | ratio to the baseline |",
        "| --- | --- | --- |",
        f"| baseline (VTIMEZONE per file, every meeting per file) | {before:.1f} | 1.00 |",
        f"| now | {now:.1f} | {now / before:.2f} |",
        "",
        f"Same bytes in every file: {'yes' if identical else 'NO'}.",
        "",
    ]
    args.output.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
