"""The growth curve: wall time, peak memory and gap as the event grows, beside FCFS's.

    python benchmarks/growth.py                     # mid, BioJapan, BIO, twice BIO: ~25 min
    python benchmarks/growth.py --sizes mid         # a quick check, under a minute
    python benchmarks/growth.py --sizes mid,biojapan --seeds 2026,11

From the repository's root, as `run.py` (its `python -m scheduler...` children solve with
this checkout).

Sizes: mid (800 companies, 6,000 requests), BioJapan (1,500 / 35,000), BIO (4,100 /
100,000), all three as in `run.py`, and twice BIO (8,200 / 200,000, 5 days, 1,400 tables,
200 own rooms, 12,800 attendees, a time limit of 600 s). For each size and seed,
`partnering generate` writes the event; `partnering solve` with the size's time limit and
first come, first served alone (`fcfs.py`) each schedule it in a child process, measured by
`run.measure_schedule` (wall time and peak memory of that child alone, the independent
validator's verdict). The gap is (bound - objective) / bound, FCFS's against the same
bound. The summary's `stage_seconds` (`scheduler.solver.stages`) says which step of the
solve took the most; what the wall time holds beyond them is start-up, reading and writing.
The exponents are least-squares slopes of log wall time and log peak memory against log
requests over every run measured.

Rows are kept in benchmarks/results/growth.json (a run of some sizes keeps the others');
GROWTH.md, growth.png and the growth section of RESULTS.md are written from all of them, and
say so when a size has not been measured.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
from dataclasses import asdict
from pathlib import Path

from run import (
    HERE,
    RESULTS,
    SIZES,
    Size,
    generate,
    load_results,
    measure_schedule,
    save_results,
    solve_and_measure,
    write_report,
)

GROWTH = {
    **{name: SIZES[name] for name in ("mid", "biojapan", "bio")},
    "twice-bio": Size("twice-bio", 8_200, 200_000, 5, 1_400, 12_800, 600, False, 200),
}
LABELS = {"mid": "mid", "biojapan": "BioJapan", "bio": "BIO", "twice-bio": "twice BIO"}
GOAL = {"twice-bio": (600, 8 * 1024)}  # wall seconds and peak MB a valid schedule must keep
SEED = 2026  # run.py's: the same mid, BioJapan and BIO events as RESULTS.md
OUTSIDE = "outside the solve"  # start-up, reading, writing: wall time less the steps
SEARCH = ("searching", "improving")  # the steps that spend what is left of the time limit
FCFS = [sys.executable, str(HERE / "fcfs.py")]


def run_one(size: Size, seed: int, workdir: Path) -> dict:
    """One event: generated, solved by us and by first come, first served, each measured."""
    instance = workdir / f"growth-{size.name}-{seed}.json"
    generate(size, instance, seed)
    row: dict = {"size": asdict(size), "seed": seed, "load": round(os.getloadavg()[0], 1)}
    print(f"  {size.name} seed {seed} ...", file=sys.stderr, flush=True)
    schedule = workdir / f"growth-{size.name}-{seed}.schedule.json"
    row["ours"] = solve_and_measure(instance, schedule, ["--time-limit", str(size.time_limit)])
    print(f"  {size.name} seed {seed} first come, first served ...", file=sys.stderr, flush=True)
    greedy = workdir / f"growth-{size.name}-{seed}.fcfs.schedule.json"
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}  # this checkout's scheduler
    row["fcfs"] = measure_schedule([*FCFS, str(instance), "-o", str(greedy)], instance, greedy, env)
    return row


# --- figures of one row -------------------------------------------------------------------


def done(row: dict) -> bool:
    return "error" not in row["ours"] and "error" not in row["fcfs"]


def gap(row: dict, objective_key: str = "objective") -> float | None:
    """In per cent of our bound; `greedy_objective` for FCFS's."""
    summary = row["ours"]["summary"]
    bound = summary.get("bound")
    return (bound - summary[objective_key]) / bound * 100 if bound else None


def steps(result: dict) -> dict[str, float]:
    """The solve's steps in seconds, and what the wall time holds beyond them."""
    timed = dict(result["summary"].get("stage_seconds", {}))
    timed[OUTSIDE] = max(0.0, result["wall"] - sum(timed.values()))
    return timed


def dominant(result: dict) -> tuple[str, float]:
    """The step that took the most, and its share of the wall time."""
    timed = steps(result)
    name = max(timed, key=timed.__getitem__)
    return name, timed[name] / result["wall"] if result["wall"] else 0.0


def without_search(result: dict) -> float:
    """Wall seconds less the search, which spends what the time limit leaves."""
    timed = steps(result)
    return result["wall"] - sum(timed.get(name, 0.0) for name in SEARCH)


# --- growth ---------------------------------------------------------------------------------


def exponent(rows: list[dict], figure) -> float | None:
    """Least-squares slope of log `figure(row)` against log requests; None on one size."""
    points = [(row["size"]["requests"], figure(row)) for row in rows]
    points = [(x, y) for x, y in points if y and y > 0]
    if len({x for x, _ in points}) < 2:
        return None
    xs, ys = [math.log(x) for x, _ in points], [math.log(y) for _, y in points]
    return statistics.linear_regression(xs, ys).slope


FIGURES = {
    "wall time": lambda row: row["ours"]["wall"],
    "wall time without the search": lambda row: without_search(row["ours"]),
    "FCFS wall time": lambda row: row["fcfs"]["wall"],
    "time limit": lambda row: row["size"]["time_limit"],
    "peak memory": lambda row: row["ours"]["peak_mb"],
    "FCFS peak memory": lambda row: row["fcfs"]["peak_mb"],
}


def exponents_text(rows: list[dict]) -> str:
    slopes = {name: exponent(rows, figure) for name, figure in FIGURES.items()}
    if slopes["wall time"] is None:
        return "Exponents: not measured (they need at least two sizes)."
    said = ", ".join(f"{name} {slope:.2f}" for name, slope in slopes.items())
    sizes = len({row["size"]["name"] for row in rows})
    return (
        f"Measured exponents (least-squares slope of the log of each against log requests, "
        f"{len(rows)} runs of {sizes} sizes; 1 is linear growth): {said}. Our wall time "
        "follows the time limit each size is given (the search spends what is left of it "
        "unless the bound is reached): the wall time without the search and FCFS's are what "
        "the event's size alone costs."
    )


def dominant_text(rows: list[dict]) -> str:
    parts = []
    for row in rows:
        name, share = dominant(row["ours"])
        parts.append(f"{LABELS[row['size']['name']]} (seed {row['seed']}) {name} {share:.0%}")
    return "The step that takes the most of the wall time: " + "; ".join(parts) + "."


def goal_text(rows: list[dict]) -> str:
    """Whether each size with a goal got a valid schedule at least FCFS's within it."""
    lines = []
    for row in rows:
        if row["size"]["name"] not in GOAL:
            continue
        seconds, megabytes = GOAL[row["size"]["name"]]
        ours, summary = row["ours"], row["ours"]["summary"]
        checks = {
            "valid": ours["valid"],
            "at least FCFS's objective": summary["objective"] >= summary["greedy_objective"],
            f"within {seconds} s (wall {ours['wall']} s)": ours["wall"] <= seconds,
            f"within {megabytes // 1024} GB (peak {ours['peak_mb']} MB)": (
                ours["peak_mb"] <= megabytes
            ),
        }
        verdict = "reached" if all(checks.values()) else "not reached"
        said = ", ".join(f"{name}: {'yes' if ok else 'no'}" for name, ok in checks.items())
        lines.append(
            f"Goal for {LABELS[row['size']['name']]} (seed {row['seed']}): {verdict} ({said})."
        )
    return "\n\n".join(lines)


def partial_text(rows: list[dict]) -> str:
    """Said wherever a size has no run that finished: the figures are not the curve."""
    measured = {row["size"]["name"] for row in rows if done(row)}
    missing = [LABELS[name] for name in GROWTH if name not in measured]
    if not missing:
        return ""
    return (
        f"**Partial run: {', '.join(LABELS[n] for n in GROWTH if n in measured) or 'nothing'} "
        f"measured, {', '.join(missing)} not.** This is not the growth curve yet: "
        "`python benchmarks/growth.py` measures every size."
    )


# --- the report -----------------------------------------------------------------------------


def results_table(rows: list[dict]) -> str:
    lines = [
        "| size | companies / requests | seed | objective | FCFS | bound | gap | FCFS gap "
        "| wall s | FCFS wall s | peak MB | FCFS peak MB | valid | dominant step | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        size = row["size"]
        head = (
            f"| {LABELS[size['name']]} | {size['companies']} / {size['requests']} | {row['seed']}"
        )
        if not done(row):
            error = row["ours"].get("error") or row["fcfs"].get("error")
            lines.append(f"{head} | failed: {error!r} |")
            continue
        ours, fcfs, s = row["ours"], row["fcfs"], row["ours"]["summary"]
        name, share = dominant(ours)
        valid = (
            "yes"
            if ours["valid"] and fcfs["valid"]
            else f"ours {ours['valid']}, FCFS {fcfs['valid']}"
        )
        lines.append(
            f"{head} | {s['objective']} | {s['greedy_objective']} | {s.get('bound', 'n/a')} "
            f"| {_percent(gap(row))} | {_percent(gap(row, 'greedy_objective'))} | {ours['wall']} "
            f"| {fcfs['wall']} | {ours['peak_mb']} | {fcfs['peak_mb']} | {valid} "
            f"| {name} {share:.0%} | {row['load']} |"
        )
    return "\n".join(lines)


def steps_table(rows: list[dict]) -> str:
    names = _in_order([list(steps(row["ours"])) for row in rows])
    lines = [
        "| size | seed | " + " | ".join(names) + " | wall s |",
        "|---|---|" + "---|" * (len(names) + 1),
    ]
    for row in rows:
        timed = steps(row["ours"])
        cells = " | ".join(f"{timed[n]:.1f}" if n in timed else "" for n in names)
        lines.append(
            f"| {LABELS[row['size']['name']]} | {row['seed']} | {cells} | {row['ours']['wall']} |"
        )
    return "\n".join(lines)


def _in_order(runs: list[list[str]]) -> list[str]:
    """Every step of the runs, each after the step it followed in the run that first had it
    (the runs take different paths: the slot-by-slot model at mid, neighbourhoods above)."""
    merged: list[str] = []
    for names in runs:
        place = -1
        for name in names:
            if name in merged:
                place = merged.index(name)
            else:
                place += 1
                merged.insert(place, name)
    return merged


def _limits() -> str:
    return ", ".join(f"{LABELS[name]} {size.time_limit:g} s" for name, size in GROWTH.items())


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}%"


def write_growth(rows: list[dict], output: Path, image: Path) -> None:
    measured = [row for row in rows if done(row)]
    parts = [
        "# Growth curve: mid to twice BIO\n",
        partial_text(rows) + "\n" if partial_text(rows) else "",
        f"Written by `python benchmarks/growth.py` (see its docstring) on this "
        f"{os.cpu_count()}-core machine, shared with other people's runs (load: the 1-minute "
        "load average just before the event's runs). Ours is `partnering solve` with the "
        f"size's time limit ({_limits()}) and default settings; FCFS is first come, first "
        "served alone (`benchmarks/fcfs.py`), a complete schedule with every reason. Wall "
        "time and peak memory are the operating system's figures for each child process, "
        "start-up, reading and writing included. Gap is (bound - objective) / bound; FCFS gap "
        "is FCFS's against the same bound. Valid is `partnering check`'s verdict on both "
        "schedules.\n",
        f"![Wall time, peak memory and gap against requests]({image.name})\n",
        results_table(rows) + "\n",
    ]
    if measured:
        parts += [
            exponents_text(measured) + "\n",
            "## Where the time goes\n",
            "Seconds of each step of our solve (the summary's `stage_seconds`); the outside "
            "of the solve is the wall time less the steps (Python's start-up, reading the "
            "instance, writing the schedule). " + dominant_text(measured) + "\n",
            steps_table(measured) + "\n",
        ]
        if goal_text(measured):
            parts.append(goal_text(measured) + "\n")
    output.write_text("\n".join(p for p in parts if p), encoding="utf-8")


def section_for_results(rows: list[dict], output: Path, image: Path) -> str:
    """The growth section of RESULTS.md (`run.write_report` puts it in)."""
    measured = [row for row in rows if done(row)]
    parts = [
        "## Growth: mid to twice BIO\n",
        f"Wall time, peak memory and gap against requests, first come, first served beside "
        f"ours: [{output.name}]({output.name}) (`benchmarks/growth.py`).\n",
        f"![Wall time, peak memory and gap against requests]({image.name})\n",
    ]
    if partial_text(rows):
        parts.insert(1, partial_text(rows) + "\n")
    if measured:
        parts += [exponents_text(measured) + "\n", dominant_text(measured) + "\n"]
        if goal_text(measured):
            parts.append(goal_text(measured) + "\n")
    return "\n".join(parts)


# --- the plot -------------------------------------------------------------------------------


def _by_size(rows: list[dict], figure) -> tuple[list[int], list[float]]:
    """Requests and the mean of `figure` over the seeds of each size, smallest first."""
    sizes: dict[int, list[float]] = {}
    for row in rows:
        value = figure(row)
        drawn = value if value else math.nan  # log axes: no 0 (a gap proven closed), no None
        sizes.setdefault(row["size"]["requests"], []).append(drawn)
    xs = sorted(sizes)
    return xs, [statistics.fmean(sizes[x]) for x in xs]


def plot(rows: list[dict], path: Path, title: str) -> None:
    """Three panels on log axes: wall time, peak memory and gap, ours beside FCFS's."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot, ticker

    panels = [
        ("wall time (s)", FIGURES["wall time"], FIGURES["FCFS wall time"]),
        ("peak memory (MB)", FIGURES["peak memory"], FIGURES["FCFS peak memory"]),
        ("gap to the bound (%)", gap, lambda row: gap(row, "greedy_objective")),
    ]
    figure, axes = pyplot.subplots(1, 3, figsize=(13, 4.2), layout="constrained")
    plain = ticker.FuncFormatter(lambda value, _: f"{value:g}")  # 20, not 2 x 10^1
    for ax, (name, ours, fcfs) in zip(axes, panels, strict=True):
        ax.plot(*_by_size(rows, ours), "o-", label="ours")
        ax.plot(*_by_size(rows, fcfs), "s--", label="first come, first served")
        ax.set(xscale="log", yscale="log", xlabel="requests", title=name)
        for axis in (ax.xaxis, ax.yaxis):
            axis.set_major_locator(ticker.LogLocator(subs=(1.0, 2.0, 5.0)))
            axis.set_major_formatter(plain)
            axis.set_minor_formatter(ticker.NullFormatter())
        ax.grid(True, which="both", alpha=0.3)
    wall = axes[0]
    wall.plot(*_by_size(rows, FIGURES["time limit"]), "x:", color="grey", label="time limit")
    without = FIGURES["wall time without the search"]
    wall.plot(*_by_size(rows, without), "^-.", label="ours without the search")
    wall.legend(fontsize="small")
    figure.suptitle(title)
    figure.savefig(path, dpi=100, metadata={"Software": None})
    pyplot.close(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(GROWTH), help=f"from {', '.join(GROWTH)}")
    parser.add_argument("--seeds", default=str(SEED), help="comma-separated")
    parser.add_argument("--workdir", type=Path, default=HERE / "instances")
    parser.add_argument("-o", "--output", type=Path, default=HERE / "GROWTH.md")
    parser.add_argument("--image", type=Path, default=HERE / "growth.png")
    args = parser.parse_args()
    names = args.sizes.split(",")
    unknown = [name for name in names if name not in GROWTH]
    if unknown:
        parser.error(f"unknown sizes {', '.join(unknown)}: choose from {', '.join(GROWTH)}")
    args.workdir.mkdir(parents=True, exist_ok=True)
    for name in names:  # saved one by one: a long run that stops keeps what it measured
        for seed in (int(s) for s in args.seeds.split(",")):
            save_results("growth", {f"{name}/{seed}": run_one(GROWTH[name], seed, args.workdir)})
            report(args.output, args.image)
    print(args.output, file=sys.stderr)


def report(output: Path, image: Path) -> None:
    """GROWTH.md, the plot and RESULTS.md from every row measured so far."""
    order = list(GROWTH)
    rows = sorted(
        load_results("growth").values(), key=lambda r: (order.index(r["size"]["name"]), r["seed"])
    )
    title = "Growth curve" + (
        " (partial run: not every size measured)" if partial_text(rows) else ""
    )
    plot([row for row in rows if done(row)], image, title)
    write_growth(rows, output, image)
    (RESULTS / "growth.md").write_text(section_for_results(rows, output, image), encoding="utf-8")
    write_report(HERE / "RESULTS.md")


if __name__ == "__main__":
    main()
