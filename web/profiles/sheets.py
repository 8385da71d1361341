"""A company's profile in the organiser's sheets: the profile columns of the companies
sheet read into a ProfileRecord (codes, or their English or Japanese labels, separated by ;),
and written back as codes for the export."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from scheduler.words import N_, Refusal
from web.importing.columns import PROFILE_COLUMNS
from web.importing.records import ProfileRecord
from web.profiles.models import CompanyProfile
from web.profiles.operations import SEPARATORS, BadProfile, clean
from web.profiles.vocabulary import (
    BY_FIELD,
    COUNTRY_CODES,
    LISTS,
    _country_names,
    codes_by_label,
)

LIST_FIELDS = tuple(v.field for v in LISTS)
YES, NO = {"yes", "y", "true", "1", "はい"}, {"no", "n", "false", "0", "いいえ"}


def read_profile(
    row_cells: dict[str, object], cell: Callable, cell_error: type[Refusal]
) -> ProfileRecord:
    """The profile columns this row's sheet has; `cell(column, convert)` reads one cell the
    sheet reader's way (problems named by row and column)."""

    def told(convert: Callable[[str], object]) -> Callable[[object], object]:
        def run(value: object) -> object:
            try:
                return convert(str(value).strip())
            except (BadProfile, Refusal) as error:
                raise cell_error(error.words.template, **dict(error.words.values)) from None

        return run

    values = []
    for column in PROFILE_COLUMNS:
        name = column.name
        if name not in row_cells or name == "hidden":
            continue
        if name in LIST_FIELDS:
            value = cell(name, told(lambda v, f=name: codes(f, v)), [])
        elif name == "organisation_type":
            value = cell(name, told(lambda v: one_code("organisation_type", v)))
        elif name == "country":
            value = cell(name, told(country))
        else:
            value = cell(name, told(lambda v, f=name: clean({f: v})[f]))
        values.append((name, [] if value is None and name in LIST_FIELDS else value))
    hidden = cell("hidden", told(yes_or_no)) if "hidden" in row_cells else None
    return ProfileRecord(tuple(values), hidden)


def codes(field: str, value: str) -> list[str]:
    known = codes_by_label(field)
    found = []
    for item in (p.strip() for p in SEPARATORS.split(value)):
        if not item:
            continue
        code = known.get(item.casefold())
        if code is None:
            raise BadProfile(
                field,
                N_('"{got}" is not one of {choices}'),
                got=item,
                choices=", ".join(BY_FIELD[field].codes),
            )
        found.append(code)
    return list(dict.fromkeys(found))


def one_code(field: str, value: str) -> str:
    found = codes(field, value)
    if len(found) != 1:
        raise BadProfile(
            field, N_("give one of {choices}"), choices=", ".join(BY_FIELD[field].codes)
        )
    return found[0]


@cache
def _countries() -> dict[str, str]:
    names = {code.casefold(): code for code in COUNTRY_CODES}
    for language in ("en", "ja"):
        names |= {name.casefold(): code for code, name in _country_names(language).items()}
    return names


def country(value: str) -> str:
    code = _countries().get(value.casefold())
    if code is None:
        raise BadProfile("country", N_('"{got}" is not a country code such as JP or US'), got=value)
    return code


def yes_or_no(value: str) -> bool:
    word = value.casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    raise BadProfile("hidden", N_('"{got}" is not yes or no'), got=value)


def profile_cells(profile: CompanyProfile | None) -> list[object]:
    """The profile columns of a company's row in the export, in PROFILE_COLUMNS' order."""
    if profile is None:
        return [None] * len(PROFILE_COLUMNS)
    cells: list[object] = []
    for column in PROFILE_COLUMNS:
        if column.name == "hidden":
            cells.append("yes" if profile.hidden_by_organiser else "no")
            continue
        value = getattr(profile, column.name)
        if isinstance(value, list):
            value = "; ".join(value) or None
        cells.append(value)
    return cells
