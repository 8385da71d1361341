"""`partnering capacity` at BioJapan size: time, and whether `tables_needed` is tight.

    python benchmarks/capacity.py [--seeds 2026,11,7] [--targets 0.95,0.6]

For each seed: a BioJapan-size instance (`run.py`'s size), `partnering capacity` in a child
process (wall time), then the check of the issue where a number is named: `partnering solve`
(its default 60 s) on the instance with `tables_needed` tables places at least the target
share; the bound at `proof.below` tables is below it. The baseline of the same run is one
`partnering solve` of the instance as it is. Writes benchmarks/CAPACITY.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.run import SIZES, generate

PARTNERING = [sys.executable, "-m", "scheduler.cli"]
HERE = Path(__file__).resolve().parent


def timed(command: list[str]) -> float:
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True)
    return time.monotonic() - started


def scheduled(schedule: Path) -> int:
    return len(json.loads(schedule.read_text())["meetings"])


def with_tables(path: Path, total: int) -> dict:
    """The instance document with `total` shared tables and no fixed meetings, as
    `scheduler.capacity.with_tables` counts them."""
    document = json.loads(path.read_text())
    owned = [loc for loc in document["locations"] if loc.get("owner")]
    shared = [loc for loc in document["locations"] if not loc.get("owner")][:total]
    extra = [
        {"id": f"capacity-table-{n}", "name": f"Extra table {n}", "kind": "table"}
        for n in range(1, total - len(shared) + 1)
    ]
    document["locations"] = owned + shared + extra
    document["fixed"] = []
    return document


def run(seed: int, target: float, workdir: Path, baseline: dict) -> dict:
    instance = workdir / f"biojapan-{seed}.json"
    if not instance.exists():
        generate(SIZES["biojapan"], instance, seed=seed)
    if seed not in baseline:
        out = workdir / f"biojapan-{seed}.schedule.json"
        seconds = timed([*PARTNERING, "solve", str(instance), "-o", str(out), "--quiet"])
        baseline[seed] = {"seconds": seconds, "scheduled": scheduled(out)}
    report = workdir / f"biojapan-{seed}-{target}.capacity.json"
    seconds = timed(
        [*PARTNERING, "capacity", str(instance), "--target", str(target), "-o", str(report)]
    )
    result = json.loads(report.read_text())
    row = {"seed": seed, "target": target, "seconds": seconds, "result": result}
    if result["tables_needed"] is not None:
        bigger = workdir / f"biojapan-{seed}-{result['tables_needed']}.json"
        bigger.write_text(json.dumps(with_tables(instance, result["tables_needed"])))
        out = workdir / f"biojapan-{seed}-{result['tables_needed']}.schedule.json"
        timed([*PARTNERING, "solve", str(bigger), "-o", str(out), "--quiet"])
        row["solved_at_needed"] = scheduled(out)
    return row


def markdown(rows: list[dict], baseline: dict, load: str) -> str:
    lines = [
        "# Capacity planning at BioJapan size",
        "",
        "Written by `python benchmarks/capacity.py`: 1,500 companies, 35,000 requests, 3 days,"
        " 420 tables, 2,400 attendees (`run.py`'s BioJapan size), one seed per row. Wall time"
        " of `partnering capacity` in a child process; the baseline is one `partnering solve`"
        " (60 s limit) of the same instance in the same run. Where a number of tables is named,"
        " `partnering solve` on the instance with that many tables checks it (placed), and the"
        " bound at `below` tables is under the target (no schedule reaches it there).",
        "",
        f"Machine load while it ran: {load}. Other sessions were loading both cores, so the"
        " times are pessimistic.",
        "",
        "| seed | target | capacity s | solve s (baseline) | ratio | tables | tables_needed |"
        " below (bound there) | solve at tables_needed | target requests | unlimited-tables"
        " bound |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        r, base = row["result"], baseline[row["seed"]]
        proof = r["proof"]
        below = f"{proof['below']} ({proof.get('bound_below', '-')})" if "below" in proof else "-"
        unlimited = r["bottleneck"].get("unlimited_tables_bound", proof.get("unlimited_bound", "-"))
        lines.append(
            f"| {row['seed']} | {row['target']} | {row['seconds']:.1f} | {base['seconds']:.1f} |"
            f" {row['seconds'] / base['seconds']:.2f}x | {r['tables']} | {r['tables_needed']} |"
            f" {below} | {row.get('solved_at_needed', '-')} | {r['target_requests']} |"
            f" {unlimited} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="2026,11,7")
    parser.add_argument("--targets", default="0.95,0.6")
    parser.add_argument("--workdir", type=Path, default=HERE / "results" / "capacity")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    rows, baseline = [], {}
    for seed in (int(s) for s in args.seeds.split(",")):
        for target in (float(t) for t in args.targets.split(",")):
            print(f"seed {seed} target {target} ...", file=sys.stderr, flush=True)
            rows.append(run(seed, target, args.workdir, baseline))
            now = Path("/proc/loadavg").read_text().split()[:3]
            average = f"load average {' / '.join(load)} at the start, {' / '.join(now)} now"
            (HERE / "CAPACITY.md").write_text(markdown(rows, baseline, average + " (2 cores)"))


if __name__ == "__main__":
    main()
