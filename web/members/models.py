"""Who works on an event, in which role, and the invitations not yet accepted."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from web.auth.models import Organiser
from web.db import Base, UTCDateTime, one_of, utc_now
from web.events.models import Event
from web.members.roles import ROLES


class Membership(Base):
    """An organiser's role on one event; an organiser with none does not see the event."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("event_id", "organiser_id"), one_of("role", ROLES))

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    organiser_id: Mapped[int] = mapped_column(
        ForeignKey("organisers.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)

    event: Mapped[Event] = relationship()
    organiser: Mapped[Organiser] = relationship()

    def __repr__(self) -> str:
        return f"<Membership {self.organiser_id} {self.role} of event {self.event_id}>"


def new_invitation_token() -> str:
    """The secret of an invitation link: 256 random bits; only its hash is kept here."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(Base):
    """An owner's invitation to join an event in a role: single use, until `expires_at`."""

    __tablename__ = "invitations"
    __table_args__ = (one_of("role", ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(10))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the link's
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set once: accepted (by whom), or withdrawn by an owner. Either ends the link.
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisers.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version_id: Mapped[int] = mapped_column(Integer)  # two accepts at once: one wins
    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 - read by SQLAlchemy

    event: Mapped[Event] = relationship()
    invited_by: Mapped[Organiser | None] = relationship(foreign_keys=[invited_by_id])

    def open_at(self, now: datetime) -> bool:
        """Whether the link still works at `now`."""
        return self.accepted_at is None and self.revoked_at is None and now < self.expires_at

    def __repr__(self) -> str:
        return f"<Invitation {self.email} as {self.role} to event {self.event_id}>"


__all__ = ["Invitation", "Membership"]
