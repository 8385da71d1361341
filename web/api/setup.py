"""Binding the JSON API (/api/v1) to the app: flask-smorest over marshmallow schemas, which
check the bodies and write the OpenAPI 3.1 document (/api/v1/openapi.json) from the same
definitions; /api/v1/reference is that document as a page. docs/api.md is the guide."""

from __future__ import annotations

import http

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from web.api.replies import PROBLEM
from web.api.schemas import ProblemSchema

OPENAPI = {
    "API_TITLE": "partnering",
    "API_VERSION": "1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "API_SPEC_OPTIONS": {
        "info": {
            "description": "The event's companies, attendees, blocked times, requests, solve "
            "runs and schedules, for integrations. Authenticate with an API key of the event: "
            "`Authorization: Bearer pk_...`. Guide: docs/api.md.",
        },
        "security": [{"apiKey": []}],
    },
}


class PartneringApi(Api):
    """flask-smorest's Api without its app-wide error handler: the rest of the app keeps its
    own pages for errors; the API's blueprint answers its errors as problem+json itself."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        pass

    def _register_responses(self) -> None:
        """The documented errors are problem+json (RFC 9457), as the API answers them."""
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "an error", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def init_api(app: Flask) -> None:
    from web.api.auth import rate_limit, rate_limit_key
    from web.api.reference import reference
    from web.api.views import api
    from web.security import limiter

    for name, value in OPENAPI.items():
        app.config.setdefault(name, value)
    docs = PartneringApi(app)
    docs.spec.components.security_scheme(
        "apiKey", {"type": "http", "scheme": "bearer", "description": "an API key of the event"}
    )
    app.extensions["csrf"].exempt(api)  # no cookie opens the API, so no cross-site form can use one
    limiter.limit(rate_limit, key_func=rate_limit_key)(api)
    docs.register_blueprint(api)
    app.register_blueprint(reference)
