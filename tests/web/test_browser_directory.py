"""The directory in a real browser (Chromium through Playwright, waitress, a fresh SQLite
database): a San Diego company searches in English and Japanese, filters, shortlists,
opens a corporate's profile and asks for a meeting; it fills its own profile; the corporate
sees the request. Desktop and phone, English and Japanese; screenshots for the README."""

from __future__ import annotations

import re
from pathlib import Path

from tests.web.test_browser import PHONE, browser, server, shot  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "biojapan-2026" / "instance.json"
PROFILES = ROOT / "examples" / "biojapan-2026" / "profiles" / "companies.csv"
DESKTOP = {"width": 1280, "height": 860}


def _organiser_loads_the_example(page, server: str) -> dict[str, str]:  # noqa: F811 - fixture
    page.goto(f"{server}/login")
    page.fill("input[name=email]", "organiser@example.org")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.fill("input[name=slug]", "biojapan-2026")
    page.set_input_files("input[name=file]", str(EXAMPLE))
    page.click("form[action$='/events/import'] button[type=submit]")
    page.set_input_files("form[action$='/import'] input[name=file]", str(PROFILES))
    page.click("form[action$='/import'] button[type=submit]")
    page.goto(f"{server}/events/biojapan-2026/companies/")
    links = {}
    for name in ("Torrey Pines Biologics", "Daiichi Sankyo"):
        row = page.locator("tr", has_text=name)
        links[name] = row.locator("a[href^='/c/']").get_attribute("href")
    return links


def test_search_shortlist_and_ask_in_a_browser(server, browser):  # noqa: F811
    from playwright.sync_api import expect

    organiser = browser.new_page(viewport=DESKTOP)
    links = _organiser_loads_the_example(organiser, server)
    organiser.close()
    page = browser.new_context(viewport=DESKTOP).new_page()
    page.goto(server + links["Torrey Pines Biologics"])
    page.click("nav.sub >> text=Directory")
    expect(page.locator("h1")).to_have_text("Directory")
    expect(page.locator("#suggested li").first).to_be_visible()
    shot(page, "directory")

    # English, then Japanese: a Japanese query finds a Japanese description.
    page.fill("input[name=q]", "dementia")
    page.click("form.directory-search button[type=submit]")
    expect(page.locator("ul.directory > li")).to_have_count(1)
    expect(page.locator("ul.directory")).to_contain_text("Eisai")
    page.fill("input[name=q]", "抗体")
    page.locator("details.filters-box").evaluate("d => { d.open = true; }")
    page.select_option("select[name=country]", "JP")
    page.click("form.directory-search button[type=submit]")
    results = page.locator("ul.directory")
    expect(results).to_contain_text("Daiichi Sankyo")
    expect(results).not_to_contain_text("Torrey")  # not itself, and not the US companies
    expect(results).not_to_contain_text("Carmel Valley")
    shot(page, "directory-search")

    # The shortlist, from the list.
    entry = page.locator("ul.directory > li", has_text="Daiichi Sankyo")
    entry.locator("button", has_text="Shortlist").click()
    expect(page.locator(".flash.success")).to_contain_text("Daiichi Sankyo is on your shortlist")
    entry = page.locator("ul.directory > li", has_text="Daiichi Sankyo")
    expect(entry.locator("button.shortlisted")).to_be_visible()
    page.click("nav.sub >> text=Your shortlist")
    expect(page.locator("ul.directory > li")).to_have_count(1)

    # The profile, and asking for a meeting from it.
    page.click("ul.directory >> text=Daiichi Sankyo")
    expect(page.locator("h1")).to_have_text("Daiichi Sankyo")
    expect(page.locator(".description")).to_contain_text("抗体薬物複合体")
    page.fill("input[name=priority]", "5")
    page.locator("#ask input[name=windows]").first.check()
    page.fill("input[name=notes]", "Our lead ADC enters Phase 1 in 2027.")
    shot(page, "directory-profile")
    page.click("#ask button[type=submit]")
    expect(page.locator(".flash.success")).to_contain_text("Request sent to Daiichi Sankyo")
    expect(page.locator("#ask")).to_contain_text("already have a request")

    # Its own profile.
    page.click("nav.sub >> text=Your profile")
    page.fill("textarea[name=description]", "抗体医薬のスタートアップ。Bispecific antibodies.")
    page.locator("input[name=therapeutic_areas][value=oncology]").check()
    page.click("form.profile-form button[type=submit]")
    expect(page.locator(".flash.success")).to_contain_text("is saved")

    # Japanese, on a phone.
    page.click("button[name=language][value=ja]")
    page.click("nav.sub >> text=企業一覧")
    expect(page.locator("h1")).to_have_text("企業一覧")
    page.set_viewport_size(PHONE)
    page.fill("input[name=q]", "細胞治療")
    page.click("form.directory-search button[type=submit]")
    expect(page.locator("ul.directory")).to_contain_text("Astellas Pharma")
    shot(page, "directory-phone-ja")
    page.click("ul.directory >> text=Astellas Pharma")
    expect(page.locator("h1")).to_have_text("Astellas Pharma")
    page.wait_for_load_state("load")  # the profile's style sheet, before its width is read
    shot(page, "directory-profile-phone-ja")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, width  # nothing wider than the phone

    # The corporate sees the request on its page (the directory asked through the usual way).
    corporate = browser.new_page(viewport=DESKTOP)
    corporate.goto(server + links["Daiichi Sankyo"])
    expect(corporate.locator("#requests")).to_contain_text("Torrey Pines Biologics")
    corporate.close()
    assert re.match(r"/c/[A-Za-z0-9_-]{43}/", links["Daiichi Sankyo"])
