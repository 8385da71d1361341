"""`partnering capacity` at BioJapan size: time, and whether `tables_needed` is tight.

    python benchmarks/capacity.py [--seeds 2026,11,7] [--targets 0.95,0.6] [--label after]
    python benchmarks/capacity.py --code /tmp/old --label before   # another checkout's code

For each seed: a BioJapan-size instance (`run.py`'s size), `partnering capacity` in a child
process (wall and CPU seconds, the child's and its own children's, and the load average
before and after), then the check of the issue where a number is named, as the checker does
it: `partnering solve` with its defaults (60 s, 2 workers) on the instance with
`tables_needed` tables must place at least the target share, and on the instances with
k = 1, 3 and 5 tables fewer it must not. Figures are kept per label in
benchmarks/results/capacity/runs.json; benchmarks/CAPACITY.md shows every label's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.run import SIZES, generate

HERE = Path(__file__).resolve().parent
RUNS = HERE / "results" / "capacity" / "runs.json"
FEWER = (1, 3, 5)  # the checker's "a few fewer" tables


def load() -> float:
    return round(os.getloadavg()[0], 2)


def measured(command: list[str], code: Path | None) -> dict:
    """Run `command` in a child process: wall seconds, CPU seconds (user and system of the
    child and every child of it), the 1-minute load average before and after."""
    env = {**os.environ, "PYTHONPATH": str(code or HERE.parent)}
    before = load()
    started = time.monotonic()
    with tempfile.TemporaryFile() as said:
        child = subprocess.Popen(
            [sys.executable, "-m", "scheduler.cli", *command],
            stdout=said,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=code or HERE.parent,  # `python -m` puts the working folder first on the path
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.monotonic() - started
        said.seek(0)
        output = said.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command}: {output[-2000:]}")
    return {
        "wall": round(wall, 1),
        "cpu": round(usage.ru_utime + usage.ru_stime, 1),
        "load": [before, load()],
        "output": output[-2000:],
    }


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


def solved_at(instance: Path, tables: int, code: Path | None) -> dict:
    """`partnering solve` with its defaults on the instance with `tables` shared tables."""
    variant = instance.with_name(f"{instance.stem}-{tables}.json")
    variant.write_text(json.dumps(with_tables(instance, tables)))
    out = instance.with_name(f"{instance.stem}-{tables}.schedule.json")
    figures = measured(["solve", str(variant), "-o", str(out), "--quiet"], code)
    scheduled = len(json.loads(out.read_text())["meetings"])
    variant.unlink()
    out.unlink()
    return {"tables": tables, "scheduled": scheduled, "wall": figures["wall"]}


def run(seed: int, target: float, workdir: Path, code: Path | None, check: bool) -> dict:
    instance = workdir / f"biojapan-{seed}.json"
    if not instance.exists():
        generate(SIZES["biojapan"], instance, seed=seed)
    report = workdir / f"biojapan-{seed}-{target}.capacity.json"
    command = ["capacity", str(instance), "--target", str(target), "-o", str(report)]
    row = {"seed": seed, "target": target, **measured(command, code)}
    result = json.loads(report.read_text())
    row["tables_needed"] = result["tables_needed"]
    row["target_requests"] = result["target_requests"]
    row["confirmed"] = result.get("confirmed")
    row["bracket"] = result.get("bracket")
    row["unlimited_bound"] = result["bottleneck"].get(
        "unlimited_tables_bound", result["proof"].get("unlimited_bound")
    )
    row["bound_below"] = result["proof"].get("below")
    row["probes"] = result["proof"].get("solved")
    row["gain"] = result["proof"].get("gain")
    if check and result["tables_needed"] is not None:
        needed, tables = result["target_requests"], result["tables_needed"]
        row["checks"] = []
        for k in (0, *FEWER):
            if tables - k < 0:
                continue
            solved = solved_at(instance, tables - k, code)
            solved["ok"] = solved["scheduled"] >= needed if k == 0 else solved["scheduled"] < needed
            solved["k"] = k
            row["checks"].append(solved)
            print(f"  {tables - k} tables: {solved}", file=sys.stderr, flush=True)
    return row


def _check_cell(row: dict, k: int) -> str:
    for check in row.get("checks", []):
        if check["k"] == k:
            mark = "ok" if check["ok"] else "FAIL"
            return f"{check['tables']}: {check['scheduled']} {mark}"
    return "-"


def markdown(runs: dict) -> str:
    lines = [
        "# Capacity planning at BioJapan size",
        "",
        "Written by `python benchmarks/capacity.py`: 1,500 companies, 35,000 requests, 3 days,"
        " 420 tables, 2,400 attendees (`run.py`'s BioJapan size), one seed and target per row,"
        " on a 2-core machine. `partnering capacity` runs in a child process: wall seconds, CPU"
        " seconds (its own and its children's, user and system) and the 1-minute load average"
        " before and after it. The goal is under 2 minutes of wall time.",
        "",
        "Then the checker's test where a number of tables is named: `partnering solve` with its"
        " defaults (60 s, 2 workers) on the instance with `tables_needed` shared tables (no"
        " fixed meetings, as capacity plans) must place at least the target requests (k = 0),"
        " and with k = 1, 3, 5 tables fewer it must not. Each cell: tables, meetings placed, ok"
        " or FAIL. Where no number of tables reaches the target, the unlimited-tables bound"
        " (a maximum flow: no schedule meets more) says so, and there is nothing to solve.",
    ]
    for label, rows in runs.items():
        lines += [
            "",
            f"## {label}",
            "",
            "| seed | target | target requests | tables_needed | confirmed | wall s | CPU s |"
            " load before / after | k=0 | k=1 | k=3 | k=5 | unlimited bound |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for row in rows:
            confirmed = row.get("confirmed")
            confirmed = "-" if confirmed is None else ("yes" if confirmed else "bracketed")
            if row["tables_needed"] is None:
                confirmed = "proven none"
            lines.append(
                f"| {row['seed']} | {row['target']} | {row['target_requests']} |"
                f" {row['tables_needed']} | {confirmed} | {row['wall']} | {row['cpu']} |"
                f" {row['load'][0]} / {row['load'][1]} | {_check_cell(row, 0)} |"
                f" {_check_cell(row, 1)} | {_check_cell(row, 3)} | {_check_cell(row, 5)} |"
                f" {row['unlimited_bound'] if row['tables_needed'] is None else '-'} |"
            )
        if NOTES.get(label):
            lines += ["", NOTES[label]]
    return "\n".join(lines) + "\n"


NOTES = {  # what the figures say, kept with them (a label's rows are measured again)
    "before (HEAD 5230d14)": (
        "The search before: the bound's number, the midpoint and first come, first served's"
        " number, each solved for 30 s. Every answer was padded: `partnering solve` reached"
        " the target with 5 tables fewer on every seed (seed 2026: 21,142 at 550 tables for"
        " 21,000 wanted; the answer, 555, places 21,336). 0.8 behaves as 0.95 (no number:"
        " 24,306-24,368 at most with unlimited tables)."
    ),
    "after": (
        "The search now (`scheduler/capacity.py`, `tables_needed`): `partnering solve` itself"
        " with its defaults, each probe stopped where its answer is known (its best schedule"
        " has the meetings; or its neighbourhood search starts 0.2% or more below them, at"
        " event scale the count is almost all there by then: 21,033 at 14 s and 21,035 at"
        " the end at 547 tables, seed 2026; else its end), the next number on a line through"
        " the counts. On every seed the answer is tight: one table fewer does not reach the"
        " target (seed 7: 20,995 for 21,000). The machine was shared with another session's"
        " BioJapan solves (load 3-4 on 2 cores): the three probes (the bound's number, the"
        " predicted one, one fewer) did not all fit in the 110 s, the last was stopped at the"
        " time limit, so `confirmed` is false and `bracket` gives the bound's number. On an"
        " idle machine the probes take about 15, 15 and 55 s (curves 12 s): within the limit."
    ),
    "after, target 0.65": (
        "Not solved. With people filling up, each table adds fewer meetings (16 a table from"
        " 580 to 599, 9 from 599 to 623), and under load 4 each probe took 40-44 s: two fit,"
        " and the number the counts predicted (623, `yes_by` predicted, from a version that"
        " extrapolated the last slope; now 638 where the slope falls) was not checked. The"
        " checks themselves hit the solve's 60 s on the wall clock under that load and vary"
        " by 750 meetings from one table to the next (623: 21,976; 622: 22,738; 618: 21,993),"
        " so they say little; and here the neighbourhood search adds more than at 0.6 (622"
        " tables: 22,738 at the end against 22,609 at the search's start at 623 in another"
        " run), so a no from the search's start (0.2% below) may be wrong in this regime."
    ),
    "idle 0.6": (
        "A later session, the machine idle (load about 1), with the session LP solved by the"
        " dual simplex (benchmarks/UNSEEN.md: the LP took 11-56 s in this range of tables,"
        " now 7-18 s) and probes that take no count as an answer before the neighbourhood"
        " search and a yes only 0.2% above the target (YES_MARGIN). Tight on both seeds: one"
        " table fewer does not reach the target. The probe nearest the answer ran to its end"
        " (its count within 0.2% of the target either side), which left no time to solve one"
        " table fewer: `confirmed` is false, the checks show it is."
    ),
    "idle 0.65": (
        'The same code as "idle 0.6". The target is reached at the answer now (the last'
        " stop's 623 tables placed 21,976: that solve's LP ran out of time and the 60 s ended"
        " near first come, first served). Not tight: 608 tables reach it too. Here people,"
        " not tables, are the limit, and the neighbourhood search adds 117-172 meetings to"
        " the count it starts from (600, 604, 608 tables: 22,462 -> 22,632, 22,553 -> 22,670,"
        " 22,676 -> 22,794), far more than the 0.2% (46) that a no from the search's start"
        " assumes; at 0.6 it adds almost none (the tables are full). So 608 (22,676 at the"
        " start) was taken for a no. Solves of the same instance also differ from run to run"
        " by about 25 meetings and from one table to the next by up to 50 (608: 22,770, 610:"
        " 22,753), so a one-table answer is not defined better than that in this regime."
    ),
    "before rounds (8f11e13, same day)": (
        "The code before the rounds (8f11e13, `--code`), the same day and machine as"
        ' "rounds", idle, without the checks (the last stop measured them at 613: 608 tables'
        " reached the target too): 613 tables in 112.4 s. Ratios, rounds / before: wall 0.82"
        " (92.0 / 112.4 s), tables 611 / 613."
    ),
    "rounds": (
        "A later session, idle machine, the search at event scale in rounds"
        " (`capacity._search_at_scale`): two counts where the neighbourhood search starts, at"
        " once (the bound's number and 3% more: 580 and 598 tables at seed 2026, 65%), then"
        " one solve to its end, which measures what the search adds (gain 51 at 609 tables,"
        " seed 2026; 72 at 603, seed 11; 2 and 4 at 0.6, where the tables are full), the"
        " answer where the counts with that gain reach the target and half the gain more. The"
        " curves' quick schedules run niced beside the probes and waited for nothing after"
        " them: 86-100 s in all (seed 2026, 65%: 92 s against 98.6 s before, idle 0.65;"
        " 112-117 s for this search with the curves first). At 0.6 (tables full) the answers are as"
        " before and tight. At 0.65 (people the limit): 611 and 609 tables against 613"
        " before; each reaches the target, and 5 fewer do not on both seeds, where 608 reached"
        " it before. One table fewer (seed 11) or three (seed 2026) still reach it: here the"
        " solve's count is not monotone in the tables (seed 2026: 608 tables 22,777, 610"
        " 22,726; seed 11: 608 22,798, 604 22,729, 605 22,738 in the earlier run), it moves"
        " by 40-80 meetings from one number to the next against 20 a table on average, so no"
        " answer is tight to one or three tables in this regime; the figures of that earlier"
        " run (gain without the half more: 610 and 605 tables placed 22,736 and 22,738 for"
        " 22,750) are why the answer aims half the gain above the target. The next session,"
        " idle, the same code, `partnering solve` with its defaults again on seed 2026 (no"
        " fixed meetings unless said): 600 tables 22,634 (22,622 with the 175 fixed), 605"
        " 22,785 (22,716 with), 610 22,872, 22,829 and 22,866 (22,839 with), 611 22,909 and"
        " 22,893, where the check above had 22,726 at 610. So the same solve on the same"
        " instance differs by up to 146 meetings from run to run (about 7 tables' worth), and"
        " keeping the fixed meetings moves the count by -69 to +51, no bias either way: the"
        " check's own solve decides a few tables either side of any answer here, and the"
        " answer aims above the line rather than on it."
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="2026,11,7")
    parser.add_argument("--targets", default="0.95,0.6")
    parser.add_argument("--label", default="after", help="the section of CAPACITY.md")
    parser.add_argument("--code", type=Path, default=None, help="a folder with `scheduler`")
    parser.add_argument("--no-check", action="store_true", help="only time the command")
    parser.add_argument("--workdir", type=Path, default=HERE / "results" / "capacity")
    parser.add_argument("--render", action="store_true", help="only write CAPACITY.md again")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    runs = json.loads(RUNS.read_text()) if RUNS.exists() else {}
    if args.render:
        (HERE / "CAPACITY.md").write_text(markdown(runs))
        return
    rows = runs[args.label] = []
    for seed in (int(s) for s in args.seeds.split(",")):
        for target in (float(t) for t in args.targets.split(",")):
            print(f"seed {seed} target {target} ...", file=sys.stderr, flush=True)
            row = run(seed, target, args.workdir, args.code, not args.no_check)
            print(
                f"  {json.dumps({k: v for k, v in row.items() if k != 'output'})}", file=sys.stderr
            )
            rows.append(row)
            RUNS.write_text(json.dumps(runs, indent=1) + "\n")
            (HERE / "CAPACITY.md").write_text(markdown(runs))


if __name__ == "__main__":
    main()
