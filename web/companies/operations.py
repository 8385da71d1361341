"""Edits to companies and attendees, safe against two organisers editing at once."""

from __future__ import annotations

from sqlalchemy.orm import Session

from web.companies.models import Attendee, Company
from web.db import apply_edit

COMPANY_FIELDS = {"name", "role", "delegation", "max_meetings_per_day"}
ATTENDEE_FIELDS = {"name", "title", "email", "company_id"}


def update_company(session: Session, company: Company, version: int, **changes) -> None:
    """Save a form: raises EditConflict if the company changed since `version` was shown."""
    _only(changes, COMPANY_FIELDS)
    apply_edit(session, company, version, changes)


def update_attendee(session: Session, attendee: Attendee, version: int, **changes) -> None:
    _only(changes, ATTENDEE_FIELDS)
    apply_edit(session, attendee, version, changes)


def _only(changes: dict, allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"not editable here: {', '.join(sorted(unknown))}")
