"""The briefing's charts as PNG images (matplotlib, no display), drawn with an installed Chinese font.

Colours follow the dashboard's: 红榜 blue (good), 黑榜 red (bad), others grey; references grey and dashed.
"""
from __future__ import annotations

import io
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the non-interactive backend)
from matplotlib import font_manager  # noqa: E402

from ..fmt import number  # noqa: E402
from .content import Chart  # noqa: E402

GOOD, BAD, NEUTRAL, REFERENCE, UP = "#4f83c2", "#d64545", "#a7b1bc", "#6b7785", "#3a9d5d"
CJK_FONTS = ("Noto Sans CJK SC", "Noto Serif CJK SC", "Source Han Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei",
             "SimHei", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK JP")


@lru_cache(maxsize=1)
def chinese_font() -> str | None:
    """The first installed font that has Chinese glyphs, or None."""
    names = {f.name for f in font_manager.fontManager.ttflist}
    return next((n for n in CJK_FONTS if n in names), None)


def _text(value: object) -> str:
    """A name as a label: control characters (which no font draws) as spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in str(value))


def png(chart: Chart) -> bytes | None:
    """The chart as PNG bytes (150 dpi), or None when no Chinese font is installed."""
    font = chinese_font()
    if font is None:
        return None
    # Names are text: "$...$" in a unit's name must not be read as mathtext (which fails on unknown symbols).
    with plt.rc_context({"font.family": [font], "axes.unicode_minus": False, "font.size": 10,
                         "text.parse_math": False}):
        fig = _bars(chart) if chart.kind == "bars" else _waterfall(chart)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=150, bbox_inches="tight")
        plt.close(fig)
    return buffer.getvalue()


def _bars(chart: Chart):
    """Horizontal bars of scores, best at the top, with the mean as a grey dashed line."""
    data = chart.data.sort_values("score", ascending=True, kind="stable")
    height = max(2.2, 0.32 * len(data) + 0.8)
    fig, ax = plt.subplots(figsize=(6.3, height))
    colours = [GOOD if k == "red" else BAD if k == "black" else NEUTRAL for k in data["list"]]
    ax.barh([_text(u) for u in data["unit"]], data["score"], color=colours, height=0.65)
    for y, v in enumerate(data["score"]):
        ax.text(v + 0.5, y, f"{v:.1f}", va="center", fontsize=8)
    if chart.reference is not None:
        ax.axvline(chart.reference, color=REFERENCE, linestyle="--", linewidth=1)
        ax.text(chart.reference, len(data) - 0.4, f" 平均 {chart.reference:.1f}", color=REFERENCE, fontsize=8)
    ax.set_xlim(0, 105)
    ax.set_xlabel("得分")
    ax.set_title(_text(chart.title), fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _waterfall(chart: Chart):
    """Waterfall: the period before, each part's contribution (percentage points), the period after; the
    axis is zoomed to the levels the rate passes through, as a change of a few points is otherwise invisible."""
    data = chart.data.reset_index(drop=True)
    path, level = [], 0.0
    for _, row in data.iterrows():
        level = row["value"] if row["measure"] != "relative" else level + row["value"]
        path.append(level)
    pad = max(0.005, 0.2 * (max(path) - min(path)))
    lo, hi = max(0.0, min(path) - pad), min(1.0, max(path) + pad)
    fig, ax = plt.subplots(figsize=(6.3, 3.2))
    previous = 0.0
    for i, row in data.iterrows():
        if row["measure"] != "relative":
            bottom, top, colour, label = lo, row["value"], REFERENCE, number(chart.metric, row["value"])
        else:
            bottom, top = sorted((previous, previous + row["value"]))
            colour = UP if row["value"] >= 0 else BAD
            label = f"{row['value'] * 100:+.1f}"
        ax.bar(i, max(top - bottom, (hi - lo) * 0.004), bottom=bottom, color=colour, width=0.6)
        ax.text(i, max(top, bottom) + (hi - lo) * 0.01, label, ha="center", va="bottom", fontsize=7)
        previous = path[i]
    ax.set_ylim(lo, hi + (hi - lo) * 0.08)
    ax.set_xticks(range(len(data)), [_text(x) for x in data["label"]], rotation=30, ha="right", fontsize=8)
    ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=1))
    ax.set_title(_text(chart.title), fontsize=11)
    ax.text(1.0, -0.32, "各项数字为贡献（个百分点）；纵轴不从 0 开始", transform=ax.transAxes, ha="right", fontsize=7,
            color=REFERENCE)
    ax.spines[["top", "right"]].set_visible(False)
    return fig
