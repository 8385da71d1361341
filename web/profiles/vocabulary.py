"""The controlled vocabularies of a profile, in one place: the codes stored, filtered on and
written in sheets, each with its English and Japanese label (lazy gettext). Countries are
ISO 3166 codes named by Babel's locale data in the visitor's language."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel import Locale
from babel.support import Translations

from scheduler.words import N_


@dataclass(frozen=True)
class Vocabulary:
    """One controlled field: its codes in the order shown, and their labels."""

    field: str  # the profile's attribute and the sheet's column
    labels: dict[str, str]  # code -> English label (a msgid, translated where shown)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self.labels)

    def label(self, code: str) -> str:
        """The code's label in the visitor's language (a code no longer listed: itself)."""
        return _translated(self.labels[code]) if code in self.labels else code

    def choices(self) -> list[tuple[str, str]]:
        return [(code, _translated(label)) for code, label in self.labels.items()]


ORGANISATION_TYPES = Vocabulary(
    "organisation_type",
    {
        "pharma": N_("Pharmaceutical company"),
        "biotech": N_("Biotech"),
        "medtech": N_("Medical technology"),
        "diagnostics": N_("Diagnostics"),
        "digital_health": N_("Digital health"),
        "cro_cdmo": N_("CRO / CDMO"),
        "academic": N_("University or research institute"),
        "investor": N_("Investor"),
        "public_body": N_("Public body or cluster"),
        "service": N_("Service provider"),
        "other": N_("Other kind of organisation"),
    },
)

THERAPEUTIC_AREAS = Vocabulary(
    "therapeutic_areas",
    {
        "oncology": N_("Oncology"),
        "immunology": N_("Immunology and inflammation"),
        "neurology": N_("Neurology"),
        "psychiatry": N_("Psychiatry"),
        "cardiovascular": N_("Cardiovascular"),
        "metabolic": N_("Metabolic and endocrine"),
        "infectious": N_("Infectious diseases"),
        "rare": N_("Rare diseases"),
        "ophthalmology": N_("Ophthalmology"),
        "respiratory": N_("Respiratory"),
        "dermatology": N_("Dermatology"),
        "hematology": N_("Hematology"),
        "gastroenterology": N_("Gastroenterology"),
        "renal": N_("Nephrology"),
        "musculoskeletal": N_("Musculoskeletal"),
        "womens_health": N_("Women's health"),
        "regenerative": N_("Regenerative medicine"),
    },
)

MODALITIES = Vocabulary(
    "modalities",
    {
        "small_molecule": N_("Small molecule"),
        "antibody": N_("Antibody"),
        "adc": N_("Antibody-drug conjugate"),
        "protein": N_("Protein or peptide"),
        "oligonucleotide": N_("Oligonucleotide (ASO, siRNA)"),
        "mrna": N_("mRNA"),
        "gene_therapy": N_("Gene therapy or editing"),
        "cell_therapy": N_("Cell therapy"),
        "vaccine": N_("Vaccine"),
        "microbiome": N_("Microbiome"),
        "diagnostic": N_("Diagnostic or biomarker"),
        "device": N_("Medical device"),
        "digital": N_("Software or AI"),
        "platform": N_("Research platform or tools"),
    },
)

STAGES = Vocabulary(
    "stages",
    {
        "discovery": N_("Discovery"),
        "preclinical": N_("Preclinical"),
        "phase1": N_("Phase 1"),
        "phase2": N_("Phase 2"),
        "phase3": N_("Phase 3"),
        "approved": N_("Approved or marketed"),
    },
)


@dataclass(frozen=True)
class Deal:
    """A kind of partnership, said from each side: what it is called when offered and when
    sought ("out-licensing" / "in-licensing")."""

    offered: str
    sought: str


DEALS: dict[str, Deal] = {
    "licensing": Deal(N_("out-licensing"), N_("in-licensing")),
    "co_development": Deal(N_("co-development"), N_("co-development")),
    "research": Deal(N_("research collaboration"), N_("research collaboration")),
    "investment": Deal(N_("investment (as investor)"), N_("investment (raising funds)")),
    "acquisition": Deal(N_("assets or company for sale"), N_("acquisitions")),
    "services": Deal(N_("services (research, clinical, regulatory)"), N_("service providers")),
    "manufacturing": Deal(N_("manufacturing capacity"), N_("a manufacturing partner")),
    "distribution": Deal(N_("distribution and market access"), N_("a distribution partner")),
}
OFFERS = Vocabulary("offers", {code: deal.offered for code, deal in DEALS.items()})
SEEKS = Vocabulary("seeks", {code: deal.sought for code, deal in DEALS.items()})

# The multi-valued controlled fields, in the order of forms, filters and sheets.
LISTS: tuple[Vocabulary, ...] = (THERAPEUTIC_AREAS, MODALITIES, STAGES, OFFERS, SEEKS)
BY_FIELD: dict[str, Vocabulary] = {v.field: v for v in (ORGANISATION_TYPES, *LISTS)}


@cache
def _country_names(language: str) -> dict[str, str]:
    territories = Locale.parse(language).territories
    return {code: name for code, name in territories.items() if len(code) == 2 and code.isalpha()}


COUNTRY_CODES: frozenset[str] = frozenset(_country_names("en"))


def country_name(code: str | None, language: str | None = None) -> str:
    """A country in the visitor's language ("JP" -> "日本"), or the code if unknown."""
    if not code:
        return ""
    return _country_names(language or _visitor_language()).get(code, code)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    names = _country_names(language or _visitor_language())
    return sorted(names.items(), key=lambda item: item[1])


TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


@cache
def codes_by_label(field: str) -> dict[str, str]:
    """Each code of a controlled field by its code and its English and Japanese labels,
    case-folded: a sheet may give any of them (no request or app needed)."""
    japanese = Translations.load(str(TRANSLATIONS), ["ja"])
    found: dict[str, str] = {}
    for code, label in BY_FIELD[field].labels.items():
        for word in (code, label, japanese.gettext(label)):
            found.setdefault(word.casefold(), code)
    return found


# Flask only where a page asks: the service layer (imports, the CLI) reads codes without it.
def _translated(label: str) -> str:
    from flask_babel import gettext

    return gettext(label)


def _visitor_language() -> str:
    from flask import has_request_context
    from flask_babel import get_locale

    return str(get_locale() or "en") if has_request_context() else "en"
