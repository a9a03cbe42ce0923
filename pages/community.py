"""社区 Community view: profile, every indicator with trend and rank, categories, teams, wish funnel."""
from __future__ import annotations

import streamlit as st

from metrics.registry import METRICS
from ui import charts, state, widgets
from ui.i18n import label, t

scope = state.page_scope(t("community_view"), need="community")

profile = state.view("community_profile", scope.district, scope.community)
st.header(widgets.plain(scope.community))
if profile:
    st.caption(" · ".join(widgets.plain(p) for p in (profile.get("district"), profile.get("street")) if p))
    st.markdown(f"**{t('brand')}**：{widgets.plain(profile.get('brand') or '—')}")
    if profile.get("brand_method"):
        st.markdown(f"**{t('brand_method')}**：{widgets.plain(profile['brand_method'])}")
    cols = st.columns(5)
    for col, key in zip(cols, ("population", "households", "party_members", "grids", "grid_workers")):
        col.metric(t(key), widgets.fmt_count(profile.get(key)))
else:
    st.warning(t("not_registered"))

ranks = state.view("peer_ranks", scope, scope.community, [m.id for m in METRICS])
st.subheader(t("all_indicators"))
shown = ranks.copy()
shown["indicator"] = [label(z, e) for z, e in zip(ranks["zh"], ranks["en"])]
shown["value"] = [widgets.fmt(m, v) for m, v in zip(ranks["id"], ranks["value"])]
shown["rank"] = [widgets.fmt_rank(r, p) for r, p in zip(ranks["rank"], ranks["peers"])]
shown = shown[["indicator", "value", "rank"]]
shown.columns = [t("indicator"), t("value"), f"{t('rank')}（{label('同区', 'in district')}）"]
st.dataframe(shown, hide_index=True, width="stretch")
widgets.downloads(ranks, f"community_{scope.community}")

metric = widgets.metric_picker(t("indicator"), [m.id for m in METRICS], "metric", "case_completion_rate")
trend = state.view("trend", scope, metric, 12, None)
st.plotly_chart(charts.line(trend, metric, f"{t('trend')} · {charts.metric_title(metric)}"), key="trend")

st.subheader(t("why"))
case_metrics = ["cases_received", "case_completion_rate", "case_ontime_rate", "case_satisfaction_rate",
                "cases_open_overdue"]
c1, c2 = st.columns(2)
with c1:
    categories = state.view("breakdown", scope, case_metrics, "category")
    st.plotly_chart(charts.bar(categories, "category", "case_completion_rate",
                               f"{t('by_category')} · {charts.metric_title('case_completion_rate')}"), key="cat")
with c2:
    handlers = state.view("breakdown", scope, case_metrics, "handler")
    st.plotly_chart(charts.bar(handlers, "handler", "case_completion_rate",
                               f"{label('按承办单位', 'By handling unit')} · "
                               f"{charts.metric_title('case_completion_rate')}"), key="handler")
widgets.table(categories, case_metrics, f"community_categories_{scope.community}")
widgets.table(handlers, case_metrics, f"community_handlers_{scope.community}")

c3, c4 = st.columns(2)
with c3:
    teams = state.view("breakdown", scope, ["volunteer_hours", "volunteer_activities"], "team")
    teams = teams[teams["team"].notna()]
    if teams.empty:
        st.caption(label("本期没有志愿服务记录。", "No volunteer activity in this period."))
    else:
        st.plotly_chart(charts.bar(teams, "team", "volunteer_hours", t("teams")), key="teams")
with c4:
    funnel = state.view("wish_funnel", scope)
    st.plotly_chart(charts.funnel(funnel, t("wish_funnel")), key="funnel")
