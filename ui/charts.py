"""Charts whose colour means something, as Apache ECharts options (drawn by st.echarts_chart, see widgets.chart).

- Status colours judge a value: red below its red line, amber worse than the reference (the district or
  city as a whole), blue at or better than it; grey when there is nothing to judge against.
- A reference is drawn grey and dashed (a line on a chart, a dashed series on a radar), never in a unit's colour.
- Places keep one colour everywhere: districts, streets and communities draw from different palettes, so a
  community never wears its district's colour.
Bars carry their value and count; rate axes run from 0 to 100%; a zero bar still shows its label.
Rates are drawn in percent (0.953 as 95.3), so an axis label is a plain template ('{value}%').

Data is text, never markup: ECharts draws labels, axis names and titles as plain text, and escapes what it puts
into a tooltip. Data never goes into a template of ours (a formatter), only into names and values, so a name like
'{b}' stays itself; text we compose (values, counts) carries no braces. Control characters become spaces.

Why ECharts rather than Plotly: the browser fetches and compiles a chart library before it draws the first chart.
Plotly's is 4.7 MB and took about 1 s of a page's first paint on the benchmark machine; ECharts' is a quarter of
that (docs/benchmarks.md).
"""
from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

import pandas as pd

from metrics.registry import REGISTRY

from . import format as fmt
from .i18n import lang, pair, t

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
BAD, WARN, GOOD, NEUTRAL = "#d64545", "#e8a317", "#4f83c2", "#a7b1bc"
# Light tints of the same statuses for large areas (treemap tiles), which carry dark text.
TINTS = {BAD: "#f2b8b5", WARN: "#f9dfa4", GOOD: "#c9dcf0", NEUTRAL: "#e3e7eb"}
REFERENCE = "#6b7785"
INK = "#1f2933"
ROW = 20  # height in pixels of one row of labels above a plot
TITLE = 40  # pixels above the plot taken by the title
# Qualitative palettes (ColorBrewer Dark2 and Set2; Tableau 10 with D3's Category10) for places.
PALETTES = {
    "district": ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#666666"],
    "street": ["#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f", "#e5c494", "#b3b3b3"],
    "community": ["#636efa", "#ef553b", "#00cc96", "#ab63fa", "#ffa15a", "#19d3f3", "#ff6692", "#b6e880",
                  "#ff97ff", "#fecb52", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                  "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"],
}
_ASSIGNED: dict[str, str] = {}


@dataclass(frozen=True)
class Chart:
    """An ECharts option, its height in pixels, and the place behind each item of its first series (district,
    street, community), for drill-down; places is empty when the items are not places."""

    spec: dict
    height: int
    places: list[list[str | None]] = field(default_factory=list)


def label(text: object) -> str:
    """Data text as a chart shows it: control characters as spaces (ECharts draws the rest literally)."""
    return "".join(ch if ch.isprintable() or ch == " " else " " for ch in str(text))


def labels(values: object) -> list[str]:
    """label() of every value."""
    return [label(v) for v in values]


def register_places(places: pd.DataFrame) -> None:
    """Give every district, street and community a colour from its level's palette, by sorted position."""
    for level, palette in PALETTES.items():
        for i, name in enumerate(sorted({n for n in places[level].dropna() if n})):
            _ASSIGNED.setdefault(f"{level}:{name}", palette[i % len(palette)])


def colour_of(name: object, level: str = "community") -> str:
    """The colour of a place (or a category, unit or team): the same on every page."""
    key = f"{level}:{name}"
    if key in _ASSIGNED:
        return _ASSIGNED[key]
    palette = PALETTES.get(level, PALETTES["community"])
    return palette[hashlib.md5(str(name).encode("utf-8")).digest()[0] % len(palette)]


def status_colour(metric_id: str, value: object, reference: float | None = None,
                  threshold: float | None = None) -> str:
    """Red under the red line, amber worse than the reference, blue otherwise; grey with nothing to judge."""
    if fmt.missing(value):
        return NEUTRAL
    direction = REGISTRY[metric_id].direction
    v = float(value)
    if threshold is not None and ((v < threshold) if direction == "higher" else (v > threshold)):
        return BAD
    if reference is None or direction == "neither":
        return GOOD if threshold is not None else NEUTRAL if direction == "neither" else GOOD
    worse = v < reference - 1e-9 if direction == "higher" else v > reference + 1e-9
    return WARN if worse else GOOD


def _number(value: object, scale: float = 1.0) -> float | None:
    """A value as drawn: None when missing (a gap), else a float times scale, rounded to keep the option small."""
    return None if fmt.missing(value) else round(float(value) * scale, 6)


def _places(frame: pd.DataFrame, places: list[str] | None) -> list[list[str | None]]:
    """Per row, the named place columns (district, street, community) with missing values as None."""
    if not places:
        return []
    return [[None if fmt.missing(v) else str(v) for v in row] for row in frame[places].astype(object).values.tolist()]


def _notes(rows: list[tuple[str, str]]) -> list[dict]:
    """Labels on rows of their own between the title and the plot, at the right (row 0 nearest the plot)."""
    return [{"type": "text", "right": 16, "top": TITLE + ROW * (len(rows) - 1 - i),
             "style": {"text": text, "fill": colour, "font": f"11px {FONT}"}}
            for i, (text, colour) in enumerate(rows)]


def style(spec: dict, title: str, height: int, label_rows: list[tuple[str, str]] | None = None,
          grid: dict | None = None) -> dict:
    """Common option: title at the top left, CJK font, a plot area that keeps its axis labels inside, label rows
    (reference, red line, notes) above the plot, tooltips on hover, no animation."""
    rows = label_rows or []
    spec.update({
        "title": {"text": label(title), "left": 4, "top": 8, "textStyle": {"fontSize": 15, "fontWeight": 600,
                                                                          "color": INK, "fontFamily": FONT}},
        "textStyle": {"fontFamily": FONT, "fontSize": 12},
        "animation": False,
        "tooltip": spec.get("tooltip", {"trigger": "item", "confine": True}),
        "graphic": spec.get("graphic", []) + _notes(rows),
    })
    if grid is not None or "xAxis" in spec:
        spec["grid"] = {"left": 8, "right": 24, "top": TITLE + 16 + ROW * len(rows), "bottom": 8,
                        "containLabel": True, **(grid or {})}
    return spec


def _value_axis(metric_id: str, values: pd.Series, extra: list[float | None]) -> dict:
    """A value axis for a metric: rates from 0 to 100% (further when a value exceeds it), others from 0."""
    scale = fmt.scale(metric_id)
    top = max([float(v) for v in values.dropna()] + [float(v) for v in extra if v is not None] + [0]) * scale
    axis = {"type": "value", "min": 0, "axisLabel": {"formatter": fmt.tick(metric_id), "hideOverlap": True},
            "splitLine": {"lineStyle": {"color": "#e8ecf0"}}}
    if REGISTRY[metric_id].unit == "ratio":
        axis["max"] = 100 if top <= 100 else math.ceil(top * 1.08)
    elif top <= 0:
        axis["max"] = 1
    return axis


def _bar_text(metric_id: str, frame: pd.DataFrame) -> list[str]:
    """Each bar's label: the value and, for a rate, its parts ('96.3%（180/187）')."""
    m = REGISTRY[metric_id]
    out = []
    for rec in frame.to_dict("records"):
        text = fmt.number(metric_id, rec[metric_id])
        if m.is_ratio and not m.per_1k and not fmt.missing(rec.get(f"{metric_id}__den")):
            num = rec[f"{metric_id}__num"]
            num_text = fmt.count(num) if m.num_is_count else f"{float(num):,.1f}"
            text += f"（{num_text}/{fmt.count(rec[f'{metric_id}__den'])}）"
        out.append(text)
    return out


def _reference_lines(metric_id: str, reference: float | None, threshold: float | None, reference_name: str,
                     axis: str) -> tuple[dict | None, list[tuple[str, str]]]:
    """The reference (grey, dashed) and the red line (red, dotted) at values of `axis` ('xAxis' or 'yAxis'), as a
    series drawn under the others, and their labels for the rows above the plot (the reference nearest the plot)."""
    lines, rows = [], []
    scale = fmt.scale(metric_id)
    if reference is not None and not fmt.missing(reference):
        lines.append({axis: float(reference) * scale, "lineStyle": {"type": "dashed", "color": REFERENCE}})
        rows.append((f"┆ {label(reference_name)} {fmt.number(metric_id, reference)}", REFERENCE))
    if threshold is not None:
        lines.append({axis: float(threshold) * scale, "lineStyle": {"type": "dotted", "color": BAD}})
        rows.append((f"┆ {t('threshold')} {fmt.number(metric_id, threshold)}", BAD))
    if not lines:
        return None, []
    return _under(lines), rows


def _under(lines: list[dict], style_: dict | None = None) -> dict:
    """Lines at axis values (markLine data) on a series of their own drawn under the others, so a line never
    crosses a bar or its value; it shows between and beyond the bars."""
    return {"type": "line", "data": [], "z": 1, "silent": True,
            "markLine": {"silent": True, "symbol": "none", "label": {"show": False}, "animation": False, "z": 1,
                         "lineStyle": {"width": 1.5, **(style_ or {})}, "data": lines}}


def _item_label(text: str, inside: bool) -> dict:
    """A bar's own label: inside its end in white when the bar is long, just past it in ink when it is short."""
    return {"show": True, "formatter": text, "position": "insideRight" if inside else "right",
            "color": "#ffffff" if inside else INK, "fontSize": 11}


def bars(frame: pd.DataFrame, name_col: str, metric_id: str, title: str, reference: float | None = None,
         threshold: float | None = None, reference_name: str = "", places: list[str] | None = None,
         height: int | None = None) -> Chart:
    """Horizontal bars of a metric per unit, best first, coloured by status, with value and count on every bar.

    places names the columns kept per bar (district, street, community), for drill-down.
    """
    frame = frame.reset_index(drop=True)
    names = [label(n) if not fmt.missing(n) else t("（未填）", "(blank)") for n in frame[name_col]]
    scale = fmt.scale(metric_id)
    axis = _value_axis(metric_id, frame[metric_id], [reference, threshold])
    top = axis.get("max") or max([(_number(v, scale) or 0) for v in frame[metric_id]] + [1])
    texts = _bar_text(metric_id, frame)
    data = []
    for value, text, name in zip(frame[metric_id], texts, names):
        shown = _number(value, scale)
        # A long bar holds its label; a short or zero one has it just past its end, so none runs off a phone.
        inside = shown is not None and shown >= 0.62 * top
        data.append({"value": 0 if shown is None else shown, "label": _item_label(text, inside),
                     "itemStyle": {"color": status_colour(metric_id, value, reference, threshold)},
                     "tooltip": {"formatter": "{b}：" + text}})
    under, rows = _reference_lines(metric_id, reference, threshold, reference_name, "xAxis")
    series = {"type": "bar", "data": data, "barCategoryGap": "30%", "barMinHeight": 3, "selectedMode": "single",
              "select": {"itemStyle": {"borderColor": INK, "borderWidth": 1.5}}}
    spec = {"xAxis": axis, "yAxis": {"type": "category", "data": names, "inverse": True,
                                     "axisLabel": {"color": INK}, "axisTick": {"show": False}},
            "series": [series] + ([under] if under else [])}
    base = height or max(260, min(1400, 30 * len(frame) + 110))
    return Chart(style(spec, title, base + ROW * len(rows), rows), base + ROW * len(rows), _places(frame, places))


def _ink_on(colour: str) -> str:
    """White or ink, whichever reads better on a fill of this colour (#rrggbb)."""
    r, g, b = (int(colour[k:k + 2], 16) for k in (1, 3, 5))
    return INK if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "#ffffff"


def side_by_side(frame: pd.DataFrame, name_col: str, metric_id: str, title: str, colour_level: str = "community",
                 reference: float | None = None, reference_name: str = "") -> Chart:
    """Bars of one metric for a few units, one under another, each in its place's colour (a district as a
    whole grey), with value and count on every bar; names stay level, so they read on a phone."""
    frame = frame.reset_index(drop=True)
    names = labels(frame[name_col])
    colours = [REFERENCE if kind == "district" else colour_of(c, colour_level)
               for c, kind in zip(frame.get("community", frame[name_col]), frame.get("kind", ["unit"] * len(frame)))]
    scale = fmt.scale(metric_id)
    axis = _value_axis(metric_id, frame[metric_id], [reference])
    top = axis.get("max") or max([(_number(v, scale) or 0) for v in frame[metric_id]] + [1])
    data = []
    for value, colour, text in zip(frame[metric_id], colours, _bar_text(metric_id, frame)):
        shown = _number(value, scale)
        label_ = _item_label(text, shown is not None and shown >= 0.62 * top)
        if label_["position"] == "insideRight":
            label_["color"] = _ink_on(colour)
        data.append({"value": 0 if shown is None else shown, "itemStyle": {"color": colour}, "label": label_,
                     "tooltip": {"formatter": "{b}：" + text}})
    under, rows = _reference_lines(metric_id, reference, None, reference_name, "xAxis")
    series = {"type": "bar", "data": data, "barMaxWidth": 34, "barMinHeight": 3}
    spec = {"xAxis": axis, "yAxis": {"type": "category", "data": names, "inverse": True,
                                     "axisLabel": {"color": INK}, "axisTick": {"show": False}},
            "series": [series] + ([under] if under else [])}
    height = max(200, 44 * len(frame) + 110) + ROW * len(rows)
    return Chart(style(spec, title, height, rows), height)


def _zoomed_rate_axis(values: list[float]) -> tuple[dict, str] | None:
    """For a rate whose values all lie well above 0: an axis from just under the lowest value to just over the
    highest (on whole percents, in percent), and the note that says so; None when the axis should start at 0."""
    if not values:
        return None
    low, high = min(values), max(values)
    span = max(high - low, 0.02)
    step = 5 if high - low > 0.1 else 1  # the axis starts on a whole 5% (1% for a narrow band), as its ticks do
    bottom = math.floor(max(0.0, low - 0.3 * span) * 100 / step) * step / 100
    if bottom < 0.1:
        return None
    top = min(1.0, high + 0.15 * span) if high <= 1 else high + 0.15 * span
    shown = f"{bottom:.0%}"
    axis = {"type": "value", "min": round(bottom * 100, 4), "max": math.ceil(top * 100),
            "axisLabel": {"formatter": "{value}%", "hideOverlap": True},
            "splitLine": {"lineStyle": {"color": "#e8ecf0"}}}
    return axis, t(f"纵轴从 {shown} 起，放大显示变化", f"Axis starts at {shown} to show the changes")


def line(frame: pd.DataFrame, metric_id: str, title: str, colour_by: str | None = None,
         reference: pd.DataFrame | None = None, reference_name: str = "") -> Chart:
    """Monthly line of an indicator (one per place when colour_by is given); the reference grey and dashed.

    A rate's axis is zoomed to the values (rates near 100% would otherwise be flat lines at the top of a 0–100%
    axis); the note above the plot says where the axis starts."""
    scale = fmt.scale(metric_id)
    months = sorted(frame["month"].dropna().unique())
    position = {m: i for i, m in enumerate(months)}

    def points(part: pd.DataFrame) -> list[float | None]:
        """The part's values on the month axis, gaps where a month has none."""
        values: list[float | None] = [None] * len(months)
        for month, value in zip(part["month"], part[metric_id]):
            if month in position:
                values[position[month]] = _number(value, scale)
        return values

    series = []
    if colour_by:
        for name, part in frame.groupby(colour_by, dropna=False, sort=True):
            shown = t("（未填）", "(blank)") if fmt.missing(name) else label(name)
            colour = colour_of(name, colour_by)
            series.append({"type": "line", "name": shown, "data": points(part), "symbolSize": 6,
                           "lineStyle": {"color": colour, "width": 2}, "itemStyle": {"color": colour}})
    else:
        series.append({"type": "line", "name": t("本单位", "This unit"), "data": points(frame), "symbolSize": 7,
                       "lineStyle": {"color": GOOD, "width": 2.5}, "itemStyle": {"color": GOOD}})
    if reference is not None and not reference.empty:
        series.append({"type": "line", "name": label(reference_name), "data": points(reference), "symbol": "none",
                       "lineStyle": {"color": REFERENCE, "width": 2, "type": "dashed"},
                       "itemStyle": {"color": REFERENCE}})
    values = [float(v) for part in (frame, reference) if part is not None and not part.empty
              for v in part[metric_id] if not fmt.missing(v)]
    zoom = _zoomed_rate_axis(values) if REGISTRY[metric_id].unit == "ratio" else None
    y_axis, rows = (zoom[0], [(zoom[1], REFERENCE)]) if zoom else (_value_axis(metric_id, frame[metric_id], []), [])
    # Short month labels and a tilt keep a phone's axis readable: 26-10 rather than 2026-10 cut to 202.
    spec = {"xAxis": {"type": "category", "data": [m[2:] for m in months], "boundaryGap": False,
                      "axisLabel": {"rotate": 45, "interval": 0, "color": INK, "margin": 12}},
            "yAxis": y_axis, "series": series,
            "tooltip": {"trigger": "axis", "confine": True, "valueFormatter": "%.1f%%" if scale == 100 else None},
            "legend": {"show": len(series) > 1, "bottom": 0, "left": 0, "itemGap": 8, "textStyle": {"color": INK}}}
    if spec["tooltip"]["valueFormatter"] is None:
        del spec["tooltip"]["valueFormatter"]
    below = 20 * _legend_rows([s["name"] for s in series]) if len(series) > 1 else 0
    height = 380 + ROW * len(rows) + below
    return Chart(style(spec, title, height, rows, {"bottom": 8 + below}), height)


def _legend_rows(names: list[str], width: int = 340) -> int:
    """Rows a legend of these names takes on a phone (every item shown, wrapped, none scrolled out of sight)."""
    rows, used = 1, 0
    for name in names:
        item = 25 + 8 + 12 * len(name)  # symbol, gap, CJK characters at 12 px
        if used and used + item > width:
            rows, used = rows + 1, 0
        used += item
    return rows


def treemap(frame: pd.DataFrame, metric_id: str, title: str, threshold: float | None = None) -> Chart:
    """District → street → community tiles sized by cases; each tile coloured by its status against the red
    line and its parent; a click on a tile opens its place (the chart's places follow the tiles' order)."""
    by_id = dict(zip(frame["id"], frame["value"]))
    records = frame.to_dict("records")
    children: dict[object, list[dict]] = {}
    for rec in records:
        parent = by_id.get(rec["parent"])
        colour = TINTS[status_colour(metric_id, rec["value"], None if fmt.missing(parent) else float(parent),
                                     threshold)]
        node = {"name": label(rec["label"]), "value": float(rec["size"] or 0), "id": label(rec["id"]),
                "itemStyle": {"color": colour},
                "label": {"formatter": "{b}\n" + fmt.number(metric_id, rec["value"])},
                "tooltip": {"formatter": "{b}：" + fmt.number(metric_id, rec["value"])},
                "_places": [None if fmt.missing(rec[p]) else str(rec[p]) for p in ("district", "street", "community")],
                "_id": rec["id"]}
        children.setdefault(rec["parent"] if isinstance(rec["parent"], str) and rec["parent"] else None, []).append(node)
    order: list[list[str | None]] = [[None, None, None]]  # ECharts numbers the tree's own (unseen) root 0

    def attach(nodes: list[dict]) -> list[dict]:
        """Nest the nodes under their parents, recording each tile's places in ECharts' data order."""
        out = []
        for node in nodes:
            order.append(node.pop("_places"))
            kids = children.get(node.pop("_id"), [])
            if kids:  # a parent's area is the sum of its tiles
                node["children"] = attach(kids)
                del node["value"]
            out.append(node)
        return out

    data = attach(children.get(None, []))
    series = {"type": "treemap", "data": data, "roam": False, "nodeClick": False, "breadcrumb": {"show": False},
              "animation": False, "animationDurationUpdate": 0,
              "selectedMode": "single", "left": 4, "right": 4, "height": 440, "top": TITLE + 16,
              "label": {"show": True, "color": INK, "fontSize": 11, "lineHeight": 16},
              "upperLabel": {"show": True, "height": 18, "color": INK, "fontSize": 11},
              # A tile too small for a readable label shows none; its name and value are on hover.
              "visibleMin": 300, "childrenVisibleMin": 100,
              "itemStyle": {"borderColor": "#ffffff", "borderWidth": 2, "gapWidth": 2},
              "levels": [{"itemStyle": {"borderWidth": 3, "gapWidth": 3}}, {"itemStyle": {"gapWidth": 2}},
                         {"itemStyle": {"gapWidth": 1}}]}
    return Chart(style({"series": [series]}, title, 520), 520, order)


def pie(frame: pd.DataFrame, names: str, values: str, title: str) -> Chart:
    """Share of a count by category, with counts."""
    data = [{"name": label(n), "value": _number(v) or 0, "itemStyle": {"color": colour_of(n, names)}}
            for n, v in zip(frame[names], frame[values])]
    series = {"type": "pie", "radius": ["36%", "58%"], "center": ["50%", "58%"], "data": data,
              "label": {"formatter": "{b}\n{c}（{d}%）", "fontSize": 11, "lineHeight": 16, "width": 84,
                        "overflow": "break", "alignTo": "edge", "edgeDistance": 6},
              "labelLine": {"length": 8, "length2": 0},
              "avoidLabelOverlap": True}
    return Chart(style({"series": [series]}, title, 360), 360)


def _rate_range(values: list[float], floor_at: float = 0.15) -> list[float]:
    """A rate axis for points: from a whole ten percent under the lowest value (0 when that is near 0) to a
    little over the highest, so the points spread out and a point at 100% and its label stay inside."""
    low = min(values) if values else 0.0
    bottom = math.floor(max(0.0, low - 0.05) * 10) / 10
    bottom = 0.0 if bottom < floor_at else bottom
    top = max(values + [1.0]) if values else 1.0
    return [bottom, top + 0.08 * (top - bottom)]


def _label_side(fx: float, fy: float, text: str, radius: float, width: float = 300, height: float = 330) -> str:
    """Where a point's label goes so it stays in the plot area: above the point unless it is near the top, to the
    side when it is near the left or right edge. fx, fy are the point's place in the plot (0–1); width and height
    the smallest plot area expected (a phone), in pixels."""
    half = (len(text) * 13 / 2 + radius) / width
    if fx < half:
        return "right"
    if fx > 1 - half:
        return "left"
    return "top" if fy + (radius + 20) / height <= 0.97 else "bottom"


def scatter_handlers(frame: pd.DataFrame, title: str, thresholds: dict[str, float]) -> Chart:
    """Handling units: completion vs on-time, bubble size = cases; red lines dotted.

    The axes start where the units are (a whole ten percent below the lowest, including the red lines), and each
    unit's label is put on the side of its point that keeps it inside the chart."""
    x, y = "case_due_completion_rate", "case_ontime_rate"
    ranges = {}
    for col in (x, y):
        shown = [float(v) for v in frame[col] if not fmt.missing(v)]
        ranges[col] = _rate_range(shown + ([thresholds[col]] if col in thresholds else []))
    biggest = float(frame["cases_received"].max() or 1)
    data = []
    for name, xv, yv, n in zip(frame["handler"], frame[x], frame[y], frame["cases_received"]):
        if fmt.missing(xv) or fmt.missing(yv):
            continue
        bad = any(v < thresholds.get(mid, 0) for v, mid in ((xv, x), (yv, y)))
        size = 8 + 40 * math.sqrt(max(float(n or 0), 0.0) / biggest)
        (x0, x1), (y0, y1) = ranges[x], ranges[y]
        text = label(name)
        # Only units under a red line are named on the chart; the rest show their name on hover.
        item = {"name": text, "value": [round(float(xv) * 100, 4), round(float(yv) * 100, 4)], "symbolSize": size,
                "itemStyle": {"color": BAD if bad else GOOD, "opacity": 0.75},
                "label": {"show": bad, "formatter": "{b}", "fontSize": 11, "color": INK,
                          "position": _label_side((float(xv) - x0) / (x1 - x0), (float(yv) - y0) / (y1 - y0), text,
                                                  size / 2)},
                "tooltip": {"formatter": f"{{b}}：{fmt.title(x)} {fmt.number(x, xv)} · {fmt.title(y)} "
                                         f"{fmt.number(y, yv)} · {fmt.count(n)}"}}
        data.append(item)
    lines = [{axis: thresholds[col] * 100} for axis, col in (("xAxis", x), ("yAxis", y)) if col in thresholds]
    series = [{"type": "scatter", "data": data, "clip": True}]
    if lines:
        series.append(_under(lines, {"type": "dotted", "color": BAD, "width": 1}))

    def axis(col: str) -> dict:
        """A percent axis over the column's range (on whole 5%), named."""
        lo, hi = ranges[col]
        return {"type": "value", "min": math.floor(lo * 20) * 5, "max": math.ceil(hi * 20) * 5, "name": fmt.title(col),
                "nameLocation": "middle", "nameGap": 30, "nameTextStyle": {"color": INK},
                "axisLabel": {"formatter": "{value}%", "hideOverlap": True},
                "splitLine": {"lineStyle": {"color": "#e8ecf0"}}}

    # Both axes start above 0: the y axis leaves its lowest label out, so it never meets the x axis's in the corner.
    y_axis = axis(y)
    y_axis.update(nameGap=44, axisLabel={**y_axis["axisLabel"], "showMinLabel": False})
    spec = {"xAxis": axis(x), "yAxis": y_axis, "series": series}
    return Chart(style(spec, title, 460, grid={"left": 30, "bottom": 34}), 460)


def funnel(frame: pd.DataFrame, title: str) -> Chart:
    """Wish stages as a funnel, in one colour of decreasing strength, with counts and the share of the first."""
    names = frame["en"] if lang() == "en" else frame["zh"]
    counts = [int(c) for c in frame["count"]]
    first = counts[0] if counts and counts[0] else 0
    colours = ["#9ecae1", "#4292c6", "#08519c"]
    data = [{"name": label(n), "value": c, "itemStyle": {"color": colours[i % 3]},
             "label": {"formatter": f"{{b}} {fmt.count(c)}" + (f"（{c / first:.0%}）" if first else ""),
                       "color": "#ffffff" if i else INK}}
            for i, (n, c) in enumerate(zip(names, counts))]
    series = {"type": "funnel", "data": data, "sort": "none", "top": TITLE + 16, "bottom": 8, "left": "10%",
              "width": "80%", "minSize": "20%", "label": {"position": "inside", "fontSize": 12}, "gap": 2}
    return Chart(style({"series": [series]}, title, 320), 320)


def radar(frame: pd.DataFrame, metrics: list[str], title: str) -> Chart:
    """Normalised scores (0–1) per unit on a radar; districts as a whole grey and dashed."""
    indicators = [{"name": label(pair((REGISTRY[m].zh, REGISTRY[m].en))), "max": 1, "min": 0} for m in metrics]
    data = []
    for rec in frame.to_dict("records"):
        # Missing values are gaps, not zeros: "no data" must not look like the worst score.
        values = [_number(rec[m]) for m in metrics]
        reference = rec["kind"] == "district"
        colour = REFERENCE if reference else colour_of(rec["community"])
        item = {"name": label(rec["unit"]), "value": ["-" if v is None else round(v, 4) for v in values],
                "lineStyle": {"color": colour, "type": "dashed" if reference else "solid", "width": 2},
                "itemStyle": {"color": colour}, "symbolSize": 4}
        if not reference:
            item["areaStyle"] = {"color": colour, "opacity": 0.12}
        data.append(item)
    spec = {"radar": {"indicator": indicators, "radius": "55%", "center": ["50%", "52%"], "splitNumber": 4,
                      "axisNameGap": 6,
                      "axisName": {"color": INK, "fontSize": 11}},
            "series": [{"type": "radar", "data": data}],
            "legend": {"bottom": 0, "left": 0, "itemGap": 8, "textStyle": {"color": INK}}}
    height = 460 + 20 * _legend_rows([d["name"] for d in data])
    return Chart(style(spec, title, height), height)


def scores(frame: pd.DataFrame, title: str, mean: float | None, places: list[str]) -> Chart:
    """Composite scores per unit, best at the top: 红榜 blue, 黑榜 red, the rest grey; the mean grey, dashed."""
    frame = frame.reset_index(drop=True)
    data = []
    for score, kind in zip(frame["score"], frame["list"]):
        text = fmt.points(score)
        shown = _number(score)
        data.append({"value": 0 if shown is None else shown,
                     "itemStyle": {"color": GOOD if kind == "red" else BAD if kind == "black" else NEUTRAL},
                     "label": _item_label(text, shown is not None and shown >= 60),
                     "tooltip": {"formatter": "{b}：" + text}})
    series = {"type": "bar", "data": data, "barCategoryGap": "25%", "barMinHeight": 3, "selectedMode": "single",
              "select": {"itemStyle": {"borderColor": INK, "borderWidth": 1.5}}}
    rows, extra = [], []
    if mean is not None:
        extra = [_under([{"xAxis": float(mean)}], {"type": "dashed", "color": REFERENCE})]
        rows = [(f"┆ {t('平均', 'mean')} {fmt.points(mean)}", REFERENCE)]
    spec = {"xAxis": {"type": "value", "min": 0, "max": 100, "interval": 20,
                      "splitLine": {"lineStyle": {"color": "#e8ecf0"}}},
            "yAxis": {"type": "category", "data": labels(frame["unit"]), "inverse": True,
                      "axisLabel": {"color": INK}, "axisTick": {"show": False}},
            "series": [series] + extra}
    height = max(260, min(1400, 30 * len(frame) + 110)) + ROW * len(rows)
    return Chart(style(spec, title, height, rows), height, _places(frame, places))


def intervals(frame: pd.DataFrame, metric_id: str, title: str, parent_name: str) -> Chart:
    """Each unit's raw rate (hollow) and shrunk rate (filled) with its interval; the parent's rate dashed."""
    frame = frame.reset_index(drop=True)
    names = labels(frame["unit"])
    low = [_number(v, 100) for v in frame["low"]]
    high = [_number(v, 100) for v in frame["high"]]
    # The interval is a thin bar from low to high: an invisible bar up to low, and the interval stacked on it.
    base = {"type": "bar", "stack": "interval", "silent": True, "barWidth": 3, "itemStyle": {"color": "transparent"},
            "data": [lo if lo is not None and hi is not None else None for lo, hi in zip(low, high)],
            "tooltip": {"show": False}}
    span = {"type": "bar", "stack": "interval", "silent": True, "barWidth": 3, "itemStyle": {"color": GOOD},
            "name": t("90% 区间", "90% interval"), "tooltip": {"show": False},
            "data": [round(hi - lo, 6) if lo is not None and hi is not None else None for lo, hi in zip(low, high)]}
    shrunk = {"type": "scatter", "name": t("修正后", "shrunk"), "symbolSize": 10, "itemStyle": {"color": GOOD},
              "z": 3, "data": [{"value": [_number(v, 100), i],
                                "tooltip": {"formatter": "{b}" if fmt.missing(v) else
                                            f"{t('修正后', 'shrunk')} {fmt.number(metric_id, v)}（n={fmt.count(d)}）"}}
                               for i, (v, d) in enumerate(zip(frame["shrunk_value"], frame["den"]))]}
    raw = {"type": "scatter", "name": t("原始", "raw"), "symbolSize": 9, "z": 4,
           "itemStyle": {"color": "#ffffff", "borderColor": REFERENCE, "borderWidth": 1.5},
           "data": [{"value": [_number(v, 100), i],
                     "tooltip": {"formatter": f"{t('原始', 'raw')} {fmt.number(metric_id, v)}"}}
                    for i, v in enumerate(frame["value"])]}
    rows, extra = [], []
    parent = frame["parent_rate"].dropna()
    if len(parent) and parent.nunique() == 1:
        extra = [_under([{"xAxis": float(parent.iloc[0]) * 100}], {"type": "dashed", "color": REFERENCE})]
        rows = [(f"┆ {label(parent_name)} {fmt.number(metric_id, parent.iloc[0])}", REFERENCE)]
    lowest = min([v for v in low if v is not None] + [50.0])
    spec = {"xAxis": {"type": "value", "min": max(0, math.floor((lowest - 5) / 5) * 5), "max": 102,
                      "axisLabel": {"formatter": "{value}%", "hideOverlap": True},
                      "splitLine": {"lineStyle": {"color": "#e8ecf0"}}},
            "yAxis": {"type": "category", "data": names, "inverse": True, "axisLabel": {"color": INK},
                      "axisTick": {"show": False}},
            "series": [base, span, shrunk, raw] + extra,
            "legend": {"data": [t("修正后", "shrunk"), t("原始", "raw")], "bottom": 0, "left": 0}}
    height = max(280, min(1400, 30 * len(frame) + 130)) + ROW * len(rows)
    return Chart(style(spec, title, height, rows, {"bottom": 28}), height)


def waterfall(frame: pd.DataFrame, metric_id: str, title: str) -> Chart:
    """A rate's change from the period before to this one, bar by bar: parts that raised it green, lowered it red.

    Each part is a bar stacked on an invisible one that lifts it to where the rate stood; the axis is zoomed to
    the path, on whole half percents."""
    steps = [{"上期": t("上期", "before"), "本期": t("本期", "now")}.get(lbl, label(lbl)) for lbl in frame["label"]]
    bases, shown, path, level = [], [], [], 0.0
    for v, m in zip(frame["value"], frame["measure"]):
        v = float(v)
        if m != "relative":
            text, colour, bottom, length, level = fmt.number(metric_id, v), REFERENCE, 0.0, v, v
        else:
            text, colour = fmt.change(metric_id, v) or "0", "#3a9d5d" if v >= 0 else BAD
            bottom, length, level = min(level, level + v), abs(v), level + v
        path.append(level)
        bases.append(round(bottom * 100, 6))
        shown.append({"value": round(length * 100, 6), "itemStyle": {"color": colour},
                      "label": {"show": True, "position": "top", "formatter": text, "color": INK},
                      "tooltip": {"formatter": "{b}：" + text}})
    pad = max(0.005, 0.25 * (max(path) - min(path)))
    low = max(0.0, min(path) - pad)
    spec = {"xAxis": {"type": "category", "data": steps, "axisLabel": {"rotate": 30, "interval": 0, "color": INK}},
            "yAxis": {"type": "value", "min": math.floor(low * 200) / 2,
                      "max": math.ceil((min(1.0, max(path) + pad) + pad * 0.5) * 200) / 2,
                      "axisLabel": {"formatter": "{value}%", "hideOverlap": True},
                      "splitLine": {"lineStyle": {"color": "#e8ecf0"}}},
            "series": [{"type": "bar", "stack": "w", "silent": True, "itemStyle": {"color": "transparent"},
                        "data": bases, "tooltip": {"show": False}},
                       {"type": "bar", "stack": "w", "data": shown, "barMaxWidth": 48}]}
    return Chart(style(spec, title, 400), 400)
