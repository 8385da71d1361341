"""What a member made goes with their role (SECURITY.md, "Roles"): an editor's API keys and
webhooks stop working when the editor is removed or becomes a viewer or the desk, and the
owner is told; a viewer or the desk never sees a company's private link (it is the
company's password: with it they could answer requests as the company)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from tests.web.conftest import PASSWORD
from web.api.models import ApiKey
from web.auth.operations import create_organiser
from web.companies.models import Company
from web.members.models import Membership
from web.webhooks.models import WebhookSubscription


def bearer(text: str) -> dict:
    return {"Authorization": f"Bearer {text}"}


def member(app, session, event, email: str, role: str):
    """A logged-in client of a new organiser with `role` on the event, and the membership."""
    person = create_organiser(session, email, PASSWORD, email.split("@")[0].title())
    membership = Membership(event_id=event.id, organiser_id=person.id, role=role)
    session.add(membership)
    session.commit()
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client, membership


def make_key(client, read_only: bool = False) -> str:
    data = {"name": "CRM sync", **({"read_only": "y"} if read_only else {})}
    page = client.post("/events/tiny/api-keys/", data=data).get_data(as_text=True)
    return page.split('<code class="secret">', 1)[1].split("</code>", 1)[0]


def make_webhook(client) -> None:
    data = {"url": "https://example.org/h", "kinds": ["request.created"]}
    assert client.post("/events/tiny/webhooks/", data=data).status_code == 200


@pytest.fixture
def editor(app, session, dummy_event, organiser):
    app.config["WTF_CSRF_ENABLED"] = False
    return member(app, session, dummy_event, "editor@example.org", "editor")


@pytest.mark.parametrize("change", ["remove", "viewer", "desk"])
def test_an_editors_keys_and_webhooks_end_with_their_role(
    change, organiser, client, session, editor
):
    editor_client, membership = editor
    theirs = make_key(editor_client)
    make_webhook(editor_client)
    mine = make_key(organiser)  # the owner's key is not the editor's: it keeps working
    assert client.get("/api/v1/events/tiny", headers=bearer(theirs)).status_code == 200

    if change == "remove":
        answer = organiser.post(f"/events/tiny/members/{membership.id}/remove")
    else:
        answer = organiser.post(f"/events/tiny/members/{membership.id}/role", data={"role": change})
    assert answer.status_code == 302
    told = organiser.get("/events/tiny/members/").get_data(as_text=True)
    assert "The API key they made is revoked." in told
    assert "The webhook they made is removed." in told

    assert client.get("/api/v1/events/tiny", headers=bearer(theirs)).status_code == 401
    assert client.get("/api/v1/events/tiny", headers=bearer(mine)).status_code == 200
    session.expire_all()
    hooks = session.scalars(select(WebhookSubscription)).all()
    assert [h.removed_at is not None for h in hooks] == [True]
    keys = session.scalars(select(ApiKey).order_by(ApiKey.id)).all()
    assert [k.revoked_at is not None for k in keys] == [True, False]  # theirs, then mine


def test_an_editor_made_owner_keeps_their_keys(organiser, client, editor):
    editor_client, membership = editor
    theirs = make_key(editor_client)
    organiser.post(f"/events/tiny/members/{membership.id}/role", data={"role": "owner"})
    assert "revoked" not in organiser.get("/events/tiny/members/").get_data(as_text=True)
    assert client.get("/api/v1/events/tiny", headers=bearer(theirs)).status_code == 200


def test_a_key_stops_when_its_maker_loses_the_role_another_way(client, session, editor):
    """Rows changed outside the members page (a restored backup, a hand-edited database):
    the key is checked against its maker's role on every request, not only revoked once."""
    editor_client, membership = editor
    theirs = make_key(editor_client)
    assert client.get("/api/v1/events/tiny", headers=bearer(theirs)).status_code == 200
    session.execute(delete(Membership).where(Membership.id == membership.id))
    session.commit()
    assert client.get("/api/v1/events/tiny", headers=bearer(theirs)).status_code == 401


def test_a_key_made_on_the_command_line_has_no_maker_and_stays(session, dummy_event, client):
    from web.api.keys import create_key

    made = create_key(session, dummy_event, "cli", read_only=False)
    session.commit()
    assert made.row.created_by_id is None
    assert client.get("/api/v1/events/tiny", headers=bearer(made.text)).status_code == 200


@pytest.mark.parametrize("role", ["viewer", "desk"])
def test_viewer_and_desk_never_see_a_companys_private_link(
    role, app, organiser, session, dummy_event
):
    app.config["WTF_CSRF_ENABLED"] = False
    reader, _membership = member(app, session, dummy_event, f"{role}@example.org", role)
    company = session.scalar(select(Company).where(Company.external_id == "acme"))
    pages = [f"/events/tiny/companies/{company.id}", "/events/tiny/companies/"]
    for path in pages:
        page = reader.get(path)
        assert page.status_code == 200, path
        text = page.get_data(as_text=True)
        assert company.access_token not in text, path
        for person in company.attendees:
            assert person.access_token not in text, path
    detail = reader.get(pages[0]).get_data(as_text=True)
    assert "Only owners and editors see the link itself." in detail
    # the owner still does
    assert company.access_token in organiser.get(pages[0]).get_data(as_text=True)
