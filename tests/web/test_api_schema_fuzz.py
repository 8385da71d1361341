"""Every operation of the API driven by schemathesis from the API's own OpenAPI document:
paths, query parameters and bodies made from the document's schemas, sent with a read-write
key of the event through the app (the event's slug put in, the rest as generated). Never a
500; a refused request changes nothing. (The PUT collections' whole-or-nothing rule with
hostile rows is tests/web/test_api.py's; this one reaches every operation.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.test_api import bearer, key  # noqa: F401 - fixture
from tests.web.test_security import snapshot

pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)
# Path values of the tiny event (run 1 and version 1 once a generated POST has solved it).
REAL = {"slug": "tiny", "run_id": 1, "number": 1, "request_id": "r1", "company": "acme"}


def operations(app) -> list:
    """The document's operations, read once per app (each example would read it again)."""
    if "fuzz.operations" not in app.extensions:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        app.extensions["fuzz.operations"] = [r.ok() for r in schema.get_all_operations()]
    return app.extensions["fuzz.operations"]


def test_the_document_describes_every_api_route(app):
    described = {(op.method.upper(), op.path) for op in operations(app)}
    assert len(described) >= 15
    assert ("PUT", "/api/v1/events/{slug}/companies") in described


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_api_operation_survives_generated_requests(app, key, session, data):  # noqa: F811
    operation = data.draw(st.sampled_from(operations(app)), label="operation")
    case = data.draw(operation.as_strategy(), label="case")
    for name, value in (case.path_parameters or {}).items():  # the key's event, its rows
        if name == "slug" or data.draw(st.booleans(), label=f"real {name}"):
            case.path_parameters[name] = REAL.get(name, value)
    before = snapshot(session)
    response = case.call(headers=bearer(key))
    where = (case.method, case.formatted_path, response.status_code, response.text[:300])
    assert response.status_code < 500, where
    if 400 <= response.status_code < 500:
        assert snapshot(session) == before, where
