"""Alembic's entry point: run the migrations on the engine the caller configured."""

from __future__ import annotations

from alembic import context

import web.models  # noqa: F401 - registers every table on Base.metadata
from web.db import Base, UTCDateTime

target_metadata = Base.metadata


def render_item(kind: str, item: object, _autogen_context) -> str | bool:
    """Migrations spell UTC instants as plain SQL types, independent of the model code."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # outside any transaction, where SQLite takes the pragma
            _foreign_keys(connection, on=False)
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=True,  # SQLite alters tables by copying them
                compare_type=True,
                render_item=render_item,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _no_broken_references(connection)
            if connection.in_transaction():  # begun by Alembic's first read, not by the block
                connection.commit()
        finally:
            if sqlite:
                if connection.in_transaction():  # a migration failed: nothing of it stays
                    connection.rollback()
                _foreign_keys(connection, on=True)


def _foreign_keys(connection, on: bool) -> None:
    """SQLite copies a table to alter it and drops the old one: with foreign keys enforced,
    that drop would cascade to every row that refers to it (an event's companies, members...).
    Migrations run with them off, as Alembic's documentation advises, and checked after."""
    connection.connection.driver_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _no_broken_references(connection) -> None:
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"the migration left rows referring to nothing: {broken[:5]}")


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run them on a database")
run_migrations_online()
