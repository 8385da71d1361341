"""Organiser accounts: created from the command line, passwords kept only as hashes."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from web.auth.models import Organiser


class OrganiserExists(ValueError):
    pass


def create_organiser(session: Session, email: str, password: str, name: str = "") -> Organiser:
    email = email.strip().lower()
    if find_organiser(session, email) is not None:
        raise OrganiserExists(f"an organiser {email} already exists")
    organiser = Organiser(
        email=email, name=name or email, password_hash=generate_password_hash(password)
    )
    session.add(organiser)
    session.flush()
    return organiser


def set_password(organiser: Organiser, password: str) -> None:
    organiser.password_hash = generate_password_hash(password)


def find_organiser(session: Session, email: str) -> Organiser | None:
    return session.scalar(
        select(Organiser).where(func.lower(Organiser.email) == email.strip().lower())
    )


def authenticate(session: Session, email: str, password: str) -> Organiser | None:
    """The organiser if the password is right; None otherwise (no hint which part was wrong)."""
    organiser = find_organiser(session, email)
    if organiser is None or not check_password_hash(organiser.password_hash, password):
        return None
    return organiser
