"""Plotly figures whose colour means something.

- Status colours judge a value: red below its red line, amber worse than the reference (the district or
  city as a whole), blue at or better than it; grey when there is nothing to judge against.
- A reference is drawn grey and dashed (a line on a chart, a dashed trace on a radar), never in a unit's colour.
- Places keep one colour everywhere: districts, streets and communities draw from different palettes, so a
  community never wears its district's colour.
Bars carry their value and count; rate axes run from 0 to 100%; a zero bar still shows its label.

Data is text, never markup: Plotly draws a subset of HTML in labels (<a href>, <b>, <br> ...), so every label
that comes from data (axis categories, bar and point text, hover values, legend names, annotations, tiles)
goes through label(), which escapes < > & and blanks control characters. customdata used for drill-down keeps
the raw names.
"""
from __future__ import annotations

import hashlib
import html
import math

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from metrics.registry import REGISTRY

from . import format as fmt
from .i18n import lang, pair, t

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
BAD, WARN, GOOD, NEUTRAL = "#d64545", "#e8a317", "#4f83c2", "#a7b1bc"
# Light tints of the same statuses for large areas (treemap tiles), which carry dark text.
TINTS = {BAD: "#f2b8b5", WARN: "#f9dfa4", GOOD: "#c9dcf0", NEUTRAL: "#e3e7eb"}
REFERENCE = "#6b7785"
ROW = 20  # height in pixels of one row of labels above a plot
PALETTES = {"district": px.colors.qualitative.Dark2, "street": px.colors.qualitative.Set2,
            "community": px.colors.qualitative.Plotly + px.colors.qualitative.D3}
_ASSIGNED: dict[str, str] = {}


def label(text: object) -> str:
    """Data text as Plotly shows it literally: < > & escaped (Plotly decodes the entities; " is left alone, as
    Plotly does not decode &quot;), control characters as spaces."""
    cleaned = "".join(ch if ch.isprintable() or ch == " " else " " for ch in str(text))
    return html.escape(cleaned, quote=False)


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


def style(fig: go.Figure, title: str, height: int = 380, label_rows: int = 0) -> go.Figure:
    """Common layout: title, CJK font, tidy margins that grow to fit labels, legend below.

    label_rows: rows of labels (reference, red line, notes) put between the title and the plot area; the top
    margin grows by one row each, and the title stays at the top.
    """
    fig.update_layout(title={"text": label(title), "x": 0, "y": 1, "yref": "container", "yanchor": "top",
                             "pad": {"t": 14}, "font": {"size": 15}},
                      font={"family": FONT, "size": 12},
                      height=height, margin={"l": 8, "r": 16, "t": 52 + ROW * label_rows, "b": 8},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "title": None},
                      template="plotly_white", hoverlabel={"font": {"family": FONT}}, dragmode=False)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _above_plot(fig: go.Figure, row: int, text: str, colour: str, x: float | None = None,
                xanchor: str = "right") -> None:
    """A label in the top margin, on its own row above the plot area (row 0 nearest the plot): never over a tick,
    a bar or its value. With x, it stands at that value of the x axis (where its line is), else at the right."""
    fig.add_annotation(text=text, showarrow=False, font={"color": colour, "size": 11},
                       x=1 if x is None else x, xref="paper" if x is None else "x", xanchor=xanchor,
                       y=1, yref="paper", yanchor="bottom", yshift=2 + ROW * row)


def _value_axis(metric_id: str, values: pd.Series, extra: list[float]) -> dict:
    """Axis settings for a metric: rates from 0 to 100% (further when a value exceeds it), others from 0."""
    m = REGISTRY[metric_id]
    top = max([float(v) for v in values.dropna()] + [v for v in extra if v is not None] + [0])
    if m.unit == "ratio":
        return {"range": [0, max(1.0, top * 1.08)], "tickformat": ".0%"}
    return {"range": [0, top * 1.15 if top > 0 else 1], "tickformat": fmt.tick(metric_id)}


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


def _reference_lines(fig: go.Figure, reference: float | None, threshold: float | None, metric_id: str,
                     reference_name: str, horizontal: bool, axis: tuple[float, float] = (0.0, 1.0)) -> int:
    """The reference (grey, dashed) and the red line (red, dotted), labelled above the plot area on rows of their
    own (the reference nearest the plot, the red line above it); returns how many rows the labels take.

    The lines are drawn under the bars (layer "below": under the traces; Streamlit's Plotly draws no "between" shapes), so they never cross a
    bar's value; they show between and beyond the bars. On horizontal bars each label stands over its line,
    reaching away from the nearer end of the axis so it stays inside the chart; on vertical bars it sits at the
    right.
    """
    lines = []
    if reference is not None and not fmt.missing(reference):
        lines.append((float(reference), "dash", REFERENCE, f"{label(reference_name)} {fmt.number(metric_id, reference)}"))
    if threshold is not None:
        lines.append((float(threshold), "dot", BAD, f"{t('threshold')} {fmt.number(metric_id, threshold)}"))
    lo, hi = axis
    for row, (value, dash, colour, text) in enumerate(lines):
        shape = {"line_dash": dash, "line_color": colour, "line_width": 1.5, "layer": "below"}
        if horizontal:
            fig.add_vline(x=value, **shape)
            _above_plot(fig, row, text, colour, value, "right" if value > lo + (hi - lo) / 2 else "left")
        else:
            fig.add_hline(y=value, **shape)
            _above_plot(fig, row, text, colour)
    return len(lines)


def bars(frame: pd.DataFrame, name_col: str, metric_id: str, title: str, reference: float | None = None,
         threshold: float | None = None, reference_name: str = "", places: list[str] | None = None,
         height: int | None = None) -> go.Figure:
    """Horizontal bars of a metric per unit, coloured by status, with value and count on every bar.

    places names the columns put in customdata (district, street, community), for drill-down.
    """
    frame = frame.reset_index(drop=True)
    names = [label(n) if not fmt.missing(n) else t("（未填）", "(blank)") for n in frame[name_col]]
    colours = [status_colour(metric_id, v, reference, threshold) for v in frame[metric_id]]
    values = [0 if fmt.missing(v) else float(v) for v in frame[metric_id]]
    custom = frame[places].astype(object).where(frame[places].notna(), None).values.tolist() if places else None
    # Labels sit inside a long bar and outside a short one, so none runs off a phone's screen; a zero bar
    # still shows its label at the axis.
    fig = go.Figure(go.Bar(y=names, x=values, orientation="h", marker_color=colours, text=_bar_text(metric_id, frame),
                           textposition="auto", insidetextanchor="end", cliponaxis=False, customdata=custom,
                           textfont={"size": 11}, hovertemplate="%{y}: %{text}<extra></extra>"))
    zero = [i for i, v in enumerate(frame[metric_id]) if not fmt.missing(v) and float(v) == 0]
    if zero:
        # A zero bar has no length: a marker at the axis and its label keep it in sight.
        texts = _bar_text(metric_id, frame)
        fig.add_trace(go.Scatter(y=[names[i] for i in zero], x=[0] * len(zero), mode="markers+text",
                                 marker={"symbol": "line-ns", "size": 16, "line": {"width": 4, "color": colours[zero[0]]}},
                                 text=[texts[i] for i in zero], textposition="middle right", cliponaxis=False,
                                 textfont={"size": 11, "color": colours[zero[0]]}, hoverinfo="skip"))
    fig.update_yaxes(categoryorder="array", categoryarray=names[::-1], title=None)
    axis = _value_axis(metric_id, frame[metric_id], [reference, threshold])
    fig.update_xaxes(title=None, **axis)
    rows = _reference_lines(fig, reference, threshold, metric_id, reference_name, True, tuple(axis["range"]))
    fig.update_layout(showlegend=False, bargap=0.3)
    return style(fig, title, (height or max(260, min(1400, 30 * len(frame) + 110))) + ROW * rows, rows)


def columns(frame: pd.DataFrame, name_col: str, metric_id: str, title: str, colour_level: str = "community",
            reference: float | None = None, reference_name: str = "") -> go.Figure:
    """Vertical bars of one metric for a few units side by side, each in its place's colour."""
    names = labels(frame[name_col])
    colours = [REFERENCE if kind == "district" else colour_of(c, colour_level)
               for c, kind in zip(frame.get("community", frame[name_col]), frame.get("kind", ["unit"] * len(frame)))]
    values = [0 if fmt.missing(v) else float(v) for v in frame[metric_id]]
    fig = go.Figure(go.Bar(x=names, y=values, marker_color=colours, text=_bar_text(metric_id, frame),
                           textposition="outside", cliponaxis=False, hovertemplate="%{x}: %{text}<extra></extra>"))
    fig.update_yaxes(title=None, **_value_axis(metric_id, frame[metric_id], [reference]))
    fig.update_xaxes(title=None, tickangle=-30)
    rows = _reference_lines(fig, reference, None, metric_id, reference_name, False)
    fig.update_layout(showlegend=False)
    return style(fig, title, 400 + ROW * rows, rows)


def _zoomed_rate_axis(values: list[float]) -> tuple[dict, str] | None:
    """For a rate whose values all lie well above 0: an axis from just under the lowest value to just over the
    highest (on whole percents), and the note that says so; None when the axis should start at 0."""
    if not values:
        return None
    low, high = min(values), max(values)
    span = max(high - low, 0.02)
    bottom = math.floor(max(0.0, low - 0.3 * span) * 100) / 100
    if bottom < 0.1:
        return None
    top = high + 0.15 * span
    tick = ".1%" if top - bottom < 0.06 else ".0%"
    shown = f"{bottom:.0%}" if tick == ".0%" else f"{bottom:.1%}"
    return ({"range": [bottom, top], "tickformat": tick},
            t(f"纵轴从 {shown} 起，放大显示变化", f"Axis starts at {shown} to show the changes"))


def line(frame: pd.DataFrame, metric_id: str, title: str, colour_by: str | None = None,
         reference: pd.DataFrame | None = None, reference_name: str = "") -> go.Figure:
    """Monthly line of an indicator (one per place when colour_by is given); the reference grey and dashed.

    A rate's axis is zoomed to the values (rates near 100% would otherwise be flat lines at the top of a 0–100%
    axis); the note above the plot says where the axis starts, and a ≈ on the axis marks the cut."""
    fig = go.Figure()
    months = sorted(frame["month"].dropna().unique())
    if colour_by:
        for name, part in frame.groupby(colour_by, dropna=False, sort=True):
            shown = t("（未填）", "(blank)") if fmt.missing(name) else label(name)
            fig.add_trace(go.Scatter(x=part["month"], y=part[metric_id], name=shown, mode="lines+markers",
                                     line={"color": colour_of(name, colour_by), "width": 2}))
    else:
        fig.add_trace(go.Scatter(x=frame["month"], y=frame[metric_id], name=t("本单位", "This unit"),
                                 mode="lines+markers", line={"color": GOOD, "width": 2.5}))
    if reference is not None and not reference.empty:
        fig.add_trace(go.Scatter(x=reference["month"], y=reference[metric_id], name=label(reference_name),
                                 mode="lines", line={"color": REFERENCE, "width": 2, "dash": "dash"}))
    values = [float(v) for part in (frame, reference) if part is not None and not part.empty
              for v in part[metric_id] if not fmt.missing(v)]
    zoom = _zoomed_rate_axis(values) if REGISTRY[metric_id].unit == "ratio" else None
    if zoom:
        axis, note = zoom
        fig.update_yaxes(title=None, **axis)
        _above_plot(fig, 0, note, REFERENCE, xanchor="right")
        # A broken-axis mark where the axis is cut.
        fig.add_annotation(text="≈", showarrow=False, xref="paper", x=0, xanchor="left", xshift=2, yref="paper", y=0,
                           yanchor="bottom", font={"color": REFERENCE, "size": 16})
    else:
        fig.update_yaxes(title=None, **_value_axis(metric_id, frame[metric_id], []))
    # Short month labels and a tilt keep a phone's axis readable: 26-10 rather than 2026-10 cut to 202.
    fig.update_xaxes(title=None, type="category", categoryorder="array", categoryarray=months,
                     tickvals=months, ticktext=[m[2:] for m in months], tickangle=-45)
    rows = 1 if zoom else 0
    return style(fig, title, 380 + ROW * rows, rows)


def treemap(frame: pd.DataFrame, metric_id: str, title: str, threshold: float | None = None) -> go.Figure:
    """District → street → community tiles sized by cases; each tile coloured by its status against the red
    line and its parent. customdata holds district, street, community for drill-down."""
    by_id = dict(zip(frame["id"], frame["value"]))
    colours, shown = [], []
    for rec in frame.to_dict("records"):
        parent = by_id.get(rec["parent"])
        colours.append(TINTS[status_colour(metric_id, rec["value"], None if fmt.missing(parent) else float(parent),
                                           threshold)])
        shown.append(fmt.number(metric_id, rec["value"]))
    custom = frame[["district", "street", "community"]].astype(object).where(
        frame[["district", "street", "community"]].notna(), None).values.tolist()
    # ids (shown on hover) and parents are escaped alike, so the tree keeps its shape.
    ids = labels(frame["id"])
    parents = [label(p) if isinstance(p, str) else p for p in frame["parent"]]
    fig = go.Figure(go.Treemap(ids=ids, parents=parents, labels=labels(frame["label"]),
                               values=frame["size"], branchvalues="remainder", customdata=[c + [s] for c, s in
                                                                                        zip(custom, shown)],
                               marker={"colors": colours, "line": {"color": "white", "width": 2}},
                               textfont={"color": "#1f2933"}, texttemplate="%{label}<br>%{customdata[3]}",
                               hovertemplate="%{id}<br>%{customdata[3]}<extra></extra>"))
    # A tile too small for a 10 px label shows none (on a phone most communities), rather than a smudge of
    # 3–7 px text; its name and value are on hover, and its colour still tells its status.
    fig.update_layout(uniformtext={"minsize": 10, "mode": "hide"})
    return style(fig, title, 520)


def pie(frame: pd.DataFrame, names: str, values: str, title: str) -> go.Figure:
    """Share of a count by category, with counts."""
    shown = frame.assign(**{names: labels(frame[names])})
    fig = px.pie(shown, names=names, values=values, hole=0.45, color=names,
                 color_discrete_map={label(n): colour_of(n, names) for n in frame[names]})
    fig.update_traces(textinfo="label+value+percent", textposition="inside")
    fig.update_layout(showlegend=False)
    return style(fig, title, 360)


def _rate_range(values: list[float], floor_at: float = 0.15) -> list[float]:
    """A rate axis for points: from a whole ten percent under the lowest value (0 when that is near 0) to a
    little over the highest, so the points spread out and a point at 100% and its label stay inside."""
    low = min(values) if values else 0.0
    bottom = math.floor(max(0.0, low - 0.05) * 10) / 10
    bottom = 0.0 if bottom < floor_at else bottom
    top = max(values + [1.0]) if values else 1.0
    return [bottom, top + 0.08 * (top - bottom)]


def _text_position(fx: float, fy: float, text: str, radius: float, width: float = 300, height: float = 330) -> str:
    """Where a point's label goes so it stays in the plot area: above the point unless it is near the top, centred
    unless it is near the left or right edge. fx, fy are the point's place in the plot (0–1); width and height the
    smallest plot area expected (a phone), in pixels."""
    tall = (radius + 20) / height
    vertical = "top" if fy + tall <= 0.97 else "bottom"
    half = (len(text) * 13 / 2 + radius) / width
    horizontal = "center" if half <= fx <= 1 - half else "right" if fx < half else "left"
    return f"{vertical} {horizontal}"


def scatter_handlers(frame: pd.DataFrame, title: str, thresholds: dict[str, float]) -> go.Figure:
    """Handling units: completion vs on-time, bubble size = cases; red lines dotted.

    The axes start where the units are (a whole ten percent below the lowest, including the red lines), and each
    unit's label is put on the side of its point that keeps it inside the chart."""
    x, y = "case_due_completion_rate", "case_ontime_rate"
    colours = [BAD if any(not fmt.missing(v) and v < thresholds.get(mid, 0) for v, mid in ((a, x), (b, y)))
               else GOOD for a, b in zip(frame[x], frame[y])]
    biggest = float(frame["cases_received"].max() or 1)
    sizeref = max(1.0, biggest / 900)
    marker = {"size": frame["cases_received"].astype(float), "sizemode": "area", "sizeref": sizeref,
              "color": colours, "opacity": 0.75}
    # Only units under a red line are named on the chart; the rest show their name on hover.
    names = [label(h) if c == BAD else "" for h, c in zip(frame["handler"], colours)]
    ranges = {}
    for col in (x, y):
        shown = [float(v) for v in frame[col] if not fmt.missing(v)]
        ranges[col] = _rate_range(shown + ([thresholds[col]] if col in thresholds else []))
    positions = []
    for name, xv, yv, n in zip(names, frame[x], frame[y], frame["cases_received"]):
        if not name or fmt.missing(xv) or fmt.missing(yv):
            positions.append("top center")
            continue
        (x0, x1), (y0, y1) = ranges[x], ranges[y]
        radius = math.sqrt(max(float(n or 0), 0.0) / sizeref) / 2
        positions.append(_text_position((float(xv) - x0) / (x1 - x0), (float(yv) - y0) / (y1 - y0), name, radius))
    fig = go.Figure(go.Scatter(x=frame[x], y=frame[y], mode="markers+text", text=names,
                               customdata=labels(frame["handler"]), textposition=positions, cliponaxis=True,
                               marker=marker, hovertemplate="%{customdata}<extra></extra>"))
    fig.update_xaxes(tickformat=".0%", title=fmt.title(x), range=ranges[x])
    fig.update_yaxes(tickformat=".0%", title=fmt.title(y), range=ranges[y])
    if x in thresholds:
        fig.add_vline(x=thresholds[x], line_dash="dot", line_color=BAD, line_width=1, layer="below")
    if y in thresholds:
        fig.add_hline(y=thresholds[y], line_dash="dot", line_color=BAD, line_width=1, layer="below")
    return style(fig, title, 460)


def funnel(frame: pd.DataFrame, title: str) -> go.Figure:
    """Wish stages as a funnel, in one colour of decreasing strength."""
    names = frame["en"] if lang() == "en" else frame["zh"]
    fig = go.Figure(go.Funnel(y=labels(names), x=list(frame["count"]), textinfo="value+percent initial",
                              marker={"color": ["#9ecae1", "#4292c6", "#08519c"]}))
    return style(fig, title, 320)


def radar(frame: pd.DataFrame, metrics: list[str], title: str) -> go.Figure:
    """Normalised scores (0–1) per unit on a radar; districts as a whole grey and dashed."""
    fig = go.Figure()
    theta = [label(pair((REGISTRY[m].zh, REGISTRY[m].en))) for m in metrics]
    for rec in frame.to_dict("records"):
        # Missing values are gaps, not zeros: "no data" must not look like the worst score.
        values = [None if fmt.missing(rec[m]) else rec[m] for m in metrics]
        reference = rec["kind"] == "district"
        fig.add_trace(go.Scatterpolar(r=values + values[:1], theta=theta + theta[:1], name=label(rec["unit"]),
                                      line={"color": REFERENCE if reference else colour_of(rec["community"]),
                                            "dash": "dash" if reference else "solid"},
                                      fill=None if reference else "toself", opacity=0.85))
    fig.update_layout(polar={"radialaxis": {"range": [0, 1], "tickvals": [0.25, 0.5, 0.75], "tickformat": ".2f"},
                             "angularaxis": {"tickfont": {"size": 11}}})
    fig = style(fig, title, 480)
    fig.update_layout(margin={"l": 48, "r": 48, "t": 60, "b": 24})
    return fig


def scores(frame: pd.DataFrame, title: str, mean: float | None, places: list[str]) -> go.Figure:
    """Composite scores per unit, best at the top: 红榜 blue, 黑榜 red, the rest grey; the mean grey, dashed."""
    frame = frame.reset_index(drop=True)
    names = labels(frame["unit"])
    colours = [GOOD if k == "red" else BAD if k == "black" else NEUTRAL for k in frame["list"]]
    custom = frame[places].astype(object).where(frame[places].notna(), None).values.tolist()
    fig = go.Figure(go.Bar(y=names, x=frame["score"].astype("float64"), orientation="h", marker_color=colours,
                           text=[fmt.points(v) for v in frame["score"]], textposition="auto", insidetextanchor="end",
                           customdata=custom, cliponaxis=False, hovertemplate="%{y}: %{text}<extra></extra>"))
    fig.update_yaxes(categoryorder="array", categoryarray=names[::-1], title=None)
    fig.update_xaxes(range=[0, 105], title=None)
    if mean is not None:
        fig.add_vline(x=mean, line_dash="dash", line_color=REFERENCE, line_width=1.5, layer="below",
                      annotation_text=f"{t('平均', 'mean')} {fmt.points(mean)}", annotation_font_color=REFERENCE,
                      annotation_position="top")
    fig.update_layout(showlegend=False, bargap=0.25)
    return style(fig, title, max(260, min(1400, 30 * len(frame) + 110)))


def intervals(frame: pd.DataFrame, metric_id: str, title: str, parent_name: str) -> go.Figure:
    """Each unit's raw rate (hollow) and shrunk rate (filled) with its interval; the parent's rate dashed."""
    frame = frame.reset_index(drop=True)
    names = labels(frame["unit"])
    shrunk = frame["shrunk_value"].astype("float64")
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        y=names, x=shrunk, mode="markers", name=t("修正后", "shrunk"), marker={"color": GOOD, "size": 10},
        error_x={"type": "data", "symmetric": False, "array": (frame["high"].astype("float64") - shrunk).tolist(),
                 "arrayminus": (shrunk - frame["low"].astype("float64")).tolist(), "color": GOOD, "thickness": 1.5},
        customdata=[[fmt.count(d)] for d in frame["den"]],
        hovertemplate="%{y}: %{x:.1%}（n=%{customdata[0]}）<extra></extra>"))
    fig.add_trace(go.Scatter(y=names, x=frame["value"].astype("float64"), mode="markers", name=t("原始", "raw"),
                             marker={"color": "white", "size": 9, "line": {"color": REFERENCE, "width": 1.5}},
                             hovertemplate="%{y}: %{x:.1%}<extra></extra>"))
    parent = frame["parent_rate"].dropna()
    if len(parent) and parent.nunique() == 1:
        fig.add_vline(x=float(parent.iloc[0]), line_dash="dash", line_color=REFERENCE, line_width=1.5, layer="below",
                      annotation_text=f"{label(parent_name)} {fmt.number(metric_id, parent.iloc[0])}",
                      annotation_font_color=REFERENCE, annotation_position="top")
    lo = min(0.5, float(frame["low"].astype("float64").min() if frame["low"].notna().any() else 0.5))
    fig.update_xaxes(range=[max(0.0, lo - 0.05), 1.02], tickformat=".0%", title=None)
    fig.update_yaxes(categoryorder="array", categoryarray=names[::-1], title=None)
    return style(fig, title, max(280, min(1400, 30 * len(frame) + 130)))


def waterfall(frame: pd.DataFrame, metric_id: str, title: str) -> go.Figure:
    """A rate's change from the period before to this one, bar by bar: parts that raised it green, lowered it red."""
    texts = [fmt.number(metric_id, v) if m != "relative" else fmt.change(metric_id, v) or "0"
             for v, m in zip(frame["value"], frame["measure"])]
    steps = [{"上期": t("上期", "before"), "本期": t("本期", "now")}.get(lbl, label(lbl)) for lbl in frame["label"]]
    fig = go.Figure(go.Waterfall(
        x=steps, y=frame["value"].astype("float64"), measure=frame["measure"], text=texts, textposition="outside",
        cliponaxis=False, connector={"line": {"color": NEUTRAL, "width": 1}},
        increasing={"marker": {"color": "#3a9d5d"}}, decreasing={"marker": {"color": BAD}},
        totals={"marker": {"color": REFERENCE}}, hovertemplate="%{x}: %{text}<extra></extra>"))
    path, level = [], 0.0
    for v, m in zip(frame["value"], frame["measure"]):
        level = float(v) if m != "relative" else level + float(v)
        path.append(level)
    pad = max(0.005, 0.25 * (max(path) - min(path)))
    fig.update_yaxes(range=[max(0.0, min(path) - pad), min(1.0, max(path) + pad) + pad * 0.5], tickformat=".1%",
                     title=None)
    fig.update_xaxes(title=None, tickangle=-30)
    fig.update_layout(showlegend=False)
    return style(fig, title, 400)
