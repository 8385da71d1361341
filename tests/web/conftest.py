"""A real database per test: SQLite always, PostgreSQL too where a server answers.

PostgreSQL gets one fresh database per test session (created here, dropped at the end), so
runs never see each other's rows; each test then starts from empty tables.
"""

from __future__ import annotations

import copy
import os
import uuid

import pytest
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy import event as orm_events
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tests.conftest import TINY_EVENT
from tests.services import service_missing
from web.app import create_app
from web.auth.models import Organiser
from web.auth.operations import create_organiser
from web.conversion import save_instance
from web.db import make_engine, make_session_factory, utc_now
from web.events.models import Event
from web.members.models import Membership
from web.models import Base

POSTGRES_ADMIN_URL = os.environ.get(
    "PARTNERING_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def fresh_postgres_database() -> tuple[str, Engine] | None:
    """Create an empty database; return its URL and an admin engine to drop it with."""
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"partnering_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:
        admin.dispose()
        return None
    return admin.url.set(database=name).render_as_string(hide_password=False), admin


def drop_postgres_database(url: str, admin: Engine) -> None:
    name = url.rsplit("/", 1)[1]
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def postgres_url():
    created = fresh_postgres_database()
    if created is None:
        yield None
        return
    url, admin = created
    yield url
    drop_postgres_database(url, admin)


@pytest.fixture(scope="session")
def postgres_engine(postgres_url):
    if postgres_url is None:
        yield None
        return
    engine = make_engine(postgres_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, tmp_path, postgres_engine):
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'test.sqlite3'}")
        Base.metadata.create_all(engine)
        yield engine
        engine.dispose()
        return
    if postgres_engine is None:
        service_missing(f"PostgreSQL at {POSTGRES_ADMIN_URL} is not reachable")
    yield postgres_engine
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with postgres_engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture
def session(engine):
    with make_session_factory(engine)() as session:
        yield session
        session.rollback()


def create_event(session: Session, slug: str = "tiny", document: dict | None = None) -> Event:
    """Builder: an event stored from an exchange document (the tiny event by default)."""
    event, _report = save_instance(session, copy.deepcopy(document or TINY_EVENT), slug)
    session.commit()
    return event


@pytest.fixture
def dummy_event(session) -> Event:
    return create_event(session)


# --- the app, its test client, and a logged-in organiser -----------------------------------

PASSWORD = "correct horse battery"


@pytest.fixture
def app(engine, tmp_path, monkeypatch):
    monkeypatch.setenv("PARTNERING_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    url = engine.url.render_as_string(hide_password=False)
    app = create_app(
        {"DATABASE_URL": url, "JOBS_IMMEDIATE": True, "SECRET_KEY": "test", "TESTING": True}
    )
    with make_session_factory(engine)() as session:
        create_organiser(session, TEST_ORGANISER, PASSWORD)
        session.commit()
    yield app
    app.extensions["partnering.engine"].dispose()
    app.extensions["partnering.queue"].engine.dispose()


# --- the tests' organiser owns every event --------------------------------------------------

TEST_ORGANISER = "organiser@example.org"


@pytest.fixture(autouse=True)
def organiser_owns_every_event():
    """The tests' organiser (organiser@example.org, the `organiser` fixture) owns every event
    in the test's database, however and in whichever order a test makes the two (a builder,
    an import, the web, its own app), as the maker of an event does in the app: tests
    written before roles keep working. Tests of roles make other organisers
    (tests/web/test_roles.py)."""
    orm_events.listen(Session, "before_flush", _give_new_events)
    orm_events.listen(Session, "after_flush", _give_existing_events)
    yield
    orm_events.remove(Session, "after_flush", _give_existing_events)
    orm_events.remove(Session, "before_flush", _give_new_events)


def _give_new_events(session: Session, _context, _instances) -> None:
    events = [row for row in session.new if isinstance(row, Event)]
    if not events:
        return
    with session.no_autoflush:
        owner = session.scalar(select(Organiser.id).where(Organiser.email == TEST_ORGANISER))
    if owner is None:
        return
    given = {id(m.event) for m in session.new if isinstance(m, Membership) and m.event}
    for event in events:
        if id(event) not in given:
            session.add(Membership(event=event, organiser_id=owner, role="owner"))


def _give_existing_events(session: Session, _context) -> None:
    made = [
        row for row in session.new if isinstance(row, Organiser) and row.email == TEST_ORGANISER
    ]
    if not made:
        return
    connection = session.connection()
    events = connection.execute(select(Event.id)).scalars().all()
    rows = [{"event_id": e, "organiser_id": made[0].id, "role": "owner"} for e in events]
    if rows:
        connection.execute(
            insert(Membership.__table__), [{**row, "created_at": utc_now()} for row in rows]
        )


@pytest.fixture
def client(app):
    app.config["WTF_CSRF_ENABLED"] = False
    return app.test_client()


@pytest.fixture
def organiser(client):
    response = client.post("/login", data={"email": "organiser@example.org", "password": PASSWORD})
    assert response.status_code == 302
    return client


def upload(client, path: str, name: str, body: bytes, **fields):
    """POST a file as the import forms send it (multipart), with any other form fields."""
    import io

    data = {"file": (io.BytesIO(body), name), **fields}
    return client.post(path, data=data, content_type="multipart/form-data")
