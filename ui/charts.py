"""Plotly figures with titles, units, Chinese fonts and one stable colour per place."""
from __future__ import annotations

import hashlib

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

from metrics.registry import REGISTRY, UNITS

from .i18n import label, lang

FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"
PALETTE = px.colors.qualitative.D3 + px.colors.qualitative.Set2 + px.colors.qualitative.Dark2
SCALE_HIGHER = "RdYlGn"
NO_DATA = "#d9d9d9"


_ASSIGNED: dict[str, str] = {}


def register_places(places: pd.DataFrame) -> None:
    """Give every district, street and community a colour by its sorted position, so neighbours differ."""
    for level in ("district", "street", "community"):
        for i, name in enumerate(sorted({n for n in places[level].dropna() if n})):
            _ASSIGNED.setdefault(f"{level}:{name}", PALETTE[i % len(PALETTE)])
            _ASSIGNED.setdefault(str(name), PALETTE[i % len(PALETTE)])


def colour_of(name: object) -> str:
    """The colour of a place (or a category, unit or team): the same on every page."""
    if str(name) in _ASSIGNED:
        return _ASSIGNED[str(name)]
    digest = hashlib.md5(str(name).encode("utf-8")).digest()
    return PALETTE[digest[0] % len(PALETTE)]


def colour_map(names: pd.Series) -> dict[str, str]:
    """Stable colours for the names in a column."""
    return {n: colour_of(n) for n in names.dropna().unique()}


def metric_title(metric_id: str) -> str:
    """Indicator name with its unit, in the current language."""
    m = REGISTRY[metric_id]
    unit = UNITS[m.unit][0 if lang() == "zh" else 1]
    return f"{label(m.zh, m.en)}（{unit}）" if lang() == "zh" else f"{m.en} ({unit})"


def _axis_format(metric_id: str) -> str:
    """Plotly tick format for the indicator's unit."""
    return ".0%" if REGISTRY[metric_id].unit == "ratio" else ",.4~g"


def style(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    """Common layout: title, CJK font, tidy margins, legend below."""
    fig.update_layout(title={"text": title, "x": 0, "font": {"size": 16}}, font={"family": FONT, "size": 13},
                      height=height, margin={"l": 10, "r": 10, "t": 56, "b": 10},
                      legend={"orientation": "h", "yanchor": "top", "y": -0.15, "x": 0},
                      template="plotly_white", hoverlabel={"font": {"family": FONT}})
    return fig


def bar(frame: pd.DataFrame, x: str, metric_id: str, title: str, colour_by: str | None = None,
        horizontal: bool = True, height: int | None = None) -> go.Figure:
    """Bars of metric per unit, coloured by place."""
    colour_by = colour_by or x
    if horizontal:
        fig = px.bar(frame, y=x, x=metric_id, color=colour_by, orientation="h",
                     color_discrete_map=colour_map(frame[colour_by]))
        fig.update_yaxes(categoryorder="array", categoryarray=list(frame[x])[::-1], title=None)
        fig.update_xaxes(tickformat=_axis_format(metric_id), title=metric_title(metric_id))
    else:
        fig = px.bar(frame, x=x, y=metric_id, color=colour_by, color_discrete_map=colour_map(frame[colour_by]))
        fig.update_yaxes(tickformat=_axis_format(metric_id), title=metric_title(metric_id))
        fig.update_xaxes(title=None)
    fig.update_layout(showlegend=False)
    rows = len(frame)
    return style(fig, title, height or max(300, min(1400, 28 * rows + 120)) if horizontal else 380)


def grouped_bar(frame: pd.DataFrame, unit_col: str, metric_id: str, title: str,
                colour_by: str = "community") -> go.Figure:
    """One bar per unit for one indicator, each unit in its place's colour (used side by side)."""
    fig = px.bar(frame, x=unit_col, y=metric_id, color=colour_by, color_discrete_map=colour_map(frame[colour_by]),
                 text_auto=".1%" if REGISTRY[metric_id].unit == "ratio" else ".3~s")
    fig.update_yaxes(tickformat=_axis_format(metric_id), title=metric_title(metric_id))
    fig.update_xaxes(title=None, tickangle=-30, automargin=True)
    fig.update_layout(showlegend=False)
    return style(fig, title, 400)


def line(frame: pd.DataFrame, metric_id: str, title: str, colour_by: str | None = None) -> go.Figure:
    """Monthly line of an indicator, one line per place when colour_by is given."""
    if colour_by:
        fig = px.line(frame, x="month", y=metric_id, color=colour_by, markers=True,
                      color_discrete_map=colour_map(frame[colour_by]))
    else:
        fig = px.line(frame, x="month", y=metric_id, markers=True)
        fig.update_traces(line_color=PALETTE[0])
    fig.update_yaxes(tickformat=_axis_format(metric_id), title=metric_title(metric_id), rangemode="tozero")
    fig.update_xaxes(title=None, type="category")
    fig.update_layout(legend_title_text=None)
    return style(fig, title)


def treemap(frame: pd.DataFrame, metric_id: str, title: str) -> go.Figure:
    """District → street → community tiles sized by cases; each tile coloured by its own level's value."""
    reverse = REGISTRY[metric_id].direction == "lower"
    values = frame["value"].astype("float64")
    lo, hi = values.min(), values.max()
    span = (hi - lo) if hi > lo else 1.0
    colours = [NO_DATA if pd.isna(v) else px.colors.sample_colorscale(
        SCALE_HIGHER, [(hi - v) / span if reverse else (v - lo) / span])[0] for v in values]
    shown = [fmt_value(metric_id, v) for v in values]
    fig = go.Figure(go.Treemap(ids=frame["id"], parents=frame["parent"], labels=frame["label"],
                               values=frame["size"], branchvalues="remainder", customdata=shown,
                               marker={"colors": colours}, texttemplate="%{label}<br>%{customdata}",
                               hovertemplate="%{id}<br>%{customdata}<extra></extra>"))
    return style(fig, title, 520)


def fmt_value(metric_id: str, value: float) -> str:
    """A value for a chart label: percent for rates, else up to 4 significant digits."""
    if pd.isna(value):
        return "—"
    return f"{value:.1%}" if REGISTRY[metric_id].unit == "ratio" else f"{value:,.4g}"


def pie(frame: pd.DataFrame, names: str, values: str, title: str) -> go.Figure:
    """Share of a count by category."""
    fig = px.pie(frame, names=names, values=values, hole=0.45)
    fig.update_traces(textinfo="label+percent", textposition="outside")
    fig.update_layout(showlegend=False)
    return style(fig, title, 360)


def scatter_handlers(frame: pd.DataFrame, title: str) -> go.Figure:
    """Handling units: completion vs on-time, bubble size = cases."""
    fig = px.scatter(frame, x="case_completion_rate", y="case_ontime_rate", size="cases_received",
                     color="handler", hover_name="handler", color_discrete_map=colour_map(frame["handler"]))
    fig.update_xaxes(tickformat=".0%", title=metric_title("case_completion_rate"))
    fig.update_yaxes(tickformat=".0%", title=metric_title("case_ontime_rate"))
    fig.update_layout(legend_title_text=None)
    return style(fig, title, 460)


def funnel(frame: pd.DataFrame, title: str) -> go.Figure:
    """Wish stages as a funnel."""
    names = frame["en"] if lang() == "en" else frame["zh"]
    fig = go.Figure(go.Funnel(y=list(names), x=list(frame["count"]), textinfo="value+percent initial",
                              marker={"color": [PALETTE[2], PALETTE[1], PALETTE[0]]}))
    return style(fig, title, 320)


def radar(frame: pd.DataFrame, metrics: list[str], title: str) -> go.Figure:
    """Normalised scores (0–1) per unit on a radar; district averages dashed."""
    fig = go.Figure()
    theta = [label(REGISTRY[m].zh, REGISTRY[m].en) for m in metrics]
    for rec in frame.to_dict("records"):
        # Missing values are gaps, not zeros: "no data" must not look like the worst score.
        values = [None if rec[m] is None or pd.isna(rec[m]) else rec[m] for m in metrics]
        fig.add_trace(go.Scatterpolar(r=values + values[:1], theta=theta + theta[:1], name=rec["unit"],
                                      line={"color": colour_of(rec["community"]),
                                            "dash": "dash" if rec["kind"] == "district" else "solid"},
                                      fill="toself" if rec["kind"] == "community" else None, opacity=0.8))
    fig.update_layout(polar={"radialaxis": {"range": [0, 1], "tickvals": [0.25, 0.5, 0.75], "tickformat": ".2f"}})
    return style(fig, title, 480)
