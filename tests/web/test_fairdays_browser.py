"""The fair on a phone in a real browser (Debian's Chromium through Playwright), in English
and Japanese, against the real server: a company checks in to its meeting, the other marks a
no-show, one books a free time, and rates a meeting; the desk's board on a phone and a wall
screen. Screenshots go to docs/screenshots/fair-*.png."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from tests.services import service_missing
from tests.web.fairdays_builders import HALF_PAST_TEN, TEN, company, published_fair
from tests.web.test_browser import ARGS, CHROMIUM, PHONE, shot

WORDS = {
    "en": {
        "held": "Held",
        "absent": "They did not come",
        "marked": "Marked: held.",
        "no_show": "Marked: the other side did not come.",
        "book": "Book a free time",
        "show": "Show free times",
        "booked": "It is on your agenda",
        "rate": "Rate this meeting",
        "save": "Save",
        "rated": "Your rating: 4 of 5",
        "board": "not checked in",
        "no_show_state": "no-show",
    },
    "ja": {
        "held": "実施",
        "absent": "相手企業が来なかった",
        "marked": "記録しました：実施。",  # noqa: RUF001 - Japanese full-width colon
        "no_show": "記録しました：相手企業が来ませんでした。",  # noqa: RUF001 - Japanese full-width colon
        "book": "空き時間を予約",
        "show": "空き時間を表示",
        "booked": "アジェンダに追加されています",
        "rate": "この商談を評価",
        "save": "保存",
        "rated": "自社の評価：5段階中 4",  # noqa: RUF001 - Japanese full-width colon
        "board": "未チェックイン",
        "no_show_state": "欠席",
    },
}


@pytest.fixture(scope="module")
def fair_server(tmp_path_factory):
    """The app behind waitress on a free port with a clock the test sets."""
    from waitress import create_server

    from web.app import create_app
    from web.auth.operations import create_organiser
    from web.db import make_engine, make_session_factory, transaction
    from web.migrations import upgrade

    folder = tmp_path_factory.mktemp("fair")
    url = f"sqlite:///{folder / 'app.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        create_organiser(session, "organiser@example.org", "correct horse")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PARTNERING_INSTANCE_PATH", str(folder))
        patch.delenv("REDIS_URL", raising=False)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "fair-browser-test"})
    clock = {"now": TEN}
    app.config["CLOCK"] = lambda: clock["now"]
    httpd = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.effective_port}", make_session_factory(engine), clock
    httpd.close()
    engine.dispose()


@pytest.fixture(scope="module")
def chromium():
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


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_company_checks_in_marks_a_no_show_books_and_rates_on_a_phone(
    fair_server, chromium, language
):
    from playwright.sync_api import expect

    server, sessions, clock = fair_server
    words = WORDS[language]
    with sessions() as session:
        event = published_fair(session, slug=f"fair-{language}")
        acme, big, cell = (company(session, c, event) for c in ("acme", "big", "cell"))
        links = {c.external_id: f"{server}/c/{c.access_token}/" for c in (acme, big, cell)}
        big_2 = next(a for a in big.attendees if a.external_id == "big-2")
        links["big-2"] = f"{server}/p/{big_2.access_token}/"  # the person's own link
    locale = "ja-JP" if language == "ja" else "en-GB"
    phone = chromium.new_context(viewport=PHONE, locale=locale, device_scale_factor=2)
    page = phone.new_page()

    # 10:05: acme checks in to its meeting with Big Pharma in one tap.
    clock["now"] = TEN + timedelta(minutes=5)
    page.goto(links["acme"])
    first = page.locator("ol.agenda li").first
    first.get_by_role("button", name=words["held"], exact=True).click()
    expect(page.locator(".flash.success")).to_have_text(words["marked"])
    shot(page, f"fair-check-in-{language}")

    # 10:35: Big Pharma's person at the meeting with Cell Co says, from their own link on
    # their phone, that Cell Co did not come.
    clock["now"] = HALF_PAST_TEN + timedelta(minutes=5)
    page.goto(links["big-2"])
    second = page.locator("ol.agenda li", has_text="Cell Co")
    second.get_by_role("button", name=words["absent"]).click()
    expect(page.locator(".flash.success")).to_have_text(words["no_show"])
    shot(page, f"fair-no-show-{language}")
    page.goto(links["big"])  # the company's page shows what its person marked
    expect(page.locator("ol.agenda li", has_text="Cell Co")).to_contain_text(words["no_show_state"])

    # acme books the free 11:00 with Cell Co (confirmed at once) ...
    page.goto(links["acme"])
    page.get_by_role("link", name=words["book"]).click()
    page.select_option("select[name=with]", label="Cell Co")
    page.get_by_role("button", name=words["show"]).click()
    shot(page, f"fair-free-times-{language}")
    page.locator("ul.slots li", has_text="11:00").get_by_role("button").click()
    expect(page.locator(".flash.success")).to_contain_text(words["booked"])
    expect(page.locator("ol.agenda li", has_text="11:00")).to_contain_text("Cell Co")

    # ... and rates its 10:00 meeting.
    page.locator("ol.agenda li").first.get_by_role("link", name=words["rate"]).click()
    page.check("input[name=rating][value='4']")
    page.check("input[name=follow_up]")
    page.fill("textarea[name=note]", "Strong fit for our oncology pipeline")
    shot(page, f"fair-rate-{language}")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator("ol.agenda li").first).to_contain_text(words["rated"])
    shot(page, f"fair-agenda-{language}")
    phone.close()


def test_the_board_on_a_phone_and_a_wall_screen(fair_server, chromium):
    from playwright.sync_api import expect

    server, sessions, clock = fair_server
    with sessions() as session:
        published_fair(session, slug="fair-board", tables=2)
    clock["now"] = TEN + timedelta(minutes=7)
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(f"{server}/login")
    page.fill("input[name=email]", "organiser@example.org")
    page.fill("input[name=password]", "correct horse")
    page.click("button[type=submit]")
    page.goto(f"{server}/events/fair-board/board")
    expect(page.locator(".table-now.late")).to_contain_text("Acme Bio")
    expect(page.locator(".table-now.free")).to_contain_text("Table 2")
    shot(page, "fair-board-phone")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{server}/events/fair-board/board?layout=wall")
    assert page.evaluate("document.documentElement.scrollHeight") <= 1080  # no scrolling
    lowest = (
        "Math.max(...[...document.querySelectorAll('.table-now')]"
        ".map(e => e.getBoundingClientRect().bottom))"
    )
    assert page.evaluate(lowest) <= 1080  # every table of the hall in sight
    shot(page, "fair-board-wall")
    sheet = f"{server}/events/fair-board/board/tables/{_first_table(sessions)}"
    page.goto(sheet)
    expect(page.locator("figure.qr svg")).to_be_visible()
    shot(page, "fair-table-sheet")
    assert scanned(page.locator("figure.qr svg").screenshot()) == [sheet]  # as a phone reads it
    context.close()


def scanned(png: bytes) -> list[str]:
    """What a QR reader (ZXing, the library of Android's scanners) reads in a picture."""
    import io

    import zxingcpp
    from PIL import Image

    return [found.text for found in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def _first_table(sessions) -> int:
    from sqlalchemy import select

    from web.events.models import Event, Location

    with sessions() as session:
        event = session.scalar(select(Event).where(Event.slug == "fair-board"))
        return session.scalar(select(Location.id).where(Location.event_id == event.id))
