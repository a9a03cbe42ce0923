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


def style(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    """Common layout: title, CJK font, tidy margins that grow to fit labels, legend below."""
    fig.update_layout(title={"text": label(title), "x": 0, "font": {"size": 15}},
                      font={"family": FONT, "size": 12},
                      height=height, margin={"l": 8, "r": 16, "t": 52, "b": 8},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0, "title": None},
                      template="plotly_white", hoverlabel={"font": {"family": FONT}}, dragmode=False)
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


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
                     reference_name: str, horizontal: bool) -> None:
    """The reference (grey, dashed) and the red line (red, dotted), labelled."""
    def add(value: float, **kwargs: object) -> None:
        if horizontal:
            fig.add_vline(x=value, **kwargs)
        else:
            fig.add_hline(y=value, **kwargs)

    if reference is not None and not fmt.missing(reference):
        add(reference, line_dash="dash", line_color=REFERENCE, line_width=1.5,
            annotation_text=f"{label(reference_name)} {fmt.number(metric_id, reference)}",
            annotation_font_color=REFERENCE, annotation_position="top" if horizontal else "top left")
    if threshold is not None:
        add(threshold, line_dash="dot", line_color=BAD, line_width=1.5,
            annotation_text=f"{t('threshold')} {fmt.number(metric_id, threshold)}", annotation_font_color=BAD,
            annotation_position="bottom" if horizontal else "bottom left")


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
    fig.update_xaxes(title=None, **_value_axis(metric_id, frame[metric_id], [reference, threshold]))
    _reference_lines(fig, reference, threshold, metric_id, reference_name, True)
    fig.update_layout(showlegend=False, bargap=0.25)
    return style(fig, title, height or max(260, min(1400, 30 * len(frame) + 110)))


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
    _reference_lines(fig, reference, None, metric_id, reference_name, False)
    fig.update_layout(showlegend=False)
    return style(fig, title, 400)


def line(frame: pd.DataFrame, metric_id: str, title: str, colour_by: str | None = None,
         reference: pd.DataFrame | None = None, reference_name: str = "") -> go.Figure:
    """Monthly line of an indicator (one per place when colour_by is given); the reference grey and dashed."""
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
    fig.update_yaxes(title=None, **_value_axis(metric_id, frame[metric_id], []))
    # Short month labels and a tilt keep a phone's axis readable: 26-10 rather than 2026-10 cut to 202.
    fig.update_xaxes(title=None, type="category", categoryorder="array", categoryarray=months,
                     tickvals=months, ticktext=[m[2:] for m in months], tickangle=-45)
    return style(fig, title, 380)


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
    return style(fig, title, 520)


def pie(frame: pd.DataFrame, names: str, values: str, title: str) -> go.Figure:
    """Share of a count by category, with counts."""
    shown = frame.assign(**{names: labels(frame[names])})
    fig = px.pie(shown, names=names, values=values, hole=0.45, color=names,
                 color_discrete_map={label(n): colour_of(n, names) for n in frame[names]})
    fig.update_traces(textinfo="label+value+percent", textposition="inside")
    fig.update_layout(showlegend=False)
    return style(fig, title, 360)


def scatter_handlers(frame: pd.DataFrame, title: str, thresholds: dict[str, float]) -> go.Figure:
    """Handling units: completion vs on-time, bubble size = cases; red lines dotted."""
    x, y = "case_due_completion_rate", "case_ontime_rate"
    colours = [BAD if any(not fmt.missing(v) and v < thresholds.get(mid, 0) for v, mid in ((a, x), (b, y)))
               else GOOD for a, b in zip(frame[x], frame[y])]
    biggest = float(frame["cases_received"].max() or 1)
    marker = {"size": frame["cases_received"].astype(float), "sizemode": "area", "sizeref": max(1.0, biggest / 900),
              "color": colours, "opacity": 0.75}
    # Only units under a red line are named on the chart; the rest show their name on hover.
    names = [label(h) if c == BAD else "" for h, c in zip(frame["handler"], colours)]
    fig = go.Figure(go.Scatter(x=frame[x], y=frame[y], mode="markers+text", text=names,
                               customdata=labels(frame["handler"]),
                               textposition="top center", marker=marker, hovertemplate="%{customdata}<extra></extra>"))
    fig.update_xaxes(tickformat=".0%", title=fmt.title(x), range=[0, 1.05])
    fig.update_yaxes(tickformat=".0%", title=fmt.title(y), range=[0, 1.05])
    if x in thresholds:
        fig.add_vline(x=thresholds[x], line_dash="dot", line_color=BAD, line_width=1)
    if y in thresholds:
        fig.add_hline(y=thresholds[y], line_dash="dot", line_color=BAD, line_width=1)
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
        fig.add_vline(x=mean, line_dash="dash", line_color=REFERENCE, line_width=1.5,
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
        fig.add_vline(x=float(parent.iloc[0]), line_dash="dash", line_color=REFERENCE, line_width=1.5,
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
