"""'Suggested for you': the companies whose offers meet what this one seeks, and back, with
a score anyone can recount from the reasons shown. Computed from profiles only.

Points: 3 for each kind of deal one side seeks and the other offers (each way counted),
2 for each therapeutic area both name, 1 for each shared modality and each shared stage.
A company is suggested only with at least one matching deal; the highest scores first, then
by name."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from web.companies.models import Company
from web.meeting_requests.models import MeetingRequest
from web.meeting_requests.operations import involving
from web.profiles.directory import visible
from web.profiles.models import CompanyProfile
from web.profiles.search import facet
from web.profiles.vocabulary import DEALS, MODALITIES, STAGES, THERAPEUTIC_AREAS

DEAL_POINTS, AREA_POINTS, MODALITY_POINTS, STAGE_POINTS = 3, 2, 1, 1
SHOWN = 5


@dataclass(frozen=True)
class Interests:
    """The parts of a profile that suggestions compare."""

    company_id: int
    name: str
    areas: frozenset[str]
    modalities: frozenset[str]
    stages: frozenset[str]
    offers: frozenset[str]
    seeks: frozenset[str]


@dataclass(frozen=True)
class Match:
    """Why two profiles meet, as codes: the score is counted from these alone."""

    they_offer: tuple[str, ...]  # deals this company seeks and they offer
    they_seek: tuple[str, ...]  # deals they seek and this company offers
    areas: tuple[str, ...]
    modalities: tuple[str, ...]
    stages: tuple[str, ...]

    @property
    def score(self) -> int:
        return (
            DEAL_POINTS * (len(self.they_offer) + len(self.they_seek))
            + AREA_POINTS * len(self.areas)
            + MODALITY_POINTS * len(self.modalities)
            + STAGE_POINTS * len(self.stages)
        )


@dataclass(frozen=True)
class Suggestion:
    company_id: int
    name: str
    match: Match


def match(mine: Interests, theirs: Interests) -> Match | None:
    they_offer = tuple(sorted(mine.seeks & theirs.offers))
    they_seek = tuple(sorted(theirs.seeks & mine.offers))
    if not (they_offer or they_seek):
        return None
    return Match(
        they_offer,
        they_seek,
        tuple(sorted(mine.areas & theirs.areas)),
        tuple(sorted(mine.modalities & theirs.modalities)),
        tuple(sorted(mine.stages & theirs.stages)),
    )


def _interests(company_id: int, name: str, facets: str) -> Interests:
    """Read from the profile's facet tokens (one text column, not five JSON ones: a tenth
    of the time at 4,100 companies)."""
    codes: dict[str, set[str]] = {}
    for token in facets.split():
        field, _, code = token.partition(":")
        codes.setdefault(field, set()).add(code)

    def of(field: str) -> frozenset[str]:
        return frozenset(codes.get(field, ()))

    return Interests(
        company_id,
        name,
        of("therapeutic_areas"),
        of("modalities"),
        of("stages"),
        of("offers"),
        of("seeks"),
    )


def suggestions(session: Session, company: Company, most: int = SHOWN) -> list[Suggestion]:
    """The best matches for `company` among the visible profiles it has no request with."""
    columns = (CompanyProfile.company_id, Company.name, CompanyProfile.facets)
    own = session.execute(
        select(*columns)
        .join(Company, Company.id == CompanyProfile.company_id)
        .where(CompanyProfile.company_id == company.id)
    ).first()
    if own is None:
        return []
    mine = _interests(*own)
    if not (mine.offers or mine.seeks):
        return []
    asked = {
        other
        for pair in session.execute(
            select(MeetingRequest.requester_id, MeetingRequest.requested_id).where(
                involving(company)
            )
        )
        for other in pair
    }
    # Only profiles with a deal to match are read at all.
    deal = or_(
        *(c for c in (facet("offers", mine.seeks), facet("seeks", mine.offers)) if c is not None)
    )
    candidates = visible(company.event_id, company.id).where(deal).with_only_columns(*columns)
    found = []
    for row in session.execute(candidates):
        theirs = _interests(*row)
        if theirs.company_id in asked:
            continue
        why = match(mine, theirs)
        if why is not None:
            found.append(Suggestion(theirs.company_id, theirs.name, why))
    found.sort(key=lambda s: (-s.match.score, s.name.casefold(), s.company_id))
    return found[:most]


def _listed(labels: list[str]) -> str:
    return _(", ").join(labels)


def reasons(found: Match) -> list[str]:
    """The match in sentences, in the visitor's language: what makes up the score."""
    areas = _listed([THERAPEUTIC_AREAS.label(a) for a in found.areas])
    said = []
    for code in found.they_offer:
        deal = DEALS[code]
        if areas:
            said.append(
                _(
                    "You seek %(sought)s in %(areas)s; they offer %(offered)s in %(areas)s.",
                    sought=_(deal.sought),
                    offered=_(deal.offered),
                    areas=areas,
                )
            )
        else:
            said.append(
                _(
                    "You seek %(sought)s; they offer %(offered)s.",
                    sought=_(deal.sought),
                    offered=_(deal.offered),
                )
            )
    for code in found.they_seek:
        deal = DEALS[code]
        said.append(
            _(
                "They seek %(sought)s; you offer %(offered)s.",
                sought=_(deal.sought),
                offered=_(deal.offered),
            )
        )
    if found.modalities:
        said.append(
            _(
                "Both work with %(modalities)s.",
                modalities=_listed([MODALITIES.label(m) for m in found.modalities]),
            )
        )
    if found.stages:
        said.append(
            _("Both at %(stages)s.", stages=_listed([STAGES.label(s) for s in found.stages]))
        )
    return said


def score_words(found: Match) -> str:
    """'Score 11: 2 deals x 3, 2 areas x 2, 1 modality x 1' in the visitor's language."""
    parts = [
        _(
            "%(count)d deal(s) x %(points)d",
            count=len(found.they_offer) + len(found.they_seek),
            points=DEAL_POINTS,
        )
    ]
    if found.areas:
        parts.append(
            _("%(count)d area(s) x %(points)d", count=len(found.areas), points=AREA_POINTS)
        )
    if found.modalities:
        parts.append(
            _(
                "%(count)d modality(ies) x %(points)d",
                count=len(found.modalities),
                points=MODALITY_POINTS,
            )
        )
    if found.stages:
        parts.append(
            _("%(count)d stage(s) x %(points)d", count=len(found.stages), points=STAGE_POINTS)
        )
    return _("Score %(score)d: %(parts)s", score=found.score, parts=_listed(parts))
