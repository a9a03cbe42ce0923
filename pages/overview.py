"""总览 Overview: headline figures with their maturity, trend, 红黑榜, full ranking, the map of places and
the units below a red line. Every bar, tile and ranking row opens its unit."""
from __future__ import annotations

import streamlit as st

from metrics.registry import METRICS
from metrics.views import MIN_DENOMINATOR, THRESHOLDS
from ui import assessment_flow, charts, data, nav, state, widgets
from ui import format as fmt
from ui.i18n import lang, t

scope = state.page_scope(t("overview"))
kpis = data.kpis(scope)
if kpis["value"].isna().all() or (kpis["value"].fillna(0) == 0).all():
    state.no_data_message()
    st.stop()
period = scope.period
not_due = kpis.attrs["not_yet_due"]
if not_due:
    st.info(t("maturing", period=period.label(lang()), n=f"{not_due:,}"), icon=":material/hourglass_top:")
compared = dict(prev=period.span_label(period.previous(), lang()), yoy=period.span_label(period.year_before(), lang()))
st.caption(t("partial", period=period.label(lang()), through=period.effective_end.isoformat(), **compared)
           if period.partial else t("compared", **compared))
widgets.kpi_cards(kpis, maturing={"case_completion_rate"} if not_due else set())
assessment_flow.alerts_box(scope)

ids = [m.id for m in METRICS]
left, right = st.columns(2)
metric = widgets.metric_picker(t("indicator"), ids, "metric", "case_due_completion_rate", where=left)
levels = ["community", "street", "district"]
level = state.page_choice(t("level"), levels, "level", "community", format_func=t, where=right)
threshold = THRESHOLDS.get(metric)

trend_by = "district" if not scope.district else ("street" if not scope.street else None)
trend = data.trend(scope, metric, 12, trend_by)
whole = data.trend(scope.within(), metric, 12, None) if scope.district else None
nav.chart(charts.line(trend, metric, f"{t('trend')} · {fmt.title(metric)}", trend_by, whole,
                      nav.whole_name(scope)), "trend")

ranked = data.ranking(scope, metric, level)
if ranked.empty:
    state.no_data_message()
    st.stop()
rankable = ranked[ranked["rank"].notna()]
reference = ranked.attrs.get("total")
places = [p for p in ("district", "street", "community") if p in ranked.columns]
# Top and bottom lists never show the same unit twice: with few units each takes half.
n = min(10, max(1, len(rankable) // 2))
st.caption(t("open_unit"))
top, bottom = st.columns(2)
for where, part, name, key in ((top, rankable.head(n), t("top_n", n=n), "top"),
                               (bottom, rankable.tail(n).iloc[::-1], t("bottom_n", n=n), "bottom")):
    with where:
        fig = charts.bars(part, level, metric, f"{name} · {fmt.title(metric)}", reference, threshold,
                          nav.place_name(scope), places)
        nav.chart(fig, key, level)

st.subheader(f"{t('ranking')} · {t('按', 'by ')}{t(level)}")
st.caption(t(f"相同数值排名相同；比率类指标分母少于 {MIN_DENOMINATOR} 的单位不参与排名。",
             f"Equal values share a rank; units with a rate base under {MIN_DENOMINATOR} are listed but not ranked."))
# Rank, name and value first, so a phone shows them without scrolling sideways; the places above last.
columns = ["rank", level, metric] + [c for c in (f"{metric}__num", f"{metric}__den", f"{metric}__change")
                                     if c in ranked.columns] + [p for p in places[::-1] if p != level]
nav.follow_row(widgets.table(ranked[columns], [metric], f"ranking_{metric}_{level}", select=True), ranked, level)

st.subheader(t("hierarchy"))
tree = data.hierarchy(scope, metric)
if not tree.empty:
    fig = charts.treemap(tree, metric, f"{t('hierarchy')} · {fmt.title(metric)}", threshold)
    nav.chart(fig, "treemap", "community")

st.subheader(t("below"))
below = data.below_thresholds(scope)
if below.empty:
    st.success(t("none_below"))
else:
    shown = below.assign(indicator=[t(z, e) for z, e in zip(below["zh"], below["en"])],
                         shown=[fmt.number(m, v) for m, v in zip(below["metric"], below["value"])],
                         line=[fmt.number(m, v) for m, v in zip(below["metric"], below["threshold"])],
                         parts=[fmt.parts(m, a, b) for m, a, b in zip(below["metric"], below["num"], below["den"])])
    # The community, its value and the red line first (readable on a phone without scrolling sideways).
    shown = shown[["community", "shown", "line", "indicator", "parts", "street", "district"]]
    shown.columns = [t("community"), t("value"), t("threshold"), t("indicator"), t("构成", "Parts"), t("street"),
                     t("district")]
    event = st.dataframe(shown, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
                         key="below")
    nav.follow_row(event, below, "community")
    widgets.downloads(below, "below_red_line")
