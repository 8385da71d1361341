"""Run the solver on the benchmark instances and write benchmarks/RESULTS.md.

    python benchmarks/run.py                  # small, mid and tight
    python benchmarks/run.py --sizes all      # also BioJapan and BIO size (long)

Each instance is generated with a fixed seed, solved by `partnering solve` in a child process
(so wall time and peak memory are the operating system's figures for that solve alone), and
the schedule is checked by the independent validator. The first-come-first-served objective
and the proven bound come from the same run (`greedy_objective`, `bound` in the summary).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PARTNERING = [sys.executable, "-m", "scheduler.cli"]


@dataclass(frozen=True)
class Size:
    name: str
    companies: int
    requests: int
    days: int
    tables: int
    attendees: int | None = None
    time_limit: float = 60.0


SIZES = {
    "small": Size("small", 80, 400, 3, 20, time_limit=30),
    "mid": Size("mid", 800, 6_000, 3, 80, time_limit=30),
    "tight": Size("tight", 300, 3_000, 3, 10, time_limit=60),
    "biojapan": Size("biojapan", 1_500, 35_000, 3, 420, attendees=2_400, time_limit=60),
    "bio": Size("bio", 4_100, 100_000, 4, 700, attendees=6_400, time_limit=300),
}
DEFAULT = ("small", "mid", "tight")


def run_size(size: Size, workdir: Path, seed: int = 2026) -> dict:
    instance = workdir / f"{size.name}.json"
    schedule = workdir / f"{size.name}.schedule.json"
    generate = [
        *PARTNERING,
        "generate",
        "--companies",
        str(size.companies),
        "--requests",
        str(size.requests),
        "--days",
        str(size.days),
        "--tables",
        str(size.tables),
        "--seed",
        str(seed),
        "-o",
        str(instance),
    ]
    if size.attendees:
        generate += ["--attendees", str(size.attendees)]
    subprocess.run(generate, check=True, capture_output=True)
    solve = [
        *PARTNERING,
        "solve",
        str(instance),
        "-o",
        str(schedule),
        "--time-limit",
        str(size.time_limit),
        "--quiet",
    ]
    started = time.monotonic()
    child = subprocess.Popen(solve, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        return {"name": size.name, "error": child.stderr.read().decode()[-500:]}
    checked = subprocess.run(
        [*PARTNERING, "check", str(instance), str(schedule)], capture_output=True, text=True
    )
    summary = json.loads(schedule.read_text())["summary"]
    return {
        "name": size.name,
        "size": size,
        "summary": summary,
        "wall": wall,
        "peak_mb": usage.ru_maxrss / 1024,
        "valid": checked.returncode == 0,
    }


def table(rows: list[dict]) -> str:
    lines = [
        "| instance | companies / requests | objective | FCFS | ratio to FCFS | bound | gap "
        "| scheduled | wall s | peak MB | valid | breaks | companies w/o meeting |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['name']} | failed: {row['error']!r} |")
            continue
        s, size = row["summary"], row["size"]
        bound = s.get("bound")
        gap = f"{(bound - s['objective']) / bound * 100:.2f}%" if bound else "n/a"
        ratio = s["objective"] / s["greedy_objective"] if s["greedy_objective"] else 1.0
        lines.append(
            f"| {row['name']} | {size.companies} / {size.requests} | {s['objective']} "
            f"| {s['greedy_objective']} | {ratio:.4f} | {bound if bound else 'n/a'} | {gap} "
            f"| {s['scheduled']} | {row['wall']:.1f} | {row['peak_mb']:.0f} "
            f"| {'yes' if row['valid'] else 'NO'} | {s['breaks']} "
            f"| {s['companies_without_meetings']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        default=",".join(DEFAULT),
        help=f"comma-separated from {', '.join(SIZES)}, or 'all'",
    )
    parser.add_argument("--workdir", type=Path, default=HERE / "instances")
    parser.add_argument("-o", "--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    names = list(SIZES) if args.sizes == "all" else args.sizes.split(",")
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    for name in names:
        print(f"{name} ...", file=sys.stderr, flush=True)
        rows.append(run_size(SIZES[name], args.workdir))
    header = (
        "# Benchmark results\n\n"
        f"Written by `python benchmarks/run.py --sizes {','.join(names)}` on "
        f"{os.cpu_count()} cores. FCFS is the first-come-first-served baseline (priority first, "
        "then scarcest) measured in the same run; bound is the LP relaxation's proven bound.\n\n"
    )
    args.output.write_text(header + table(rows) + "\n", encoding="utf-8")
    print(args.output, file=sys.stderr)


if __name__ == "__main__":
    main()
