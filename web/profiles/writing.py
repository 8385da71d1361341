"""An import's profile columns stored: after the bulk write of the companies, each
company's profile gets the columns its sheet had (the others stay) and its search text."""

from __future__ import annotations

from sqlalchemy.orm import Session

from web.events.models import Event
from web.importing.records import ProfileRecord
from web.profiles.search import refresh


def write_profiles(
    session: Session, event: Event, companies: list[tuple[int, ProfileRecord | None]]
) -> None:
    """`companies`: (row id, its ProfileRecord or None) for every company of the import."""
    refresh(session, event.id, [company_id for company_id, _ in companies])
    given = {company_id: record for company_id, record in companies if record is not None}
    if not given:
        return
    from web.companies.models import Company

    for company_id, record in given.items():
        profile = session.get(Company, company_id).profile
        for name, value in record.values:
            setattr(profile, name, value)
        if record.hidden is not None:
            profile.hidden_by_organiser = record.hidden
    session.flush()
