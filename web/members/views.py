"""Who works on an event (the members page: invite, change roles, remove) and accepting an
invitation from its link. Who may use which of these is said in web.members.roles and
enforced in web.members.access, not here."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from web.audit.trail import ACTOR, organiser_actor
from web.auth.operations import MIN_PASSWORD_LENGTH, OrganiserExists, find_organiser
from web.http import db, event_or_404, row_or_404
from web.members.models import Invitation, Membership
from web.members.operations import (
    InvitationClosed,
    LastOwner,
    Withdrawn,
    accept,
    accept_as_new_organiser,
    change_role,
    invitation_by_token,
    invite,
    members_of,
    open_invitations,
    remove_member,
    revoke,
)
from web.members.roles import ROLES
from web.notifications.delivery import mail_server
from web.notifications.outbox import invitation_link

members = Blueprint("members", __name__, template_folder="templates")
invitations = Blueprint("invitations", __name__, template_folder="templates")

ROLE_NAMES = {
    "owner": _l("Owner"),
    "editor": _l("Editor"),
    "viewer": _l("Viewer"),
    "desk": _l("Help desk"),
}
ROLE_HELP = {
    "owner": _l("everything, and invites people, changes roles and deletes the event"),
    "editor": _l("changes everything in the event but its members"),
    "viewer": _l("sees everything, changes nothing"),
    "desk": _l("the overview and the companies' agendas, read only"),
}


@members.before_request
@login_required
def _organisers_only() -> None:
    """Every page here is the organiser's (roles: web.members.access)."""


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(),
            Length(max=320),
            # One address, nothing that could break a header (no spaces, no line breaks).
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message=_l("Write one address, e.g. name@example.org"),
            ),
        ],
    )
    role = SelectField(_l("Role"), choices=[(r, ROLE_NAMES[r]) for r in ROLES], default="editor")


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=[(r, ROLE_NAMES[r]) for r in ROLES])


class NewAccountForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("At least %(n)d characters", n=MIN_PASSWORD_LENGTH),
    )
    confirm = PasswordField(
        _l("The same password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class AcceptForm(FlaskForm):
    pass


@members.route("/events/<slug>/members/")
def index(slug: str):
    event = event_or_404(slug)
    pending = open_invitations(db(), event)
    configured = mail_server() is not None
    links = {} if configured else {i.id: invitation_link(db(), i) for i in pending}
    return render_template(
        "members/members.html",
        event=event,
        members=members_of(db(), event),
        pending=pending,
        links={i: _accept_url(t) for i, t in links.items() if t},
        configured=configured,
        form=InviteForm(formdata=None),
        role_names=ROLE_NAMES,
        role_help=ROLE_HELP,
        roles=ROLES,
    )


def _accept_url(token: str) -> str:
    return url_for("invitations.accept_invitation", token=token, _external=True)


@members.route("/events/<slug>/members/invite", methods=["POST"])
def invite_one(slug: str):
    event = event_or_404(slug)
    form = InviteForm()
    if not form.validate_on_submit():
        for field, errors in form.errors.items():
            for error in errors:
                flash(f"{form[field].label.text}: {error}", "error")
        return redirect(url_for("members.index", slug=slug))
    invitation, _token = invite(db(), event, form.email.data, form.role.data, current_user)
    db().commit()
    if mail_server() is None:
        flash(
            _(
                "Invitation for %(email)s made. Mail is not configured: copy its link below "
                "and send it yourself.",
                email=invitation.email,
            ),
            "success",
        )
    else:
        flash(_("Invitation sent to %(email)s.", email=invitation.email), "success")
    return redirect(url_for("members.index", slug=slug) + "#invitations")


@members.route("/events/<slug>/members/<int:member_id>/role", methods=["POST"])
def set_role(slug: str, member_id: int):
    event = event_or_404(slug)
    membership = row_or_404(Membership, member_id, event)
    form = RoleForm()
    if form.validate_on_submit():
        try:
            withdrawn = change_role(db(), membership, form.role.data)
        except LastOwner:
            db().rollback()
            flash(_("The last owner stays owner: make someone else owner first."), "error")
        else:
            db().commit()
            flash(
                _(
                    "%(name)s is now %(role)s.",
                    name=membership.organiser.name,
                    role=ROLE_NAMES[membership.role],
                ),
                "success",
            )
            _say_withdrawn(withdrawn)
    return redirect(url_for("members.index", slug=slug))


@members.route("/events/<slug>/members/<int:member_id>/remove", methods=["POST"])
def remove(slug: str, member_id: int):
    event = event_or_404(slug)
    membership = row_or_404(Membership, member_id, event)
    name = membership.organiser.name
    try:
        withdrawn = remove_member(db(), membership)
    except LastOwner:
        db().rollback()
        flash(_("The last owner cannot be removed: make someone else owner first."), "error")
    else:
        db().commit()
        flash(_("%(name)s no longer works on this event.", name=name), "success")
        _say_withdrawn(withdrawn)
    return redirect(url_for("members.index", slug=slug))


def _say_withdrawn(withdrawn: Withdrawn) -> None:
    """Never silent: the integrations that stop working now are named to the owner."""
    if withdrawn.keys:
        flash(
            ngettext(
                "The API key they made is revoked.",
                "The %(num)d API keys they made are revoked.",
                withdrawn.keys,
            ),
            "notice",
        )
    if withdrawn.webhooks:
        flash(
            ngettext(
                "The webhook they made is removed.",
                "The %(num)d webhooks they made are removed.",
                withdrawn.webhooks,
            ),
            "notice",
        )


@members.route("/events/<slug>/invitations/<int:invitation_id>/withdraw", methods=["POST"])
def withdraw(slug: str, invitation_id: int):
    event = event_or_404(slug)
    invitation = row_or_404(Invitation, invitation_id, event)
    revoke(db(), invitation)
    db().commit()
    flash(_("Invitation for %(email)s withdrawn.", email=invitation.email), "success")
    return redirect(url_for("members.index", slug=slug))


# --- accepting, from the link ---------------------------------------------------------------


@invitations.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """The invited person's page: a logged-in organiser joins with a click; someone without
    an account sets a name and password; someone with one logs in first. Any link that does
    not work (used, withdrawn, expired, made up) is the same 404."""
    try:
        invitation = invitation_by_token(db(), token)
    except InvitationClosed:
        return render_template("members/invitation_closed.html"), 404
    account = find_organiser(db(), invitation.email)
    accept_form, new_form = AcceptForm(), NewAccountForm()
    if request.method == "POST":
        joined = _join(invitation, account, accept_form, new_form)
        if joined is not None:
            return joined
    response = render_template(
        "members/invitation.html",
        invitation=invitation,
        account=account,
        accept_form=accept_form,
        new_form=new_form,
        role_names=ROLE_NAMES,
        role_help=ROLE_HELP,
        is_invited=current_user.is_authenticated and _invited(invitation)(current_user),
    )
    return response, 200, {"Referrer-Policy": "no-referrer"}


def _invited(invitation: Invitation):
    """Whether the logged-in organiser is the one the invitation was sent to."""

    def check(organiser) -> bool:
        return organiser.email.casefold() == invitation.email.casefold()

    return check


def _join(invitation: Invitation, account, accept_form: AcceptForm, new_form: NewAccountForm):
    """Accept as the logged-in organiser, or as a new account; None: show the page again."""
    slug = invitation.event.slug
    is_invited = _invited(invitation)
    try:
        if current_user.is_authenticated:
            if not is_invited(current_user) or not accept_form.validate_on_submit():
                return None  # a forwarded link joins no one but the invited address
            accept(db(), invitation, current_user)
            db().commit()
        else:
            if account is not None or not new_form.validate_on_submit():
                return None
            organiser = accept_as_new_organiser(
                db(), invitation, new_form.name.data, new_form.password.data
            )
            ACTOR.set(organiser_actor(organiser))  # reset with the request (web.members.access)
            db().commit()
            login_user(organiser)
    except (InvitationClosed, StaleDataError):
        db().rollback()
        return render_template("members/invitation_closed.html"), 404
    except OrganiserExists:  # an account for the address was made meanwhile: log in instead
        db().rollback()
        return None
    flash(_("Welcome to %(event)s.", event=invitation.event.name), "success")
    return redirect(url_for("events.dashboard", slug=slug))
