"""Organiser accounts: created from the command line, passwords kept only as hashes."""

from __future__ import annotations

import hmac
import secrets

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from web.auth.models import Organiser, new_session_token

# Checked when the email is unknown, so that an unknown email costs the same password check
# as a wrong password: the time taken does not tell which emails are organisers'. Made once,
# with the method real hashes use, of a password nobody knows.
UNKNOWN_EMAIL_HASH = generate_password_hash(secrets.token_urlsafe(32))


# The shortest password an organiser may choose on a page (a passphrase is better).
MIN_PASSWORD_LENGTH = 10


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
    """A new password also ends every session (whoever knew the old one is logged out)."""
    organiser.password_hash = generate_password_hash(password)
    end_sessions(organiser)


def end_sessions(organiser: Organiser) -> None:
    """Every session cookie issued to `organiser` stops working, on every device."""
    organiser.session_token = new_session_token()


def find_organiser(session: Session, email: str) -> Organiser | None:
    return session.scalar(
        select(Organiser).where(func.lower(Organiser.email) == email.strip().lower())
    )


def authenticate(session: Session, email: str, password: str) -> Organiser | None:
    """The organiser if the password is right; None otherwise (no hint which part was wrong,
    neither in the answer nor in its time: an unknown email is checked too)."""
    organiser = find_organiser(session, email)
    password_hash = organiser.password_hash if organiser is not None else UNKNOWN_EMAIL_HASH
    if not check_password_hash(password_hash, password) or organiser is None:
        return None
    return organiser


def organiser_for_session(session: Session, session_id: str) -> Organiser | None:
    """The organiser a session names (`Organiser.get_id`), if it carries the organiser's
    current token; None for any other (logged out since, an older password, malformed)."""
    organiser_id, _, token = session_id.partition(":")
    if not organiser_id.isdecimal() or not token:
        return None
    organiser = session.get(Organiser, int(organiser_id))
    if organiser is None or not hmac.compare_digest(
        organiser.session_token.encode(), token.encode()
    ):
        return None
    return organiser
