"""memberships: organisers' roles on events (every organiser already stored becomes an owner
of every event already stored, so that nobody loses what they saw); invitations; the audit
trail (audit_entries, audit_companies)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 01:00:00.000000

"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from web.db import UTCDateTime

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROLES = "role IN ('owner', 'editor', 'viewer', 'desk')"


def upgrade() -> None:
    memberships = op.create_table(
        "memberships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(ROLES, name=op.f("ck_memberships_role")),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_memberships_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["organisers.id"],
            name=op.f("fk_memberships_organiser_id_organisers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint(
            "event_id", "organiser_id", name=op.f("uq_memberships_event_id_organiser_id")
        ),
    )
    op.create_index(
        op.f("ix_memberships_organiser_id"), "memberships", ["organiser_id"], unique=False
    )
    _every_organiser_owns_every_event(memberships)
    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("accepted_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(ROLES, name=op.f("ck_invitations_role")),
        sa.ForeignKeyConstraint(
            ["accepted_by_id"],
            ["organisers.id"],
            name=op.f("fk_invitations_accepted_by_id_organisers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_invitations_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["organisers.id"],
            name=op.f("fk_invitations_invited_by_id_organisers"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index(op.f("ix_invitations_event_id"), "invitations", ["event_id"], unique=False)
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("actor_kind", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("more", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["organisers.id"],
            name=op.f("fk_audit_entries_actor_id_organisers"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["events.id"],
            name=op.f("fk_audit_entries_event_id_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(
        "ix_audit_entries_actor", "audit_entries", ["event_id", "actor_id"], unique=False
    )
    op.create_index(op.f("ix_audit_entries_actor_id"), "audit_entries", ["actor_id"], unique=False)
    op.create_index("ix_audit_entries_event", "audit_entries", ["event_id", "id"], unique=False)
    op.create_table(
        "audit_companies",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["audit_entries.id"],
            name=op.f("fk_audit_companies_entry_id_audit_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("entry_id", "company_id", name=op.f("pk_audit_companies")),
    )
    op.create_index(
        op.f("ix_audit_companies_company_id"), "audit_companies", ["company_id"], unique=False
    )


def _every_organiser_owns_every_event(memberships: sa.Table) -> None:
    """Before roles, every organiser saw and changed every event: each keeps that, as owner."""
    connection = op.get_bind()
    organisers = connection.execute(sa.text("SELECT id FROM organisers")).scalars().all()
    events = connection.execute(sa.text("SELECT id FROM events")).scalars().all()
    now = datetime.now(UTC)
    rows = [
        {"event_id": e, "organiser_id": o, "role": "owner", "created_at": now}
        for e in events
        for o in organisers
    ]
    if rows:
        op.bulk_insert(memberships, rows)


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_companies_company_id"), table_name="audit_companies")
    op.drop_table("audit_companies")
    op.drop_index("ix_audit_entries_event", table_name="audit_entries")
    op.drop_index(op.f("ix_audit_entries_actor_id"), table_name="audit_entries")
    op.drop_index("ix_audit_entries_actor", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_index(op.f("ix_invitations_event_id"), table_name="invitations")
    op.drop_table("invitations")
    op.drop_index(op.f("ix_memberships_organiser_id"), table_name="memberships")
    op.drop_table("memberships")
