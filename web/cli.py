"""`partnering db upgrade|backup|restore`, `partnering import`, `partnering export`: the
database from the command line, without Flask. Exit 2 on bad input, with one line per
problem, as elsewhere."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy.engine import Engine

from scheduler.cli.options import output_option
from scheduler.formats.problems import InvalidInput, Problem
from web.audit.trail import Actor, acting_as
from web.db import make_engine, transaction

BAD_INPUT = 2


def command_line():
    """Who the audit trail says acted, for the changes a command makes."""
    return acting_as(Actor("", kind="cli"))


@click.group()
def db() -> None:
    """The database that keeps events (DATABASE_URL, else SQLite in ./instance)."""


@db.command()
@click.option("--revision", default="head", show_default=True, help="Schema revision to reach.")
def upgrade(revision: str) -> None:
    """Create or bring the database's tables to the latest schema (safe to repeat)."""
    from web.migrations import current_revision
    from web.migrations import upgrade as run_upgrade

    engine = make_engine()
    run_upgrade(engine, revision)
    click.echo(f"{_shown(engine)}: schema at revision {current_revision(engine)}")


@db.command("backup")
@click.argument("file", type=click.Path(path_type=Path))
def backup_command(file: Path) -> None:
    """Write a consistent copy of the database to FILE, while the app keeps running.

    SQLite: a SQLite file (the online backup API); PostgreSQL: a pg_dump custom-format file.
    """
    from web.backup import BackupError, backup

    engine = make_engine()
    try:
        backup(engine, file)
    except BackupError as error:
        click.echo(str(error), err=True)
        sys.exit(BAD_INPUT)
    click.echo(f"{_shown(engine)}: backed up to {file}")


@db.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
def restore_command(file: Path, yes: bool) -> None:
    """Replace the database's contents with the backup FILE (checked first; all or nothing).

    Stop the app and its workers first: what they write during the restore is lost.
    """
    from web.backup import BackupError, restore

    engine = make_engine()
    if not yes:
        click.confirm(f"Replace everything in {_shown(engine)} with {file}?", abort=True)
    try:
        revision = restore(engine, file)
    except BackupError as error:
        click.echo(str(error), err=True)
        click.echo(f"{_shown(engine)}: nothing changed", err=True)
        sys.exit(BAD_INPUT)
    click.echo(f"{_shown(engine)}: restored from {file} (made at schema revision {revision})")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--event", "slug", required=True, help="The event's short name, e.g. biojapan-2026.")
@click.option(
    "--owner",
    "owner_email",
    default=None,
    help="An organiser's email: they become an owner of the event (needed to see a new one).",
)
def import_command(file: Path, slug: str, owner_email: str | None) -> None:
    """Import FILE into an event, all or nothing.

    FILE is an instance JSON (creates or updates the event: days, tables, companies,
    requests), an Excel workbook, a CSV file named after its sheet (companies.csv, ...), or a
    .zip or folder of such CSV files (see docs/spreadsheets.md).
    """
    from web.importing.files import import_file

    engine = _ready_engine()
    try:
        with command_line(), transaction(engine) as session:
            report = import_file(session, file, slug)
            owned = _give_owner(session, slug, owner_email)
    except InvalidInput as error:
        _fail(error, f"{file}: nothing imported")
    for line in report.lines():
        click.echo(f"{file}: {line}")
    if not owned:
        click.echo(
            f"{slug}: no organiser has a role on this event, so no one sees it yet; "
            f"give one with `partnering create-organiser EMAIL --event {slug}` or "
            f"`partnering import ... --owner EMAIL`",
            err=True,
        )


def _give_owner(session, slug: str, email: str | None) -> bool:
    """Make `email` an owner of `slug`; whether the event has any member afterwards."""
    from sqlalchemy import func, select

    from web.auth.operations import find_organiser
    from web.events.operations import get_event
    from web.members.models import Membership
    from web.members.operations import grant

    event = get_event(session, slug)
    if email:
        organiser = find_organiser(session, email)
        if organiser is None:
            raise InvalidInput(
                [Problem("--owner", f"no organiser {email}: create-organiser makes one")]
            )
        grant(session, event, organiser, "owner")
    members = select(func.count()).where(Membership.event_id == event.id)
    return bool(session.scalar(members))


@click.command("export")
@click.option("--event", "slug", required=True, help="The event's short name.")
@output_option(
    "A .json (exchange format, accepted requests), .xlsx or .zip (CSV sheets) file.", kind="any"
)
def export_command(slug: str, output: Path) -> None:
    """Write an event to a file that `partnering solve` or `partnering import` reads."""
    from web.events.operations import EventNotFound, get_event
    from web.importing.export import export_file

    engine = _ready_engine()
    try:
        with transaction(engine) as session:
            try:
                event = get_event(session, slug)
            except EventNotFound:
                raise InvalidInput([Problem("--event", f'no event "{slug}"')]) from None
            export_file(session, event, output)
    except InvalidInput as error:
        _fail(error, None)
    click.echo(f"{output}: event {slug} written", err=True)


def _ready_engine() -> Engine:
    """The configured database, refused with the fix if its schema is not the latest."""
    from web.migrations import current_revision, head_revision

    engine = make_engine()
    if current_revision(engine) != head_revision():
        click.echo(
            f"{_shown(engine)}: the database schema is not up to date; "
            "run `partnering db upgrade` first",
            err=True,
        )
        sys.exit(BAD_INPUT)
    return engine


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _fail(error: InvalidInput, closing: str | None) -> None:
    for problem in error.problems:
        line = str(problem)
        if error.source and not line.startswith(error.source):
            line = f"{error.source}: {line}"
        click.echo(line, err=True)
    if closing:
        click.echo(closing, err=True)
    sys.exit(BAD_INPUT)


@click.group("api-key")
def api_key() -> None:
    """API keys of an event, for integrations (/api/v1; docs/api.md)."""


@api_key.command("create")
@click.option("--event", "slug", required=True, help="The event the key opens (only that one).")
@click.option("--read-only", is_flag=True, help="The key reads and changes nothing.")
@click.option("--name", default="command line", show_default=True, help="Who or what uses it.")
def create_api_key(slug: str, read_only: bool, name: str) -> None:
    """Make a key and print it once: only its hash is kept, so copy it now."""
    import web.models  # noqa: F401 - every table known (the key refers to the event)
    from web.api.keys import create_key
    from web.events.operations import EventNotFound, get_event

    engine = _ready_engine()
    try:
        with transaction(engine) as session:
            try:
                event = get_event(session, slug)
            except EventNotFound:
                raise InvalidInput([Problem("--event", f'no event "{slug}"')]) from None
            made = create_key(session, event, name, read_only)
            scope = "read-only" if read_only else "read-write"
            click.echo(
                f"{made.row.name} ({scope}, event {slug}): shown once, copy it now:", err=True
            )
    except InvalidInput as error:
        _fail(error, None)
    click.echo(made.text)
