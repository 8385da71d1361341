"""Outside services some tests need: PostgreSQL, Redis, node with ical.js, Chromium.

On a laptop without one of them those tests skip, saying which service is missing and how
to provide it. CI sets ``PARTNERING_REQUIRE_SERVICES=1`` (see `.ci/run`): there a missing
service fails the test instead, so nothing is skipped silently.
"""

from __future__ import annotations

import os

import pytest


def services_required() -> bool:
    return os.environ.get("PARTNERING_REQUIRE_SERVICES") == "1"


def service_missing(reason: str) -> None:
    """Skip the test (laptop) or fail it (CI) because a service it needs is not there."""
    if services_required():
        pytest.fail(f"CI requires this service: {reason}")
    pytest.skip(reason)
