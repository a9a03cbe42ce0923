"""指标说明 Metric dictionary: every indicator's meaning in words first, its unit and direction; the exact
rules (SQL) folded away for those who need them. All from the registry."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.output import registry_frame
from metrics.registry import DIRECTIONS, METRICS, SOURCES
from ui import state, widgets
from ui import format as fmt
from ui.i18n import pair, t

state.require_router()
st.caption(t("指标说明", "Metric dictionary"))
st.title(t("指标口径", "What each figure means"))
st.caption(t("每个页面、下载、命令行与简报上的数字都按下表的同一套定义计算。",
             "Every figure on every page, download, command and briefing is computed by these definitions."))
rows = [{t("指标", "Indicator"): pair((m.zh, m.en)), t("单位", "Unit"): fmt.suffix(m.id) or "%",
         t("方向", "Direction"): pair(DIRECTIONS[m.direction]), t("怎么算", "How it is counted"): pair((m.desc_zh,
                                                                                                     m.desc_en)),
         t("按什么日期归期", "Dated by"): t(SOURCES[m.table].zh_time, SOURCES[m.table].time_column)}
        for m in METRICS]
# A plain table, not a grid: the rules are sentences and must wrap to be read whole (a grid cuts them at one line).
st.table(widgets.markdown_safe(pd.DataFrame(rows)), hide_index=True)
widgets.downloads(registry_frame(), "metric_dictionary")

with st.expander(t("技术口径（SQL，供核对）", "Exact rules (SQL, for checking)")):
    for m in METRICS:
        st.markdown(f"**{pair((m.zh, m.en))}** · `{m.id}`")
        if m.is_ratio and not m.per_1k:
            st.caption(f"{pair(m.num_label)} ÷ {pair(m.den_label)}")
        st.code(m.sql, language="sql")
