"""The JSON API (/api/v1) as an integration uses it: keys, the collections over the import,
problems, idempotency, pagination, ETags, runs and schedules; the OpenAPI document checked by
an independent validator."""

from __future__ import annotations

import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from sqlalchemy import select

from tests.web.test_security import snapshot
from web.api.keys import create_key, revoke_key
from web.companies.models import Company
from web.importing.columns import SHEETS
from web.meeting_requests.models import MeetingRequest
from web.schedules.models import ScheduleVersion
from web.solving.models import SolverRun

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
COMPANIES = [
    {"id": "dyn", "name": "Dyna Bio", "role": "delegation", "delegation": "Boston"},
    {"id": "acme", "name": "Acme Bio Inc.", "role": "delegation"},
]


def bearer(text: str, **headers: str) -> dict:
    return {"Authorization": f"Bearer {text}", **headers}


@pytest.fixture
def key(session, dummy_event) -> str:
    made = create_key(session, dummy_event, "crm", read_only=False)
    session.commit()
    return made.text


@pytest.fixture
def read_key(session, dummy_event) -> str:
    made = create_key(session, dummy_event, "reports", read_only=True)
    session.commit()
    return made.text


def test_the_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)  # openapi-spec-validator: an independent check of the whole document
    paths = document["paths"]
    for path in ("companies", "requests"):
        assert {"get", "put"} <= set(paths[f"/api/v1/events/{{slug}}/{path}"])
    assert "get" in paths["/api/v1/events/{slug}/schedule"]
    company = document["components"]["schemas"]["Company"]
    assert company["properties"]["role"]["enum"] == ["corporate", "delegation"]
    assert company["properties"]["max_meetings"]["type"] == ["integer", "null"]


def test_the_reference_page_is_the_document_without_scripts(client):
    page = client.get("/api/v1/reference").get_data(as_text=True)
    assert "PUT /api/v1/events/{slug}/companies" in page
    assert "<script>" not in page and "cdn" not in page.lower()


def test_companies_put_then_read_back(client, session, key):
    response = client.put("/api/v1/events/tiny/companies", json=COMPANIES, headers=bearer(key))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json()["counts"]["companies"] == {"created": 1, "updated": 1}
    session.rollback()
    names = {c.external_id: c.name for c in session.scalars(select(Company))}
    assert names["dyn"] == "Dyna Bio" and names["acme"] == "Acme Bio Inc."
    items = client.get("/api/v1/events/tiny/companies", headers=bearer(key)).get_json()["items"]
    dyn = next(i for i in items if i["id"] == "dyn")
    profile = ("description", "website", "country", "region", "organisation_type")
    lists = ("therapeutic_areas", "modalities", "stages", "offers", "seeks", "keywords")
    assert dyn == {  # the companies sheet's columns, the profile's included
        "id": "dyn",
        "name": "Dyna Bio",
        "role": "delegation",
        "delegation": "Boston",
        "max_meetings_per_day": None,
        "max_meetings": None,
        "min_meetings": None,
        **dict.fromkeys(profile + lists),
        "hidden": "no",
    }
    # a field left out of every item keeps what is stored (acme's delegation stays)
    assert next(i for i in items if i["id"] == "acme")["delegation"] == "San Diego"


def test_a_bad_row_refuses_the_whole_body_naming_row_and_field(client, session, key):
    body = [*COMPANIES, {"id": "bad", "name": "Bad", "role": "sponsor"}]
    response = client.put("/api/v1/events/tiny/companies", json=body, headers=bearer(key))
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 422
    [entry] = problem["errors"]
    assert (entry["row"], entry["field"], entry["pointer"]) == (3, "role", "/2/role")
    assert "is not one of corporate, delegation" in entry["detail"]
    assert entry["place"] == "companies: row 3, column role"  # as the file import says it
    session.rollback()
    assert session.scalar(select(Company).where(Company.external_id == "dyn")) is None


def test_a_body_of_the_wrong_shape_is_a_problem_too(client, key):
    body = [{"id": "x", "name": "X", "role": "corporate", "max_meetings": "many", "colour": 1}]
    response = client.put("/api/v1/events/tiny/companies", json=body, headers=bearer(key))
    assert response.status_code == 422
    fields = {(e["row"], e["field"]) for e in response.get_json()["errors"]}
    assert fields == {(1, "max_meetings"), (1, "colour")}


def test_requests_put_with_the_imports_checks(client, session, key):
    body = [
        {
            "id": "r3",
            "from": "acme",
            "to": "cell",
            "status": "requested",
            "priority": 3,
            "attendees": ["acme-1"],
        },
        {"id": "r4", "from": "big", "to": "big"},
    ]
    response = client.put("/api/v1/events/tiny/requests", json=body, headers=bearer(key))
    assert response.status_code == 422
    [entry] = response.get_json()["errors"]
    assert (entry["row"], entry["field"]) == (2, "to")
    assert "same company" in entry["detail"]
    response = client.put("/api/v1/events/tiny/requests", json=body[:1], headers=bearer(key))
    assert response.status_code == 200
    items = client.get("/api/v1/events/tiny/requests", headers=bearer(key)).get_json()["items"]
    r3 = next(i for i in items if i["id"] == "r3")
    assert (r3["status"], r3["attendees"], r3["priority"]) == ("requested", ["acme-1"], 3)
    answered = client.post(
        "/api/v1/events/tiny/requests/r3/answer", json={"status": "accepted"}, headers=bearer(key)
    )
    assert answered.status_code == 200, answered.get_data(as_text=True)
    assert answered.get_json()["answered_by"] == "organiser:tiny"
    again = client.post(
        "/api/v1/events/tiny/requests/r3/answer", json={"status": "accepted"}, headers=bearer(key)
    )
    assert again.status_code == 409  # accepted cannot become accepted


def test_keys_of_another_event_revoked_and_read_only_are_refused(
    client, session, dummy_event, key, read_key
):
    from tests.web.conftest import create_event

    other = create_event(session, "other")
    other_key = create_key(session, other, "theirs", read_only=False).text
    session.commit()
    companies = "/api/v1/events/tiny/companies"
    assert client.get(companies, headers=bearer(other_key)).status_code == 403
    assert client.put(companies, json=COMPANIES, headers=bearer(other_key)).status_code == 403
    assert client.get(companies, headers=bearer(read_key)).status_code == 200
    refused = client.put(companies, json=COMPANIES, headers=bearer(read_key))
    assert refused.status_code == 403 and "read-only" in refused.get_json()["title"]
    assert (
        client.post("/api/v1/events/tiny/runs", json={}, headers=bearer(read_key)).status_code
        == 403
    )
    for wrong in (key[:-1] + ("A" if key[-1] != "A" else "B"), key.swapcase(), "pk_x", key + "x"):
        assert client.get(companies, headers=bearer(wrong)).status_code == 401
    assert client.get(companies, headers={"Authorization": key}).status_code == 401
    row = next(r for r in dummy_event_keys(session) if key.startswith(f"pk_{r.prefix}_"))
    revoke_key(session, row)
    session.commit()
    assert client.get(companies, headers=bearer(key)).status_code == 401
    session.rollback()
    assert session.scalar(select(Company).where(Company.external_id == "dyn")) is None


def dummy_event_keys(session):
    from web.api.models import ApiKey

    return session.scalars(select(ApiKey)).all()


def test_no_cookie_and_no_company_link_opens_the_api(organiser, session, dummy_event):
    company = session.scalar(select(Company).where(Company.external_id == "acme"))
    assert organiser.get(f"/c/{company.access_token}/").status_code == 200  # both held
    for path in ("/api/v1/events", "/api/v1/events/tiny/companies", "/api/v1/events/tiny/requests"):
        response = organiser.get(path)
        assert response.status_code == 401, path
        token = organiser.get(path, headers={"Authorization": f"Bearer {company.access_token}"})
        assert token.status_code == 401
        assert organiser.get(f"{path}?token={company.access_token}").status_code == 401


def test_last_use_is_shown_and_keys_are_never_logged(client, session, key, caplog):
    caplog.set_level(logging.DEBUG)
    client.get("/api/v1/events/tiny/companies", headers=bearer(key))
    client.get("/api/v1/events/tiny/nowhere", headers=bearer(key + "x"))
    row = dummy_event_keys(session)[0]
    session.refresh(row)
    assert row.last_used_at is not None
    assert key not in caplog.text and key.split("_", 2)[2] not in caplog.text
    assert row.digest != key and key not in json.dumps([row.prefix, row.digest, row.name])


def test_rate_limited_per_key_with_retry_after(app, client, session, dummy_event, key):
    app.config["API_RATE_LIMIT"] = "3 per minute"
    other = create_key(session, dummy_event, "other", read_only=True).text
    session.commit()
    path = "/api/v1/events/tiny"
    assert [client.get(path, headers=bearer(key)).status_code for _ in range(3)] == [200] * 3
    limited = client.get(path, headers=bearer(key))
    assert limited.status_code == 429
    assert limited.content_type == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get(path, headers=bearer(other)).status_code == 200  # its own count


def test_idempotency_key_repeats_the_answer_and_refuses_another_body(client, session, key):
    headers = bearer(key, **{"Idempotency-Key": "sync-2026-10-01"})
    first = client.put("/api/v1/events/tiny/companies", json=COMPANIES, headers=headers)
    session.execute(
        Company.__table__.update().where(Company.external_id == "dyn").values(name="Changed")
    )
    session.commit()
    again = client.put("/api/v1/events/tiny/companies", json=COMPANIES, headers=headers)
    assert again.status_code == first.status_code == 200
    assert again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    session.rollback()
    assert session.scalar(select(Company.name).where(Company.external_id == "dyn")) == "Changed"
    other = client.put("/api/v1/events/tiny/companies", json=COMPANIES[:1], headers=headers)
    assert other.status_code == 422


def test_pagination_links_and_etags(client, session, key):
    first = client.get("/api/v1/events/tiny/companies?limit=2", headers=bearer(key))
    body = first.get_json()
    assert [i["id"] for i in body["items"]] == ["acme", "big"] and body["total"] == 3
    assert 'rel="next"' in first.headers["Link"]
    second = client.get(body["links"]["next"], headers=bearer(key)).get_json()
    assert [i["id"] for i in second["items"]] == ["cell"] and second["links"]["next"] is None
    tag = first.headers["ETag"]
    unchanged = client.get(
        "/api/v1/events/tiny/companies?limit=2", headers=bearer(key, **{"If-None-Match": tag})
    )
    assert unchanged.status_code == 304
    stale = client.put(
        "/api/v1/events/tiny/companies", json=COMPANIES, headers=bearer(key, **{"If-Match": '"x"'})
    )
    assert stale.status_code == 412
    fresh = client.put(
        "/api/v1/events/tiny/companies", json=COMPANIES, headers=bearer(key, **{"If-Match": tag})
    )
    assert fresh.status_code == 200
    changed = client.get(
        "/api/v1/events/tiny/companies?limit=2", headers=bearer(key, **{"If-None-Match": tag})
    )
    assert changed.status_code == 200
    assert (
        client.get("/api/v1/events/tiny/companies?cursor=zz", headers=bearer(key)).status_code
        == 400
    )


def test_solve_publish_and_read_the_schedule(client, session, key):
    started = client.post(
        "/api/v1/events/tiny/runs", json={"time_limit": 5, "seed": 1}, headers=bearer(key)
    )
    assert started.status_code == 202, started.get_data(as_text=True)
    run = client.get(f"/api/v1/events/tiny/runs/{started.get_json()['id']}", headers=bearer(key))
    assert run.get_json()["status"] == "succeeded"  # the tests' queue runs jobs at once
    number = run.get_json()["version"]
    assert client.get("/api/v1/events/tiny/schedule", headers=bearer(key)).status_code == 404
    assert (
        client.post(
            f"/api/v1/events/tiny/schedules/{number}/publish",
            json={"confirm": False},
            headers=bearer(key),
        ).status_code
        == 422
    )
    published = client.post(
        f"/api/v1/events/tiny/schedules/{number}/publish",
        json={"confirm": True},
        headers=bearer(key),
    )
    assert published.status_code == 200 and published.get_json()["current"] is True
    schedule = client.get("/api/v1/events/tiny/schedule", headers=bearer(key)).get_json()
    assert schedule["format"] == "partnering-schedule/1" and len(schedule["meetings"]) == 2
    meetings = client.get("/api/v1/events/tiny/companies/big/meetings", headers=bearer(key))
    assert {m["with"] for m in meetings.get_json()["items"]} == {"acme", "cell"}
    versions = client.get("/api/v1/events/tiny/schedules", headers=bearer(key)).get_json()
    assert versions["items"][0]["current"] is True
    cancelled = client.post(
        f"/api/v1/events/tiny/runs/{started.get_json()['id']}/cancel", headers=bearer(key)
    )
    assert cancelled.get_json()["status"] == "succeeded"  # a finished run stays as it was
    session.rollback()
    assert session.scalar(select(ScheduleVersion.published_at)) is not None
    assert session.scalar(select(SolverRun.status)) == "succeeded"


def test_unknown_paths_under_the_api_are_problems(client, key):
    response = client.get("/api/v1/events/tiny/nothing-here", headers=bearer(key))
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert client.delete("/api/v1/events/tiny/companies", headers=bearer(key)).status_code in (
        404,
        405,
    )


def test_requests_answered_by_a_put_are_statuses_the_import_allows(client, session, key):
    body = [{"id": "r1", "from": "acme", "to": "big", "status": "declined"}]
    assert (
        client.put("/api/v1/events/tiny/requests", json=body, headers=bearer(key)).status_code
        == 200
    )
    session.rollback()
    assert (
        session.scalar(select(MeetingRequest.status).where(MeetingRequest.external_id == "r1"))
        == "declined"
    )


def test_the_keys_page_shows_a_new_key_once_lists_and_revokes(
    organiser, client, session, dummy_event
):
    made = organiser.post("/events/tiny/api-keys/", data={"name": "CRM sync", "read_only": "y"})
    page = made.get_data(as_text=True)
    text = page.split('<code class="secret">', 1)[1].split("</code>", 1)[0]
    assert text.startswith("pk_")
    again = organiser.get("/events/tiny/api-keys/").get_data(as_text=True)
    assert text not in again and "CRM sync" in again and "read-only" in again
    assert client.get("/api/v1/events/tiny", headers=bearer(text)).status_code == 200
    assert (
        client.put("/api/v1/events/tiny/companies", json=[], headers=bearer(text)).status_code
        == 403
    )
    row = dummy_event_keys(session)[0]
    session.refresh(row)
    assert row.last_used_at is not None and row.read_only
    assert organiser.post(f"/events/tiny/api-keys/{row.id}/revoke").status_code == 302
    assert client.get("/api/v1/events/tiny", headers=bearer(text)).status_code == 401


def test_the_webhooks_page_refuses_bad_targets_and_shows_the_secret_once(
    organiser, session, dummy_event
):
    from web.webhooks.models import WebhookSubscription

    refused = organiser.post(
        "/events/tiny/webhooks/", data={"url": "http://example.org/h", "kinds": ["request.created"]}
    )
    assert "must start with https://" in refused.get_data(as_text=True)
    assert session.scalar(select(WebhookSubscription)) is None
    made = organiser.post(
        "/events/tiny/webhooks/",
        data={"url": "https://example.org/h", "kinds": ["request.created", "meeting.changed"]},
    )
    page = made.get_data(as_text=True)
    secret = page.split('<code class="secret">', 1)[1].split("</code>", 1)[0]
    assert secret.startswith("whsec_")
    assert secret not in organiser.get("/events/tiny/webhooks/").get_data(as_text=True)
    session.rollback()
    row = session.scalar(select(WebhookSubscription))
    assert row.kinds == ["request.created", "meeting.changed"] and not row.allow_private


# --- hostile bodies: a problem, never a 500, nothing half-written -------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = sorted({c.name for columns in SHEETS.values() for c in columns} | {"x"})
ITEMS = st.lists(
    st.dictionaries(
        st.sampled_from(FIELDS),
        JSON_VALUES | st.sampled_from(["acme", "big", "acme-1"]),
        max_size=6,
    ),
    max_size=4,
)


@FUZZ
@given(
    body=ITEMS | JSON_VALUES,
    path=st.sampled_from(["companies", "attendees", "availability", "requests"]),
)
def test_any_body_is_answered_with_a_problem_or_stored_whole(client, session, key, body, path):
    before = snapshot(session)
    response = client.put(f"/api/v1/events/tiny/{path}", json=body, headers=bearer(key))
    assert response.status_code in (200, 422), (body, response.get_data(as_text=True))
    if response.status_code == 422:
        assert response.content_type == "application/problem+json"
        assert response.get_json()["errors"]
        assert snapshot(session) == before


def test_broken_json_and_other_types_are_problems(client, key):
    for data, mime in (
        (b"[{", "application/json"),
        (b"\xff", "application/json"),
        (b"a=b", "text/plain"),
    ):
        response = client.put(
            "/api/v1/events/tiny/companies", data=data, content_type=mime, headers=bearer(key)
        )
        assert response.status_code in (400, 415, 422), (data, response.status_code)
        assert response.content_type == "application/problem+json"


def test_problems_in_japanese(client, key):
    body = [{"id": "x", "name": "X", "role": "sponsor"}]
    response = client.put(
        "/api/v1/events/tiny/companies", json=body, headers=bearer(key, **{"Accept-Language": "ja"})
    )
    problem = response.get_json()
    assert problem["title"] == "本文は受け付けられませんでした。何も変更されていません"
    assert "corporate, delegation" in problem["errors"][0]["detail"]


def test_names_on_one_line_and_of_a_page_s_length_bodies_of_a_fair_s_size(client, session, key):
    """What the forms refuse the API refuses too, naming row and field: a line break in a
    name or an address (a mail header, a calendar line), a name of 5,000,000 characters; a
    body nested a thousand deep is a 400, one over the limit a 413: never a 500."""
    from web.api.views import BODY_LIMIT

    path = "/api/v1/events/tiny/companies"
    long_name = [{"id": "acme", "name": "A" * 5_000, "role": "delegation"}]
    refused = client.put(path, json=long_name, headers=bearer(key))
    assert refused.status_code == 422
    assert refused.get_json()["errors"][0]["field"] == "name"
    assert "give at most 200" in refused.get_json()["errors"][0]["detail"]
    person = [{"id": "acme-1", "company": "acme", "name": "Ann", "email": "a@x.org\r\nBcc: e@x"}]
    refused = client.put("/api/v1/events/tiny/attendees", json=person, headers=bearer(key))
    assert refused.status_code == 422 and "line break" in refused.get_data(as_text=True)
    nested = client.put(
        path,
        data="[" * 1000 + "]" * 1000,
        headers=bearer(key, **{"Content-Type": "application/json"}),
    )
    assert nested.status_code == 400 and "nested too deeply" in nested.get_data(as_text=True)
    huge = client.put(
        path,
        data=b"[" + b" " * BODY_LIMIT + b"]",
        headers=bearer(key, **{"Content-Type": "application/json"}),
    )
    assert huge.status_code == 413
    session.expire_all()
    assert session.scalar(select(Company).where(Company.external_id == "acme")).name == "Acme Bio"
