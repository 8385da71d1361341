"""`partnering db backup` and `db restore`, run as an organiser would, on the embedded SQLite
file and on PostgreSQL: a backup taken, the event changed, the backup restored, the event as it
was; a bad file refused with nothing changed."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from scheduler.cli.commands import main
from tests.conftest import EXAMPLE
from tests.services import service_missing
from tests.web.conftest import (
    POSTGRES_ADMIN_URL,
    drop_postgres_database,
    fresh_postgres_database,
)
from web.db import make_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path, monkeypatch):
    """An empty database of each kind, named by DATABASE_URL as an organiser's would be."""
    monkeypatch.setenv("PARTNERING_INSTANCE_PATH", str(tmp_path / "instance"))
    if request.param == "sqlite":
        monkeypatch.delenv("DATABASE_URL", raising=False)
        yield f"sqlite:///{tmp_path / 'instance' / 'partnering.sqlite3'}"
        return
    created = fresh_postgres_database()
    if created is None:
        service_missing(f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable")
    url, admin = created
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    drop_postgres_database(url, admin)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _companies(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return sorted(connection.scalars(text("SELECT name FROM companies")))
    finally:
        engine.dispose()


def _change_the_companies(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE companies SET name = name || ' (changed)'"))
    engine.dispose()


def test_a_backup_restored_brings_the_event_back(database, tmp_path):
    assert run("db", "upgrade").exit_code == 0
    assert run("import", EXAMPLE, "--event", "bj").exit_code == 0
    before = tmp_path / "before.json"
    assert run("export", "--event", "bj", "-o", before).exit_code == 0
    companies = _companies(database)

    saved = tmp_path / "backup.partnering"
    made = run("db", "backup", saved)
    assert made.exit_code == 0, made.output
    _change_the_companies(database)
    assert _companies(database) != companies

    restored = run("db", "restore", saved, "--yes")
    assert restored.exit_code == 0, restored.output
    assert "restored from" in restored.output
    assert _companies(database) == companies
    after = tmp_path / "after.json"
    assert run("export", "--event", "bj", "-o", after).exit_code == 0
    assert json.loads(after.read_text()) == json.loads(before.read_text())


def test_a_restore_asks_first_and_a_no_changes_nothing(database, tmp_path):
    assert run("db", "upgrade").exit_code == 0
    assert run("import", EXAMPLE, "--event", "bj").exit_code == 0
    saved = tmp_path / "backup.partnering"
    assert run("db", "backup", saved).exit_code == 0
    _change_the_companies(database)
    left = _companies(database)
    answered_no = CliRunner().invoke(main, ["db", "restore", str(saved)], input="n\n")
    assert answered_no.exit_code != 0 and "Replace everything in" in answered_no.output
    assert _companies(database) == left


@pytest.mark.parametrize(
    "content, says",
    [
        (b"name,role\nAcme,corporate\n", "not a backup made by `partnering db backup`"),
        (b"SQLite format 3\x00" + b"\x00" * 200, "not a partnering database"),
        (b"PGDMP" + b"\x01" * 200, "postgresql backup cannot be restored into a sqlite"),
    ],
    ids=["csv", "truncated-sqlite", "other-kind"],
)
def test_a_bad_file_is_refused_and_nothing_changes(database, tmp_path, content, says):
    assert run("db", "upgrade").exit_code == 0
    assert run("import", EXAMPLE, "--event", "bj").exit_code == 0
    companies = _companies(database)
    bad = tmp_path / "bad.bin"
    bad.write_bytes(content)
    refused = run("db", "restore", bad, "--yes")
    assert refused.exit_code == 2
    if database.startswith("sqlite") or "not a backup" in says:
        assert says in refused.output
    else:  # PostgreSQL refuses the files for its own reasons; each is named
        assert "bad.bin: " in refused.output
    assert "nothing changed" in refused.output
    assert _companies(database) == companies
