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
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite alters tables by copying them
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run them on a database")
run_migrations_online()
