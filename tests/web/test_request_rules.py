"""The organiser's request rules at their edges, through the service layer: the window (the
minute before and after it closes), the cap on waiting requests (exactly at it), expiry on
day N (and never twice), asking again, the reminder before the close (once per company)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from web.companies.models import Attendee, Company
from web.meeting_requests.answering import answer
from web.meeting_requests.deadlines import apply_rules, expire_due, remind_before_close
from web.meeting_requests.models import MeetingRequest, RequestRules
from web.meeting_requests.operations import ask
from web.meeting_requests.rules import (
    NoAskingAgain,
    RequestsClosed,
    RequestsNotOpen,
    TooManyPending,
)
from web.notifications.models import Notification

CLOSES = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)  # 18:00 in Tokyo


def _companies(session) -> dict[str, Company]:
    return {c.external_id: c for c in session.scalars(select(Company))}


def _rules(session, event, **values) -> RequestRules:
    rules = RequestRules(event_id=event.id, **values)
    session.add(rules)
    session.commit()
    return rules


@pytest.fixture
def open_event(session, dummy_event):
    """The tiny event with no requests yet, and an email for everyone."""
    session.execute(MeetingRequest.__table__.delete())
    for person in session.scalars(select(Attendee)):
        person.email = f"{person.external_id}@example.org"
    session.commit()
    return dummy_event


def test_the_window_closes_on_the_minute_and_the_refusal_gives_the_date(session, open_event):
    _rules(session, open_event, opens_at=CLOSES - timedelta(days=30), closes_at=CLOSES)
    c = _companies(session)
    early = CLOSES - timedelta(days=30, minutes=1)
    with pytest.raises(RequestsNotOpen) as refused:
        ask(session, open_event, c["acme"], c["big"], 3, "test", now=early)
    assert str(refused.value) == "Requests to meet open on Sep 1 18:00 (Asia/Tokyo); ask then."
    # Opening is included, closing is not: the minute before is in, the minute itself is out.
    ask(session, open_event, c["acme"], c["big"], 3, "test", now=CLOSES - timedelta(days=30))
    ask(session, open_event, c["cell"], c["big"], 3, "test", now=CLOSES - timedelta(minutes=1))
    for late in (CLOSES, CLOSES + timedelta(minutes=1)):
        with pytest.raises(RequestsClosed) as refused:
            ask(session, open_event, c["acme"], c["cell"], 3, "test", now=late)
        assert str(refused.value) == (
            "Requests to meet closed on Oct 1 18:00 (Asia/Tokyo); for a late request, ask the "
            "organiser's desk."
        )
    # The organiser, who sets the window, still enters a late request.
    ask(session, open_event, c["acme"], c["cell"], 3, "organiser", by_organiser=True, now=CLOSES)
    assert len(session.scalars(select(MeetingRequest)).all()) == 3


def test_the_cap_refuses_the_request_over_it_and_says_how_many_wait(session, open_event):
    _rules(session, open_event, pending_cap=2)
    c = _companies(session)
    first = ask(session, open_event, c["acme"], c["big"], 3, "test")
    ask(session, open_event, c["acme"], c["cell"], 3, "test")  # exactly at the cap: allowed
    extra = Company(event_id=open_event.id, external_id="dx", name="Dx", role="corporate")
    session.add(extra)
    session.flush()
    with pytest.raises(TooManyPending) as refused:
        ask(session, open_event, c["acme"], extra, 3, "test")
    assert str(refused.value) == (
        "You have 2 requests awaiting an answer, and the organiser allows 2 at once: withdraw "
        "one, or ask again when one is answered."
    )
    # Another company's waiting requests do not count; an answer frees a place.
    ask(session, open_event, c["cell"], extra, 3, "test")
    answer(session, first, "accepted", first.version_id, "company:big", side="asked")
    ask(session, open_event, c["acme"], extra, 3, "test")


def test_an_unanswered_request_expires_on_day_n_once_and_tells_the_asking_company(
    session, open_event
):
    _rules(session, open_event, expire_days=3)
    c = _companies(session)
    asked = datetime(2026, 9, 20, 3, 0, tzinfo=UTC)
    waiting = ask(session, open_event, c["acme"], c["big"], 3, "test", now=asked)
    answered = ask(session, open_event, c["cell"], c["big"], 3, "test", now=asked)
    answer(session, answered, "accepted", answered.version_id, "company:big", side="asked")
    session.commit()
    day_n = asked + timedelta(days=3)
    assert expire_due(session, open_event, day_n - timedelta(minutes=1)) == 0
    assert waiting.status == "requested"
    assert expire_due(session, open_event, day_n) == 1
    session.commit()
    assert (waiting.status, waiting.decline_reason) == ("declined", "expired")
    assert answered.status == "accepted"
    assert expire_due(session, open_event, day_n + timedelta(days=1)) == 0  # idempotent
    told = session.scalars(select(Notification).where(Notification.kind == "expired")).all()
    assert [n.attendee.external_id for n in told] == ["acme-1"]


def test_the_periodic_job_is_idempotent(engine, session, open_event):
    _rules(session, open_event, expire_days=1, closes_at=CLOSES)
    c = _companies(session)
    ask(session, open_event, c["acme"], c["big"], 3, "test", now=CLOSES - timedelta(days=2))
    ask(session, open_event, c["cell"], c["big"], 3, "test", now=CLOSES - timedelta(hours=3))
    session.commit()
    now = CLOSES - timedelta(hours=1)
    assert apply_rules(engine, now) == (1, 2)  # acme's expired; big's two people reminded
    assert apply_rules(engine, now + timedelta(minutes=10)) == (0, 0)
    session.rollback()
    kinds = sorted(session.scalars(select(Notification.kind)))
    assert kinds == ["expired", "reminder", "reminder"] + ["request"] * 4  # two asked, two people


def test_the_reminder_goes_within_48_hours_of_the_close_once_per_company(session, open_event):
    rules = _rules(session, open_event, closes_at=CLOSES)
    c = _companies(session)
    ask(session, open_event, c["acme"], c["big"], 3, "test", now=CLOSES - timedelta(days=5))
    ask(session, open_event, c["acme"], c["cell"], 3, "test", now=CLOSES - timedelta(days=5))
    session.commit()
    before = CLOSES - timedelta(hours=48, minutes=1)
    assert remind_before_close(session, open_event, before) == 0
    at = CLOSES - timedelta(hours=48)
    assert remind_before_close(session, open_event, at) == 3  # big's two people, cell's one
    assert remind_before_close(session, open_event, at + timedelta(hours=1)) == 0
    assert remind_before_close(session, open_event, CLOSES) == 0  # closed: too late
    reminders = session.scalars(select(Notification).where(Notification.kind == "reminder"))
    assert {n.company.external_id: n.payload["waiting"] for n in reminders} == {"big": 1, "cell": 1}
    # The organiser moves the close: a new window, a new reminder.
    rules.closes_at = CLOSES + timedelta(days=1)
    assert remind_before_close(session, open_event, CLOSES) == 3


def test_asking_again_follows_the_organisers_setting(session, open_event):
    rules = _rules(session, open_event)  # the default: after a withdrawal only
    c = _companies(session)
    taken_back = ask(session, open_event, c["acme"], c["big"], 3, "test")
    answer(session, taken_back, "cancelled", taken_back.version_id, "company:acme", side="asking")
    declined = ask(session, open_event, c["cell"], c["big"], 3, "test")
    answer(
        session, declined, "declined", declined.version_id, "company:big", side="asked",
        reason="no_time", note="Fully booked, sorry",
    )  # fmt: skip
    with pytest.raises(NoAskingAgain):
        answer(session, declined, "requested", declined.version_id, "company:cell", side="asking")
    rules.ask_again = "never"
    with pytest.raises(NoAskingAgain):
        answer(session, taken_back, "requested", taken_back.version_id, "c:acme", side="asking")
    rules.ask_again = "both"
    answer(session, declined, "requested", declined.version_id, "company:cell", side="asking")
    assert (declined.status, declined.decline_reason) == ("requested", None)
    answer(session, taken_back, "requested", taken_back.version_id, "c:acme", side="asking")
    # Asking again is a new request for the cap.
    rules.pending_cap = 1
    answer(session, taken_back, "cancelled", taken_back.version_id, "c:acme", side="asking")
    other = ask(session, open_event, c["acme"], c["cell"], 3, "test")
    assert other.status == "requested"
    with pytest.raises(TooManyPending):
        answer(session, taken_back, "requested", taken_back.version_id, "c:acme", side="asking")


def test_a_request_asked_with_a_message_and_windows_keeps_them(session, open_event):
    """What a profile's "ask for a meeting" passes to the same service."""
    c = _companies(session)
    start = datetime(2026, 10, 14, 4, 30, tzinfo=UTC)  # 13:30 in Tokyo
    window = (start, start + timedelta(hours=2))
    row = ask(
        session, open_event, c["acme"], c["big"], 4, "profile", None, " Hi\r\n", within=(window,)
    )
    session.commit()
    session.expire_all()
    assert row.message == "Hi" and [(w.start, w.end) for w in row.within] == [window]
