"""Forms that a company's own page and the organiser's page of a company share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext as pgettext  # lazy; named so that Babel extracts it
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, SelectField, StringField, TimeField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from web.companies.models import EMAIL_LONGEST, NAME_LONGEST

if TYPE_CHECKING:
    from web.companies.models import Company


class AttendeeForm(FlaskForm):
    """A person the company sends: added by the organiser or by the company itself."""

    name = StringField(
        pgettext("person", "Name"), validators=[DataRequired(), Length(max=NAME_LONGEST)]
    )
    title = StringField(_l("Title"), validators=[Optional(), Length(max=NAME_LONGEST)])
    email = EmailField(
        _l("Email"),
        validators=[
            Optional(),
            Length(max=EMAIL_LONGEST),
            Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("not an email address")),
        ],
    )
    version = HiddenField()


class BlockForm(FlaskForm):
    """A time the whole company, or one of its people, cannot meet, on one of the event's
    days."""

    day = SelectField(_l("Day"), validators=[DataRequired()])
    start = TimeField(_l("From"), validators=[DataRequired()])
    end = TimeField(_l("To"), validators=[DataRequired()])
    who = SelectField(_l("Who"), coerce=int, default=0)


def block_form(company: Company) -> BlockForm:
    """The form with the event's days and the company's people to choose from."""
    form = BlockForm()
    form.day.choices = [
        (d.date.isoformat(), format_date(d.date, "full")) for d in company.event.days
    ]
    form.who.choices = [(0, _("the whole company"))] + [(a.id, a.name) for a in company.attendees]
    return form
