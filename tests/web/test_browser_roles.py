"""Roles and the audit trail in a real browser (Chromium via Playwright): the owner invites a
viewer with the link shown to copy, the viewer makes an account from it and sees the event
without its forms, a change shows up in the audit trail with before and after; the members
and audit pages on a desktop and a phone, in English and Japanese (screenshots in
docs/screenshots)."""

from __future__ import annotations

import re

from tests.web import test_browser
from tests.web.test_browser import EXAMPLE, PHONE, shot

server = test_browser.server
browser = test_browser.browser
DESKTOP = {"width": 1280, "height": 860}


def log_in(page, server: str, email: str, password: str) -> None:
    page.goto(f"{server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def language(page, code: str) -> None:
    page.click(f"form.language button[value={code}]")


def test_invite_a_viewer_and_read_the_audit_trail(server, browser):
    from playwright.sync_api import expect

    owner = browser.new_page(viewport=DESKTOP)
    log_in(owner, server, "organiser@example.org", "correct horse")
    owner.fill("input[name=slug]", "roles-fair")
    owner.set_input_files("input[name=file]", str(EXAMPLE))
    owner.click("form[action$='/events/import'] button[type=submit]")
    expect(owner.locator("h1")).to_contain_text("BioJapan 2026 Partnering")

    # The owner invites a viewer; mail is not configured, so the link is there to copy.
    owner.click("nav.sub >> text=Members")
    owner.fill("form.invite input[name=email]", "yuki@example.org")
    owner.select_option("form.invite select[name=role]", "viewer")
    owner.click("form.invite button[type=submit]")
    link = owner.locator("input.copy").first.input_value()
    assert re.search(r"/invitations/[A-Za-z0-9_-]{43}$", link)
    shot(owner, "members")

    # The viewer makes an account from the link, and sees the event without its forms.
    viewer = browser.new_page(viewport=PHONE)
    viewer.goto(link)
    expect(viewer.locator("h1")).to_contain_text("Join")
    viewer.fill("input[name=name]", "Yuki Tanaka")
    viewer.fill("input[name=password]", "a long passphrase")
    viewer.fill("input[name=confirm]", "a long passphrase")
    viewer.click("form.box button[type=submit]")
    expect(viewer.locator(".role-badge")).to_be_visible()
    viewer.click("nav.sub >> text=Companies")
    viewer.locator("table a").first.click()
    expect(viewer.locator("main form[method=post]").first).to_be_hidden()  # waits for the page
    shot(viewer, "viewer-company-phone")

    # The owner changes a company; the trail shows it with before and after.
    owner.click("nav.sub >> text=Companies")
    owner.locator("table a").first.click()
    owner.click("main a.button >> text=Edit")
    owner.fill("input[name=name]", "Astellas Pharma (Tsukuba)")
    owner.click("main form button[type=submit]")
    owner.click("nav.sub >> text=Audit trail")
    expect(owner.locator("td.after").first).to_contain_text("Astellas Pharma (Tsukuba)")
    expect(owner.locator("article[data-kind=import]")).to_have_count(1)
    shot(owner, "audit-trail")
    owner.set_viewport_size(PHONE)
    shot(owner, "audit-trail-phone")
    owner.click("nav.sub >> text=Members")
    shot(owner, "members-phone")

    # And in Japanese.
    language(owner, "ja")
    expect(owner.locator("h1")).to_have_text("メンバー")
    shot(owner, "members-ja-phone")
    owner.set_viewport_size(DESKTOP)
    shot(owner, "members-ja")
    owner.click("nav.sub >> text=変更履歴")
    expect(owner.locator("h1")).to_have_text("変更履歴")
    shot(owner, "audit-trail-ja")
    owner.set_viewport_size(PHONE)
    shot(owner, "audit-trail-ja-phone")
    owner.close()
    viewer.close()
