"""The dashboard's charts, drawn on the server as SVG with matplotlib.

Why this shape:
- No pyplot: its global figure state is shared by every thread of the server. A
  `matplotlib.figure.Figure` is drawn on its own and saved by the SVG backend directly.
- Text stays text (`svg.fonttype: none`): unit names in Chinese render with the reader's
  fonts, whatever fonts the server has. The server's missing-glyph warnings about those
  names are silenced: only the browser draws them.
- Readable without colour: series differ by fill and hatching, each bar carries its value
  as a label, and the page puts the same numbers beside the chart as a table.
- Drawn once per data: the SVG is cached under a hash of everything drawn (numbers, labels
  and the translated texts), so a reload or another HR member's visit does not redraw.
- The page shows a chart as an image (`data_uri`), not as markup inserted into the page:
  nothing is marked safe (P-32), and an SVG shown as an image runs no script whatever
  its text. Matplotlib escapes the text it writes into the SVG all the same.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.cache import cache
from django.utils.html import escape

CACHE_SECONDS = 24 * 3600
VERSION = "2"  # part of every key: a change of the drawing code is a change of the data
INK, PAPER, GRID = "#1d1d1f", "#ffffff", "#c8ccd2"
FILL = "#0b3d91"
_RC = {
    "svg.fonttype": "none",
    "font.family": "sans-serif",
    "font.size": 12.5,
    "axes.titlesize": 14,
    "axes.titleweight": "bold",
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "text.color": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "hatch.color": INK,
    "hatch.linewidth": 1.0,
}
_METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)


def cache_key(kind: str, data: Mapping[str, Any]) -> str:
    """The cache key of one chart: a hash of the drawing code's version and of the data."""
    text = json.dumps([VERSION, kind, data], sort_keys=True, default=str, ensure_ascii=False)
    return f"elearn:chart:{kind}:{hashlib.sha256(text.encode()).hexdigest()}"


def cached_svg(kind: str, data: Mapping[str, Any], draw: Callable[[Mapping], str]) -> str:
    """The chart's SVG from the cache, drawn and stored on a miss."""
    key = cache_key(kind, data)
    svg = cache.get(key)
    if svg is None:
        svg = draw(data)
        cache.set(key, svg, CACHE_SECONDS)
    return svg


def data_uri(svg: str) -> str:
    """An SVG as the `src` of an image: base64 holds no character a template escapes."""
    if not svg:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _svg(figure, salt: str, title: str) -> str:
    """The figure as a standalone SVG without metadata, with a `<title>`, `role="img"` and
    `aria-label`, scaling with its container."""
    import matplotlib  # noqa: PLC0415 - only a page with a chart loads it

    buffer = io.StringIO()
    with matplotlib.rc_context({**_RC, "svg.hashsalt": salt}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, facecolor=PAPER)
    svg = _METADATA.sub("", buffer.getvalue(), count=1)
    label = escape(title)
    opening = f'<svg role="img" aria-label="{label}" style="width:100%;height:auto"'
    svg = svg.replace("<svg", opening, 1)
    head_end = svg.index(">", svg.index("<svg")) + 1
    return f"{svg[:head_end]}\n <title>{label}</title>{svg[head_end:]}".strip()


def _figure(width: float, height: float):
    import matplotlib  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    with matplotlib.rc_context(_RC):
        return Figure(figsize=(width, height), layout="constrained")


def _quiet(draw: Callable[[Mapping], str]) -> Callable[[Mapping], str]:
    """Draw without the server's warnings about glyphs its fonts lack (the browser draws)."""

    def wrapped(data: Mapping) -> str:
        import matplotlib  # noqa: PLC0415

        with warnings.catch_warnings(), matplotlib.rc_context(_RC):
            warnings.filterwarnings(
                "ignore", message=r"Glyph \d+ .*missing from", category=UserWarning
            )
            return draw(data)

    return wrapped


@_quiet
def _draw_quota_trend(data: Mapping) -> str:
    from matplotlib.patches import Patch  # noqa: PLC0415

    text, points = data["text"], data["points"]
    figure = _figure(5.6, 4.0)
    axes = figure.add_subplot()
    axes.set_ylim(0, 112)
    axes.set_yticks([0, 25, 50, 75, 100])
    axes.yaxis.grid(True, color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    for index, point in enumerate(points):
        value = point["share"]
        if value is None:
            axes.text(index, 2, text["no_data"], ha="center", va="bottom", fontsize=10, rotation=90)
            continue
        value = float(value)
        hatch, face = ("///", PAPER) if point["open"] else (None, FILL)
        axes.bar(index, value, 0.7, color=face, edgecolor=INK, hatch=hatch, linewidth=1)
        axes.text(index, value + 1.5, f"{value:.0f}%", ha="center", va="bottom", fontsize=11)
    axes.set_xticks(range(len(points)), [p["period"] for p in points], rotation=45, ha="right")
    axes.set_xlim(-0.6, len(points) - 0.4)
    axes.set_title(text["title"], loc="left")
    axes.set_xlabel(text["xlabel"])
    axes.set_ylabel(text["ylabel"])
    handles = [Patch(facecolor=FILL, edgecolor=INK, label=text["closed"])]
    if any(p["open"] for p in points):
        handles.append(Patch(facecolor=PAPER, edgecolor=INK, hatch="///", label=text["open"]))
    figure.legend(handles=handles, loc="outside lower left", ncols=2, frameon=False)
    return _svg(figure, data["salt"], text["title"])


def quota_trend_chart(points: Sequence[Mapping], text: Mapping[str, str]) -> str:
    """Bars of the share of learners at quota per month: judged months filled, the open
    month hatched (so far), a month without standings labelled as such, every bar labelled
    with its percentage. `text`: title, xlabel, ylabel, closed, open, no_data."""
    data = {
        "text": dict(text),
        "points": [
            {
                "period": p["period"],
                "share": None if p["share"] is None else str(p["share"]),
                "open": bool(p["open"]),
            }
            for p in points
        ],
    }
    data["salt"] = "quota"
    return cached_svg("quota", data, _draw_quota_trend)


@_quiet
def _draw_hours(data: Mapping) -> str:
    from matplotlib.lines import Line2D  # noqa: PLC0415
    from matplotlib.patches import Patch  # noqa: PLC0415

    text, rows = data["text"], data["rows"]
    figure = _figure(5.6, 1.8 + 0.66 * len(rows))
    axes = figure.add_subplot()
    widest = max([r["online"] for r in rows] + [r["cap"] or 0 for r in rows] + [1.0])
    for spine in ("top", "right", "left"):
        axes.spines[spine].set_visible(False)
    axes.xaxis.grid(True, color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    for index, row in enumerate(rows):
        y = -index
        online, counted, cap = row["online"], row["counted"], row["cap"]
        axes.barh(y, counted, 0.42, color=FILL, edgecolor=INK, linewidth=1)
        if online > counted:
            axes.barh(y, online - counted, 0.42, left=counted, color=PAPER, edgecolor=INK,
                      hatch="xxx", linewidth=1)  # fmt: skip
        if cap is not None:
            axes.plot([cap, cap], [y - 0.32, y + 0.32], color=INK, linewidth=2.6)
        axes.text(0, y + 0.26, row["label"], ha="left", va="bottom", fontsize=12)
        value = text["value"].format(online=f"{online:.1f}", counted=f"{counted:.1f}")
        end = max(online, cap or 0)
        axes.text(end + widest * 0.02, y, value, ha="left", va="center", fontsize=11)
    axes.set_xlim(0, widest * 1.55)
    axes.set_ylim(-len(rows) + 0.4, 0.85)
    axes.set_yticks([])
    axes.set_title(text["title"], loc="left")
    axes.set_xlabel(text["xlabel"])
    axes.set_ylabel(text["ylabel"])
    handles = [
        Patch(facecolor=FILL, edgecolor=INK, label=text["counted"]),
        Patch(facecolor=PAPER, edgecolor=INK, hatch="xxx", label=text["excess"]),
        Line2D([], [], color=INK, linewidth=2.6, label=text["cap"]),
    ]
    figure.legend(handles=handles, loc="outside lower left", ncols=2, frameon=False, fontsize=11)
    return _svg(figure, data["salt"], text["title"])


def hours_chart(rows: Sequence[Mapping], text: Mapping[str, str]) -> str:
    """Horizontal bars of each unit's online hours: the counted part filled, the part above
    the cap hatched, the cap a bold mark across the bar, the hours written at its end.
    `text`: title, xlabel, ylabel, counted, excess, cap, value ("{online} h, {counted} counted")."""
    if not rows:
        return ""
    data = {
        "text": dict(text),
        "rows": [
            {
                "label": str(r["label"]),
                "online": float(r["online"]),
                "counted": float(r["counted"]),
                "cap": None if r["cap"] is None else float(r["cap"]),
            }
            for r in rows
        ],
    }
    data["salt"] = "hours"
    return cached_svg("hours", data, _draw_hours)
