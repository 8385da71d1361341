"""Changes to profiles, logos and shortlists, and a request asked from the directory: the
company's own page and the organiser's page both call these."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from scheduler.words import N_, Refusal
from web.companies.models import Attendee, Company
from web.db import apply_edit, utc_now
from web.meeting_requests.models import MeetingRequest, RequestWindow
from web.meeting_requests.operations import ask
from web.profiles.logo import clean_logo
from web.profiles.models import (
    BIO_LONGEST,
    DESCRIPTION_LONGEST,
    KEYWORDS_MOST,
    CompanyLogo,
    CompanyProfile,
    ShortlistEntry,
)
from web.profiles.vocabulary import BY_FIELD, COUNTRY_CODES, LISTS, ORGANISATION_TYPES

KEYWORD_LONGEST = 60
PROFILE_FIELDS = (
    "description",
    "website",
    "country",
    "region",
    "organisation_type",
    *(v.field for v in LISTS),
    "keywords",
)
SEPARATORS = re.compile(r"[;,\u3001\uff0c\uff1b\n]")  # also the Japanese comma and semicolon
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # javascript:, mailto:, https:
WEBSITE = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


class BadProfile(Refusal):
    """A profile value this app does not take; `field` names the form field or column."""

    def __init__(self, field: str, template: str, /, **values: object) -> None:
        self.field = field
        super().__init__(template, **values)


def profile_of(session: Session, company: Company) -> CompanyProfile:
    """The company's profile (every company has one; an older row gets it here)."""
    if company.profile is None:
        session.add(CompanyProfile(company=company))
        session.flush()
    return company.profile


def clean(values: dict[str, object]) -> dict[str, object]:
    """Profile fields as stored: text stripped (empty: None), codes checked against the
    vocabularies, a website with its scheme; BadProfile names the first wrong field."""
    cleaned: dict[str, object] = {}
    for field, value in values.items():
        if field not in PROFILE_FIELDS:
            raise TypeError(f"not a profile field: {field}")
        cleaned[field] = _clean_field(field, value)
    return cleaned


def _clean_field(field: str, value: object) -> object:
    if field in ("description", "region"):
        words = (str(value or "")).strip()
        if len(words) > DESCRIPTION_LONGEST:
            raise BadProfile(
                field, N_("is longer than {most} characters"), most=DESCRIPTION_LONGEST
            )
        return words or None
    if field == "website":
        return website(str(value or ""))
    if field == "country":
        code = str(value or "").strip().upper()
        if code and code not in COUNTRY_CODES:
            raise BadProfile(field, N_('"{got}" is not a country code such as JP or US'), got=code)
        return code or None
    if field == "organisation_type":
        code = str(value or "").strip()
        if code and code not in ORGANISATION_TYPES.codes:
            raise BadProfile(
                field,
                N_('"{got}" is not one of {choices}'),
                got=code,
                choices=", ".join(ORGANISATION_TYPES.codes),
            )
        return code or None
    if field == "keywords":
        return keywords(value)
    codes = list(dict.fromkeys(str(c).strip() for c in (value or []) if str(c).strip()))
    unknown = [c for c in codes if c not in BY_FIELD[field].codes]
    if unknown:
        raise BadProfile(
            field,
            N_('"{got}" is not one of {choices}'),
            got=unknown[0],
            choices=", ".join(BY_FIELD[field].codes),
        )
    return codes


def website(value: str) -> str | None:
    """An http(s) address ("example.com" gets https://); anything else (javascript:, a
    mail address) is refused, since the directory makes it a link."""
    value = value.strip()
    if not value:
        return None
    if not SCHEME.match(value):
        value = "https://" + value
    if not WEBSITE.match(value) or len(value) > 300:
        raise BadProfile("website", N_("is not a web address such as https://example.com"))
    return value


def keywords(value: object) -> list[str]:
    """Keywords from a list or from text separated by ; , or 、."""
    items = value if isinstance(value, list | tuple) else SEPARATORS.split(str(value or ""))
    words = list(dict.fromkeys(" ".join(str(w).split()) for w in items if str(w).strip()))
    if len(words) > KEYWORDS_MOST:
        raise BadProfile("keywords", N_("has more than {most} keywords"), most=KEYWORDS_MOST)
    if any(len(w) > KEYWORD_LONGEST for w in words):
        raise BadProfile(
            "keywords", N_("has a keyword longer than {most} characters"), most=KEYWORD_LONGEST
        )
    return words


def save_profile(
    session: Session, company: Company, version: int, values: dict[str, object]
) -> CompanyProfile:
    """The company's or the organiser's edit; EditConflict if someone saved in between."""
    profile = profile_of(session, company)
    apply_edit(session, profile, version, clean(values))
    return profile


def save_people(session: Session, company: Company, people: dict[int, tuple[str, str]]) -> None:
    """Titles and short bios of the company's own people (id -> (title, bio))."""
    mine = {a.id: a for a in company.attendees}
    for attendee_id, (title, bio) in people.items():
        person: Attendee | None = mine.get(attendee_id)
        if person is None:
            raise ValueError("only the company's own people")
        bio = bio.strip()
        if len(bio) > BIO_LONGEST:
            raise BadProfile(
                f"bio-{attendee_id}", N_("is longer than {most} characters"), most=BIO_LONGEST
            )
        person.title = title.strip() or None
        person.bio = bio or None
    session.flush()


def set_hidden(session: Session, company: Company, hidden: bool, by_organiser: bool) -> None:
    """Out of the directory or back in. The organiser's hiding and the company's own are
    kept apart: a company cannot undo the organiser's."""
    profile = profile_of(session, company)
    if by_organiser:
        profile.hidden_by_organiser = hidden
    else:
        profile.hidden_by_company = hidden
    session.flush()


def store_logo(session: Session, company: Company, upload: bytes) -> CompanyLogo:
    image, width, height = clean_logo(upload)
    logo = session.get(CompanyLogo, company.id) or CompanyLogo(company_id=company.id)
    logo.image, logo.width, logo.height, logo.updated_at = image, width, height, utc_now()
    session.add(logo)
    session.flush()
    return logo


def remove_logo(session: Session, company: Company) -> None:
    session.execute(delete(CompanyLogo).where(CompanyLogo.company_id == company.id))


def logo_stamp(session: Session, company_id: int) -> int | None:
    """When the logo last changed (a number for its URL, so a new one is fetched), if any."""
    at = session.scalar(select(CompanyLogo.updated_at).where(CompanyLogo.company_id == company_id))
    return int(at.timestamp()) if at else None


def shortlist(session: Session, company: Company) -> set[int]:
    """The ids of the companies this company has shortlisted."""
    query = select(ShortlistEntry.listed_id).where(ShortlistEntry.company_id == company.id)
    return set(session.scalars(query))


def set_listed(session: Session, company: Company, other: Company, listed: bool) -> None:
    if other.event_id != company.event_id or other.id == company.id:
        raise ValueError("only another company of the same event")
    entry = session.get(ShortlistEntry, (company.id, other.id))
    if listed and entry is None:
        session.add(ShortlistEntry(company_id=company.id, listed_id=other.id))
    elif not listed and entry is not None:
        session.delete(entry)
    session.flush()


def ask_from_profile(
    session: Session,
    company: Company,
    other: Company,
    priority: int,
    windows: list[tuple[datetime, datetime]],
    notes: str | None = None,
    message: str | None = None,
) -> MeetingRequest:
    """'Ask for a meeting' on a profile: the web app's usual request (the other side still
    answers, the event's request rules apply), held in the chosen windows (none: any time)."""
    request = ask(session, company.event, company, other, priority, "company link", notes, message)
    for start, end in sorted(set(windows)):
        request.within.append(RequestWindow(start=start, end=end))
    session.flush()
    return request
