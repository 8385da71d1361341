"""`partnering`: the command line for batch planning. Thin: it parses, calls, reports.

Exit codes: 0 done; 1 a schedule breaks the rules (`check`); 2 bad input or usage, with one
line per problem naming its place (file, field) and what to do.
"""

from __future__ import annotations

import importlib
import json
import sys
from datetime import timedelta
from functools import wraps
from pathlib import Path
from typing import ClassVar

import click

from scheduler.cli.options import (
    goal_options,
    instance_argument,
    output_option,
    schedule_argument,
    search_options,
    solver_settings,
)
from scheduler.formats.instance_reader import load_instance
from scheduler.formats.json_file import read_json_file
from scheduler.formats.problems import InvalidInput, Problem, did_you_mean
from scheduler.formats.schedule_io import write_schedule

BAD_INPUT = 2


def _report(problems: list[Problem], source: str | None) -> None:
    for problem in problems:
        located = str(problem)
        already_placed = problem.place == source or problem.place.startswith(f"{source}:")
        if source is not None and not already_placed:
            located = f"{source}: {located}"
        click.echo(located, err=True)


def _bad_input_exits(command):
    """Turn InvalidInput into its lines on stderr and exit 2: never a traceback."""

    @wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InvalidInput as error:
            _report(error.problems, error.source)
            sys.exit(BAD_INPUT)

    return wrapper


def _load(path: Path):
    try:
        instance, warnings = load_instance(path)
    except InvalidInput as error:
        raise InvalidInput(error.problems, str(path)) from None
    _report(warnings, str(path))
    return instance


class _ProductCommands(click.Group):
    """The solver's commands live here; the database's and the web app's are loaded only when
    called, so that `partnering solve` neither needs nor imports Flask or SQLAlchemy (the
    lazy-subcommand pattern of click's documentation)."""

    elsewhere: ClassVar[dict[str, str]] = {  # command name -> "module:attribute"
        "api-key": "web.cli:api_key",
        "db": "web.cli:db",
        "export": "web.cli:export_command",
        "import": "web.cli:import_command",
        "serve": "web.serve:serve",
        "worker": "web.serve:worker",
        "create-organiser": "web.serve:create_organiser_command",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.elsewhere])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.elsewhere:
            module_name, attribute = self.elsewhere[name].split(":")
            return getattr(importlib.import_module(module_name), attribute)
        return super().get_command(ctx, name)


@click.group(cls=_ProductCommands)
@click.version_option(package_name="partnering")
def main() -> None:
    """Schedule one-to-one partnering meetings at trade fairs."""


@main.command()
@instance_argument
@_bad_input_exits
def validate(instance: Path) -> None:
    """Check an instance file; list every problem with its place and the fix."""
    loaded = _load(instance)
    click.echo(
        f"{instance}: valid: {len(loaded.companies)} companies, {len(loaded.requests)} requests, "
        f"{len(loaded.locations)} locations, {len(loaded.event.days)} days"
    )


@main.command()
@instance_argument
@output_option("Where to write the schedule (JSON).", kind="any")
@search_options
@click.option(
    "--keep",
    type=click.Path(path_type=Path),
    default=None,
    help="A published schedule: its meetings stay exactly where they are.",
)
@click.option(
    "--allow-moves",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="With --keep: how many published meetings may move to make room for more.",
)
@click.option(
    "--from",
    "fill_from",
    default=None,
    metavar="LOCAL_TIME",
    help="With --keep: a same-day fill-in. Nothing before this time changes, no published "
    "meeting moves, and waiting accepted requests get only the free slots from it on. "
    'LOCAL_TIME is in the event\'s time zone: "2026-10-15T12:00", "2026-10-15T12:00:00", '
    'or with an offset, "2026-10-15T12:00+09:00" or "...Z". The time limit is then 3 s '
    "unless --time-limit says otherwise.",
)
@goal_options
@click.option("--quiet", is_flag=True, help="No progress bar.")
@_bad_input_exits
def solve(
    instance: Path,
    output: Path,
    time_limit: float,
    workers: int,
    seed: int,
    keep: Path | None,
    allow_moves: int,
    fill_from: str | None,
    compact: bool,
    max_breaks: int | None,
    fair: bool,
    quiet: bool,
) -> None:
    """Schedule the requests of INSTANCE and write the schedule."""
    from scheduler.cli.progress import SolveProgress
    from scheduler.formats.published_reader import load_published
    from scheduler.solver.fillin import FILL_IN_TIME_LIMIT
    from scheduler.solver.solve import solve as run_solver

    loaded = _load(instance)
    cut = None
    if fill_from is not None:
        cut = _fill_in_cut(fill_from, loaded, keep, allow_moves)
        if click.get_current_context().get_parameter_source("time_limit").name == "DEFAULT":
            time_limit = FILL_IN_TIME_LIMIT
    published = load_published(keep, loaded) if keep else []
    settings = solver_settings(time_limit, workers, seed, compact, max_breaks, fair)
    with SolveProgress(time_limit, enabled=not quiet) as progress:
        schedule = run_solver(loaded, settings, progress.update, published, allow_moves, cut)
    try:
        write_schedule(schedule, loaded, output)
    except OSError as error:
        raise InvalidInput([Problem(str(output), f"cannot be written: {error.strerror}")]) from None
    s = schedule.summary
    bound = s.get("bound", "not proven")
    click.echo(
        f"{output}: {s['scheduled']} of {s['requests']} requests scheduled, objective "
        f"{s['objective']} (bound {bound}, {s['status']}; first come, first served: "
        f"{s['greedy_objective']}) in {s['seconds']} s",
        err=True,
    )
    if "changes" in s:
        c = s["changes"]
        click.echo(
            f"{output}: against {keep}: {c['unchanged']} unchanged, {len(c['added'])} added, "
            f"{len(c['moved'])} moved, {len(c['cancelled'])} cancelled, "
            f"{len(c['dropped'])} dropped",
            err=True,
        )
    if "fill_in" in s:
        _report_fill_in(output, s["fill_in"])


def _fill_in_cut(text: str, instance, keep: Path | None, allow_moves: int):
    """The instant of `--from`, or a usage error that names the option and the fix."""
    from zoneinfo import ZoneInfo

    from scheduler.solver.fillin import check_cut
    from scheduler.times import parse_local_time

    if keep is None:
        message = "give the published schedule with --keep PUBLISHED"
        raise click.BadParameter(message, param_hint="--from")
    if allow_moves:
        raise click.BadParameter(
            "a fill-in moves no published meeting: leave out --allow-moves", param_hint="--from"
        )
    try:
        cut = parse_local_time(text, ZoneInfo(instance.event.timezone))
        check_cut(instance, cut)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--from") from None
    return cut


def _report_fill_in(output: Path, fill_in: dict) -> None:
    """What the fill-in added, per day, and who is to be told."""
    click.echo(
        f"{output}: fill-in from {fill_in['from']}: {fill_in['kept']} published meetings kept, "
        f"{fill_in['added']} meetings added for {fill_in['companies']} companies",
        err=True,
    )
    for day, count in fill_in["added_per_day"].items():
        click.echo(f"{output}:   {day}: {count} added", err=True)


@main.command()
@instance_argument
@schedule_argument
@_bad_input_exits
def check(instance: Path, schedule: Path) -> None:
    """Check SCHEDULE against INSTANCE by the eight rules of the format; exit 1 if broken."""
    from scheduler.validate.check import check_schedule, entitlements_short, objective

    _load(instance)  # the instance must be valid before a schedule can be judged
    instance_document = read_json_file(instance)
    schedule_document = read_json_file(schedule)
    violations = check_schedule(instance_document, schedule_document)
    for violation in violations:
        click.echo(f"{schedule}: {violation}", err=True)
    if violations:
        click.echo(f"{schedule}: INVALID: {len(violations)} broken rule(s)", err=True)
        sys.exit(1)
    met = len(schedule_document.get("meetings", []))
    total = objective(instance_document, schedule_document)
    short = entitlements_short(instance_document, schedule_document)
    shortfall = f", {short} companies short of their guaranteed meetings" if short else ""
    click.echo(f"{schedule}: valid: {met} meetings, objective {total}{shortfall}")


@main.command()
@click.option("--companies", type=click.IntRange(min=2), required=True)
@click.option("--requests", type=click.IntRange(min=0), required=True)
@click.option("--days", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--tables", type=click.IntRange(min=1), default=40, show_default=True)
@click.option(
    "--attendees",
    type=click.IntRange(min=1),
    default=None,
    help="Total attendees (default: about 1.5 per company).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--entitlements",
    type=click.FloatRange(0.0, 1.0),
    default=0.0,
    show_default=True,
    help="Share of companies with a package: min_meetings 3-8, half also max_meetings.",
)
@click.option(
    "--rooms",
    type=click.IntRange(min=0),
    default=None,
    help="Corporates with an own meeting room (default: about 5% of the corporates).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    default=None,
    help="File to write (default: standard output).",
)
def generate(
    companies: int,
    requests: int,
    days: int,
    tables: int,
    attendees: int | None,
    seed: int,
    entitlements: float,
    rooms: int | None,
    output: Path | None,
) -> None:
    """Write a realistic synthetic instance, for tests and benchmarks."""
    from scheduler.generate.instances import generate_instance

    try:
        document = generate_instance(
            companies,
            requests,
            days,
            tables,
            seed,
            attendees=attendees,
            entitlements=entitlements,
            rooms=rooms,
        )
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    text = json.dumps(document, indent=1, ensure_ascii=False) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"{output}: {companies} companies, {requests} requests", err=True)


# --- what companies take home: calendars, agendas, the meetings sheet ----------------------


def _load_schedule(path: Path, instance):
    from scheduler.formats.schedule_io import load_schedule

    return load_schedule(path, instance)


def _file_time(path: Path):
    """When the schedule was written: the calendars' DTSTAMP, the same on every re-export."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(path.stat().st_mtime), UTC)


def _write(output: Path, write):
    try:
        return write()
    except OSError as error:
        place = error.filename or output
        raise InvalidInput([Problem(str(place), f"cannot be written: {error.strerror}")]) from None


@main.command()
@instance_argument
@schedule_argument
@output_option(
    "Folder for companies/*.ics, attendees/*.ics, event.ics and published.json.", kind="folder"
)
@click.option(
    "--previous",
    type=click.Path(path_type=Path),
    default=None,
    help="published.json of the last export: moved meetings keep their UID with a higher "
    "SEQUENCE, dropped ones are cancelled.",
)
@click.option(
    "--event-key",
    default=None,
    help="Stable key of the event for the UIDs (default: from --previous, else the event's "
    "name and first day).",
)
@click.option(
    "--alarm-minutes",
    type=click.IntRange(0, 24 * 60),
    default=15,
    show_default=True,
    help="A reminder this many minutes before each meeting (0: none).",
)
@_bad_input_exits
def ics(
    instance: Path,
    schedule: Path,
    output: Path,
    previous: Path | None,
    event_key: str | None,
    alarm_minutes: int,
) -> None:
    """Write iCalendar files of SCHEDULE: per company, per attendee and for the event."""
    from scheduler.calendars.export import write_calendars
    from scheduler.calendars.published_file import publication_from_document
    from scheduler.calendars.revisions import publish
    from scheduler.calendars.uids import default_event_key

    loaded = _load(instance)
    current = _load_schedule(schedule, loaded)
    before = None
    if previous is not None:
        try:
            document = read_json_file(previous)
            before = publication_from_document(document, loaded, default_event_key(loaded.event))
        except InvalidInput as error:
            raise InvalidInput(error.problems, str(previous)) from None
    key = event_key or (before.event_key if before else default_event_key(loaded.event))
    publication = publish(current, key, before)
    stamp = _file_time(schedule)
    alarm = timedelta(minutes=alarm_minutes) if alarm_minutes else None
    paths = _write(
        output, lambda: write_calendars(output, loaded, current, publication, stamp, alarm)
    )
    old = {m.request: m.sequence for m in before.meetings} if before else {}
    changed = [m for m in publication.meetings if m.sequence > old.get(m.request, m.sequence)]
    cancelled = sum(m.cancelled for m in changed)
    updated = len(changed) - cancelled
    click.echo(
        f"{output}: {len(paths) - 1} calendars, {len(publication.live)} meetings, "
        f"{updated} updated and {cancelled} cancelled since the previous export; "
        f"give {output / 'published.json'} as --previous next time",
        err=True,
    )


@main.command()
@instance_argument
@schedule_argument
@output_option("Folder for index.html and companies/<id>.html.", kind="folder")
@click.option(
    "--language",
    type=click.Choice(["en", "ja"]),
    default="en",
    show_default=True,
    help="Language of the agendas' headings and dates (names are as given).",
)
@_bad_input_exits
def agendas(instance: Path, schedule: Path, output: Path, language: str) -> None:
    """Write a printable agenda (HTML) for every company, and an index."""
    from scheduler.calendars.export import write_agendas

    loaded = _load(instance)
    current = _load_schedule(schedule, loaded)
    paths = _write(output, lambda: write_agendas(output, loaded, current, language))
    click.echo(f"{output}: {len(paths) - 1} agendas; open index.html and print", err=True)


@main.command("meetings-sheet")
@instance_argument
@schedule_argument
@output_option("FILE.csv or FILE.xlsx: the format follows the extension.", kind="file")
@_bad_input_exits
def meetings_sheet(instance: Path, schedule: Path, output: Path) -> None:
    """Write every meeting (time, table, both companies, attendees) as CSV or XLSX."""
    from scheduler.calendars.sheet import meetings_csv, meetings_xlsx

    kind = output.suffix.lower()
    if kind not in (".csv", ".xlsx"):
        raise InvalidInput([Problem(str(output), "name a .csv or an .xlsx file")])
    loaded = _load(instance)
    current = _load_schedule(schedule, loaded)
    if kind == ".csv":
        content = meetings_csv(loaded, current)
    else:
        content = meetings_xlsx(loaded, current, _file_time(schedule))
    _write(output, lambda: output.write_bytes(content))
    click.echo(f"{output}: {len(current.meetings)} meetings", err=True)


@main.command()
@instance_argument
@schedule_argument
@click.argument("request_id")
@_bad_input_exits
def explain(instance: Path, schedule: Path, request_id: str) -> None:
    """Why REQUEST_ID is not in SCHEDULE, and what would make room for it; given a company
    id instead, its meetings against its package (min_meetings, max_meetings)."""
    from scheduler.solver.explain import explain_company, explain_request

    loaded = _load(instance)
    if request_id not in loaded.request_by_id and request_id in loaded.company_by_id:
        for line in explain_company(loaded, _load_schedule(schedule, loaded), request_id):
            click.echo(line)
        return
    if request_id not in loaded.request_by_id:
        hint = did_you_mean(request_id, loaded.request_by_id)
        raise InvalidInput([Problem(str(instance), f'no request "{request_id}"{hint}')])
    for line in explain_request(loaded, _load_schedule(schedule, loaded), request_id):
        click.echo(line)


@main.command()
@instance_argument
@click.option(
    "--target",
    type=click.FloatRange(min=0.0, max=1.0),
    default=0.95,
    show_default=True,
    help="The share of the accepted requests that should get a meeting.",
)
@output_option("Where to write the figures (JSON).", required=False)
@click.option(
    "--verify-seconds",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Time limit of the real solves that confirm tables_needed: that of the "
    "`partnering solve` the number is meant for (its default is 60 s).",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=1.0),
    default=110.0,
    show_default=True,
    help="Seconds for the whole planning: no confirming solve starts that would end after "
    "it, and the output says which numbers a solve confirmed and which are bracketed.",
)
@click.option("--workers", type=click.IntRange(min=1), default=2, show_default=True)
@_bad_input_exits
def capacity(
    instance: Path,
    target: float,
    output: Path | None,
    verify_seconds: float,
    time_limit: float,
    workers: int,
) -> None:
    """How many requests the fair can meet, with more tables, sessions or shorter slots."""
    from scheduler.capacity import plan_capacity, real_solver

    loaded = _load(instance)
    solver = real_solver(verify_seconds, workers)
    result = plan_capacity(loaded, target, solver, workers=workers, seconds=time_limit).as_json()
    if output is not None:
        _write(output, lambda: output.write_text(json.dumps(result, indent=2) + "\n"))
    for line in _capacity_lines(result):
        click.echo(line)


def _capacity_lines(result: dict) -> list[str]:
    current = result["current"]
    lines = [
        f"{result['requests']} accepted requests; with {result['tables']} tables a quick "
        f"schedule meets {current['met']} (at most {current['bound']}), priority-weighted "
        f"{current['weighted']} of {result['weighted_total']}",
    ]
    for name, points in result["curves"].items():
        cells = ", ".join(f"{p['step']}: {p['met']} (<= {p['bound']})" for p in points)
        lines.append(f"{name}: {cells}")
    target = f"{result['target']:.0%} ({result['target_requests']} requests)"
    if result["tables_needed"] is not None:
        low, high = result["bracket"]
        proof = result["proof"]
        no_by = {
            "bound": "the bound proves it",
            "solve": "a solve run to its end",
            "search start": "the count where the solve's search starts is too far below, "
            "with what the search adds where a solve ran to its end",
        }[proof["no_by"]]
        yes_by = {
            "solve": "a solve",
            "first come, first served": "first come, first served",
            "search start": "the count where the solve's search starts",
            "predicted": "the counts of the solves predict that the solve",
        }[proof["yes_by"]]
        how = (
            f"confirmed: {yes_by} reaches it with {high} tables, not with {low}: {no_by}"
            if result["confirmed"]
            else f"bracketed: {yes_by} reaches it with {high} tables; with {low} or fewer it "
            f"does not ({no_by}); between them not confirmed in the time limit"
        )
        lines.append(f"tables_needed for {target}: {result['tables_needed']} ({how})")
    elif result["proof"].get("unreached"):
        lines.append(
            f"no number of tables was seen to reach {target}: the bound allows it, but "
            f"partnering solve did not reach it even with {result['proof']['most_tables']} "
            f"tables ({result['proof']['no_by']}); the limit is people"
        )
    else:
        b = result["bottleneck"]
        names = ", ".join(
            f"{c['name']} (wanted {c['wanted']}, holds {c['holds']})" for c in b["companies"][:5]
        )
        lines.append(
            f"no number of tables reaches {target}: even unlimited tables meet at most "
            f"{b['unlimited_tables_bound']}; the limit is people: {names}"
        )
    return lines


if __name__ == "__main__":
    main()
