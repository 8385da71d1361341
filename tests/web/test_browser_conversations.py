# ruff: noqa: RUF001 (Japanese punctuation is what these pages must carry)
"""A request as a conversation in a real browser, on phones, in English and Japanese: a
company asks with a message, the other replies, the first replies back, the other declines
with a reason; the organiser reads the whole thread; the request window and the cap tried at
their edges. Screenshots go to docs/screenshots/ (conversation-*, request-*)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.web.test_browser import EXAMPLE, PHONE, _log_in, browser, server, shot  # noqa: F401

TOKYO = ZoneInfo("Asia/Tokyo")
SLUG = "talk"


def _rules(page, base: str, closes: str = "", cap: str = "") -> None:
    page.goto(f"{base}/events/{SLUG}/setup")
    form = page.locator("#request-rules form")
    form.locator("input[name=closes_at]").fill(closes)
    form.locator("input[name=pending_cap]").fill(cap)
    form.locator("button[type=submit]").click()
    from playwright.sync_api import expect

    expect(page.locator(".flash.success")).to_contain_text("Request rules saved.")


def _clock(minutes: int) -> str:
    """The event's wall clock `minutes` from now, as the setup's field takes it."""
    return (datetime.now(TOKYO) + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M")


def _ask(page, target: str, message: str = "") -> None:
    page.select_option("#send select[name=to]", label=target)
    if message:
        page.fill("#send textarea[name=message]", message)
    page.click("#send button[type=submit]")


def test_a_conversation_and_the_rules_on_phones(server, browser):  # noqa: F811
    from playwright.sync_api import expect

    desk = browser.new_page(viewport={"width": 1280, "height": 900})
    _log_in(desk, server)
    desk.goto(f"{server}/")
    desk.fill("input[name=slug]", SLUG)
    desk.set_input_files("input[name=file]", str(EXAMPLE))
    desk.click("form[action$='/events/import'] button[type=submit]")
    expect(desk.locator("h1")).to_contain_text("BioJapan 2026 Partnering")
    _rules(desk, server, closes=_clock(3 * 24 * 60))
    desk.goto(f"{server}/events/{SLUG}/companies/")
    links = {
        row.locator("td a").first.inner_text(): row.locator("a[href^='/c/']").get_attribute("href")
        for row in desk.locator("table tbody tr").all()
        if row.locator("a[href^='/c/']").count()
    }

    # A delegation member asks a corporate, on its phone, with a message of two lines.
    asker = browser.new_page(viewport=PHONE, is_mobile=True)
    roles = {c["name"]: c["role"] for c in json.loads(EXAMPLE.read_text())["companies"]}
    asker_name = "Torrey Pines Biologics"
    asker.goto(f"{server}{links[asker_name]}")
    options = asker.locator("#send select[name=to] option").all_inner_texts()
    target = next(o for o in options if roles.get(o) == "corporate" and o in links)
    _ask(asker, target, "We would like to discuss our liver model.\n<b>Two</b> lines.")
    expect(asker.locator(".flash.success")).to_contain_text(f"Request sent to {target}")
    mine = asker.locator("#requests .request-list > li", has_text=target)
    expect(mine.locator("ol.thread li.mine")).to_contain_text("<b>Two</b> lines.")
    mine.scroll_into_view_if_needed()
    shot(asker, "conversation-ask-phone")

    # The corporate reads it in Japanese and replies without answering.
    japanese = browser.new_context(viewport=PHONE, is_mobile=True, locale="ja-JP")
    asked = japanese.new_page()
    asked.goto(f"{server}{links[target]}")
    theirs = asked.locator("#requests .request-list > li", has_text=asker_name)
    expect(theirs.locator("ol.thread")).to_contain_text("liver model")
    theirs.locator("form.reply textarea").fill("どの資産についてですか？\n資料があれば。")
    theirs.locator("form.reply button").click()
    expect(asked.locator(".flash.success")).to_contain_text("メッセージを送りました")
    theirs = asked.locator("#requests .request-list > li", has_text=asker_name)
    expect(theirs.locator(".status")).to_have_text("回答待ち")  # a reply answers nothing

    # The asking company reads the reply and writes back.
    asker.reload()
    mine = asker.locator("#requests .request-list > li", has_text=target)
    expect(mine.locator("ol.thread li.theirs")).to_contain_text("どの資産についてですか？")
    mine.locator("form.reply textarea").fill("Our 3D liver tissue, for tox screening.")
    mine.locator("form.reply button").click()
    expect(asker.locator(".flash.success")).to_contain_text(f"Your message to {target} is sent.")

    # The corporate declines with a reason and a word.
    asked.reload()
    theirs = asked.locator("#requests .request-list > li", has_text=asker_name)
    expect(theirs.locator("ol.thread li")).to_have_count(3)
    theirs.locator("details.decline summary").click()
    theirs.locator("select[name=reason]").select_option("in_touch")
    theirs.locator("textarea[name=note]").fill("担当者とすでに話しています。")
    theirs.scroll_into_view_if_needed()
    shot(asked, "conversation-decline-ja-phone")
    theirs.locator("button.declined").click()
    theirs = asked.locator("#requests .request-list > li", has_text=asker_name)
    expect(theirs.locator(".status")).to_have_text("辞退")
    expect(theirs.locator("small.reason")).to_have_text("すでに連絡を取り合っている")
    expect(theirs.locator("form.reply")).to_have_count(0)  # the conversation is closed
    theirs.scroll_into_view_if_needed()
    shot(asked, "conversation-declined-ja-phone")

    asker.reload()
    mine = asker.locator("#requests .request-list > li", has_text=target)
    expect(mine.locator("small.reason")).to_have_text("we are already in touch")
    expect(mine.locator("ol.thread li.decline")).to_contain_text("担当者とすでに話しています。")
    expect(mine.locator("button", has_text="Ask again")).to_have_count(0)  # not allowed here
    mine.scroll_into_view_if_needed()
    shot(asker, "conversation-declined-phone")

    # The organiser reads the whole thread on the request's page.
    desk.goto(f"{server}/events/{SLUG}/requests/?status=declined&q={asker_name[:6]}")
    desk.locator("tr", has_text=target).locator("a.status").click()
    thread = desk.locator("#conversation ol.thread li")
    expect(thread).to_have_count(4)
    expect(desk.locator("#conversation")).to_contain_text("Declined: we are already in touch")
    shot(desk, "conversation-organiser")

    # The window: a request the minute before it closes goes in, the minute after does not.
    _rules(desk, server, closes=_clock(2))
    asker.reload()
    options = [o for o in asker.locator("#send select[name=to] option").all_inner_texts()]
    _ask(asker, options[0])
    expect(asker.locator(".flash.success")).to_contain_text(f"Request sent to {options[0]}")
    closed = _clock(-1)
    _rules(desk, server, closes=closed)
    asker.reload()
    _ask(asker, options[1])
    day = datetime.strptime(closed, "%Y-%m-%dT%H:%M")
    when = f"{day:%b} {day.day} {day:%H:%M} (Asia/Tokyo)"
    expect(asker.locator(".flash.error")).to_have_text(
        f"Requests to meet closed on {when}; for a late request, ask the organiser's desk."
    )
    shot(asker, "request-window-closed-phone")
    asked.goto(f"{server}{links[target]}")
    asked.select_option("#send select[name=to]", index=0)
    asked.click("#send button[type=submit]")
    expect(asked.locator(".flash.error")).to_contain_text(f"{day.month}月{day.day}日 {day:%H:%M}")
    expect(asked.locator(".flash.error")).to_contain_text("受付は")
    shot(asked, "request-window-closed-ja-phone")

    # The cap: exactly at it the request goes in; one more is refused with the numbers.
    _rules(desk, server, cap="1000")
    asker.reload()
    rules_text = asker.locator("#request-rules").inner_text()
    waiting = int(re.search(r"You have (\d+) of at most 1000", rules_text).group(1))
    cap = waiting + 1
    _rules(desk, server, cap=str(cap))
    asker.reload()
    _ask(asker, options[1])
    expect(asker.locator(".flash.success")).to_contain_text(f"Request sent to {options[1]}")
    _ask(asker, options[2])
    expect(asker.locator(".flash.error")).to_have_text(
        f"You have {cap} requests awaiting an answer, and the organiser allows {cap} at once: "
        "withdraw one, or ask again when one is answered."
    )
    expect(asker.locator("#request-rules")).to_contain_text(f"You have {cap} of at most {cap}")
    shot(asker, "request-cap-phone")
    japanese.close()
    asker.close()
    desk.close()
