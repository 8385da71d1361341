"""The directory on a company's private link (search, filters, profiles, shortlist, asking
for a meeting, suggestions, its own profile), and the organiser's edit of a profile.

What the directory shows of another company is its profile and nothing else: never its
requests, agenda, priorities or link."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from scheduler.words import Refusal
from web.analytics.loads import demand_signal
from web.companies.models import ROLES, Company
from web.db import EditConflict
from web.http import db, event_or_404, local_path, row_or_404
from web.labels import EDIT_CONFLICT, say
from web.meeting_requests.models import NOTES_LONGEST
from web.meeting_requests.operations import existing_pair
from web.portal.views import find_company, keep_token, private
from web.profiles import directory as found
from web.profiles.forms import LogoForm, ask_form, chosen_windows, profile_form, profile_values
from web.profiles.logo import LOGO_CONTENT_TYPE, BadLogo
from web.profiles.models import CompanyLogo
from web.profiles.operations import (
    BadProfile,
    ask_from_profile,
    logo_stamp,
    profile_of,
    remove_logo,
    save_people,
    save_profile,
    set_hidden,
    set_listed,
    shortlist,
    store_logo,
)
from web.profiles.suggestions import reasons, score_words, suggestions
from web.profiles.vocabulary import BY_FIELD, country_choices, country_name

directory = Blueprint(
    "directory", __name__, template_folder="templates", url_prefix="/c/<token>/directory"
)
directory.url_value_preprocessor(find_company)
directory.url_defaults(keep_token)
directory.after_request(private)

profiles = Blueprint("profiles", __name__, template_folder="templates")


@profiles.before_request
@login_required
def organisers_only() -> None:
    """The organiser's edit of any company's profile."""


@directory.context_processor
@profiles.context_processor
def profile_words() -> dict:
    """What the profile templates need to say codes in words."""
    return {
        "vocabularies": BY_FIELD,
        "country_name": country_name,
        "reasons": reasons,
        "score_words": score_words,
    }


# --- the directory -----------------------------------------------------------------------


def _filters() -> found.Filters:
    chosen = {name: tuple(request.args.getlist(name)) for name in found.FILTER_FIELDS}
    return found.Filters(
        query=request.args.get("q", "")[:200],
        chosen={k: v for k, v in chosen.items() if v},
        role=request.args.get("role", "") if request.args.get("role") in ROLES else "",
        delegation=request.args.get("delegation", "")[:200],
        shortlisted=request.args.get("shortlisted") == "1",
    )


@directory.route("/")
def index():
    company: Company = g.company
    filters = _filters()
    number = request.args.get("page", "1")
    page = found.search(
        db(), company, filters, int(number) if number.isascii() and number.isdigit() else 1
    )
    suggested = [] if filters.any else suggestions(db(), company)
    return render_template(
        "profiles/directory.html",
        company=company,
        event=company.event,
        filters=filters,
        page=page,
        listed=shortlist(db(), company),
        suggested=suggested,
        delegations=found.delegations(db(), company.event_id),
        countries=dict(country_choices()),
        logos=_logo_stamps([p.company_id for p in page.profiles]),
        roles=ROLES,
        args=request.args,
    )


def _logo_stamps(company_ids: list[int]) -> dict[int, int]:
    if not company_ids:
        return {}
    rows = db().execute(
        select(CompanyLogo.company_id, CompanyLogo.updated_at).where(
            CompanyLogo.company_id.in_(company_ids)
        )
    )
    return {company_id: int(at.timestamp()) for company_id, at in rows}


@directory.route("/<int:company_id>")
def profile(company_id: int):
    company: Company = g.company
    shown = found.visible_profile(db(), company, company_id)
    if shown is None:
        abort(404)  # hidden, another event's, its own, or not there: the same answer
    other = shown.company
    pair = existing_pair(db(), company.event, company, other)
    return render_template(
        "profiles/profile.html",
        company=company,
        event=company.event,
        shown=shown,
        other=other,
        asked=pair is not None,
        listed=other.id in shortlist(db(), company),
        form=ask_form(company.event),
        logo=logo_stamp(db(), other.id),
        notes_longest=NOTES_LONGEST,
        signal=demand_signal(db(), company.event, other.id) if other.role == "corporate" else None,
    )


@directory.route("/<int:company_id>/logo.png")
def logo(company_id: int):
    company: Company = g.company
    if company_id != company.id and found.visible_profile(db(), company, company_id) is None:
        abort(404)
    return _logo_response(company_id)


def _logo_response(company_id: int) -> Response:
    """The stored PNG (written by this app), as an image and only as one."""
    row = db().get(CompanyLogo, company_id)
    if row is None:
        abort(404)
    response = Response(row.image, mimetype=LOGO_CONTENT_TYPE)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = 'inline; filename="logo.png"'
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@directory.route("/<int:company_id>/shortlist", methods=["POST"])
def toggle_shortlist(company_id: int):
    company: Company = g.company
    shown = found.visible_profile(db(), company, company_id)
    if shown is None:
        abort(404)
    listed = request.form.get("listed") == "1"
    set_listed(db(), company, shown.company, listed)
    db().commit()
    if listed:
        flash(_("%(name)s is on your shortlist.", name=shown.company.name), "success")
    else:
        flash(_("%(name)s is off your shortlist.", name=shown.company.name), "success")
    back = local_path(request.form.get("next"))
    return redirect(back or url_for("directory.profile", company_id=company_id))


@directory.route("/<int:company_id>/ask", methods=["POST"])
def ask(company_id: int):
    company: Company = g.company
    shown = found.visible_profile(db(), company, company_id)
    if shown is None:
        abort(404)
    form = ask_form(company.event)
    if not form.validate_on_submit():
        if form.notes.errors:
            flash(_("A note may be at most %(count)d characters.", count=NOTES_LONGEST), "error")
        elif form.message.errors:
            flash(f"{form.message.label.text}: {form.message.errors[0]}", "error")
        else:
            flash(_("Choose a priority from 1 to 5."), "error")
        return redirect(url_for("directory.profile", company_id=company_id) + "#ask")
    windows = chosen_windows(company.event, form.windows.data or [])
    try:
        ask_from_profile(
            db(),
            company,
            shown.company,
            form.priority.data,
            windows,
            form.notes.data or None,
            form.message.data or None,
        )
    except Refusal as error:  # the pair has one; the window, the cap; too long a message
        db().rollback()
        flash(say(error), "error")
    else:
        db().commit()
        flash(_("Request sent to %(name)s.", name=shown.company.name), "success")
    return redirect(url_for("directory.profile", company_id=company_id))


# --- the company's own profile -----------------------------------------------------------


@directory.route("/profile", methods=["GET", "POST"])
def own_profile():
    company: Company = g.company
    saved = _save(company, "directory.own_profile")
    if saved is not None:
        return saved
    return _edit_page(company, "profiles/own.html")


def _save(company: Company, endpoint: str, **values) -> Response | None:
    """On POST: the profile and its people saved (a redirect), or the form again with what
    is wrong; on GET: None."""
    if request.method != "POST":
        return None
    profile = profile_of(db(), company)
    form = profile_form(profile, request.form)
    if not form.validate_on_submit():
        flash(_("Check the fields marked below."), "error")
        return None
    try:
        given = str(form.version.data or "")
        version = (
            int(given) if given.isascii() and given.isdigit() else 0
        )  # not from the form: a conflict
        save_profile(db(), company, version, profile_values(form))
        save_people(db(), company, _people(company))
    except EditConflict:
        db().rollback()
        flash(str(EDIT_CONFLICT), "error")
    except BadProfile as error:
        db().rollback()
        flash(f"{_field_label(form, error.field)}: {say(error)}", "error")
        return None
    else:
        db().commit()
        flash(_("The profile of %(name)s is saved.", name=company.name), "success")
    return redirect(url_for(endpoint, **values))


def _field_label(form, name: str) -> str:
    field = getattr(form, name, None)
    return str(field.label.text) if field is not None else _("Short bio")


def _people(company: Company) -> dict[int, tuple[str, str]]:
    return {
        a.id: (request.form.get(f"title-{a.id}", ""), request.form.get(f"bio-{a.id}", ""))
        for a in company.attendees
        if f"bio-{a.id}" in request.form
    }


def _edit_page(company: Company, template: str, **context) -> str:
    profile = profile_of(db(), company)
    form = profile_form(profile, request.form if request.method == "POST" else None)
    if request.method == "POST":
        form.validate()  # the refused save: its fields' messages next to them
    return render_template(
        template,
        company=company,
        event=company.event,
        profile=profile,
        form=form,
        logo_form=LogoForm(),
        logo=logo_stamp(db(), company.id),
        **context,
    )


@directory.route("/profile/logo", methods=["POST"])
def own_logo():
    _upload(g.company)
    return redirect(url_for("directory.own_profile") + "#logo")


@directory.route("/profile/logo/remove", methods=["POST"])
def own_logo_remove():
    remove_logo(db(), g.company)
    db().commit()
    return redirect(url_for("directory.own_profile") + "#logo")


@directory.route("/profile/hide", methods=["POST"])
def hide_self():
    hidden = request.form.get("hidden") == "1"
    set_hidden(db(), g.company, hidden, by_organiser=False)
    db().commit()
    if hidden:
        flash(
            _("Your profile is out of the directory: other companies no longer find you."),
            "success",
        )
    else:
        flash(_("Your profile is in the directory."), "success")
    return redirect(url_for("directory.own_profile"))


def _upload(company: Company) -> None:
    form = LogoForm()
    upload = request.files.get("file")
    if not form.validate_on_submit() or upload is None or not upload.filename:
        flash(_("Choose an image file to upload."), "error")
        return
    try:
        store_logo(db(), company, upload.read(2 * 1024 * 1024 + 1))
    except BadLogo as error:
        db().rollback()
        flash(_("Logo: %(problem)s", problem=say(error)), "error")
    else:
        db().commit()
        flash(_("The logo is saved."), "success")


# --- the organiser's edit ------------------------------------------------------------------


@profiles.route("/events/<slug>/companies/<int:company_id>/profile", methods=["GET", "POST"])
def edit(slug: str, company_id: int):
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    saved = _save(company, "profiles.edit", slug=slug, company_id=company_id)
    if saved is not None:
        return saved
    return _edit_page(company, "profiles/organiser.html")


@profiles.route("/events/<slug>/companies/<int:company_id>/profile/hide", methods=["POST"])
def hide(slug: str, company_id: int):
    event = event_or_404(slug)
    company = row_or_404(Company, company_id, event)
    hidden = request.form.get("hidden") == "1"
    set_hidden(db(), company, hidden, by_organiser=True)
    db().commit()
    if hidden:
        flash(_("%(name)s is hidden from the directory.", name=company.name), "success")
    else:
        flash(_("%(name)s is in the directory again.", name=company.name), "success")
    return redirect(url_for("profiles.edit", slug=slug, company_id=company_id))


@profiles.route("/events/<slug>/companies/<int:company_id>/profile/logo", methods=["POST"])
def upload_logo(slug: str, company_id: int):
    event = event_or_404(slug)
    _upload(row_or_404(Company, company_id, event))
    return redirect(url_for("profiles.edit", slug=slug, company_id=company_id) + "#logo")


@profiles.route("/events/<slug>/companies/<int:company_id>/profile/logo/remove", methods=["POST"])
def delete_logo(slug: str, company_id: int):
    event = event_or_404(slug)
    remove_logo(db(), row_or_404(Company, company_id, event))
    db().commit()
    return redirect(url_for("profiles.edit", slug=slug, company_id=company_id) + "#logo")


@profiles.route("/events/<slug>/companies/<int:company_id>/logo.png")
def organiser_logo(slug: str, company_id: int):
    event = event_or_404(slug)
    return _logo_response(row_or_404(Company, company_id, event).id)
