"""The app in a real browser (Debian's Chromium driven by Playwright), against the real
server (waitress) and a real job queue (SQLite Huey worked by threads): the organiser's whole
path and a company's. Screenshots of the main pages go to docs/screenshots/ for the README."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest

from tests.services import service_missing

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
EXAMPLE = ROOT / "examples" / "biojapan-2026" / "instance.json"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app behind waitress on a free port, with a queue consumer, on a fresh database."""
    from waitress import create_server

    from web.app import create_app
    from web.auth.operations import create_organiser
    from web.db import make_engine, transaction
    from web.migrations import upgrade

    folder = tmp_path_factory.mktemp("instance")
    url = f"sqlite:///{folder / 'app.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        create_organiser(session, "organiser@example.org", "correct horse")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PARTNERING_INSTANCE_PATH", str(folder))
        patch.delenv("REDIS_URL", raising=False)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "browser-test"})
    consumer = app.extensions["partnering.queue"].huey.create_consumer(
        workers=1, worker_type="thread"
    )
    consumer.start()
    httpd = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.effective_port}"
    httpd.close()
    consumer.stop(graceful=False)
    engine.dispose()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        service_missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        service_missing("the playwright package is missing (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def test_organiser_and_company(server, browser, tmp_path):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    # The organiser logs in and imports the example event.
    page.goto(f"{server}/")
    expect(page).to_have_url(re.compile(r"/login"))
    page.fill("input[name=email]", "organiser@example.org")
    page.fill("input[name=password]", "correct horse")
    shot(page, "login")
    page.click("button[type=submit]")
    page.fill("input[name=slug]", "biojapan-2026")
    page.set_input_files("input[name=file]", str(EXAMPLE))
    page.click("form[action$='/events/import'] button[type=submit]")
    expect(page.locator("h1")).to_contain_text("BioJapan 2026 Partnering")
    shot(page, "event-overview")

    # ... solves it, watching progress, and publishes.
    page.click("nav.sub >> text=Solve")
    page.fill("input[name=time_limit]", "5")
    page.click("text=Start solving")
    expect(page.locator("#status")).to_have_text("finished", timeout=60_000)
    expect(page.locator('[data-figure="scheduled"]')).not_to_have_text("\u2013")
    shot(page, "solve-progress")
    page.click("#review")
    expect(page.locator("h1")).to_contain_text("Version 1")
    shot(page, "review")
    page.click("text=Publish this version")
    expect(page.locator(".flash.success")).to_contain_text("published")

    # Two companies' private links, from the organiser's company list.
    page.click("nav.sub >> text=Companies")
    links = page.locator("table a[href^='/c/']")
    first, second = links.nth(0).get_attribute("href"), links.nth(1).get_attribute("href")
    page.close()

    # A company asks another for a meeting; the other accepts it on its own page.
    company = browser.new_page(viewport={"width": 1280, "height": 860}, accept_downloads=True)
    company.goto(f"{server}{first}")
    asker = company.locator("h1").inner_text()
    options = company.locator("select[name=to] option")
    if options.count() == 0:
        pytest.fail("the first company has a request with everyone: pick another")
    target = options.nth(0).inner_text()
    company.select_option("select[name=to]", label=target)
    company.click("text=Send request")
    expect(company.locator(".flash.success")).to_contain_text(target)
    company.close()

    phone = browser.new_page(viewport=PHONE, accept_downloads=True, is_mobile=True)
    phone.goto(f"{server}/events/biojapan-2026/companies/")  # not logged in here
    expect(phone).to_have_url(re.compile(r"/login"))
    target_link = _link_of(browser, server, target)
    phone.goto(f"{server}{target_link}")
    row = phone.locator("#requests li", has_text=asker)
    row.locator("button", has_text="Accept").click()
    expect(phone.locator("#requests li", has_text=asker).locator(".status")).to_have_text(
        "accepted"
    )
    expect(phone.locator("ol.agenda li").first).to_be_visible()
    phone.evaluate("window.scrollTo(0, 0)")
    shot(phone, "company-phone")
    with phone.expect_download() as download:
        phone.click("text=Download .ics")
    saved = tmp_path / "agenda.ics"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"BEGIN:VCALENDAR")
    phone.close()

    desktop = browser.new_page(viewport={"width": 1280, "height": 860})
    desktop.goto(f"{server}{second}")
    shot(desktop, "company")
    desktop.close()


def _link_of(browser, server: str, name: str) -> str:
    """The private link of company `name`, read from the organiser's list."""
    page = browser.new_page()
    page.goto(f"{server}/login")
    page.fill("input[name=email]", "organiser@example.org")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.goto(f"{server}/events/biojapan-2026/companies/")
    link = page.locator("tr", has_text=name).locator("a[href^='/c/']").get_attribute("href")
    page.close()
    return link
