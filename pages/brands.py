"""品牌对比 Brand comparison: 2–6 communities (of the sidebar's area) side by side on fair indicators,
beside their districts as a whole, with a normalised radar."""
from __future__ import annotations

import streamlit as st

from metrics.registry import REGISTRY
from metrics.views import fair_metrics, normalised
from ui import charts, data, nav, state, widgets
from ui import format as fmt
from ui.i18n import pair, t

DEFAULT_METRICS = ["case_due_completion_rate", "case_ontime_rate", "case_satisfaction_rate", "cases_per_1k_residents",
                   "volunteer_hours_per_1k_residents", "wish_fulfilment_rate", "task_completion_rate"]
DEFAULT_UNITS = ["荔城区|拱辰社区", "荔城区|渭阳社区"]

scope = state.page_scope(t("brands"))
known = data.units()
known = known[known["community"].notna()]
if scope.district:
    known = known[known["district"] == scope.district]
    st.caption(t(f"只列出{widgets.plain(scope.district)}的社区（左侧所选区县）；要跨区比较，请把区县选为“全部”。",
                 f"Only communities of {widgets.plain(scope.district)} (the district picked on the left); to compare across "
                 "districts, set the district to All."))
keys = [f"{d or ''}|{c}" for d, c in zip(known["district"], known["community"])]
names = {k: f"{c} · {b or '—'}（{d or '—'}）" for k, d, c, b in zip(keys, known["district"], known["community"],
                                                                    known["brand"])}
if "p_units" not in st.session_state or any(u not in names for u in st.session_state["p_units"]):
    wanted = [u for u in st.query_params.get("units", "").split(",") if u in names]
    st.session_state["p_units"] = wanted or [u for u in DEFAULT_UNITS if u in names] or keys[:2]
picked = st.multiselect(t("pick_units"), keys, key="p_units", format_func=names.get, max_selections=6,
                        placeholder=t("choose"))
st.query_params["units"] = ",".join(picked)
if "p_metrics" not in st.session_state:
    st.session_state["p_metrics"] = DEFAULT_METRICS
metrics = st.multiselect(t("pick_metrics"), fair_metrics(), key="p_metrics", placeholder=t("choose"),
                         format_func=lambda m: pair((REGISTRY[m].zh, REGISTRY[m].en)))
if len(picked) < 2 or not metrics:
    st.info(t("need_two"))
    st.stop()
st.caption(t("fairness"))

units = tuple((k.split("|", 1)[0] or None, k.split("|", 1)[1]) for k in picked)
frame = data.compare_units(scope, units, tuple(metrics))
frame["unit"] = [f"{c} · {b}" if isinstance(b, str) and b else c for c, b in zip(frame["community"], frame["brand"])]

cols = st.columns(2)
for i, mid in enumerate(metrics):
    with cols[i % 2]:
        if frame[mid].notna().any():
            nav.chart(charts.side_by_side(frame, "unit", mid, fmt.title(mid)), f"bar_{mid}")
        else:
            st.markdown(f"**{fmt.title(mid)}**")
            st.caption(t("本期没有该指标的数据。", "No data for this indicator in this period."))

reference = data.peer_reference(scope, tuple(metrics))
scores = normalised(frame, metrics, reference)
scores["unit"] = frame["unit"]
nav.chart(charts.radar(scores, metrics, t("radar")), "radar")

table = frame[["unit", "district", *[c for m in metrics for c in (m, f"{m}__num", f"{m}__den") if c in frame.columns]]]
widgets.table(table.rename(columns={"unit": t("community")}), metrics, "brand_comparison")
