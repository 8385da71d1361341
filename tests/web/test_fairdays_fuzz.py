"""The fair's company forms take any input without a 500 or a half-written row: booking,
attendance, feedback and answering a booking, with hostile values in every field."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.web.fairdays_builders import TEN, company, published_fair
from tests.web.test_fuzz import HOSTILE_CELLS
from web.fairdays.models import Attendance, Booking, Feedback

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
values = st.sampled_from([*HOSTILE_CELLS, "2026-10-14T02:00:00+00:00", "5", "held"]) | st.text(
    max_size=40
)


def counts(session) -> tuple[int, ...]:
    session.rollback()
    return tuple(
        session.scalar(select(func.count()).select_from(model))
        for model in (Booking, Attendance, Feedback)
    )


@FUZZ
@given(
    path=st.sampled_from(
        ["book", "meetings/{r}/attendance", "meetings/{r}/feedback", "bookings/1/answer"]
    ),
    fields=st.dictionaries(
        st.sampled_from(["with", "start", "status", "rating", "follow_up", "note", "accept"]),
        values,
        max_size=5,
    ),
)
def test_hostile_fair_forms_never_fail(client, session, app, path, fields):
    if not session.info.get("fair"):
        session.info["fair"] = published_fair(session, mode="accept").id
        app.config["CLOCK"] = lambda: TEN + timedelta(minutes=5)
    acme = company(session, "acme")
    request_id = 1
    before = counts(session)
    answer = client.post(f"/c/{acme.access_token}/fair/{path.format(r=request_id)}", data=fields)
    assert answer.status_code < 500, (path, fields)
    after = counts(session)
    # nothing half-written: a refused form changes no row; an accepted one writes whole rows
    assert all(a >= b for a, b in zip(after, before, strict=True))
