"""The directory as companies use it through their links: profile edits (company and
organiser), search in English and Japanese, hiding, the shortlist, asking for a meeting,
suggestions, logos; and that another company's link sees profiles only."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select

from tests.web.conftest import upload
from web.companies.models import Company
from web.meeting_requests.models import MeetingRequest
from web.profiles.models import CompanyLogo, ShortlistEntry


@pytest.fixture
def links(session, dummy_event):
    companies = {c.external_id: c for c in session.scalars(select(Company))}
    return {key: f"/c/{c.access_token}" for key, c in companies.items()}, companies


def save(client, base: str, **fields):
    page = client.get(f"{base}/directory/profile").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    data = {"version": version, **fields}
    return client.post(f"{base}/directory/profile", data=data)


def test_a_company_fills_its_profile_and_another_finds_it_in_both_languages(client, links):
    link, companies = links
    response = save(
        client,
        link["acme"],
        description="Antibody discovery.\n抗体医薬の創薬プラットフォーム。",
        website="acme.example.com",
        country="US",
        region="California",
        organisation_type="biotech",
        therapeutic_areas=["oncology", "immunology"],
        offers=["licensing"],
        keywords="ADC; bispecific、二重特異性",
        **{f"bio-{companies['acme'].attendees[0].id}": "Founder, 20 years in antibodies."},
        **{f"title-{companies['acme'].attendees[0].id}": "CEO"},
    )
    assert response.status_code == 302
    for query in ("抗体医薬", "抗体", "ANTIBODY", "二重特異性", "adc"):
        page = client.get(f"{link['big']}/directory/", query_string={"q": query})
        assert "Acme Bio" in page.get_data(as_text=True), query
    page = client.get(f"{link['big']}/directory/", query_string={"q": "抗体", "country": "JP"})
    assert "Acme Bio" not in page.get_data(as_text=True)
    profile = client.get(f"{link['big']}/directory/{companies['acme'].id}").get_data(as_text=True)
    assert "抗体医薬の創薬プラットフォーム。" in profile
    assert 'href="https://acme.example.com"' in profile
    assert "Founder, 20 years in antibodies." in profile and "CEO" in profile
    assert "Oncology" in profile and "out-licensing" in profile
    assert "bispecific" in profile and "二重特異性" in profile


def test_bad_profile_values_are_refused_with_the_field_named(client, links):
    link, companies = links
    response = save(client, link["acme"], website="javascript:alert(1)")
    assert response.status_code == 200
    assert "Website: is not a web address" in response.get_data(as_text=True)
    response = save(client, link["acme"], therapeutic_areas=["astrology"])
    assert response.status_code == 200  # not one of the choices: the form says so
    assert companies["acme"].profile.website is None


def test_another_company_sees_the_profile_and_nothing_else(client, links, session):
    link, companies = links
    acme, big = companies["acme"], companies["big"]
    request = session.scalar(select(MeetingRequest).where(MeetingRequest.requester_id == acme.id))
    request.notes = "our secret plan"
    # an id no token can contain by chance ("r1" was found inside a viewer's own link)
    request.external_id = "request-of-acme-to-big"
    session.commit()
    for viewer in ("big", "cell"):
        for path in ("/directory/", f"/directory/{acme.id}", f"/directory/{big.id}"):
            body = client.get(link[viewer] + path).get_data(as_text=True)
            assert "our secret plan" not in body
            assert request.external_id not in body
            for other, company in companies.items():
                if other != viewer:
                    assert company.access_token not in body
                    assert all(a.access_token not in body for a in company.attendees)
    # its own profile is not a directory page; another event's company is not there
    assert client.get(f"{link['cell']}/directory/{companies['cell'].id}").status_code == 404
    assert client.get(f"{link['cell']}/directory/99999").status_code == 404


def test_hiding_by_the_organiser_and_by_the_company(organiser, links, session):
    link, companies = links
    acme = companies["acme"]
    assert organiser.post(f"/events/tiny/companies/{acme.id}/profile/hide", data={"hidden": "1"})
    assert organiser.get(f"{link['big']}/directory/{acme.id}").status_code == 404
    assert "Acme Bio" not in organiser.get(f"{link['big']}/directory/").get_data(as_text=True)
    own = organiser.get(f"{link['acme']}/directory/profile").get_data(as_text=True)
    assert "The organiser has taken your profile out of the directory" in own
    organiser.post(f"{link['acme']}/directory/profile/hide", data={"hidden": "0"})
    assert organiser.get(f"{link['big']}/directory/{acme.id}").status_code == 404  # still
    organiser.post(f"/events/tiny/companies/{acme.id}/profile/hide", data={"hidden": "0"})
    assert organiser.get(f"{link['big']}/directory/{acme.id}").status_code == 200
    organiser.post(f"{link['acme']}/directory/profile/hide", data={"hidden": "1"})
    assert organiser.get(f"{link['big']}/directory/{acme.id}").status_code == 404
    # the hidden company cannot be shortlisted or asked either
    assert organiser.post(f"{link['cell']}/directory/{acme.id}/shortlist").status_code == 404
    assert organiser.post(f"{link['cell']}/directory/{acme.id}/ask").status_code == 404


def test_the_organiser_edits_a_profile(organiser, links, session):
    _link, companies = links
    acme = companies["acme"]
    page = organiser.get(f"/events/tiny/companies/{acme.id}/profile").get_data(as_text=True)
    version = page.split('name="version" type="hidden" value="')[1].split('"')[0]
    response = organiser.post(
        f"/events/tiny/companies/{acme.id}/profile",
        data={"version": version, "description": "横浜の創薬ベンチャー", "seeks": ["investment"]},
    )
    assert response.status_code == 302
    session.rollback()
    assert session.get(Company, acme.id).profile.description == "横浜の創薬ベンチャー"
    stale = organiser.post(
        f"/events/tiny/companies/{acme.id}/profile", data={"version": version, "description": "x"}
    )
    assert stale.status_code == 302
    session.rollback()
    assert session.get(Company, acme.id).profile.description == "横浜の創薬ベンチャー"


def test_the_shortlist_is_private_to_the_company(client, links, session):
    link, companies = links
    acme, big = companies["acme"], companies["big"]
    client.post(f"{link['cell']}/directory/{big.id}/shortlist", data={"listed": "1"})
    client.post(f"{link['cell']}/directory/{acme.id}/shortlist", data={"listed": "1"})
    client.post(f"{link['cell']}/directory/{acme.id}/shortlist", data={"listed": "0"})
    session.rollback()
    rows = session.execute(select(ShortlistEntry.company_id, ShortlistEntry.listed_id)).all()
    assert rows == [(companies["cell"].id, big.id)]
    mine = client.get(f"{link['cell']}/directory/", query_string={"shortlisted": "1"})
    assert f'data-company="{big.id}"' in mine.get_data(as_text=True)
    assert f'data-company="{acme.id}"' not in mine.get_data(as_text=True)
    theirs = client.get(f"{link['acme']}/directory/", query_string={"shortlisted": "1"})
    assert "Big Pharma" not in theirs.get_data(as_text=True)  # acme listed no one


def test_ask_for_a_meeting_from_a_profile(client, links, session, dummy_event):
    link, companies = links
    acme, cell = companies["acme"], companies["cell"]
    sessions = [s for d in dummy_event.days for s in d.sessions]
    response = client.post(
        f"{link['cell']}/directory/{acme.id}/ask",
        data={"priority": "4", "windows": [str(sessions[0].id)], "notes": "met at BIO"},
    )
    assert response.status_code == 302
    session.rollback()
    made = session.scalar(
        select(MeetingRequest).where(
            MeetingRequest.requester_id == cell.id, MeetingRequest.requested_id == acme.id
        )
    )
    assert (made.status, made.priority, made.notes) == ("requested", 4, "met at BIO")
    assert [(w.start, w.end) for w in made.within] == [(sessions[0].start, sessions[0].end)]
    again = client.post(f"{link['cell']}/directory/{acme.id}/ask", data={"priority": "2"})
    assert again.status_code == 302
    page = client.get(f"{link['cell']}/directory/{acme.id}").get_data(as_text=True)
    assert "already have a request" in page  # the flash, then the page says so too
    bad = client.post(f"{link['cell']}/directory/{companies['big'].id}/ask", data={"priority": 9})
    assert bad.status_code == 302
    session.rollback()
    assert len(session.scalars(select(MeetingRequest)).all()) == 3


def test_suggestions_say_why_in_both_languages(client, links, session):
    link, _companies = links
    save(
        client,
        link["acme"],
        therapeutic_areas=["oncology"],
        offers=["licensing"],
        modalities=["antibody"],
    )
    save(
        client,
        link["cell"],
        therapeutic_areas=["oncology"],
        seeks=["licensing"],
        offers=["research"],
        modalities=["antibody"],
    )
    save(client, link["big"], seeks=["research"])
    page = client.get(f"{link['cell']}/directory/").get_data(as_text=True)
    assert "Suggested for you" in page
    assert "You seek in-licensing in Oncology; they offer out-licensing in Oncology." in page
    assert "Score 6: 1 deal(s) x 3, 1 area(s) x 2, 1 modality(ies) x 1" in page
    suggested = page[page.index('id="suggested"') :]
    assert suggested.index("Acme Bio") < suggested.index("Big Pharma")  # 6 points before 3
    client.post("/language", data={"language": "ja", "back": "/"})
    japanese = client.get(f"{link['cell']}/directory/").get_data(as_text=True)
    assert "おすすめの企業" in japanese
    assert "自社はがんで導入を求めています。相手はがんで導出を提供しています。" in japanese


def png(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "navy").save(out, format="PNG")
    return out.getvalue()


def test_a_logo_is_checked_re_encoded_and_served_as_an_image(client, links, session):
    link, companies = links
    acme = companies["acme"]
    jpeg = io.BytesIO()
    Image.new("RGB", (1200, 600), "red").save(jpeg, format="JPEG")
    response = upload(client, f"{link['acme']}/directory/profile/logo", "logo.jpg", jpeg.getvalue())
    assert response.status_code == 302
    session.rollback()
    stored = session.get(CompanyLogo, acme.id)
    assert stored.image.startswith(b"\x89PNG") and (stored.width, stored.height) == (400, 200)
    served = client.get(f"{link['big']}/directory/{acme.id}/logo.png")
    assert served.status_code == 200 and served.mimetype == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert served.data == stored.image
    for name, body in (
        ("evil.png", b"<html><script>alert(1)</script></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
        ("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 10)),
    ):
        refused = upload(client, f"{link['acme']}/directory/profile/logo", name, body)
        assert refused.status_code == 302
        session.rollback()
        assert session.get(CompanyLogo, acme.id).image == stored.image, name
    bomb = png((6000, 6000))
    upload(client, f"{link['acme']}/directory/profile/logo", "bomb.png", bomb)
    session.rollback()
    assert session.get(CompanyLogo, acme.id).image == stored.image
