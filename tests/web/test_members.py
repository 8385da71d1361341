"""Members of an event: who sees which events, invitations by e-mail (single use, expiring,
through the outbox), accepting as an organiser or as a new person, roles changed and taken
away with the last owner kept, and the migration that keeps what organisers saw."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from tests.web.conftest import PASSWORD, create_event
from web.auth.operations import authenticate, create_organiser, find_organiser
from web.db import make_engine, utc_now
from web.events.models import Event
from web.members.models import Invitation, Membership
from web.members.operations import LastOwner, change_role, grant, remove_member
from web.migrations import upgrade
from web.notifications.compose import letter
from web.notifications.models import Notification


def log_in(app, email: str, password: str = PASSWORD):
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    return client


def invite(organiser, email: str, role: str = "editor"):
    response = organiser.post("/events/tiny/members/invite", data={"email": email, "role": role})
    assert response.status_code == 302
    page = organiser.get("/events/tiny/members/").get_data(as_text=True)
    links = re.findall(r'value="(http://[^"]+/invitations/[^"]+)"', page)
    assert links, "the page shows the link to copy when mail is not configured"
    return links[0].split("localhost", 1)[1]


def test_the_events_list_shows_only_the_organisers_events(app, organiser, session, dummy_event):
    other = create_organiser(session, "other@example.org", PASSWORD)
    session.commit()
    assert "tiny" in organiser.get("/").get_data(as_text=True)
    stranger = log_in(app, "other@example.org")
    assert "/events/tiny/" not in stranger.get("/").get_data(as_text=True)
    assert stranger.get("/events/tiny/").status_code == 404
    grant(session, session.get(Event, dummy_event.id), other, "viewer")
    session.commit()
    assert "/events/tiny/" in stranger.get("/").get_data(as_text=True)


def test_an_event_made_by_an_organiser_is_theirs(app, session, dummy_event):
    app.config["WTF_CSRF_ENABLED"] = False
    create_organiser(session, "maker@example.org", PASSWORD)
    session.commit()
    maker = log_in(app, "maker@example.org")
    form = {
        "slug": "made",
        "name": "Made here",
        "timezone": "Asia/Tokyo",
        "slot_minutes": 30,
        "days": "2026-10-14 10:00-12:00",
        "tables": 2,
        "language": "en",
        "alarm_minutes": 15,
    }
    assert maker.post("/events/new", data=form).status_code == 302
    session.rollback()
    made = session.scalar(select(Event).where(Event.slug == "made"))
    maker_id = find_organiser(session, "maker@example.org").id
    roles = {
        m.organiser_id: m.role for m in session.scalars(select(Membership)) if m.event_id == made.id
    }
    assert roles[maker_id] == "owner"
    # Importing into an event the organiser has no role on: 404, nothing imported.
    from tests.web.conftest import upload

    response = upload(maker, "/events/import", "companies.csv", b"id,name\nx,X\n", slug="tiny")
    assert response.status_code == 404


def test_an_invitation_is_mailed_through_the_outbox_and_works_once(
    app, organiser, session, dummy_event
):
    path = invite(organiser, "new.person@example.org", "viewer")
    session.rollback()
    row = session.scalar(select(Notification).where(Notification.kind == "invitation"))
    assert row.recipient == ("", "new.person@example.org") and row.status == "queued"
    content = letter(session, row)
    assert path in content.text and path in content.html
    assert "viewer" in content.text and "Hello," in content.text
    invitation = session.scalar(select(Invitation))
    token = path.rsplit("/", 1)[1]
    assert len(token) >= 43 and invitation.token_hash != token  # only its hash is kept
    assert token not in str(invitation.__dict__)

    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200 and "Make your account" in page.get_data(as_text=True)
    assert page.headers["Referrer-Policy"] == "no-referrer"
    short = newcomer.post(path, data={"name": "Nana", "password": "short", "confirm": "short"})
    assert short.status_code == 200 and find_organiser(session, "new.person@example.org") is None
    form = {"name": "Nana", "password": "a long passphrase", "confirm": "a long passphrase"}
    joined = newcomer.post(path, data=form)
    assert joined.status_code == 302 and joined.location.endswith("/events/tiny/")
    assert newcomer.get("/events/tiny/").status_code == 200  # logged in, as viewer
    assert newcomer.post("/events/tiny/locations/", data={"name": "T9"}).status_code == 403
    session.rollback()
    person = authenticate(session, "new.person@example.org", "a long passphrase")
    assert person is not None and person.name == "Nana"
    # Used: the link opens nothing any more, and its secret left the outbox.
    assert app.test_client().get(path).status_code == 404
    assert app.test_client().post(path, data=form).status_code == 404
    row = session.get(Notification, row.id)
    assert row.payload["token"] is None and row.status == "failed"


def test_a_logged_in_organiser_accepts_and_an_expired_or_withdrawn_link_opens_nothing(
    app, organiser, session, dummy_event
):
    create_organiser(session, "colleague@example.org", PASSWORD, "Colleague")
    session.commit()
    colleague = log_in(app, "colleague@example.org")
    path = invite(organiser, "colleague@example.org", "editor")
    page = colleague.get(path).get_data(as_text=True)
    assert "You are logged in as colleague@example.org" in page
    assert colleague.post(path, data={"accept": "1"}).status_code == 302
    session.rollback()
    colleague_id = find_organiser(session, "colleague@example.org").id
    assert (
        session.scalar(select(Membership.role).where(Membership.organiser_id == colleague_id))
        == "editor"
    )
    # Anonymous with an account for the address: asked to log in first.
    later = invite(organiser, "colleague@example.org", "viewer")
    assert "log in" in app.test_client().get(later).get_data(as_text=True)
    # Expired.
    session.rollback()
    newest = session.scalars(select(Invitation).order_by(Invitation.id.desc())).first()
    newest.expires_at = utc_now() - timedelta(seconds=1)
    session.commit()
    assert colleague.get(later).status_code == 404
    # Withdrawn.
    third = invite(organiser, "third@example.org", "desk")
    session.rollback()
    newest = session.scalars(select(Invitation).order_by(Invitation.id.desc())).first()
    assert organiser.post(f"/events/tiny/invitations/{newest.id}/withdraw").status_code == 302
    assert app.test_client().get(third).status_code == 404
    assert app.test_client().get("/invitations/" + "A" * 43).status_code == 404


def test_the_last_owner_can_be_neither_removed_nor_demoted(app, organiser, session, dummy_event):
    session.rollback()
    owner = session.scalar(select(Membership))
    with pytest.raises(LastOwner):
        change_role(session, owner, "editor")
    session.rollback()
    with pytest.raises(LastOwner):
        remove_member(session, session.scalar(select(Membership)))
    session.rollback()
    response = organiser.post(f"/events/tiny/members/{owner.id}/role", data={"role": "viewer"})
    assert response.status_code == 302
    assert "last owner" in organiser.get("/events/tiny/members/").get_data(as_text=True)
    assert organiser.post(f"/events/tiny/members/{owner.id}/remove").status_code == 302
    session.rollback()
    assert session.get(Membership, owner.id).role == "owner"
    # With a second owner, the first may step down.
    second = create_organiser(session, "second@example.org", PASSWORD)
    grant(session, session.get(Event, dummy_event.id), second, "owner")
    session.commit()
    stepped = organiser.post(f"/events/tiny/members/{owner.id}/role", data={"role": "viewer"})
    assert stepped.status_code == 302, stepped.get_data(as_text=True)
    flashes = organiser.get(stepped.location).get_data(as_text=True)
    assert "is now Viewer" in flashes, flashes
    session.rollback()
    session.expire_all()  # read anew: the object was loaded before the app's commit
    assert session.get(Membership, owner.id).role == "viewer"


def test_create_organiser_gives_a_role_and_import_an_owner(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    from scheduler.cli.commands import main

    engine = make_engine(url)
    upgrade(engine)
    runner = CliRunner()
    example = "examples/biojapan-2026/instance.json"
    result = runner.invoke(main, ["import", example, "--event", "bj"])
    assert result.exit_code == 0 and "no organiser has a role" in result.output
    result = runner.invoke(
        main, ["create-organiser", "a@example.org", "--event", "bj", "--password", PASSWORD]
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["import", example, "--event", "bj", "--owner", "a@example.org"])
    assert result.exit_code == 0 and "no organiser has a role" not in result.output
    with engine.connect() as connection:
        roles = connection.execute(text("SELECT role FROM memberships")).scalars().all()
        actors = connection.execute(text("SELECT actor_kind, kind FROM audit_entries")).all()
    assert roles == ["owner"]
    assert ("cli", "import") in actors
    engine.dispose()


def test_the_migration_makes_every_organiser_owner_of_every_event(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    upgrade(engine, "0007")
    with engine.begin() as connection:
        for n in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO organisers (email, name, password_hash, created_at, "
                    "session_token) VALUES (:e, :e, 'x', '2026-01-01', :t)"
                ),
                {"e": f"o{n}@example.org", "t": f"token{n}"},
            )
            connection.execute(
                text(
                    "INSERT INTO events (slug, name, timezone, slot_minutes, created_at, "
                    "language, mail_off, alarm_minutes, version_id) "
                    "VALUES (:s, :s, 'UTC', 30, '2026-01-01', 'en', '[]', 15, 1)"
                ),
                {"s": f"event-{n}"},
            )
    upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT event_id, organiser_id, role FROM memberships ORDER BY 1, 2")
        ).all()
    assert rows == [(1, 1, "owner"), (1, 2, "owner"), (2, 1, "owner"), (2, 2, "owner")]
    engine.dispose()


def test_the_morning_summary_goes_to_the_event_s_members_only(app, session, dummy_event):
    from web.notifications.digest import _told

    create_organiser(session, "outsider@example.org", PASSWORD)
    desk = create_organiser(session, "desk@example.org", PASSWORD)
    grant(session, session.get(Event, dummy_event.id), desk, "desk")
    session.commit()
    told = [o.email for o in _told(session, session.get(Event, dummy_event.id))]
    assert told == ["organiser@example.org"]


def test_a_second_event_is_not_created_for_the_builder(session):
    """The builder alone (no app): nobody is given the event (the tests' organiser owns
    events only while the app lives)."""
    create_event(session, slug="alone")
    assert session.scalar(select(Membership)) is None


def test_an_invitation_joins_only_the_invited_address(app, organiser, session, dummy_event):
    """A forwarded or intercepted link: another logged-in organiser is told to log in as the
    invited address, and a POST gives them no role."""
    create_organiser(session, "other@example.org", PASSWORD, "Other")
    session.commit()
    path = invite(organiser, "colleague@example.org", "owner")
    other = log_in(app, "other@example.org")
    page = other.get(path).get_data(as_text=True)
    assert "only colleague@example.org can accept this invitation" in page
    assert 'name="accept"' not in page
    assert other.post(path, data={"accept": "1"}).status_code == 200
    session.rollback()
    other_id = find_organiser(session, "other@example.org").id
    assert session.scalar(select(Membership).where(Membership.organiser_id == other_id)) is None
    assert other.get("/events/tiny/").status_code == 404
