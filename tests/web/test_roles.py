"""Roles (SECURITY.md, "Roles"): every organiser URL of the app's URL map, each method, as
each role and as an organiser with no role on the event. Viewer and help desk change
nothing (every POST 403, nothing written); the desk opens only its pages; the editor does
everything but the members and deleting the event; the owner everything; a stranger gets
404 everywhere in the event. An endpoint the role registry does not classify fails here."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.web import test_security
from tests.web.conftest import PASSWORD
from tests.web.test_security import ORGANISER_BLUEPRINTS, methods, rules, snapshot, url
from web.auth.operations import create_organiser
from web.events.models import Event
from web.members import roles
from web.members.models import Membership

PEOPLE = ("editor", "viewer", "desk", "stranger")
fair = test_security.fair  # the fixture event with one of everything, and its URL values


@pytest.fixture
def team(app, session, fair):
    """A logged-in client per role (the fixture's organiser is the owner), CSRF off."""
    app.config["WTF_CSRF_ENABLED"] = False
    session.rollback()  # SQLite: a read begun before the app's commits cannot write after
    event = session.scalar(select(Event))
    clients = {}
    for role in PEOPLE:
        person = create_organiser(session, f"{role}@example.org", PASSWORD, role.title())
        if role != "stranger":
            session.add(Membership(event_id=event.id, organiser_id=person.id, role=role))
        session.commit()
        clients[role] = log_in(app, f"{role}@example.org")
    clients["owner"] = log_in(app, "organiser@example.org")
    return clients


def log_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, email
    return client


def event_targets(app, fair) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) of every organiser URL inside an event; deletions last, the
    company's own deletion at the very end (it takes the walk's rows with it)."""
    found = [
        (rule.endpoint, method, url(rule, fair["values"]))
        for rule in rules(app, "organiser")
        if "slug" in rule.arguments
        for method in methods(rule)
    ]

    def order(target: tuple[str, str, str]) -> tuple[int, str]:
        endpoint, method, _path = target
        last = endpoint in ("companies.delete", "events.delete")
        removes = any(word in endpoint for word in ("delete", "remove", "unblock", "withdraw"))
        return (2 if last else 1 if removes else 0, method, endpoint)

    return sorted(found, key=order)


# --- the registry ---------------------------------------------------------------------------


def test_every_organiser_endpoint_is_classified_for_roles(app):
    """A new organiser page passes only once roles.py says who may POST to it (reading is
    open to every role but the desk); the enforcement covers the blueprints this test
    file's neighbour classifies as the organisers'."""
    assert roles.ORGANISER_BLUEPRINTS == ORGANISER_BLUEPRINTS
    unclassified = [
        (rule.endpoint, method)
        for rule in rules(app, "organiser")
        for method in methods(rule)
        if not roles.classified(rule.endpoint, method)
    ]
    assert not unclassified, (
        "say in web/members/roles.py which roles may use these (EDITS, DESK_ACTIONS, "
        f"OWNER_ACTIONS or ACCOUNT_ACTIONS): {unclassified}"
    )
    assert {rule.endpoint for rule in app.url_map.iter_rules()} >= roles.DESK_PAGES
    listed = roles.EDITS | roles.DESK_ACTIONS | roles.OWNER_ACTIONS | roles.ACCOUNT_ACTIONS
    assert listed <= {rule.endpoint for rule in app.url_map.iter_rules()}  # no stale names


def test_an_unlisted_post_is_refused_to_every_role():
    for role in roles.ROLES:
        assert not roles.may(role, "fairdays.some_new_action", "POST")
    assert not roles.classified("fairdays.some_new_action", "POST")
    assert roles.may("viewer", "fairdays.some_new_page", "GET")
    assert not roles.may("desk", "fairdays.some_new_page", "GET")


# --- the walk -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["viewer", "desk"])
def test_viewer_and_desk_change_nothing(app, session, fair, team, role):
    client = team[role]
    before = snapshot(session)
    tried = {"GET": 0, "POST": 0}
    for endpoint, method, path in event_targets(app, fair):
        if role == "desk" and endpoint in roles.DESK_ACTIONS:
            continue  # what the desk is for (attendance): test_the_desk_marks_attendance
        response = client.open(path, method=method, data={"status": "accepted", "confirm": "1"})
        if method == "POST":
            assert response.status_code == 403, (role, method, path, response.status_code)
        elif role == "desk" and endpoint not in roles.DESK_PAGES:
            assert response.status_code == 403, (role, path)
        else:
            assert response.status_code in (200, 302), (role, path, response.status_code)
        tried[method] += 1
    assert tried["GET"] >= 15 and tried["POST"] >= 20
    after = snapshot(session)
    # Opening the capacity page queues the job that works its figures out (a cache of the
    # event as it is, web.analytics.capacity_job): reading, not a change of the event.
    assert after.pop("capacity_runs") <= 1
    before.pop("capacity_runs")
    assert after == before
    before = snapshot(session)
    # Outside any event: their own list and new events only.
    assert client.post("/events/import", data={"slug": "tiny"}).status_code in (302, 403)
    assert snapshot(session) == before


def test_the_desk_marks_attendance_and_a_viewer_cannot(app, session, fair, team):
    """The help desk's one kind of change: marking a meeting held or a no-show."""
    from web.fairdays.models import Attendance

    targets = [
        (endpoint, path)
        for endpoint, method, path in event_targets(app, fair)
        if endpoint in roles.DESK_ACTIONS and method == "POST"
    ]
    assert targets
    for _endpoint, path in targets:
        assert team["viewer"].post(path, data={}).status_code == 403
        assert team["desk"].post(path, data={}).status_code in (200, 302)
    session.rollback()
    assert session.scalars(select(Attendance)).all()


def test_an_organiser_without_a_role_gets_404_everywhere_in_the_event(app, session, fair, team):
    client = team["stranger"]
    before = snapshot(session)
    for _endpoint, method, path in event_targets(app, fair):
        response = client.open(path, method=method, data={"status": "accepted", "confirm": "1"})
        assert response.status_code == 404, (method, path, response.status_code)
    assert "tiny" not in client.get("/").get_data(as_text=True)
    assert snapshot(session) == before


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_editor_does_all_but_the_members_and_the_owner_everything(app, session, fair, team, role):
    client = team[role]
    tried = 0
    for endpoint, method, path in event_targets(app, fair):
        response = client.open(path, method=method, data={"status": "accepted"})
        if role == "editor" and method == "POST" and endpoint in roles.OWNER_ACTIONS:
            assert response.status_code == 403, (role, path)
        else:
            assert response.status_code not in (403, 404, 500), (role, method, path, response)
        tried += 1
    assert tried >= 35
    assert session.scalar(select(Membership.role).where(Membership.organiser_id == 1)) == "owner"


def test_editor_changes_a_company_and_viewer_does_not(app, session, fair, team):
    acme = fair["companies"]["acme"]
    form = {"name": "Acme Biologics", "role": acme.role, "version": acme.version_id}
    path = f"/events/tiny/companies/{acme.id}/edit"
    assert team["viewer"].post(path, data=form).status_code == 403
    assert team["editor"].post(path, data=form).status_code == 302
    session.rollback()
    assert session.get(type(acme), acme.id).name == "Acme Biologics"


def test_the_members_page_shows_the_owner_forms_to_owners_only(fair, team):
    owner = team["owner"].get("/events/tiny/members/").get_data(as_text=True)
    editor = team["editor"].get("/events/tiny/members/").get_data(as_text=True)
    assert "members/invite" in owner and "members/invite" not in editor
    assert "viewer@example.org" in editor  # the list itself is open to every role but desk
    desk = team["desk"].get("/events/tiny/members/")
    assert desk.status_code == 403
