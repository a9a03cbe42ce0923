"""社区 Community: why it stands where it does, its profile, every indicator with its rank in the district,
the trend beside the district, completion by category and handling unit, teams and the wish funnel."""
from __future__ import annotations

import streamlit as st

from metrics.registry import METRICS
from metrics.views import THRESHOLDS
from ui import charts, data, nav, state, widgets
from ui import format as fmt
from ui.i18n import pair, t

scope = state.page_scope(t("community_view"), need="community")
for sentence in data.explain(scope, "community"):
    st.markdown(f"- {widgets.plain(t(sentence.zh, sentence.en))}")

profile = data.community_profile(scope.district, scope.community)
if profile:
    brand = widgets.plain(profile.get("brand") or "—")
    method = f" · {widgets.plain(profile['brand_method'])}" if profile.get("brand_method") else ""
    st.markdown(f"**{t('brand')}**：{brand}{method}")
    cols = st.columns(5)
    for col, key in zip(cols, ("population", "households", "party_members", "grids", "grid_workers")):
        col.metric(t(key), fmt.count(profile.get(key)))
else:
    st.warning(t("not_registered"))

ranks = data.peer_ranks(scope, scope.community, tuple(m.id for m in METRICS))
st.subheader(t("all_indicators"))
shown = ranks.assign(indicator=[pair((z, e)) for z, e in zip(ranks["zh"], ranks["en"])],
                     shown=[fmt.fmt(m, v) for m, v in zip(ranks["id"], ranks["value"])],
                     place=[fmt.rank(r, p) for r, p in zip(ranks["rank"], ranks["peers"])])
shown = shown[["indicator", "shown", "place"]]
shown.columns = [t("indicator"), t("value"), f"{t('rank')}（{t('同区', 'in district')}）"]
widgets.plain_table(shown)
widgets.downloads(ranks, f"community_{scope.community}")

metric = widgets.metric_picker(t("indicator"), [m.id for m in METRICS], "metric", "case_due_completion_rate")
trend = data.trend(scope, metric, 12, None)
district = data.trend(scope.within(district=scope.district), metric, 12, None)
nav.chart(charts.line(trend, metric, f"{t('trend')} · {fmt.title(metric)}", None, district,
                      scope.district or t("city")), "trend")

st.subheader(t("why"))
rate = "case_due_completion_rate"
case_metrics = ("cases_received", rate, "case_ontime_rate", "case_satisfaction_rate", "cases_open_overdue")
c1, c2 = st.columns(2)
categories = data.breakdown(scope, case_metrics, "category")
handlers = data.breakdown(scope, case_metrics, "handler")
with c1:
    nav.chart(charts.bars(categories, "category", rate, f"{t('by_category')} · {fmt.title(rate)}",
                          None, THRESHOLDS[rate]), "cat")
with c2:
    nav.chart(charts.bars(handlers, "handler", rate, f"{t('by_handler')} · {fmt.title(rate)}",
                          None, THRESHOLDS[rate]), "handler")
widgets.table(categories, list(case_metrics), f"community_categories_{scope.community}")
widgets.table(handlers, list(case_metrics), f"community_handlers_{scope.community}")

c3, c4 = st.columns(2)
with c3:
    teams = data.breakdown(scope, ("volunteer_hours", "volunteer_activities"), "team")
    teams = teams[teams["team"].notna()]
    if teams.empty:
        st.caption(t("本期没有志愿服务记录。", "No volunteer activity in this period."))
    else:
        nav.chart(charts.bars(teams, "team", "volunteer_hours", t("teams")), "teams")
with c4:
    nav.chart(charts.funnel(data.wish_funnel(scope), t("wish_funnel")), "funnel")
