"""First come, first served alone, as a complete schedule file (every unscheduled request
with its reason): the baseline's own wall time and peak memory, which `growth.py` measures in
a child process as it measures `partnering solve`.

    PYTHONPATH=. python benchmarks/fcfs.py INSTANCE -o SCHEDULE
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from scheduler.formats.instance_reader import load_instance
from scheduler.formats.schedule_io import write_schedule
from scheduler.solver.greedy import greedy_schedule
from scheduler.solver.prepare import Prepared
from scheduler.solver.solve import to_schedule


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", type=Path)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    instance, _ = load_instance(args.instance)
    started = time.monotonic()  # as the solver's `seconds`: after reading
    prepared = Prepared(instance)
    booking = greedy_schedule(prepared)
    seconds = time.monotonic() - started
    schedule = to_schedule(prepared, booking, None, booking.objective(), seconds)
    write_schedule(schedule, instance, args.output)


if __name__ == "__main__":
    main()
