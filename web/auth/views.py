"""Organisers log in and out; anyone picks the interface language."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired

from web.auth.operations import authenticate, end_sessions
from web.http import db, local_path
from web.languages import LANGUAGES
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
            return redirect(local_path(request.args.get("next")) or url_for("events.index"))
        flash(_("Wrong email or password."), "error")
    return render_template("auth/login.html", form=form)


@auth.route("/logout", methods=["POST"])
@login_required
def logout():
    """Logs out everywhere: the session lives in the signed cookie, so a copy of it would
    still work; replacing the organiser's session token ends every cookie issued so far, on
    this device and any other."""
    end_sessions(current_user)
    db().commit()
    logout_user()
    return redirect(url_for("auth.login"))


@auth.route("/language", methods=["POST"])
def language():
    """Remember the visitor's language (organisers and companies alike) in their session."""
    chosen = request.form.get("language", "")
    if chosen in LANGUAGES:
        session["language"] = chosen
    return redirect(local_path(request.form.get("back")) or url_for("events.index"))
