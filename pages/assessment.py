"""月度考核 Assessment: scores under the scheme in force, fair 红黑榜, alerts, what changed and why, the
scheme and its versions, and the briefing to send up."""
from __future__ import annotations

import streamlit as st

from ui import assessment_flow as flow
from ui import data, state
from ui.i18n import t

scope = state.page_scope(t("assessment"))
schemes = dict(data.schemes())
left, right = st.columns(2)
sid = state.page_choice(t("考核方案", "Scheme"), list(schemes), "scheme", "default",
                        format_func=lambda s: schemes[s], where=left)
level = state.page_choice(t("参评层级", "Units"), ["street", "community"], "units", "street", format_func=t,
                          where=right)
scored = data.scores(scope, sid, level)
if scored.period.label() != scope.period.label():
    st.caption(t(f"本方案按{'月' if scored.period.kind == 'month' else '季度'}考核：显示{scored.period.label('zh')}。",
                 f"This scheme assesses by {scored.period.kind}: showing {scored.period.label('en')}."))
if scored.period.partial:
    st.warning(t("本期尚未结束，得分仍会变化。", "This period is not over yet: scores will still change."))
alerts = data.alert_list(scope, sid, scored.scheme.levels)
if len(alerts):
    st.error(t(f"{len(alerts)} 项预警，见“预警”。", f"{len(alerts)} alerts: see Alerts."), icon=":material/warning:")

tabs = st.tabs([t("得分排名", "Scores"), t("红黑榜（公平排名）", "Fair lists"), t("预警", "Alerts"),
                t("变化原因", "What changed"), t("考核方案", "Scheme"), t("通报", "Briefing")])
with tabs[0]:
    flow.scores_tab(scored, scope)
with tabs[1]:
    flow.fair_tab(scored)
with tabs[2]:
    flow.alerts_tab(alerts, scored.scheme.alert_periods)
with tabs[3]:
    flow.change_tab(scope.within(district=scope.district) if scope.district else scope)
with tabs[4]:
    flow.scheme_tab(scored, sid)
with tabs[5]:
    flow.briefing_tab(scope, sid)
