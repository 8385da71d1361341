"""Organisers log in and out; anyone picks the interface language."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from web.app import LANGUAGES
from web.auth.operations import authenticate
from web.http import db
from web.security import failed_login, limiter, login_email, login_limit

auth = Blueprint("auth", __name__, template_folder="templates")


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


@auth.route("/login", methods=["GET", "POST"])
@limiter.limit(login_limit, methods=["POST"], deduct_when=failed_login)
@limiter.limit(login_limit, methods=["POST"], deduct_when=failed_login, key_func=login_email)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        organiser = authenticate(db(), form.email.data, form.password.data)
        if organiser is not None:
            login_user(organiser)
            return redirect(_local(request.args.get("next")) or url_for("events.index"))
        flash(_("Wrong email or password."), "error")
    return render_template("auth/login.html", form=form)


@auth.route("/logout", methods=["POST"])
@login_required
def logout():
    logout_user()
    return redirect(url_for("auth.login"))


@auth.route("/language", methods=["POST"])
def language():
    """Remember the visitor's language (organisers and companies alike) in their session."""
    chosen = request.form.get("language", "")
    if chosen in LANGUAGES:
        session["language"] = chosen
    return redirect(_local(request.form.get("back")) or url_for("events.index"))


def _local(target: str | None) -> str | None:
    """Only redirect within this site (no open redirect through ?next=)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
