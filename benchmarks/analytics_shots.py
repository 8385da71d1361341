"""Screenshots of the analytics, capacity and report pages with a BioJapan-size event loaded
(1,500 companies, 35,000 requests) and its schedule kept as a version, in Chromium on a
desktop and a phone, in English and Japanese; also times each page.

    python benchmarks/analytics_shots.py INSTANCE.json SCHEDULE.json [LOADED_FOLDER]

Writes docs/screenshots/analytics-*.png.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SHOTS = ROOT / "docs" / "screenshots"
PAGES = (("analytics/", "analytics"), ("capacity/", "capacity"), ("reports/", "report"))
ONLY = [s for s in os.environ.get("SHOTS_ONLY", "").split(",") if s]  # e.g. analytics-phone-ja
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def load(url: str, instance: Path, schedule: Path) -> None:
    from scheduler.formats.schedule_io import schedule_from_document
    from web.auth.operations import create_organiser
    from web.conversion import add_schedule_version, instance_from_event, save_instance
    from web.db import make_engine, transaction
    from web.migrations import upgrade

    engine = make_engine(url)
    upgrade(engine)
    with transaction(engine) as session:
        create_organiser(session, "organiser@example.org", "correct horse")
        event, _ = save_instance(session, json.loads(instance.read_text()), "biojapan")
    with transaction(engine) as session:
        from web.events.models import Event

        event = session.query(Event).filter_by(slug="biojapan").one()
        solved = schedule_from_document(
            json.loads(schedule.read_text()), instance_from_event(session, event)
        )
        add_schedule_version(session, event, solved)


def main() -> None:
    from playwright.sync_api import sync_playwright
    from waitress import create_server

    instance, schedule = Path(sys.argv[1]), Path(sys.argv[2])
    kept = len(sys.argv) > 3  # a database loaded by an earlier run
    folder = Path(sys.argv[3]) if kept else Path(tempfile.mkdtemp())
    url = f"sqlite:///{folder / 'app.sqlite3'}"
    started = time.monotonic()
    if not kept:
        load(url, instance, schedule)
    print(f"loaded in {time.monotonic() - started:.0f} s", flush=True)

    os.environ["PARTNERING_INSTANCE_PATH"] = str(folder)
    from web.app import create_app

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "shots"})
    httpd = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=httpd.run, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.effective_port}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for name, viewport in (
            ("desktop", {"width": 1280, "height": 900}),
            ("phone", {"width": 390, "height": 844}),
        ):
            page = browser.new_page(viewport=viewport)
            page.goto(f"{base}/login")
            page.fill("input[name=email]", "organiser@example.org")
            page.fill("input[name=password]", "correct horse")
            page.click("button[type=submit]")
            for language in ("en", "ja"):
                page.goto(f"{base}/")
                page.click(f"button[name=language][value={language}]")
                for path, shot in PAGES:
                    if ONLY and f"{shot}-{name}-{language}" not in ONLY:
                        continue
                    t = time.monotonic()
                    page.goto(f"{base}/events/biojapan/{path}", timeout=600_000)
                    page.wait_for_load_state("networkidle", timeout=600_000)
                    print(f"{shot} {name} {language}: {time.monotonic() - t:.1f} s", flush=True)
                    page.screenshot(
                        path=str(SHOTS / f"{shot}-{name}-{language}.png"), full_page=True
                    )
            page.close()
        browser.close()
    httpd.close()


if __name__ == "__main__":
    main()
