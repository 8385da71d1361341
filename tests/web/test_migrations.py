"""Migrations from empty to head give exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import column, inspect, select, table

from tests.services import service_missing
from tests.web.conftest import (
    POSTGRES_ADMIN_URL,
    drop_postgres_database,
    fresh_postgres_database,
)
from web.auth.models import Organiser
from web.auth.operations import organiser_for_session
from web.db import make_engine, make_session_factory
from web.migrations import current_revision, downgrade, head_revision, upgrade
from web.models import Base
from web.profiles.search import is_search_index


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_engine(request, tmp_path):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
        yield engine
        engine.dispose()
        return
    created = fresh_postgres_database()
    if created is None:
        service_missing(f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable")
    url, admin = created
    engine = make_engine(url)
    yield engine
    engine.dispose()
    drop_postgres_database(url, admin)


def differences(engine) -> list:
    with engine.connect() as connection:
        options = {"compare_type": True, "include_name": _not_the_search_index}
        context = MigrationContext.configure(connection, opts=options)
        return compare_metadata(context, Base.metadata)


def _not_the_search_index(name, _type, _parents) -> bool:
    """The directory's search index is made by DDL of its own (web.profiles.search)."""
    return not is_search_index(name)


def test_upgrade_from_empty_gives_the_models_schema(empty_engine):
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert differences(empty_engine) == []


def test_upgrade_is_safe_to_repeat_and_downgrade_empties_the_database(empty_engine):
    upgrade(empty_engine)
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    upgrade(empty_engine)
    assert differences(empty_engine) == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_organisers_stored_before_the_upgrade_get_a_session_token(empty_engine):
    """Migration 0004: each organiser stored before gets a token of their own, which logs in."""
    upgrade(empty_engine, "0003")
    organisers = table(
        "organisers", column("email"), column("name"), column("password_hash"), column("created_at")
    )
    with empty_engine.begin() as connection:
        for email in ("a@example.org", "b@example.org"):
            connection.execute(
                organisers.insert().values(
                    email=email, name=email, password_hash="-", created_at=datetime.now(UTC)
                )
            )
    upgrade(empty_engine)
    with make_session_factory(empty_engine)() as session:
        accounts = session.scalars(select(Organiser)).all()
        tokens = {account.session_token for account in accounts}
        assert len(tokens) == 2 and all(len(token) >= 43 for token in tokens)
        for account in accounts:
            assert organiser_for_session(session, account.get_id()) is account
