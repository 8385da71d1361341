"""Figures drawn as SVG or PNG on the server with matplotlib (Agg: no display, no script in
the page, nothing the Content-Security-Policy has to allow). Text is drawn as paths, so the
SVG shows Japanese labels on any device; IPA Gothic draws them where it is installed, and
matplotlib's own DejaVu Sans where it is not (Japanese then shows as boxes, never an error).
"""

from __future__ import annotations

import io
import threading
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib.figure import Figure as Canvas

from web.analytics.figures import Figure

JAPANESE_FONTS = (
    "/usr/share/fonts/opentype/ipafont-gothic/ipagp.ttf",
    "/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
    "/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
)
COLOURS = ("#1f5fa8", "#d9822b", "#8a8a8a", "#2e8b57")
_LOCK = threading.Lock()  # matplotlib's font cache and rcParams are not thread-safe


def _families() -> list[str]:
    families = []
    for path in JAPANESE_FONTS:
        if Path(path).exists():
            font_manager.fontManager.addfont(path)
            families.append(font_manager.FontProperties(fname=path).get_name())
            break
    return [*families, "DejaVu Sans"]


FAMILIES = _families()


def render(figure: Figure, fmt: str) -> bytes:
    """The figure as `fmt` ("svg" or "png") bytes."""
    with (
        _LOCK,
        matplotlib.rc_context({"font.family": FAMILIES, "svg.fonttype": "path", "font.size": 10}),
    ):
        canvas = Canvas(figsize=(7.5, _height(figure)), layout="constrained")
        axes = canvas.subplots()
        DRAW.get(figure.kind, _stacked)(axes, figure)
        axes.set_title(figure.title, loc="left", fontsize=11)
        buffer = io.BytesIO()
        canvas.savefig(buffer, format=fmt, dpi=110 if fmt == "png" else 72)
    return buffer.getvalue()


def _height(figure: Figure) -> float:
    if figure.kind == "barh":
        return max(3.0, 0.35 * len(figure.rows) + 1.2)
    if figure.kind == "heatmap":
        return max(3.0, 0.22 * len(figure.rows) + 1.5)
    return 4.0


def _series(figure: Figure) -> list[int]:
    return figure.series or list(range(1, len(figure.columns)))


def _empty(axes, figure: Figure) -> bool:
    if figure.rows:
        return False
    axes.text(0.5, 0.5, figure.note or "-", ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()
    return True


def _lines(axes, figure: Figure) -> None:
    if _empty(axes, figure):
        return
    x = [row[0] for row in figure.rows]
    for n, column in enumerate(_series(figure)):
        axes.plot(
            x,
            [row[column] for row in figure.rows],
            marker="o",
            markersize=3,
            color=COLOURS[n % len(COLOURS)],
            label=figure.columns[column],
        )
    axes.legend(loc="upper left")
    _labels(axes, figure)
    if all(isinstance(value, str) for value in x):  # dates: every few as a label
        step = max(1, len(x) // 8)
        axes.set_xticks(range(0, len(x), step), x[::step], rotation=30, ha="right")


def _stacked(axes, figure: Figure) -> None:
    if _empty(axes, figure):
        return
    x = [row[0] for row in figure.rows]
    bottom = [0] * len(x)
    for n, column in enumerate(_series(figure)):
        values = [row[column] for row in figure.rows]
        axes.bar(
            x, values, bottom=bottom, color=COLOURS[n % len(COLOURS)], label=figure.columns[column]
        )
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    axes.legend(loc="upper right")
    _labels(axes, figure)


def _barh(axes, figure: Figure) -> None:
    if _empty(axes, figure):
        return
    labels = [str(row[0]) for row in figure.rows]
    series = _series(figure)
    height = 0.8 / len(series)
    for n, column in enumerate(series):
        positions = [i + n * height for i in range(len(labels))]
        axes.barh(
            positions,
            [row[column] for row in figure.rows],
            height=height,
            color=COLOURS[n % len(COLOURS)],
            label=figure.columns[column],
        )
    axes.set_yticks([i + height * (len(series) - 1) / 2 for i in range(len(labels))], labels)
    axes.invert_yaxis()
    if len(series) > 1:
        axes.legend(loc="lower right")
    _labels(axes, figure)


def _heatmap(axes, figure: Figure) -> None:
    if _empty(axes, figure):
        return
    values = [row[1:] for row in figure.rows]
    image = axes.imshow(values, aspect="auto", cmap="Blues", vmin=0, vmax=100)
    axes.set_xticks(range(len(figure.columns) - 1), figure.columns[1:])
    axes.set_yticks(range(len(figure.rows)), [row[0] for row in figure.rows])
    axes.figure.colorbar(image, ax=axes, label="%")


def _labels(axes, figure: Figure) -> None:
    if figure.x_label:
        axes.set_xlabel(figure.x_label)
    if figure.y_label:
        axes.set_ylabel(figure.y_label)
    axes.grid(axis="y" if figure.kind != "barh" else "x", alpha=0.3)


DRAW = {"lines": _lines, "stacked": _stacked, "barh": _barh, "heatmap": _heatmap}
