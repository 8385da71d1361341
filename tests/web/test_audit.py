"""The audit trail: an edit is kept with who, when and the values before and after; a sheet
import and a solve are one entry each with their rows counted; a secret (a password hash,
a company's link, an invitation's link) never reaches the trail; the per-event and
per-company pages filter by who and what, and page."""

from __future__ import annotations

import json

from sqlalchemy import select

from scheduler.solver.cpsat import SolverSettings
from tests.web.conftest import PASSWORD, upload
from web.audit.models import AuditCompany, AuditEntry
from web.audit.trail import DETAILED_ROWS
from web.auth.operations import create_organiser, find_organiser, set_password
from web.companies.models import Company
from web.members.models import Invitation
from web.solving.job import run_solver
from web.solving.operations import queue_run


def entries(session) -> list[AuditEntry]:
    session.rollback()
    session.expire_all()
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def acme(session) -> Company:
    return session.scalar(select(Company).where(Company.external_id == "acme"))


def test_an_edit_is_kept_with_who_when_and_before_and_after(organiser, session, dummy_event):
    company = acme(session)
    before = len(entries(session))
    form = {"name": "Acme Biologics", "role": company.role, "version": company.version_id}
    assert organiser.post(f"/events/tiny/companies/{company.id}/edit", data=form).status_code == 302
    new = entries(session)[before:]
    assert len(new) == 1
    entry = new[0]
    assert entry.actor == "organiser@example.org" and entry.actor_kind == "organiser"
    assert entry.actor_id == find_organiser(session, "organiser@example.org").id
    assert entry.kind == "companies" and entry.event_id == dummy_event.id
    (change,) = entry.changes
    assert change["op"] == "update" and change["id"] == company.id
    assert change["before"] == {"name": "Acme Bio"}
    assert change["after"] == {"name": "Acme Biologics"}
    assert [c.company_id for c in entry.companies] == [company.id]
    page = organiser.get(f"/events/tiny/companies/{company.id}/audit/").get_data(as_text=True)
    assert "Acme Biologics" in page and 'data-field="name"' in page
    assert "organiser@example.org" in organiser.get("/events/tiny/audit/").get_data(as_text=True)


def test_a_sheet_import_is_one_entry_with_its_rows_counted(organiser, session, dummy_event):
    rows = "\n".join(f"c{n},Company {n},corporate" for n in range(DETAILED_ROWS + 50))
    before = len(entries(session))
    response = upload(
        organiser, "/events/tiny/import", "companies.csv", f"id,name,role\n{rows}\n".encode()
    )
    assert response.status_code == 302
    new = entries(session)[before:]
    assert len(new) == 1, [(e.kind, e.counts) for e in new]
    entry = new[0]
    assert entry.kind == "import" and entry.details["file"] == "companies.csv"
    assert entry.counts["companies"]["insert"] == DETAILED_ROWS + 50
    assert entry.changes == [] and entry.more >= DETAILED_ROWS + 50
    page = organiser.get("/events/tiny/audit/?what=import").get_data(as_text=True)
    assert "Imported companies.csv" in page and f">{DETAILED_ROWS + 50}<" in page


def test_a_solve_is_one_entry_by_its_job(engine, session, organiser, dummy_event):
    run = queue_run(session, dummy_event, SolverSettings(time_limit=5))
    session.commit()
    before = len(entries(session))
    assert run_solver(engine, run.id) == "succeeded"
    new = [e for e in entries(session)[before:] if e.kind == "solve"]
    assert len(new) == 1
    assert new[0].actor_kind == "job" and new[0].details == {"run": run.id, "version": 1}
    assert new[0].counts["scheduled_meetings"]["insert"] >= 1


def test_no_secret_is_ever_written_into_the_trail(app, organiser, session, dummy_event):
    company = acme(session)
    old = company.access_token
    rotate = organiser.post(f"/events/tiny/companies/{company.id}/rotate", data={"confirm": "1"})
    assert rotate.status_code == 302
    invited = organiser.post(
        "/events/tiny/members/invite", data={"email": "x@example.org", "role": "editor"}
    )
    assert invited.status_code == 302
    session.rollback()  # SQLite: a read begun before the app's commits cannot write after
    account = create_organiser(session, "someone@example.org", PASSWORD)
    set_password(account, "another long password")
    session.commit()
    new_token = acme(session).access_token
    trail = json.dumps([[e.changes, e.counts, e.details, e.summary] for e in entries(session)])
    secrets = [old, new_token, session.scalar(select(Invitation.token_hash))]
    secrets += [account.password_hash, account.session_token]
    page = organiser.get("/events/tiny/members/").get_data(as_text=True)
    secrets.append(page.split("/invitations/")[1].split('"')[0])  # the link's own token
    for secret in secrets:
        assert secret and secret not in trail
    rotated = [
        c for e in entries(session) for c in e.changes if "access_token" in (c["after"] or {})
    ]
    assert rotated, [(e.kind, e.changes) for e in entries(session)][1:]
    assert rotated[0]["after"]["access_token"].startswith("(secret")


def test_the_trail_filters_by_who_and_what_and_pages(app, organiser, session, dummy_event):
    company = acme(session)
    for n in range(3):
        organiser.post(
            f"/events/tiny/companies/{company.id}/unavailable",
            data={"day": "2026-10-14", "start": f"1{n}:00", "end": f"1{n}:30", "who": 0},
        )
    mine = f"o{find_organiser(session, 'organiser@example.org').id}"
    everything = organiser.get("/events/tiny/audit/").get_data(as_text=True)
    assert f'value="{mine}"' in everything and 'value="cli"' not in everything
    by_me = organiser.get(f"/events/tiny/audit/?who={mine}").get_data(as_text=True)
    assert by_me.count('class="box audit-entry"') == len(
        [e for e in entries(session) if e.actor_id is not None]
    )
    assert "audit-entry" not in organiser.get("/events/tiny/audit/?who=cli").get_data(as_text=True)
    assert organiser.get("/events/tiny/audit/?page=99").status_code == 200
    other = session.scalar(select(Company).where(Company.external_id == "big"))
    theirs = organiser.get(f"/events/tiny/companies/{other.id}/audit/").get_data(as_text=True)
    linked = session.scalars(
        select(AuditCompany.entry_id).where(AuditCompany.company_id == other.id)
    ).all()
    assert theirs.count('class="box audit-entry"') == len(linked)
