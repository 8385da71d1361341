"""Sync a registration system's CSV export into a partnering event through its API.

An integrator's starting point: each registered company becomes a company of the event
(matched by its registration id, so running it again changes nothing), and each meeting wish
a request the other company still has to answer. Standard library only.

    PARTNERING_API_KEY=pk_... python examples/sync_registrations.py \\
        examples/registrations/registrations.csv --url http://127.0.0.1:8000 --event biojapan-2026

The CSV (UTF-8, as registration systems export it) has the columns
    registration_id, company, type (corporate or delegation), delegation, wants_to_meet
where wants_to_meet lists registration ids separated by ";", most wanted first.
Exit 0 when synced, 2 when the event refused the data (every problem printed, nothing
changed), 1 when the server could not be reached or refused the key.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
import urllib.error
import urllib.request
import uuid


def read_export(path: str) -> tuple[list[dict], list[dict]]:
    """The export's rows as the API's companies and requests."""
    with open(path, encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    companies = [
        {
            "id": row["registration_id"].strip(),
            "name": row["company"].strip(),
            "role": row["type"].strip().lower(),
            "delegation": row.get("delegation", "").strip() or None,
        }
        for row in rows
    ]
    requests = []
    for row in rows:
        wishes = [w.strip() for w in row.get("wants_to_meet", "").split(";") if w.strip()]
        for rank, wanted in enumerate(wishes):
            requests.append(
                {
                    "id": f"reg-{row['registration_id'].strip()}-{wanted}",
                    "from": row["registration_id"].strip(),
                    "to": wanted,
                    "status": "requested",
                    "priority": max(1, 3 - rank),  # the first wishes weigh most
                }
            )
    return companies, requests


def call(method: str, url: str, key: str, body: object | None = None) -> tuple[int, dict]:
    """One API call; (status, JSON answer). A write carries an Idempotency-Key, and a retry
    after a lost connection sends the same one: the server then answers what it answered
    the first time instead of writing twice."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
        headers["Idempotency-Key"] = str(uuid.uuid4())
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    for attempt in range(3):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")
        except (ConnectionError, TimeoutError):
            if attempt == 2:
                raise
            time.sleep(2**attempt)
    raise AssertionError("unreachable")


def put(base: str, key: str, what: str, items: list[dict]) -> bool:
    status, answer = call("PUT", f"{base}/{what}", key, items)
    if status == 200:
        counts = answer["counts"].get(what, {})
        print(
            f"{what}: {counts.get('created', 0)} created, {counts.get('updated', 0)} updated, "
            f"{counts.get('unchanged', 0)} unchanged"
        )
        return True
    print(f"{what}: {answer.get('title', status)}", file=sys.stderr)
    for problem in answer.get("errors", []):
        print(f"  {problem.get('place')}: {problem.get('detail')}", file=sys.stderr)
    if status in (401, 403, 429):
        raise SystemExit(1)
    return False


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", help="the registration system's export")
    parser.add_argument("--url", required=True, help="the partnering server, e.g. https://...")
    parser.add_argument("--event", required=True, help="the event's short name (slug)")
    args = parser.parse_args()
    key = os.environ.get("PARTNERING_API_KEY")
    if not key:
        print("set PARTNERING_API_KEY to an API key of the event", file=sys.stderr)
        return 1
    companies, requests = read_export(args.csv)
    base = f"{args.url.rstrip('/')}/api/v1/events/{args.event}"
    try:
        if not put(base, key, "companies", companies):
            return 2
        return 0 if put(base, key, "requests", requests) else 2
    except urllib.error.URLError as error:
        print(f"{args.url}: cannot reach the server ({error.reason})", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
