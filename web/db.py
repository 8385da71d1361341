"""The database: declarative base, UTC time columns, engine and sessions.

SQLite in the instance folder is the default and needs nothing installed; `DATABASE_URL`
points at PostgreSQL (or another SQLite file) for a hosted service.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import CheckConstraint, DateTime, MetaData, Select, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so that migrations can name what they change.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLITE_FILE = "partnering.sqlite3"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """An instant: stored in UTC, always read back as an aware UTC datetime.

    SQLite keeps no offset and PostgreSQL answers in the connection's zone; this makes both
    return what the domain holds (aware UTC), and refuses naive datetimes, whose zone is a guess.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give an aware one (the domain uses UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utc_now() -> datetime:
    return datetime.now(UTC)


def one_of(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    """A CHECK that a text column holds one of `values` (portable, unlike native enums)."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


# --- where the data lives ---------------------------------------------------------------------


def instance_path() -> Path:
    """The instance folder: `PARTNERING_INSTANCE_PATH`, else ./instance (as Flask's)."""
    return Path(os.environ.get("PARTNERING_INSTANCE_PATH") or "instance").resolve()


def database_url() -> str:
    """`DATABASE_URL` if set, else the SQLite file in the instance folder."""
    url = os.environ.get("DATABASE_URL")
    if url:
        return normalize_url(url)
    return f"sqlite:///{instance_path() / SQLITE_FILE}"


def normalize_url(url: str) -> str:
    """Hosting services hand out `postgres://` URLs; we drive PostgreSQL with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str | None = None, **options) -> Engine:
    url = normalize_url(url) if url else database_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, **options)
        _configure_sqlite(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **options)


def _configure_sqlite(engine: Engine) -> None:
    """WAL (readers never block the writer), enforced foreign keys, a wait instead of
    "database is locked", and real transactions: pysqlite's own handling would commit
    before DDL, so BEGIN is emitted by us (the SQLAlchemy documentation's recipe). A unit of
    work that will write begins IMMEDIATE (see `WRITES`): a plain BEGIN that reads first
    cannot take the write lock once another connection has committed since its read, and
    fails at once with "database is locked" instead of waiting."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".rstrip())


# What every new session factory sets up first. The audit trail (web.audit.trail) adds its
# listeners here when it is imported, which `web.models` does with every model: this module
# stays below the models it would otherwise import through the trail.
SESSION_SETUP: list[Callable[[], None]] = []


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions of the app, the command line, the jobs and the tests alike; each keeps the
    audit trail of what it changes (web.audit.trail)."""
    for setup in SESSION_SETUP:
        setup()
    return sessionmaker(engine, expire_on_commit=False)


# Execution options of a transaction that will write: SQLite takes the write lock at BEGIN
# (waiting its turn), so reading first cannot make the later write fail. Other databases
# ignore the option.
WRITES = {"sqlite_begin": "IMMEDIATE"}


def begin_writing(session: Session) -> None:
    """Start `session`'s transaction as one that will write (before its first statement)."""
    session.connection(execution_options=WRITES)


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: committed if the block ends normally, else rolled back whole."""
    with make_session_factory(engine).begin() as session:
        begin_writing(session)
        yield session


# --- edits in forms --------------------------------------------------------------------------


class EditConflict(Exception):
    """Someone else saved this row after the form was loaded: reload it and redo the edit."""


def apply_edit(session: Session, row: Base, version: int, changes: dict[str, object]) -> None:
    """Apply a form's `changes` to `row` if it is still at the `version` the form showed.

    The version counter (`version_id_col`) also guards the moment of writing: a concurrent
    save between this check and the flush makes the UPDATE match no row (StaleDataError).
    """
    from sqlalchemy.orm.exc import StaleDataError

    # Worded now: after a failed flush the row is expired and cannot be read to say it.
    conflict = f"{row!r} was changed by someone else; reload it and edit again"
    if row.version_id != version:  # type: ignore[attr-defined]
        raise EditConflict(conflict)
    for name, value in changes.items():
        setattr(row, name, value)
    try:
        session.flush()
    except StaleDataError:
        raise EditConflict(conflict) from None


def grouped(session: Session, statement: Select) -> dict[Hashable, tuple]:
    """Rows `(parent, value...)` as {parent: (value, ...)} in the statement's order: the
    children of many rows in one query (a single value per row stands alone, not in a tuple)."""
    children: dict[Hashable, list] = defaultdict(list)
    for parent, *values in session.execute(statement):
        children[parent].append(values[0] if len(values) == 1 else tuple(values))
    return {parent: tuple(items) for parent, items in children.items()}


def escape_like(text: str) -> str:
    """`text` to search for inside a LIKE pattern (with escape="\\"): its % and _ are letters,
    not wildcards."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
