"""`partnering serve --demo`: the example event with its schedule published, so the company
link it prints shows an agenda at once, and one published meeting declined since, so the
organiser finds the published schedule out of date and can try a re-solve."""

from __future__ import annotations

import re

from sqlalchemy import select

from web.app import create_app
from web.db import make_engine, transaction
from web.events.models import Event
from web.migrations import upgrade
from web.schedules.drift import published_drift
from web.schedules.models import Publication
from web.serve import DEMO_ORGANISER, _load_demo


def test_the_demo_publishes_the_example_and_leaves_one_change_pending(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("PARTNERING_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    _load_demo(engine, "http://127.0.0.1:8000")
    printed = capsys.readouterr().out
    link = re.search(r"http://127\.0\.0\.1:8000(/c/\S+/)", printed).group(1)
    password = re.search(r"password:\s+(\S+)", printed).group(1)

    app = create_app({"DATABASE_URL": url, "JOBS_IMMEDIATE": True, "SECRET_KEY": "demo-test"})
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    home = client.get(link).get_data(as_text=True)
    assert home.count('<ol class="agenda">') >= 1  # the company's published agenda
    assert "has not published the schedule yet" not in home
    assert 'class="pending"' not in home  # the printed company's agenda is untouched
    # The directory is worth looking at: profiles in both languages, suggestions.
    directory = client.get(link + "directory/", query_string={"q": "抗体"}).get_data(as_text=True)
    assert "Daiichi Sankyo" in directory and "Carmel Valley Antibodies" in directory
    english = client.get(link + "directory/", query_string={"q": "dementia"}).get_data(as_text=True)
    assert "Eisai" in english
    assert "Suggested for you" in client.get(link + "directory/").get_data(as_text=True)

    with transaction(engine) as session:
        event = session.scalar(select(Event).where(Event.slug == "biojapan-2026"))
        drift = published_drift(session, event)
        assert [a.kinds for a in drift.affected] == [("answer",)]
        assert drift.affected[0].status == "declined"

    client.post("/login", data={"email": DEMO_ORGANISER, "password": password})
    overview = client.get("/events/biojapan-2026/").get_data(as_text=True)
    assert "The published schedule is out of date" in overview

    # A second start keeps what was published (and the organiser's work since).
    _load_demo(engine, "http://127.0.0.1:8000")
    with transaction(engine) as session:
        event = session.scalar(select(Event).where(Event.slug == "biojapan-2026"))
        publications = session.scalars(select(Publication).where(Publication.event_id == event.id))
        assert len(publications.all()) == 1
    app.extensions["partnering.engine"].dispose()
    app.extensions["partnering.queue"].engine.dispose()
    engine.dispose()
