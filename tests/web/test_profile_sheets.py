"""Profiles in the organiser's sheets: every field in, Japanese labels taken for codes,
problems named by row and column with nothing written, and the export reads back the same."""

from __future__ import annotations

from sqlalchemy import select

from tests.web.test_import_sheets import refused, write_csv
from web.companies.models import Company
from web.importing.export import export_file
from web.importing.files import import_file
from web.profiles.directory import Filters, search

HEADING = (
    "id,name,role,description,website,country,region,organisation_type,therapeutic_areas,"
    "modalities,stages,offers,seeks,keywords,hidden\n"
)


def test_profile_columns_are_imported_and_exported_unchanged(session, dummy_event, tmp_path):
    path = write_csv(
        tmp_path,
        "companies.csv",
        HEADING
        + 'acme,Acme Bio,delegation,"抗体医薬の創薬。Antibody discovery.",acme.example.com,US,'
        "California,biotech,oncology; 免疫・炎症,antibody;ADC,phase1,licensing,"
        "co_development; 資金調達,ADC; 二重特異性,no\n"
        "big,Big Pharma,corporate,大手製薬企業,,日本,関西,製薬企業,がん,,,,導入,,yes\n",
    )
    import_file(session, path, "tiny")
    session.commit()
    companies = {c.external_id: c for c in session.scalars(select(Company))}
    acme, big = companies["acme"].profile, companies["big"].profile
    assert acme.therapeutic_areas == ["oncology", "immunology"]
    assert acme.modalities == ["antibody", "adc"] and acme.stages == ["phase1"]
    assert acme.seeks == ["co_development", "investment"] and acme.offers == ["licensing"]
    assert acme.website == "https://acme.example.com" and acme.keywords == ["ADC", "二重特異性"]
    assert (big.country, big.region, big.organisation_type) == ("JP", "関西", "pharma")
    assert big.seeks == ["licensing"] and big.hidden_by_organiser
    viewer = companies["cell"]
    shown = [p.company.external_id for p in search(session, viewer, Filters("抗体医薬")).profiles]
    assert shown == ["acme"]  # searchable at once; big is hidden
    out = tmp_path / "out"
    export_file(session, dummy_event, out.with_suffix(".zip"))
    import zipfile

    with zipfile.ZipFile(out.with_suffix(".zip")) as archive:
        archive.extractall(out)
    report = import_file(session, out, "tiny")
    assert not report.changed
    # a sheet without the profile columns leaves the profiles as they are
    plain = write_csv(tmp_path, "companies.csv", "id,name,role\nacme,Acme Bio,delegation\n")
    import_file(session, plain, "tiny")
    session.commit()
    assert companies["acme"].profile.therapeutic_areas == ["oncology", "immunology"]


def test_a_wrong_profile_cell_is_named_by_row_and_column(session, dummy_event, tmp_path):
    path = write_csv(
        tmp_path,
        "companies.csv",
        HEADING + "acme,Acme Bio,delegation,,javascript:alert(1),XX,,bank,astrology,,,,,,maybe\n",
    )
    problems = refused(session, path)
    assert problems == [
        "companies.csv: row 2, column website: is not a web address such as https://example.com",
        'companies.csv: row 2, column country: "XX" is not a country code such as JP or US',
        "companies.csv: row 2, column organisation_type: " + problems[2].split(": ", 2)[2],
        "companies.csv: row 2, column therapeutic_areas: " + problems[3].split(": ", 2)[2],
        'companies.csv: row 2, column hidden: "maybe" is not yes or no',
    ]
    assert '"bank" is not one of pharma, biotech' in problems[2]
    assert '"astrology" is not one of oncology' in problems[3]
