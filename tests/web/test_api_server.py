"""The issue's check, end to end against a running server (waitress on loopback): a key from
`partnering api-key create`, the example sync script putting a registration export through
the API, `partnering export` showing it, a bad row refused whole, and the published schedule
read from the API passing `partnering check`."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import subprocess
import sys
import threading
import urllib.request
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from waitress import create_server

from scheduler.cli.commands import main
from tests.conftest import TINY_EVENT
from web.app import create_app

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "examples" / "sync_registrations.py"
EXPORT = ROOT / "examples" / "registrations" / "registrations.csv"


@pytest.fixture
def server(tmp_path, monkeypatch):
    """`partnering db upgrade` and an imported event on a fresh SQLite file, its key from the
    command line, and the app served by waitress on a free port."""
    url = f"sqlite:///{tmp_path / 'partnering.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PARTNERING_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("REDIS_URL", raising=False)
    runner = CliRunner()

    def cli(*args: object) -> str:
        result = runner.invoke(main, [str(a) for a in args])
        assert result.exit_code == 0, result.output
        return result.stdout

    cli("db", "upgrade")
    instance = tmp_path / "tiny.json"
    instance.write_text(json.dumps(copy.deepcopy(TINY_EVENT)))
    cli("import", instance, "--event", "tiny")
    key = cli("api-key", "create", "--event", "tiny", "--name", "registrations").strip()
    assert key.startswith("pk_") and "\n" not in key
    app = create_app({"DATABASE_URL": url, "JOBS_IMMEDIATE": True, "SECRET_KEY": "test"})
    served = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=served.run, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{served.effective_port}", "key": key, "cli": cli}
    served.close()
    app.extensions["partnering.engine"].dispose()


def sync(server, export: Path) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PARTNERING_API_KEY": server["key"]}
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(export), "--url", server["url"], "--event", "tiny"],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


def call(server, method: str, path: str, body: object | None = None) -> dict:
    request = urllib.request.Request(
        server["url"] + path,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Authorization": f"Bearer {server['key']}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def exported_sheets(server, tmp_path: Path) -> dict[str, list[dict]]:
    out = tmp_path / "export.zip"
    server["cli"]("export", "--event", "tiny", "-o", out)
    with zipfile.ZipFile(out) as archive:
        return {
            Path(name).stem: list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            )
            for name in archive.namelist()
        }


def test_a_registration_export_synced_through_the_api(server, tmp_path):
    first = sync(server, EXPORT)
    assert first.returncode == 0, first.stderr
    assert "companies: 5 created" in first.stdout and "requests: 4 created" in first.stdout
    again = sync(server, EXPORT)
    assert again.returncode == 0 and "requests: 0 created, 0 updated" in again.stdout
    sheets = exported_sheets(server, tmp_path)
    names = {row["id"]: row["name"] for row in sheets["companies"]}
    assert names["R-1003"] == "Helix Therapeutics" and names["acme"] == "Acme Bio"
    requests = {row["id"]: row for row in sheets["requests"]}
    wish = requests["reg-R-1003-R-1001"]
    assert (wish["from"], wish["to"], wish["status"], wish["priority"]) == (
        "R-1003",
        "R-1001",
        "requested",
        "3",
    )


def test_a_bad_row_is_refused_whole_and_named(server, tmp_path):
    bad = tmp_path / "registrations.csv"
    text = EXPORT.read_text(encoding="utf-8") + "R-1006,Sponsor Inc,sponsor,,\n"
    bad.write_text(text, encoding="utf-8")
    refused = sync(server, bad)
    assert refused.returncode == 2
    assert "companies: row 6, column role" in refused.stderr
    assert "is not one of corporate, delegation" in refused.stderr
    ids = {row["id"] for row in exported_sheets(server, tmp_path)["companies"]}
    assert ids == {"acme", "big", "cell"}  # nothing of the body was written


def test_the_published_schedule_from_the_api_passes_partnering_check(server, tmp_path):
    run = call(server, "POST", "/api/v1/events/tiny/runs", {"time_limit": 5})
    run = call(server, "GET", f"/api/v1/events/tiny/runs/{run['id']}")
    assert run["status"] == "succeeded"
    call(
        server, "POST", f"/api/v1/events/tiny/schedules/{run['version']}/publish", {"confirm": True}
    )
    schedule = tmp_path / "schedule.json"
    schedule.write_text(json.dumps(call(server, "GET", "/api/v1/events/tiny/schedule")))
    instance = tmp_path / "instance.json"
    version = call(server, "GET", f"/api/v1/events/tiny/schedules/{run['version']}/instance")
    instance.write_text(json.dumps(version))
    result = CliRunner().invoke(main, ["check", str(instance), str(schedule)])
    assert result.exit_code == 0, result.output
    assert json.loads(schedule.read_text())["format"] == "partnering-schedule/1"
