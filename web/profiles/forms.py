"""The profile form (the company's page and the organiser's share it), and asking for a
meeting from a profile."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from web.events.models import Event
from web.meeting_requests.conversation import MESSAGE_LONGEST
from web.meeting_requests.models import NOTES_LONGEST
from web.profiles.models import DESCRIPTION_LONGEST
from web.profiles.vocabulary import (
    MODALITIES,
    OFFERS,
    ORGANISATION_TYPES,
    SEEKS,
    STAGES,
    THERAPEUTIC_AREAS,
    country_choices,
)


class Checkboxes(SelectMultipleField):
    """A few choices, all in view: one checkbox each."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProfileForm(FlaskForm):
    description = TextAreaField(
        _l("Description"),
        validators=[Optional(), Length(max=DESCRIPTION_LONGEST)],
        description=_l("What you do and what you bring; English, Japanese or both."),
        render_kw={"rows": 8},
    )
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    country = SelectField(_l("Country"), validators=[Optional()])
    region = StringField(
        _l("Region"),
        validators=[Optional(), Length(max=200)],
        description=_l("State, prefecture or cluster: California, 関西"),
    )
    organisation_type = SelectField(_l("Organisation type"), validators=[Optional()])
    therapeutic_areas = Checkboxes(_l("Therapeutic areas"))
    modalities = Checkboxes(_l("Modalities"))
    stages = Checkboxes(_l("Development stages"))
    offers = Checkboxes(_l("What you offer"))
    seeks = Checkboxes(_l("What you seek"))
    keywords = StringField(
        _l("Keywords"),
        validators=[Optional(), Length(max=1500)],
        description=_l("Separated by ; for example: ADC; bispecific; 抗体"),
    )
    version = HiddenField()


def profile_form(profile, formdata=None) -> ProfileForm:
    """The form for `profile`, its choices in the visitor's language."""
    form = ProfileForm(formdata=formdata, obj=profile, version=profile.version_id)
    if formdata is None:
        form.keywords.data = "; ".join(profile.keywords or [])
    form.country.choices = [("", "—"), *country_choices()]
    form.organisation_type.choices = [("", "—"), *ORGANISATION_TYPES.choices()]
    for field, vocabulary in (
        (form.therapeutic_areas, THERAPEUTIC_AREAS),
        (form.modalities, MODALITIES),
        (form.stages, STAGES),
        (form.offers, OFFERS),
        (form.seeks, SEEKS),
    ):
        field.choices = vocabulary.choices()
    return form


def profile_values(form: ProfileForm) -> dict[str, object]:
    return {
        "description": form.description.data,
        "website": form.website.data,
        "country": form.country.data,
        "region": form.region.data,
        "organisation_type": form.organisation_type.data,
        "therapeutic_areas": form.therapeutic_areas.data or [],
        "modalities": form.modalities.data or [],
        "stages": form.stages.data or [],
        "offers": form.offers.data or [],
        "seeks": form.seeks.data or [],
        "keywords": form.keywords.data or "",
    }


class LogoForm(FlaskForm):
    file = FileField(_l("Logo"), description=_l("PNG, JPEG, GIF or WebP, at most 2 MB"))


class AskFromProfileForm(FlaskForm):
    priority = IntegerField(
        _l("Priority"), default=3, validators=[NumberRange(1, 5)], description=_l("5 = most wanted")
    )
    windows = Checkboxes(
        _l("Preferred times"), coerce=int, description=_l("None ticked: any time of the event.")
    )
    notes = StringField(
        _l("Note"),
        validators=[Optional(), Length(max=NOTES_LONGEST)],
        description=_l("on both agendas and calendars"),
    )
    message = TextAreaField(
        _l("Message"),
        validators=[Optional(), Length(max=MESSAGE_LONGEST)],
        description=_l("to them only: why you would like to meet"),
        render_kw={"rows": 3, "maxlength": MESSAGE_LONGEST},
    )


def ask_form(event: Event, formdata=None) -> AskFromProfileForm:
    """The form, the event's sessions to choose from ("Wed, 14 Oct 10:00-12:30")."""
    form = AskFromProfileForm(formdata=formdata) if formdata is not None else AskFromProfileForm()
    zone = ZoneInfo(event.timezone)
    form.windows.choices = [
        (
            s.id,
            _(
                "%(day)s %(start)s-%(end)s",
                day=format_date(d.date, "medium"),
                start=s.start.astimezone(zone).strftime("%H:%M"),
                end=s.end.astimezone(zone).strftime("%H:%M"),
            ),
        )
        for d in event.days
        for s in d.sessions
    ]
    return form


def chosen_windows(event: Event, ids: list[int]) -> list[tuple]:
    sessions = {s.id: (s.start, s.end) for d in event.days for s in d.sessions}
    return [sessions[i] for i in ids if i in sessions]
