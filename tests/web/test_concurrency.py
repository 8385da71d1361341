"""Two organisers editing one event lose none of each other's changes; a pair of companies
can be asked to meet only once (either way round), even past the application's check."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from web.companies.models import Company
from web.companies.operations import update_company
from web.db import EditConflict, apply_edit, begin_writing, make_session_factory, transaction
from web.importing.files import import_file
from web.meeting_requests.models import MeetingRequest
from web.meeting_requests.operations import (
    BadTransition,
    DuplicateRequest,
    add_request,
    set_status,
)


def company(session, ext: str) -> Company:
    return session.scalar(select(Company).where(Company.external_id == ext))


def test_the_second_of_two_concurrent_saves_is_refused(engine, dummy_event):
    sessions = make_session_factory(engine)
    with sessions() as alice, sessions() as bob:
        mine, theirs = company(alice, "big"), company(bob, "big")
        alice.commit(), bob.commit()  # both forms are on screen now
        mine.name = "Big Pharma (Alice)"
        alice.commit()
        theirs.delegation = "Basel"
        with pytest.raises(StaleDataError):
            bob.commit()


def test_a_form_of_an_old_version_is_refused_with_a_clear_error(session, dummy_event):
    big = company(session, "big")
    shown = big.version_id
    update_company(session, big, shown, name="Big Pharma KK")
    session.commit()
    assert big.version_id == shown + 1
    with pytest.raises(EditConflict, match="reload it"):
        update_company(session, big, shown, max_meetings_per_day=4)
    session.rollback()
    assert company(session, "big").max_meetings_per_day is None


def test_a_save_that_loses_the_race_at_the_moment_of_writing_is_refused_clearly(
    engine, dummy_event
):
    """The form's version was current when checked, but another save commits before its
    UPDATE: the version counter makes that UPDATE match nothing, reported as EditConflict."""
    sessions = make_session_factory(engine)
    with sessions() as alice, sessions() as bob:
        mine = company(alice, "big")
        alice.commit()  # the form is on screen, at version 1
        update_company(bob, company(bob, "big"), mine.version_id, name="Big Pharma (Bob)")
        bob.commit()
        with pytest.raises(EditConflict, match="reload it"):
            update_company(alice, mine, mine.version_id, delegation="Basel")
        alice.rollback()
    with sessions() as session:
        assert company(session, "big").name == "Big Pharma (Bob)"


@pytest.mark.parametrize(("requester", "requested"), [("acme", "big"), ("big", "acme")])
def test_a_pair_cannot_be_asked_twice_either_way(session, dummy_event, requester, requested):
    with pytest.raises(DuplicateRequest, match="r1"):
        add_request(
            session, dummy_event, company(session, requester), company(session, requested), "r9"
        )


@pytest.mark.parametrize("order", ["same", "reversed"])
def test_the_database_itself_refuses_a_second_request_for_a_pair(session, dummy_event, order):
    acme, big = company(session, "acme").id, company(session, "big").id
    a, b = (acme, big) if order == "same" else (big, acme)
    with pytest.raises(IntegrityError):
        session.execute(
            insert(MeetingRequest),
            [
                {
                    "event_id": dummy_event.id,
                    "external_id": "r9",
                    "requester_id": a,
                    "requested_id": b,
                    "company_low_id": min(a, b),
                    "company_high_id": max(a, b),
                    "version_id": 1,
                }
            ],
        )


def test_a_new_pair_is_added_with_its_pair_in_order(session, dummy_event):
    request = add_request(
        session, dummy_event, company(session, "cell"), company(session, "acme"), "r3", priority=2
    )
    session.commit()
    assert request.company_low_id < request.company_high_id
    assert {request.company_low_id, request.company_high_id} == {
        request.requester_id,
        request.requested_id,
    }
    assert request.status == "requested"


def test_status_changes_follow_the_life_cycle(session, dummy_event):
    r1 = session.scalar(select(MeetingRequest).where(MeetingRequest.external_id == "r1"))
    set_status(session, r1, "cancelled", r1.version_id)
    with pytest.raises(BadTransition):
        set_status(session, r1, "accepted", r1.version_id)
    set_status(session, r1, "requested", r1.version_id)
    session.commit()
    assert r1.status == "requested"


def test_an_import_and_a_form_saved_meanwhile_lose_neither_change(engine, dummy_event, tmp_path):
    """An organiser saves a company's form while another imports a sheet that renames it: the
    form's change is either kept or refused with "reload", never silently overwritten by
    what the import read before the form was saved."""
    sessions = make_session_factory(engine)
    with sessions() as form:
        shown = company(form, "big").version_id  # the form is on screen
    sheet = tmp_path / "companies.csv"
    sheet.write_text("id,name,role\nbig,Big Pharma KK,corporate\n", encoding="utf-8")
    outcome = []

    def save_form() -> None:
        try:
            with sessions.begin() as session:
                begin_writing(session)
                apply_edit(session, company(session, "big"), shown, {"max_meetings_per_day": 5})
            outcome.append("saved")
        except EditConflict:
            outcome.append("refused")

    saving = threading.Thread(target=save_form)

    def meanwhile(_connection, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("UPDATE COMPANIES") and saving.ident is None:
            saving.start()  # between the import's reading the row and its writing it
            saving.join(timeout=2)  # saved by now, unless the import holds the row

    event.listen(engine, "before_cursor_execute", meanwhile)
    try:
        with transaction(engine) as session:
            import_file(session, sheet, "tiny")
    finally:
        event.remove(engine, "before_cursor_execute", meanwhile)
    saving.join(timeout=30)
    with sessions() as session:
        big = company(session, "big")
        assert big.name == "Big Pharma KK"
        assert outcome in (["saved"], ["refused"])
        assert big.max_meetings_per_day == (5 if outcome == ["saved"] else None)
        assert big.version_id == shown + (2 if outcome == ["saved"] else 1)  # one per write
