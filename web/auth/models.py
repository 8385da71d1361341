"""Organisers: the people who run events. Companies never log in: they use private links."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from web.db import Base, UTCDateTime, utc_now


def new_session_token() -> str:
    """What every session cookie of an organiser must carry: 256 random bits. Sessions live
    in the signed cookie, so replacing the token is how the server ends them all."""
    return secrets.token_urlsafe(32)


class Organiser(Base):
    __tablename__ = "organisers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(Text)
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    # Replaced at logout and at a password change (`end_sessions`): older cookies stop working.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)

    # What Flask-Login asks of a user, written out so that this module needs no Flask.
    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        """Flask-Login's "alternative token": the session names the organiser and the token,
        so that a cookie copied before a logout cannot be replayed (`organiser_for_session`)."""
        return f"{self.id}:{self.session_token}"

    def __repr__(self) -> str:
        return f"<Organiser {self.email}>"
