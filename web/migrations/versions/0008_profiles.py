"""company profiles, their logos, shortlists, attendees' bios, and the directory's search
index (SQLite FTS5 trigram table, PostgreSQL pg_trgm GIN index)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:20:00.000000

"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from web.db import UTCDateTime, utc_now
from web.profiles.search import create_index, drop_index

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "company_profiles",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("website", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("region", sa.Text(), nullable=True),
        sa.Column("organisation_type", sa.String(length=30), nullable=True),
        sa.Column("therapeutic_areas", sa.JSON(), nullable=False),
        sa.Column("modalities", sa.JSON(), nullable=False),
        sa.Column("stages", sa.JSON(), nullable=False),
        sa.Column("offers", sa.JSON(), nullable=False),
        sa.Column("seeks", sa.JSON(), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("hidden_by_company", sa.Boolean(), nullable=False),
        sa.Column("hidden_by_organiser", sa.Boolean(), nullable=False),
        sa.Column("search_text", sa.Text(), nullable=False),
        sa.Column("sort_name", sa.Text(), nullable=False),
        sa.Column("facets", sa.Text(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_company_profiles_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_company_profiles_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_company_profiles")),
    )
    op.create_index("ix_company_profiles_event_sort", "company_profiles", ["event_id", "sort_name"])
    op.create_table(
        "company_logos",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_company_logos_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", name=op.f("pk_company_logos")),
    )
    op.create_table(
        "shortlist_entries",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("listed_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["companies.id"],
            name=op.f("fk_shortlist_entries_company_id_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["listed_id"],
            ["companies.id"],
            name=op.f("fk_shortlist_entries_listed_id_companies"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "listed_id", name=op.f("pk_shortlist_entries")),
    )
    op.create_index(op.f("ix_shortlist_entries_listed_id"), "shortlist_entries", ["listed_id"])
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.add_column(sa.Column("bio", sa.Text(), nullable=True))
    create_index(op.get_bind())
    _profiles_for_existing_companies()


def _fold(words: str) -> str:
    """As web.profiles.search.fold at the time of this migration."""
    return " ".join(unicodedata.normalize("NFKC", words).casefold().split())


def _profiles_for_existing_companies() -> None:
    """Every company has a profile: an empty one, searchable by name, for those stored."""
    connection = op.get_bind()
    companies = connection.execute(sa.text("SELECT id, event_id, name FROM companies")).all()
    profiles = sa.table(
        "company_profiles",
        *(sa.column(name) for name in ("company_id", "event_id", "search_text", "sort_name")),
        *(sa.column(name) for name in ("facets", "version_id", "hidden_by_company")),
        sa.column("hidden_by_organiser"),
        sa.column("updated_at", UTCDateTime()),
        *(sa.column(n, sa.JSON) for n in ("therapeutic_areas", "modalities", "stages")),
        *(sa.column(n, sa.JSON) for n in ("offers", "seeks", "keywords")),
    )
    now = utc_now()
    rows = [
        {
            "company_id": id_,
            "event_id": event_id,
            "search_text": _fold(name),
            "sort_name": _fold(name),
            "facets": "",
            "version_id": 1,
            "hidden_by_company": False,
            "hidden_by_organiser": False,
            "updated_at": now,
            **{n: [] for n in ("therapeutic_areas", "modalities", "stages", "offers", "seeks")},
            "keywords": [],
        }
        for id_, event_id, name in companies
    ]
    if rows:
        op.bulk_insert(profiles, rows)


def downgrade() -> None:
    drop_index(op.get_bind())
    with op.batch_alter_table("attendees", schema=None) as batch_op:
        batch_op.drop_column("bio")
    op.drop_index(op.f("ix_shortlist_entries_listed_id"), table_name="shortlist_entries")
    op.drop_table("shortlist_entries")
    op.drop_table("company_logos")
    op.drop_index("ix_company_profiles_event_sort", table_name="company_profiles")
    op.drop_table("company_profiles")
