"""Members of an event: roles given, changed and taken away, and invitations by e-mail.

An event always keeps an owner: the last one can be neither removed nor given another
role. An invitation is a link of 256 random bits, kept only as its hash, that works once
and until it expires; it is mailed through the outbox (web.notifications.outbox)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from web.api.keys import revoke_keys_made_by
from web.auth.models import Organiser
from web.auth.operations import create_organiser, find_organiser
from web.db import utc_now
from web.events.models import Event
from web.members.models import Invitation, Membership, new_invitation_token, token_hash
from web.members.roles import ROLES, may
from web.webhooks.operations import unsubscribe_made_by

INVITATION_LIFETIME = timedelta(days=7)


class LastOwner(ValueError):
    """The event would be left without an owner."""


class InvitationClosed(LookupError):
    """The link was used, withdrawn, has expired, or never existed."""


def role_of(session: Session, event_id: int, organiser_id: int) -> str | None:
    """The organiser's role on the event; None: the event is not theirs to see."""
    return session.scalar(
        select(Membership.role).where(
            Membership.event_id == event_id, Membership.organiser_id == organiser_id
        )
    )


def events_of(session: Session, organiser: Organiser) -> list[tuple[Event, str]]:
    """The events `organiser` has a role on, newest first, with the role."""
    rows = session.execute(
        select(Event, Membership.role)
        .join(Membership, Membership.event_id == Event.id)
        .where(Membership.organiser_id == organiser.id)
        .order_by(Event.created_at.desc(), Event.id.desc())
    )
    return [(event, role) for event, role in rows]


def members_of(session: Session, event: Event) -> list[Membership]:
    return list(
        session.scalars(
            select(Membership)
            .join(Organiser, Membership.organiser_id == Organiser.id)
            .where(Membership.event_id == event.id)
            .order_by(Membership.role != "owner", Organiser.name, Organiser.email)
        )
    )


def grant(session: Session, event: Event, organiser: Organiser, role: str) -> Membership:
    """Give `organiser` `role` on `event` (a member already keeps the row, with this role)."""
    if role not in ROLES:
        raise ValueError(f"no role {role!r}: one of {', '.join(ROLES)}")
    membership = session.scalar(
        select(Membership).where(
            Membership.event_id == event.id, Membership.organiser_id == organiser.id
        )
    )
    if membership is None:
        membership = Membership(event_id=event.id, organiser_id=organiser.id, role=role)
        session.add(membership)
    elif membership.role != role:
        _keep_an_owner(session, membership, role)
        membership.role = role
        _withdraw_integrations(session, membership, role)
    session.flush()
    return membership


def change_role(session: Session, membership: Membership, role: str) -> Withdrawn:
    """Give the member another role; what they made and may no longer make is withdrawn."""
    if role not in ROLES:
        raise ValueError(f"no role {role!r}")
    _keep_an_owner(session, membership, role)
    membership.role = role
    session.flush()
    return _withdraw_integrations(session, membership, role)


def remove_member(session: Session, membership: Membership) -> Withdrawn:
    """Take the member off the event, with the API keys and webhooks they made there."""
    _keep_an_owner(session, membership, None)
    withdrawn = _withdraw_integrations(session, membership, None)
    session.delete(membership)
    session.flush()
    return withdrawn


@dataclass(frozen=True)
class Withdrawn:
    """What a member's departure or new role took with it."""

    keys: int = 0
    webhooks: int = 0


def _withdraw_integrations(session: Session, membership: Membership, role: str | None) -> Withdrawn:
    """A key or a webhook can do what its maker may: when they may no longer make one (removed,
    or now a viewer or the desk), the keys are revoked and the webhooks removed, or a
    removed organiser would keep reading and writing the event through them."""
    if role is not None and may(role, "integrations.keys", "POST"):
        return Withdrawn()
    event_id, organiser_id = membership.event_id, membership.organiser_id
    return Withdrawn(
        keys=revoke_keys_made_by(session, event_id, organiser_id),
        webhooks=unsubscribe_made_by(session, event_id, organiser_id),
    )


def _keep_an_owner(session: Session, membership: Membership, role: str | None) -> None:
    """Refuse to take the owner role from the event's last owner. The owners are counted
    with their rows locked (PostgreSQL), so two owners demoting each other at once cannot
    both succeed; SQLite writes one transaction at a time anyway."""
    if membership.role != "owner" or role == "owner":
        return
    owners = session.scalars(
        select(Membership.id)
        .where(Membership.event_id == membership.event_id, Membership.role == "owner")
        .with_for_update()
    ).all()
    if len(owners) <= 1:
        raise LastOwner("the event's last owner stays owner: make someone else owner first")


# --- invitations ----------------------------------------------------------------------------


def invite(
    session: Session,
    event: Event,
    email: str,
    role: str,
    by: Organiser,
    now: datetime | None = None,
) -> tuple[Invitation, str]:
    """An invitation and its link's secret (returned once, to show the owner, and written
    into the outbox message that carries it)."""
    from web.notifications.outbox import invitation_sent

    if role not in ROLES:
        raise ValueError(f"no role {role!r}")
    now = now or utc_now()
    token = new_invitation_token()
    invitation = Invitation(
        event_id=event.id,
        email=email.strip().lower(),
        role=role,
        token_hash=token_hash(token),
        invited_by_id=by.id,
        created_at=now,
        expires_at=now + INVITATION_LIFETIME,
    )
    session.add(invitation)
    session.flush()
    invitation_sent(session, invitation, token, by)
    return invitation, token


def open_invitations(session: Session, event: Event, now: datetime | None = None):
    now = now or utc_now()
    return list(
        session.scalars(
            select(Invitation)
            .where(
                Invitation.event_id == event.id,
                Invitation.accepted_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
            .order_by(Invitation.id.desc())
        )
    )


def invitation_by_token(session: Session, token: str, now: datetime | None = None) -> Invitation:
    """The open invitation of a link; InvitationClosed for any other (the answer is the
    same whether it was used, withdrawn, expired or made up)."""
    if not token or len(token) > 100:
        raise InvitationClosed(token)
    invitation = session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash(token))
    )
    if invitation is None or not invitation.open_at(now or utc_now()):
        raise InvitationClosed(token)
    return invitation


def accept(
    session: Session, invitation: Invitation, organiser: Organiser, now: datetime | None = None
) -> Membership:
    """`organiser` joins the event in the invited role (a member keeps the role they have:
    an invitation never takes a role away). The link stops working."""
    from web.notifications.outbox import invitation_closed

    now = now or utc_now()
    if not invitation.open_at(now):
        raise InvitationClosed("")
    invitation.accepted_at, invitation.accepted_by_id = now, organiser.id
    existing = role_of(session, invitation.event_id, organiser.id)
    membership = (
        grant(session, invitation.event, organiser, invitation.role)
        if existing is None
        else session.scalar(
            select(Membership).where(
                Membership.event_id == invitation.event_id,
                Membership.organiser_id == organiser.id,
            )
        )
    )
    invitation_closed(session, invitation)
    session.flush()  # the version counter: a second accept of the same link fails here
    return membership


def accept_as_new_organiser(
    session: Session, invitation: Invitation, name: str, password: str
) -> Organiser:
    """A person without an account: one is made with the invited address, then joins."""
    organiser = create_organiser(session, invitation.email, password, name.strip())
    accept(session, invitation, organiser)
    return organiser


def has_account(session: Session, invitation: Invitation) -> bool:
    return find_organiser(session, invitation.email) is not None


def revoke(session: Session, invitation: Invitation, now: datetime | None = None) -> None:
    from web.notifications.outbox import invitation_closed

    invitation.revoked_at = now or utc_now()
    invitation_closed(session, invitation)
    session.flush()


def owners_count(session: Session, event: Event) -> int:
    return session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.event_id == event.id, Membership.role == "owner")
    )
