"""Alembic migrations, shipped inside the package and configured in code (no alembic.ini):
`partnering db upgrade` brings any database, empty or older, to the latest schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from web.db import make_engine

HERE = Path(__file__).resolve().parent


def alembic_config(engine: Engine | None = None) -> Config:
    """A configuration for `engine` (default: the configured database)."""
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["engine"] = engine or make_engine()
    return config


def upgrade(engine: Engine | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(engine), revision)


def head_revision() -> str | None:
    return ScriptDirectory(str(HERE)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def known_revisions() -> set[str]:
    """Every schema revision this version can upgrade from."""
    return {script.revision for script in ScriptDirectory(str(HERE)).walk_revisions()}
