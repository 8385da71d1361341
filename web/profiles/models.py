"""A company's profile (what the directory shows and searches), its logo, and the
shortlist each company keeps of others. Every company has exactly one profile row: it is
made with the company (web.profiles.search keeps it and its search text in step)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from web.companies.models import Company
from web.db import Base, UTCDateTime, utc_now
from web.events.models import Event

DESCRIPTION_LONGEST = 5000  # characters: a page of text, English and Japanese together
BIO_LONGEST = 600
KEYWORDS_MOST = 20


class CompanyProfile(Base):
    __tablename__ = "company_profiles"
    __table_args__ = (Index("ix_company_profiles_event_sort", "event_id", "sort_name"),)

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    description: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(2))  # ISO 3166 alpha-2
    region: Mapped[str | None] = mapped_column(Text)  # free text: "California", "関西"
    organisation_type: Mapped[str | None] = mapped_column(String(30))  # vocabulary codes
    therapeutic_areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    modalities: Mapped[list[str]] = mapped_column(JSON, default=list)
    stages: Mapped[list[str]] = mapped_column(JSON, default=list)
    offers: Mapped[list[str]] = mapped_column(JSON, default=list)
    seeks: Mapped[list[str]] = mapped_column(JSON, default=list)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Out of the directory (and of suggestions): by the company itself, or by the organiser.
    hidden_by_company: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_by_organiser: Mapped[bool] = mapped_column(Boolean, default=False)
    # Derived, kept by web.profiles.search: what a search reads (name, description,
    # keywords, NFKC and case-folded), the name to sort by, and " field:code " tokens that
    # the filters match.
    search_text: Mapped[str] = mapped_column(Text, default="")
    sort_name: Mapped[str] = mapped_column(Text, default="")
    facets: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)
    version_id: Mapped[int] = mapped_column(Integer)  # edits in forms: no lost updates
    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 - read by SQLAlchemy

    event: Mapped[Event] = relationship()
    company: Mapped[Company] = relationship(
        backref=backref(
            "profile", uselist=False, cascade="all, delete-orphan", passive_deletes=True
        )
    )

    @property
    def hidden(self) -> bool:
        return self.hidden_by_company or self.hidden_by_organiser


class CompanyLogo(Base):
    """The logo as this app re-encoded it (PNG, at most LOGO_SIDE pixels a side): the
    upload itself is never kept."""

    __tablename__ = "company_logos"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    image: Mapped[bytes] = mapped_column(LargeBinary)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)


class ShortlistEntry(Base):
    """A company another one bookmarked in the directory: seen by the one who keeps it only."""

    __tablename__ = "shortlist_entries"

    company_id: Mapped[int] = mapped_column(  # whose shortlist
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True
    )
    listed_id: Mapped[int] = mapped_column(
        ForeignKey("companies.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
