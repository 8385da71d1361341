# ruff: noqa: RUF001 (Japanese punctuation is what these pages must show)
"""The scheduler's own messages (import problems, reasons a request is not scheduled, refusals of
the service layer) reach a Japanese visitor in Japanese, with the names and values as given."""

from __future__ import annotations

import json
import re

from tests.conftest import make_instance
from tests.web.conftest import create_event, upload
from web.importing.columns import SHEETS


def _japanese(client) -> None:
    client.post("/language", data={"language": "ja", "back": "/"})


def _problems(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", item) for item in re.findall(r"<li><code>.*?</li>", page)]


def test_a_spreadsheet_s_problems_are_told_in_japanese(organiser, session, dummy_event):
    _japanese(organiser)
    sheet = "id,name,role,nmae\nx,X,corp,\n"
    response = upload(organiser, "/events/tiny/import", "companies.csv", sheet.encode())
    assert response.status_code == 422
    problems = _problems(response.get_data(as_text=True))
    assert problems == [
        "companies.csv: 1 行目、nmae 列 不明な列です（&#34;name&#34; のことですか？）。使える列: "
        + ", ".join(c.name for c in SHEETS["companies"])
    ], problems


def test_a_cell_s_problem_names_its_row_and_column_in_japanese(organiser, session, dummy_event):
    _japanese(organiser)
    response = upload(
        organiser, "/events/tiny/import", "companies.csv", b"id,name,role\nx,X,corp\n"
    )
    page = response.get_data(as_text=True)
    (problem,) = _problems(page)
    assert problem.startswith(
        "companies.csv: 2 行目、role 列 &#34;corp&#34; は corporate, delegation"
    )
    assert "is not one of" not in page and "row 2" not in page


def test_an_instance_file_s_problems_are_told_in_japanese(organiser, session):
    _japanese(organiser)
    document = make_instance()
    document["event"]["timezone"] = "Asia/Tokio"
    body = json.dumps(document).encode()
    response = upload(organiser, "/events/import", "tiny.json", body, slug="tiny")
    assert response.status_code == 422
    (problem,) = _problems(response.get_data(as_text=True))
    assert problem == (
        "event.timezone タイムゾーン &#34;Asia/Tokio&#34; が見つかりません（&#34;Asia/Tokyo&#34; "
        "のことですか？）。&#34;Asia/Tokyo&#34; のような IANA 名を使ってください"
    )


def test_why_a_request_is_not_scheduled_is_told_in_japanese(organiser, session):
    one_slot = {"date": "2026-10-14", "sessions": [{"start": "10:00", "end": "10:30"}]}
    create_event(
        session, "slot", make_instance(event={**make_instance()["event"], "days": [one_slot]})
    )
    organiser.post("/events/slot/runs/", data={"time_limit": 5, "seed": 0})
    _japanese(organiser)
    page = organiser.get("/events/slot/schedules/1/").get_data(as_text=True)
    item = re.search(r'<li data-request="r2">(.*?)</li>', page, re.S).group(1)
    assert "両社が 30 分空いているただ 1 回の時間に、空いているテーブルがありません" in item
    assert "no table is free" not in item
