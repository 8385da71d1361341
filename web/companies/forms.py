"""Forms that a company's own page and the organiser's page of a company share."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TimeField
from wtforms.validators import DataRequired


class BlockForm(FlaskForm):
    """A time the company cannot meet, on one of the event's days."""

    day = SelectField(_l("Day"), validators=[DataRequired()])
    start = TimeField(_l("From"), validators=[DataRequired()])
    end = TimeField(_l("To"), validators=[DataRequired()])
