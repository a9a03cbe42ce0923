"""区/街道 District (or street): why it stands where it does, its streets and communities side by side,
cases by category, channel and handling unit, volunteer hours by team."""
from __future__ import annotations

import streamlit as st

from metrics.registry import METRICS
from metrics.views import THRESHOLDS
from ui import charts, data, nav, state, widgets
from ui import format as fmt
from ui.i18n import t

scope = state.page_scope(t("district_view"), need="district")
level = "street" if scope.street else "district"
for sentence in data.explain(scope, level):
    st.markdown(f"- {widgets.plain(t(sentence.zh, sentence.en))}")

metric = widgets.metric_picker(t("indicator"), [m.id for m in METRICS], "metric", "case_due_completion_rate")
threshold = THRESHOLDS.get(metric)
unit_level = "community" if scope.street else "street"
units = data.ranking(scope, metric, unit_level)
if units.empty:
    state.no_data_message()
    st.stop()
reference, name = units.attrs.get("total"), nav.place_name(scope)
places = [p for p in ("district", "street", "community") if p in units.columns]
st.subheader(t("各社区对比", "Communities side by side") if scope.street else t("units_side_by_side"))
st.caption(t("open_unit"))
unit_chart = charts.bars(units, unit_level, metric, f"{t(unit_level)} · {fmt.title(metric)}", reference, threshold,
                         name, places)
if unit_level == "community":
    # A street's units are its communities: one chart (the district page shows streets beside communities).
    communities = units
    nav.chart(unit_chart, "units", unit_level)
else:
    communities = data.ranking(scope, metric, "community")
    left, right = st.columns(2)
    with left:
        nav.chart(unit_chart, "units", unit_level)
    with right:
        fig = charts.bars(communities, "community", metric, f"{t('community')} · {fmt.title(metric)}", reference,
                          threshold, name, ["district", "street", "community"])
        nav.chart(fig, "communities", "community")
# Rank, name and value first, so a phone shows them without scrolling sideways; the street last.
columns = ["rank", "community", metric] + [c for c in (f"{metric}__num", f"{metric}__den", f"{metric}__change")
                                           if c in communities.columns] + ["street"]
nav.follow_row(widgets.table(communities[columns], [metric], f"district_{metric}", select=True), communities,
               "community")

case_metrics = ("cases_received", "case_due_completion_rate", "case_ontime_rate", "case_satisfaction_rate")
rate = "case_due_completion_rate"
categories = data.breakdown(scope, case_metrics, "category")
c1, c2 = st.columns(2)
with c1:
    nav.chart(charts.bars(categories, "category", rate, f"{t('by_category')} · {fmt.title(rate)}",
                          reference if metric == rate else None, THRESHOLDS[rate], name), "cat")
with c2:
    channels = data.breakdown(scope, case_metrics, "channel")
    nav.chart(charts.pie(channels, "channel", "cases_received",
                         f"{t('by_channel')} · {fmt.title('cases_received')}"), "chan")
with st.expander(t("按事件类型明细", "Category details")):
    widgets.table(categories, list(case_metrics), "district_categories")

st.subheader(t("handlers"))
handlers = data.breakdown(scope, case_metrics, "handler")
handlers = handlers[handlers["handler"].notna()]
if not handlers.empty:
    nav.chart(charts.scatter_handlers(handlers, t("handlers"), THRESHOLDS), "handlers")
    widgets.table(handlers, list(case_metrics), "district_handlers")

st.subheader(t("teams"))
teams = data.breakdown(scope, ("volunteer_hours", "volunteer_activities", "volunteer_beneficiaries"), "team")
teams = teams[teams["team"].notna()].head(20)
if teams.empty:
    st.caption(t("本期没有志愿服务记录。", "No volunteer activity in this period."))
else:
    nav.chart(charts.bars(teams, "team", "volunteer_hours", f"{t('teams')}（{t('前 20', 'top 20')}）"), "teams")
