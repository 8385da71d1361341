"""Run the solver on the benchmark instances and write benchmarks/RESULTS.md.

    python benchmarks/run.py                        # small, mid and tight
    python benchmarks/run.py --sizes all            # also BioJapan and BIO size (long)
    python benchmarks/run.py --jair originals       # the 20 B2B originals of JAIR 2022
    python benchmarks/run.py --jair all             # and their 80 variants (long)
    python benchmarks/run.py --entitlements mid,biojapan  # what guaranteed meetings cost

The growth curve (mid to twice BIO, time, memory and gap beside FCFS's, the steps that take
the time) is `benchmarks/growth.py`'s; its section here comes from benchmarks/results/growth.md.

Generated instances have fixed seeds. Each is solved by `partnering solve` in a child process
(so wall time and peak memory are the operating system's figures for that solve alone) with
the default settings, with `--fair` and, where the slot-by-slot model is used, `--compact`;
every schedule is checked by the independent validator. The first-come-first-served
objective and the proven bound come from the same run (`greedy_objective`, `bound`).

Figures are kept per section in benchmarks/results/*.json, so that running one section
rewrites RESULTS.md with the others' latest figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
PARTNERING = [sys.executable, "-m", "scheduler.cli.commands"]
JAIR = HERE.parent.parent / "shared" / "benchmarks" / "b2b-jair2022"


@dataclass(frozen=True)
class Size:
    name: str
    companies: int
    requests: int
    days: int
    tables: int
    attendees: int | None = None
    time_limit: float = 60.0
    compact: bool = True  # small enough for the slot-by-slot model that compact mode needs
    rooms: int | None = None  # corporates with an own room (default: the generator's ~5%)


SIZES = {
    "small": Size("small", 80, 400, 3, 20, time_limit=30),
    "mid": Size("mid", 800, 6_000, 3, 80, time_limit=25),  # the goal: 0.2% within 30 s, all in
    "tight": Size("tight", 300, 3_000, 3, 10, time_limit=60),
    "biojapan": Size("biojapan", 1_500, 35_000, 3, 420, 2_400, 55),
    "bio": Size("bio", 4_100, 100_000, 4, 700, 6_400, 270, compact=False),
}
DEFAULT = ("small", "mid", "tight")
VARIANTS = {"default": [], "fair": ["--fair"], "compact": ["--compact"]}


def solve_and_measure(
    instance: Path, schedule: Path, options: list[str], code: Path | None = None
) -> dict:
    """One `partnering solve` in a child process: its summary, wall time, peak memory and
    the independent validator's verdict (always this checkout's). `code`: a folder holding
    another version of the `scheduler` package to solve with (a baseline, `anytime.py`)."""
    command = [*PARTNERING, "solve", str(instance), "-o", str(schedule), "--quiet", *options]
    # `python -m` puts the working folder first on the path: a baseline runs from its own
    env = {**os.environ, "PYTHONPATH": str(code)} if code else None
    return measure_schedule(command, instance, schedule, env, code)


def measure_schedule(
    command: list[str],
    instance: Path,
    schedule: Path,
    env: dict | None = None,
    cwd: Path | None = None,
) -> dict:
    """Run `command`, which writes `schedule` for `instance`, in a child process: the
    schedule's summary, the wall time and peak memory of the child alone (the operating
    system's figures) and the independent validator's verdict."""
    started = time.monotonic()
    # stderr to a file, not a pipe: a child that says much would fill the pipe and wait
    with tempfile.TemporaryFile() as said:
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=said, env=env, cwd=cwd)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - started
        if os.waitstatus_to_exitcode(status) != 0:
            said.seek(0)
            return {"error": said.read().decode(errors="replace")[-500:]}
    checked = subprocess.run(
        [*PARTNERING, "check", str(instance), str(schedule)], capture_output=True, text=True
    )
    return {
        "summary": json.loads(schedule.read_text(encoding="utf-8"))["summary"],
        "wall": round(wall, 1),
        "peak_mb": round(usage.ru_maxrss / 1024),
        "valid": checked.returncode == 0,
    }


def generate(size: Size, path: Path, seed: int = 2026, entitlements: float = 0.0) -> None:
    command = [
        *PARTNERING,
        "generate",
        *("--companies", str(size.companies), "--requests", str(size.requests)),
        *("--days", str(size.days), "--tables", str(size.tables), "--seed", str(seed)),
        *("-o", str(path)),
    ]
    if size.attendees:
        command += ["--attendees", str(size.attendees)]
    if size.rooms is not None:
        command += ["--rooms", str(size.rooms)]
    if entitlements:
        command += ["--entitlements", str(entitlements)]
    subprocess.run(command, check=True, capture_output=True)


def run_size(size: Size, workdir: Path) -> dict:
    instance = workdir / f"{size.name}.json"
    generate(size, instance)
    row: dict = {"size": asdict(size)}
    for variant, options in VARIANTS.items():
        if variant == "compact" and not size.compact:
            continue
        print(f"  {size.name} {variant} ...", file=sys.stderr, flush=True)
        schedule = workdir / f"{size.name}.{variant}.schedule.json"
        limit = ["--time-limit", str(size.time_limit)]
        row[variant] = solve_and_measure(instance, schedule, [*limit, *options])
    return row


ENTITLED_SHARE = 0.2  # of companies with a package, in the entitlements section


def run_entitlements(size: Size, workdir: Path) -> dict:
    """The same event (same seed) without and with packages: what guarantees cost in the
    count, and how many companies are still left short."""
    row: dict = {"size": asdict(size)}
    for variant, share in (("without", 0.0), ("with", ENTITLED_SHARE)):
        instance = workdir / f"{size.name}.{variant}-entitlements.json"
        generate(size, instance, entitlements=share)
        print(f"  {size.name} {variant} entitlements ...", file=sys.stderr, flush=True)
        schedule = workdir / f"{size.name}.{variant}-entitlements.schedule.json"
        row[variant] = solve_and_measure(instance, schedule, ["--time-limit", str(size.time_limit)])
    return row


def entitlements_table(rows: list[dict]) -> str:
    lines = [
        "| instance | objective without | objective with | cost | FCFS with | companies short "
        "| wall s (without / with) | valid |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        without, with_ = row["without"], row["with"]
        if "error" in without or "error" in with_:
            lines.append(f"| {row['size']['name']} | failed |")
            continue
        a, b = without["summary"], with_["summary"]
        cost = (a["objective"] - b["objective"]) / a["objective"] * 100
        valid = "yes" if without["valid"] and with_["valid"] else "NO"
        lines.append(
            f"| {row['size']['name']} | {a['objective']} | {b['objective']} | {cost:.2f}% "
            f"| {b['greedy_objective']} | {b.get('entitlements_short', 'n/a')} "
            f"| {without['wall']} / {with_['wall']} | {valid} |"
        )
    return "\n".join(lines)


def run_jair(which: str, workdir: Path):
    """Yield one row per file, as each is solved."""
    with (JAIR / "published.csv").open(encoding="utf-8") as file:
        published = list(csv.DictReader(file))
    for entry in published:
        if which == "originals" and entry["variant"] != "original":
            continue
        print(f"  {entry['file']} ...", file=sys.stderr, flush=True)
        schedule = workdir / f"jair-{entry['file']}"
        # The limit leaves a second for starting Python and writing the file: 60 s in all.
        options = ["--max-breaks", str(JAIR_LIMIT), "--time-limit", str(JAIR_SECONDS - 1)]
        yield {**entry, **solve_and_measure(JAIR / entry["file"], schedule, options)}


# --- the report ---------------------------------------------------------------------------


def _gap(summary: dict) -> str:
    bound = summary.get("bound")
    return f"{(bound - summary['objective']) / bound * 100:.2f}%" if bound else "n/a"


def sizes_table(rows: list[dict]) -> str:
    lines = [
        "| instance | companies / requests | objective | FCFS | ratio to FCFS | bound | gap "
        "| scheduled | wall s | peak MB | valid | breaks | max breaks "
        "| companies w/o meeting | lowest share | own room missed |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        size, result = row["size"], row["default"]
        if "error" in result:
            lines.append(f"| {size['name']} | failed: {result['error']!r} |")
            continue
        s = result["summary"]
        ratio = s["objective"] / s["greedy_objective"] if s["greedy_objective"] else 1.0
        lines.append(
            f"| {size['name']} | {size['companies']} / {size['requests']} | {s['objective']} "
            f"| {s['greedy_objective']} | {ratio:.4f} | {s.get('bound', 'n/a')} | {_gap(s)} "
            f"| {s['scheduled']} | {result['wall']} | {result['peak_mb']} "
            f"| {'yes' if result['valid'] else 'NO'} | {s['breaks']} | {s['max_breaks']} "
            f"| {s['companies_without_meetings']} | {s.get('lowest_share', 'n/a')} "
            f"| {s.get('own_room_missed', 'n/a')} |"
        )
    return "\n".join(lines)


def goals_table(rows: list[dict]) -> str:
    """What each quality goal costs in priority-weighted meetings, against the default run."""
    lines = [
        "| instance | goal | objective | cost vs default | breaks | companies w/o meeting "
        "| lowest share | wall s | valid |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        base = row["default"].get("summary")
        for variant in ("fair", "compact"):
            result = row.get(variant)
            if result is None or base is None:
                continue
            if "error" in result:
                lines.append(f"| {row['size']['name']} | {variant} | failed |")
                continue
            s = result["summary"]
            cost = (base["objective"] - s["objective"]) / base["objective"] * 100
            lines.append(
                f"| {row['size']['name']} | --{variant} | {s['objective']} | {cost:.2f}% "
                f"| {s['breaks']} (default {base['breaks']}) "
                f"| {s['companies_without_meetings']} "
                f"(default {base['companies_without_meetings']}) "
                f"| {s.get('lowest_share')} (default {base.get('lowest_share')}) "
                f"| {result['wall']} | {'yes' if result['valid'] else 'NO'} |"
            )
    return "\n".join(lines)


JAIR_LIMIT = 2  # the paper's fairness limit d: no participant above 2 breaks
JAIR_SECONDS = 60  # the goal: each file within 60 s


def jair_verdict(row: dict) -> str:
    """Feasible file: every meeting, no more breaks than published, no one above 2. File
    that is infeasible under the paper's rules: as many meetings as can be held at all. Both
    within 60 s and valid."""
    s = row["summary"]
    if not row["valid"] or row["wall"] > JAIR_SECONDS:
        return "no"
    if row["published_min_breaks"] == "infeasible":
        return "yes" if s["scheduled"] >= int(row["max_meetings_cpsat"]) else "no"
    reached = (
        s["scheduled"] == int(row["meetings"])
        and s["breaks"] <= int(row["published_min_breaks"])
        and s["max_breaks"] <= JAIR_LIMIT
    )
    return "yes" if reached else "no"


def jair_table(rows: list[dict]) -> str:
    lines = [
        "| file | meetings | most that fit | scheduled | FCFS | breaks | published min "
        "| max breaks | people over 2 | reached | wall s | valid |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['file']} | failed: {row['error']!r} |")
            continue
        s = row["summary"]
        lines.append(
            f"| {row['file']} | {row['meetings']} | {row['max_meetings_cpsat']} "
            f"| {s['scheduled']} | {s['greedy_objective']} | {s['breaks']} "
            f"| {row['published_min_breaks']} | {s['max_breaks']} "
            f"| {s.get('people_over_break_limit', 'n/a')} | {jair_verdict(row)} "
            f"| {row['wall']} | {'yes' if row['valid'] else 'NO'} |"
        )
    return "\n".join(lines)


def jair_summary(rows: list[dict]) -> str:
    done = [r for r in rows if "error" not in r]
    originals = [r for r in done if r["variant"] == "original"]
    variants = [r for r in done if r["variant"] != "original"]

    def count(group: list[dict]) -> str:
        reached = sum(1 for r in group if jair_verdict(r) == "yes")
        return f"{reached} of {len(group)}"

    text = "Reached (see `jair_verdict`: the published minimum of breaks with every meeting, "
    text += "or on a file infeasible under the paper's rules the most meetings that fit): "
    text += f"originals {count(originals)}"
    if variants:
        text += f", variants {count(variants)}"
    return text + "."


def write_report(output: Path) -> None:
    sizes = load_results("sizes")
    jair = load_results("jair")
    entitled = load_results("entitlements")
    parts = [
        "# Benchmark results\n",
        "Written by `python benchmarks/run.py` (see its docstring) on this "
        f"{os.cpu_count()}-core machine. FCFS is the first-come-first-served baseline (priority "
        "first, then scarcest) measured in the same run; bound is the best proven upper bound "
        "(LP relaxation per session, per slot, or CP-SAT's); gap is (bound - objective) / "
        "bound. Wall time and peak memory are the operating system's figures for the child "
        "process of each solve. `valid` is `partnering check`'s verdict. The search at "
        "event scale against the solver before it, on other seeds: `ANYTIME.md` "
        "(`benchmarks/anytime.py`).\n",
    ]
    if sizes:
        parts += ["## Generated events\n", sizes_table(list(sizes.values())) + "\n"]
        parts += [
            "## What each quality goal costs\n",
            "`--fair` gives every company that can have one a meeting, then raises the lowest "
            "share of met requests; `--compact` minimises breaks with the priority-weighted "
            "count held (at BioJapan size by neighbourhoods, `compact_lns`).\n",
            goals_table(list(sizes.values())) + "\n",
        ]
    growth = RESULTS / "growth.md"  # the section `growth.py` writes, linking GROWTH.md
    if growth.exists():
        parts.append(growth.read_text(encoding="utf-8"))
    if entitled:
        parts += [
            "## What guaranteed meetings cost\n",
            f"The same event (same seed) solved without packages and with "
            f"{ENTITLED_SHARE:.0%} of its companies given one (`partnering generate "
            "--entitlements`: `min_meetings` 3-8, half also `max_meetings`); cost is the "
            "count given up for the packages, the allowances (`max_meetings`, a rule) and the "
            "guarantees together; FCFS is first come, first served on the event with packages "
            "(it keeps the allowances, not the guarantees); companies short are those with "
            "fewer meetings than `min_meetings` (mostly companies with fewer accepted requests "
            "than that, which the reader warns of).\n",
            entitlements_table(list(entitled.values())) + "\n",
        ]
    if jair:
        rows = list(jair.values())
        parts += [
            "## Compact agendas on the B2B instances of Bofill et al. (JAIR 2022)\n",
            "`partnering solve FILE --max-breaks 2 --time-limit 60` on each file of "
            "`../shared/benchmarks/b2b-jair2022/`; published min is the proven optimum of "
            "breaks from the paper (MaxSAT). " + jair_summary(rows) + "\n",
            jair_table(rows) + "\n",
        ]
    output.write_text("\n".join(parts), encoding="utf-8")


def load_results(section: str) -> dict:
    path = RESULTS / f"{section}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def save_results(section: str, rows: dict) -> None:
    RESULTS.mkdir(exist_ok=True)
    merged = {**load_results(section), **rows}
    path = RESULTS / f"{section}.json"
    path.write_text(json.dumps(merged, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=None, help=f"from {', '.join(SIZES)}, or 'all'")
    parser.add_argument("--jair", choices=("originals", "all"), default=None)
    parser.add_argument("--entitlements", default=None, help="sizes, e.g. mid,biojapan")
    parser.add_argument("--workdir", type=Path, default=HERE / "instances")
    parser.add_argument("-o", "--output", type=Path, default=HERE / "RESULTS.md")
    args = parser.parse_args()
    if args.sizes is None and args.jair is None and args.entitlements is None:
        args.sizes = ",".join(DEFAULT)
    args.workdir.mkdir(parents=True, exist_ok=True)
    if args.entitlements:
        for name in args.entitlements.split(","):
            save_results("entitlements", {name: run_entitlements(SIZES[name], args.workdir)})
            write_report(args.output)
    if args.sizes:
        names = list(SIZES) if args.sizes == "all" else args.sizes.split(",")
        for name in names:  # saved one by one: a long run that stops keeps what it measured
            save_results("sizes", {name: run_size(SIZES[name], args.workdir)})
            write_report(args.output)
    if args.jair:
        for row in run_jair(args.jair, args.workdir):
            save_results("jair", {row["file"]: row})
            write_report(args.output)
    print(args.output, file=sys.stderr)


if __name__ == "__main__":
    main()
