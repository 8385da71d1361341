"""The directory's search: the same results on SQLite (FTS5 trigram) and PostgreSQL
(pg_trgm), in English and Japanese, for terms of any length; filters; the index follows
renames, edits, new companies, imports and deletions."""

# ruff: noqa: RUF001 - full-width letters are what these tests are about
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.web.conftest import create_event
from web.companies.models import Company
from web.profiles.directory import Filters, search, visible_profile
from web.profiles.operations import profile_of, save_profile, set_hidden
from web.profiles.search import fold

PROFILES = {
    "acme": {
        "description": "Antibody discovery for solid tumours. 抗体医薬の創薬プラットフォーム。",
        "keywords": ["ADC", "bispecific"],
        "therapeutic_areas": ["oncology"],
        "offers": ["licensing"],
        "country": "US",
    },
    "big": {
        "description": "大手製薬企業。がん領域と免疫領域で導入を検討しています。",
        "keywords": ["in-licensing", "Ｒ＆Ｄ"],
        "therapeutic_areas": ["oncology", "immunology"],
        "seeks": ["licensing"],
        "organisation_type": "pharma",
        "country": "JP",
    },
    "cell": {
        "description": "iPS細胞由来の細胞治療。Cell therapy for Parkinson's disease.",
        "keywords": ["iPSC", "再生医療"],
        "therapeutic_areas": ["neurology", "regenerative"],
        "modalities": ["cell_therapy"],
        "country": "JP",
    },
}


@pytest.fixture
def profiled(session, dummy_event):
    companies = {c.external_id: c for c in session.scalars(select(Company))}
    for key, values in PROFILES.items():
        company = companies[key]
        save_profile(session, company, profile_of(session, company).version_id, values)
    # A fourth company that views the directory and appears in nobody's results itself.
    viewer = Company(event=dummy_event, external_id="viewer", name="Viewer KK", role="corporate")
    session.add(viewer)
    session.commit()
    return {**companies, "viewer": viewer}


def found(session, viewer, query="", **chosen) -> list[str]:
    filters = Filters(query=query, chosen={k: tuple(v) for k, v in chosen.items()})
    page = search(session, viewer, filters, size=100)
    ids = {c.id: c.external_id for c in session.scalars(select(Company))}
    return [ids[p.company_id] for p in page.profiles]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["acme", "big", "cell"]),  # no query: everyone but the viewer, by name
        ("antibody", ["acme"]),
        ("ANTIBODY tumours", ["acme"]),  # every term, any case
        ("抗体", ["acme"]),  # two characters: below the trigram, the LIKE rule
        ("抗体医薬", ["acme"]),  # Japanese, no spaces: a trigram search
        ("免疫領域", ["big"]),
        ("がん", ["big"]),
        ("細胞", ["cell"]),
        ("細", ["cell"]),  # one character
        ("ad", ["acme"]),  # "ADC"
        ("ce", ["big", "cell"]),  # "licensing", "Cell Co"
        ("ipsc", ["cell"]),  # a keyword
        ("r&d", ["big"]),  # full-width keyword, half-width query
        ("Ｐｈａｒｍａ", ["big"]),  # full-width query: the name "Big Pharma"
        ("pharma 導入", ["big"]),
        ("cell 細胞", ["cell"]),
        ("oncology", []),  # a therapeutic area is a filter, not text
        ("100%", []),  # LIKE's wildcards are letters
        ("_", []),
        ('"', []),  # FTS5's quote is a letter too
        ("xyz", []),
    ],
)
def test_search_gives_the_same_results_on_both_databases(session, profiled, query, expected):
    assert found(session, profiled["viewer"], query) == expected


def test_filters_on_controlled_fields_role_and_shortlist(session, profiled):
    viewer = profiled["viewer"]
    assert found(session, viewer, therapeutic_areas=["oncology"]) == ["acme", "big"]
    assert found(session, viewer, therapeutic_areas=["neurology", "immunology"]) == ["big", "cell"]
    assert found(session, viewer, country=["JP"]) == ["big", "cell"]
    assert found(session, viewer, "細胞", country=["JP"]) == ["cell"]
    assert found(session, viewer, offers=["licensing"]) == ["acme"]
    assert found(session, viewer, seeks=["licensing"]) == ["big"]
    assert found(session, viewer, organisation_type=["pharma"]) == ["big"]
    assert found(session, viewer, modalities=["antibody"]) == []
    roles = search(session, viewer, Filters(role="delegation"), size=100)
    assert {p.company.external_id for p in roles.profiles} == {"acme", "cell"}


def test_the_index_follows_renames_edits_new_companies_and_deletions(session, profiled):
    viewer, acme = profiled["viewer"], profiled["acme"]
    acme.name = "Zeta Biologics"
    session.commit()
    assert found(session, viewer, "zeta") == ["acme"]
    assert found(session, viewer, "acme") == []
    save_profile(session, acme, acme.profile.version_id, {"description": "mRNAワクチン"})
    session.commit()
    assert found(session, viewer, "ワクチン") == ["acme"]
    assert found(session, viewer, "antibody") == []
    newcomer = Company(
        event_id=viewer.event_id, external_id="new", name="横浜バイオ", role="delegation"
    )
    session.add(newcomer)
    session.commit()
    assert found(session, viewer, "横浜バイオ") == ["new"]
    assert found(session, viewer, "横浜") == ["new"]
    session.delete(newcomer)
    session.commit()
    assert found(session, viewer, "横浜") == []


def test_hidden_companies_are_out_of_the_directory_and_their_pages(session, profiled):
    viewer, cell = profiled["viewer"], profiled["cell"]
    set_hidden(session, cell, True, by_organiser=True)
    session.commit()
    assert "cell" not in found(session, viewer)
    assert visible_profile(session, viewer, cell.id) is None
    set_hidden(session, cell, False, by_organiser=False)  # the company cannot undo it
    session.commit()
    assert "cell" not in found(session, viewer)
    set_hidden(session, cell, False, by_organiser=True)
    set_hidden(session, cell, True, by_organiser=False)
    session.commit()
    assert "cell" not in found(session, viewer)
    set_hidden(session, cell, False, by_organiser=False)
    session.commit()
    assert "cell" in found(session, viewer)
    assert visible_profile(session, viewer, viewer.id) is None  # not its own, here


def test_an_imported_event_is_searchable_at_once(session):
    event = create_event(session, "other")
    viewer = session.scalar(select(Company).where(Company.event_id == event.id).limit(1))
    names = sorted(
        c.name for c in session.scalars(select(Company).where(Company.event_id == event.id))
    )
    assert sorted(found_names(session, viewer)) == sorted(n for n in names if n != viewer.name)
    assert found(session, viewer, "big") == ["big"] or viewer.external_id == "big"


def found_names(session, viewer) -> list[str]:
    return [p.company.name for p in search(session, viewer, Filters(), size=100).profiles]


def test_pages(session, dummy_event):
    viewer = session.scalar(select(Company).limit(1))
    for n in range(45):
        session.add(
            Company(event=dummy_event, external_id=f"x{n}", name=f"会社{n:02}", role="delegation")
        )
    session.commit()
    pages = [search(session, viewer, Filters(query="会社"), number=n) for n in (1, 2, 3, 9)]
    assert [p.total for p in pages] == [45] * 4 and pages[0].pages == 3
    assert [len(p.profiles) for p in pages] == [20, 20, 5, 5]  # past the last: the last
    names = [p.company.name for page in pages[:3] for p in page.profiles]
    assert names == sorted(names) and len(set(names)) == 45


def test_fold():
    assert fold("  ＡＢＣ　ﾊﾟｰﾄﾅｰ  ") == "abc パートナー"
