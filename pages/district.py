"""区/街道 District view: streets and communities side by side, categories, channels, handlers, teams."""
from __future__ import annotations

import streamlit as st

from metrics.registry import METRICS
from ui import charts, state, widgets
from ui.i18n import label, t

scope = state.page_scope(t("district_view"), need="district")
st.caption(" · ".join(widgets.plain(p) for p in (scope.district, scope.street) if p))

metric = widgets.metric_picker(t("indicator"), [m.id for m in METRICS], "metric", "case_completion_rate")
level = "community" if scope.street else "street"
units = state.view("ranking", scope, metric, level)
if units.empty:
    state.no_data_message()
    st.stop()

st.subheader(t("units_side_by_side"))
left, right = st.columns(2)
with left:
    st.plotly_chart(charts.bar(units, level, metric, f"{t(level)} · {charts.metric_title(metric)}"), key="units")
with right:
    communities = state.view("ranking", scope, metric, "community")
    st.plotly_chart(charts.bar(communities, "community", metric,
                               f"{t('community')} · {charts.metric_title(metric)}"), key="communities")
columns = ["rank", "community", metric] + [c for c in (f"{metric}__num", f"{metric}__den", f"{metric}__change")
                                           if c in communities.columns]
widgets.table(communities[columns], [metric], f"district_{metric}")

case_metrics = ["cases_received", "case_completion_rate", "case_ontime_rate", "case_satisfaction_rate"]
c1, c2 = st.columns(2)
categories = state.view("breakdown", scope, case_metrics, "category")
channels = state.view("breakdown", scope, case_metrics, "channel")
with c1:
    st.plotly_chart(charts.pie(categories, "category", "cases_received",
                               f"{t('by_category')} · {charts.metric_title('cases_received')}"), key="cat")
with c2:
    st.plotly_chart(charts.pie(channels, "channel", "cases_received",
                               f"{t('by_channel')} · {charts.metric_title('cases_received')}"), key="chan")
with st.expander(label("按事件类型明细", "Category details")):
    widgets.table(categories, case_metrics, "district_categories")

st.subheader(t("handlers"))
handlers = state.view("breakdown", scope, case_metrics, "handler")
handlers = handlers[handlers["handler"].notna()]
if not handlers.empty:
    st.plotly_chart(charts.scatter_handlers(handlers, t("handlers")), key="handlers")
    widgets.table(handlers, case_metrics, "district_handlers")

st.subheader(t("teams"))
teams = state.view("breakdown", scope, ["volunteer_hours", "volunteer_activities", "volunteer_beneficiaries"], "team")
teams = teams[teams["team"].notna()].head(20)
if teams.empty:
    st.caption(label("本期没有志愿服务记录。", "No volunteer activity in this period."))
else:
    st.plotly_chart(charts.bar(teams, "team", "volunteer_hours", f"{t('teams')}（{label('前 20', 'top 20')}）"),
                    key="teams")
