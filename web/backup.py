"""Backing up the database and restoring it, with the databases' own tools.

SQLite (the embedded default): the online backup API (`sqlite3.Connection.backup`), which
copies a consistent snapshot while the app keeps running, WAL included; a restore copies
the file back page by page under the database's lock, so readers see the old or the new
database, never a mixture. PostgreSQL: `pg_dump --format=custom`, and for a restore the
dump's SQL (`pg_restore`) run by `psql` in one transaction after dropping the schema, so a
restore that fails half-way changes nothing.

A restore checks the file before it touches anything: its kind matches the database's,
SQLite's integrity check passes, and it holds this app's tables (an Alembic revision this
version knows). After it the schema is brought to the latest revision, as `db upgrade` does."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


def backup(engine: Engine, target: Path) -> None:
    """Write a consistent copy of the database to `target` (replaced if it exists)."""
    if target.is_dir():
        raise BackupError(f"{target}: is a folder; name the backup file to write")
    if engine.dialect.name == "sqlite":
        _sqlite_backup(Path(engine.url.database or ""), target)
    elif engine.dialect.name == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", f"--file={target}", _libpq(engine)])
    else:
        raise BackupError(f"{engine.dialect.name}: no backup for this kind of database")


def restore(engine: Engine, source: Path) -> str:
    """Replace the database's contents with the backup `source`; return its revision."""
    kind = _kind_of(source)
    if kind != engine.dialect.name:
        raise BackupError(
            f"{source}: a {kind} backup cannot be restored into a "
            f"{engine.dialect.name} database; restore it into the kind it came from"
        )
    if kind == "sqlite":
        revision = _sqlite_restore(source, Path(engine.url.database or ""))
    else:
        revision = _pg_restore(engine, source)
    from web.migrations import upgrade

    engine.dispose()  # connections opened before the restore see the old file's pages
    upgrade(engine, "head")
    return revision


def _kind_of(source: Path) -> str:
    try:
        with source.open("rb") as handle:
            start = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"{source}: cannot be read ({error.strerror})") from None
    if start.startswith(SQLITE_MAGIC):
        return "sqlite"
    if start.startswith(PG_DUMP_MAGIC):
        return "postgresql"
    raise BackupError(
        f"{source}: not a backup made by `partnering db backup` (neither SQLite nor pg_dump)"
    )


def _sqlite_backup(database: Path, target: Path) -> None:
    source = sqlite3.connect(database)
    copy = sqlite3.connect(target.with_name(target.name + ".part"))
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()
    target.with_name(target.name + ".part").replace(target)  # never a half-written backup


def _sqlite_restore(source: Path, database: Path) -> str:
    with tempfile.TemporaryDirectory() as folder:  # check a copy: the backup stays untouched
        checked = Path(folder) / "check.sqlite3"
        shutil.copyfile(source, checked)
        revision = _sqlite_revision(source, checked)
        backup_copy = sqlite3.connect(checked)
        live = sqlite3.connect(database)
        try:
            backup_copy.backup(live)
        finally:
            live.close()
            backup_copy.close()
    return revision


def _sqlite_revision(source: Path, checked: Path) -> str:
    connection = sqlite3.connect(checked)
    try:
        if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{source}: the file is damaged (SQLite's integrity check fails)")
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{source}: not a partnering database ({error})") from None
    finally:
        connection.close()
    return _known(source, row[0] if row else None)


def _pg_restore(engine: Engine, source: Path) -> str:
    """The dump as SQL, after dropping the schema, in ONE transaction of psql: tables made
    since the backup go too, and a failure half-way leaves the database as it was."""
    try:
        listing = _run(["pg_restore", "--list", str(source)])
    except BackupError as error:
        raise BackupError(f"{source}: {error}") from None
    if "alembic_version" not in listing:
        raise BackupError(f"{source}: not a partnering database (no alembic_version table)")
    script = _run(["pg_restore", "--no-owner", "--file=-", str(source)])
    revision = _known(source, _dumped_revision(script))
    _run(
        ["psql", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1", _libpq(engine)],
        stdin="DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n" + script,
    )
    return revision


def _dumped_revision(script: str) -> str | None:
    """The Alembic revision in a dump's SQL: the one row of its `alembic_version` COPY."""
    found = re.search(r"^COPY public\.alembic_version .* FROM stdin;\n([^\n]+)\n", script, re.M)
    return found.group(1) if found else None


def _known(source: Path, revision: str | None) -> str:
    from web.migrations import known_revisions

    if revision not in known_revisions():
        raise BackupError(
            f"{source}: its schema revision {revision!r} is not one this version knows; "
            "restore it with the version of partnering that made it"
        )
    return revision or ""


def _libpq(engine: Engine) -> str:
    """The database's address as PostgreSQL's own tools take it (no SQLAlchemy driver)."""
    url = make_url(engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _run(command: list[str], stdin: str | None = None) -> str:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{command[0]} is not installed; install PostgreSQL's client tools")
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()}")
    return done.stdout
