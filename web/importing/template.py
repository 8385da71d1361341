"""The import template in examples/: an Excel workbook and the same sheets as CSV files.

Regenerate with `python -m web.importing.template examples`. The example rows fit the
BioJapan example event (examples/biojapan-2026, Asia/Tokyo, 14-16 October 2026).
"""

from __future__ import annotations

import sys
from pathlib import Path

from web.importing.columns import SHEETS
from web.importing.export import csv_text, write_workbook

EXAMPLE_ROWS: dict[str, list[list[object]]] = {
    "companies": [
        ["chugai-demo", "中外製薬 (example)", "corporate", None, None],
        ["cellgen-demo", "CellGen Therapeutics (example)", "delegation", "Boston", 8],
        ["kyoto-demo", "京都バイオ (example)", "delegation", "Kyoto", None],
    ],
    "attendees": [
        ["chugai-demo-1", "chugai-demo", "山田 花子", "Head of BD", "hanako@example.com"],
        ["chugai-demo-2", "chugai-demo", "佐藤 太郎", "Licensing", None],
        ["cellgen-demo-1", "cellgen-demo", "Ana Müller", "CEO", "ana@example.com"],
        ["kyoto-demo-1", "kyoto-demo", "鈴木 一郎", "CSO", None],
    ],
    "requests": [
        [
            "demo-r1",
            "cellgen-demo",
            "chugai-demo",
            "accepted",
            3,
            1,
            None,
            None,
            "cellgen-demo-1",
            "met at BIO 2025",
        ],
        [
            "demo-r2",
            "chugai-demo",
            "kyoto-demo",
            "requested",
            1,
            2,
            "chugai-demo-2",
            "2026-10-15T13:30/2026-10-15T17:30",
            None,
            None,
        ],
    ],
    "availability": [
        ["chugai-demo", "chugai-demo-2", "2026-10-14T14:00", "2026-10-14T17:30"],
        ["cellgen-demo", None, "2026-10-16T10:00", "2026-10-16T12:30"],
    ],
}


def instructions() -> list[list[object]]:
    lines: list[list[object]] = [
        [
            "Fill in the sheets companies, attendees, requests and availability; keep the "
            "headings. Rows are matched by id: importing again updates, never duplicates. "
            "See docs/spreadsheets.md."
        ],
        [],
        ["sheet", "column", "type", "required", "example", "meaning"],
    ]
    for name, columns in SHEETS.items():
        for c in columns:
            required = "yes" if c.required else "no"
            lines.append([name, c.name, c.kind, required, c.example, c.meaning])
    return lines


def template_rows() -> dict[str, list[list[object]]]:
    return {
        "instructions": instructions(),
        **{n: [[c.name for c in SHEETS[n]], *EXAMPLE_ROWS[n]] for n in SHEETS},
    }


def write_template(folder: Path) -> None:
    rows = template_rows()
    write_workbook(rows, folder / "import-template.xlsx")
    csv_folder = folder / "import-template"
    csv_folder.mkdir(parents=True, exist_ok=True)
    for name in SHEETS:
        (csv_folder / f"{name}.csv").write_bytes(csv_text(rows[name]).encode("utf-8-sig"))


if __name__ == "__main__":
    write_template(Path(sys.argv[1] if len(sys.argv) > 1 else "examples"))
