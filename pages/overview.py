"""总览 Overview: headline KPIs, monthly trend, ranking, hierarchy and units below the red line."""
from __future__ import annotations

import streamlit as st

from metrics.registry import METRICS
from metrics.views import MIN_DENOMINATOR
from ui import charts, state, widgets
from ui.i18n import label, t

scope = state.page_scope(t("overview"))

kpis = state.view("kpis", scope)
if kpis["value"].isna().all() or (kpis["value"].fillna(0) == 0).all():
    state.no_data_message()
    st.stop()
widgets.kpi_cards(kpis)

ids = [m.id for m in METRICS]
left, right = st.columns(2)
metric = widgets.metric_picker(t("indicator"), ids, "metric", "case_completion_rate", where=left)
level = state.page_choice(t("level"), ["community", "street", "district"], "level", "community",
                          format_func=t, where=right)

trend_by = "district" if not scope.district else ("street" if not scope.street else None)
trend = state.view("trend", scope, metric, 12, trend_by)
st.plotly_chart(charts.line(trend, metric, f"{t('trend')} · {charts.metric_title(metric)}", trend_by),
                key="trend")

ranked = state.view("ranking", scope, metric, level)
if ranked.empty:
    state.no_data_message()
else:
    rankable = ranked[ranked["rank"].notna()]
    n = min(10, len(rankable))
    top, bottom = st.columns(2)
    with top:
        st.plotly_chart(charts.bar(rankable.head(n), level, metric, f"{t('top_n', n=n)} · {charts.metric_title(metric)}"),
                        key="top")
    with bottom:
        st.plotly_chart(charts.bar(rankable.tail(n).iloc[::-1], level, metric,
                                   f"{t('bottom_n', n=n)} · {charts.metric_title(metric)}"), key="bottom")
    st.subheader(f"{t('ranking')} · {label('按', 'by ')}{t(level)}")
    st.caption(label(f"相同数值排名相同；比率类指标分母少于 {MIN_DENOMINATOR} 的单位不参与排名。",
                     f"Equal values share a rank; units with a rate base under {MIN_DENOMINATOR} "
                     "are listed but not ranked."))
    columns = ["rank", *(["district"] if level != "district" else []), level, metric] + [c for c in (f"{metric}__num", f"{metric}__den", f"{metric}__change")
                                         if c in ranked.columns]
    widgets.table(ranked[columns], [metric], f"ranking_{metric}_{level}")

st.subheader(t("hierarchy"))
tree = state.view("hierarchy", scope, metric)
if not tree.empty:
    st.plotly_chart(charts.treemap(tree, metric, f"{t('hierarchy')} · {charts.metric_title(metric)}"),
                    key="treemap")

st.subheader(t("below"))
below = state.view("below_thresholds", scope)
if below.empty:
    st.success(t("none_below"))
else:
    shown = below.rename(columns={"value": "__value"})
    shown["indicator"] = [label(z, e) for z, e in zip(below["zh"], below["en"])]
    shown["value"] = [widgets.fmt(m, v) for m, v in zip(below["metric"], below["value"])]
    shown["threshold"] = [widgets.fmt(m, v) for m, v in zip(below["metric"], below["threshold"])]
    shown = shown[["district", "street", "community", "indicator", "value", "threshold", "num", "den"]]
    shown.columns = [t("district"), t("street"), t("community"), t("indicator"), t("value"), t("threshold"),
                     t("numerator"), t("denominator")]
    st.dataframe(shown, hide_index=True, width="stretch")
    widgets.downloads(below, "below_red_line")
