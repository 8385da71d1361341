"""What a company finds in the directory: the event's other companies that are not hidden,
matching a search and filters, a page at a time. Only profile fields are read here, never
requests, agendas or priorities."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from web.companies.models import ROLES, Company
from web.profiles.models import CompanyProfile, ShortlistEntry
from web.profiles.search import facet, matching
from web.profiles.vocabulary import BY_FIELD

PAGE_SIZE = 20
FILTER_FIELDS = (*BY_FIELD, "country")  # the controlled fields, each a filter


@dataclass(frozen=True)
class Filters:
    query: str = ""
    chosen: dict[str, tuple[str, ...]] = field(default_factory=dict)  # field -> codes
    role: str = ""
    delegation: str = ""
    shortlisted: bool = False

    @property
    def any(self) -> bool:
        return bool(
            self.query.strip()
            or any(self.chosen.values())
            or self.role
            or self.delegation
            or self.shortlisted
        )


@dataclass(frozen=True)
class Page:
    profiles: list[CompanyProfile]
    total: int
    number: int
    pages: int


def visible(event_id: int, viewer_id: int | None) -> Select:
    """The profiles a company may see: its event's, not hidden, not its own."""
    query = (
        select(CompanyProfile)
        .join(Company, Company.id == CompanyProfile.company_id)
        .where(
            CompanyProfile.event_id == event_id,
            CompanyProfile.hidden_by_company.is_(False),
            CompanyProfile.hidden_by_organiser.is_(False),
        )
    )
    if viewer_id is not None:
        query = query.where(CompanyProfile.company_id != viewer_id)
    return query


def search(
    session: Session, viewer: Company, filters: Filters, number: int = 1, size: int = PAGE_SIZE
) -> Page:
    query = visible(viewer.event_id, viewer.id).where(matching(session, filters.query))
    for name in FILTER_FIELDS:
        condition = facet(name, filters.chosen.get(name, ()))
        if condition is not None:
            query = query.where(condition)
    if filters.role in ROLES:
        query = query.where(Company.role == filters.role)
    if filters.delegation:
        query = query.where(Company.delegation == filters.delegation)
    if filters.shortlisted:
        query = query.join(
            ShortlistEntry,
            (ShortlistEntry.listed_id == Company.id) & (ShortlistEntry.company_id == viewer.id),
        )
    order = CompanyProfile.sort_name
    if session.get_bind().dialect.name == "postgresql":
        order = order.collate("C")  # code point order, as SQLite's: the same pages on both
    query = query.order_by(order, CompanyProfile.company_id).limit(size)
    # One scan for the page and the count (a window over the matches); a page past the
    # last (an old link) is counted first, then the last page is read.
    counted = query.add_columns(func.count().over()).offset((max(1, number) - 1) * size)
    rows = session.execute(counted).all()
    if rows:
        total = rows[0][1]
    else:
        total = (
            session.scalar(
                select(func.count()).select_from(query.limit(None).order_by(None).subquery())
            )
            or 0
        )
    pages = max(1, -(-total // size))
    if not rows and number > 1 and total:
        number = pages
        rows = session.execute(counted.offset((number - 1) * size)).all()
    number = min(max(1, number), pages)
    profiles = [row[0] for row in rows]
    return Page(profiles, total, number, pages)


def delegations(session: Session, event_id: int) -> list[str]:
    query = (
        select(Company.delegation)
        .where(Company.event_id == event_id, Company.delegation.is_not(None))
        .distinct()
        .order_by(Company.delegation)
    )
    return [d for d in session.scalars(query) if d]


def visible_profile(session: Session, viewer: Company, company_id: int) -> CompanyProfile | None:
    """Another company's profile if the viewer may see it (None: 404, hidden or not there)."""
    query = visible(viewer.event_id, viewer.id).where(CompanyProfile.company_id == company_id)
    return session.scalar(query)
