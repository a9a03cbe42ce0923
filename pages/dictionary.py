"""指标说明 Metric dictionary: every indicator's label, unit, direction, rule and SQL, from the registry."""
from __future__ import annotations

import streamlit as st

from metrics.output import registry_frame
from metrics.registry import DIRECTIONS, METRICS, SOURCES, UNITS
from ui import state, widgets
from ui.i18n import label, lang, t

state.require_router()
st.title(t("dictionary"))
st.caption(label("所有页面、导出和命令行的数字都来自下表的同一套定义（metrics/registry.py）。",
                 "Every figure on every page, export and CLI comes from these definitions (metrics/registry.py)."))
frame = registry_frame()
shown = frame[["id", "zh", "en", "unit_zh", "direction_zh" if lang() == "zh" else "direction_en", "table"]]
shown.columns = ["id", "中文名", "English", label("单位", "Unit"), label("方向", "Direction"), label("数据表", "Table")]
st.dataframe(shown, hide_index=True, width="stretch")
widgets.downloads(frame, "metric_dictionary")

for m in METRICS:
    with st.expander(f"{label(m.zh, m.en)} · `{m.id}`"):
        st.markdown(f"**{label('口径', 'Rule')}**：{label(m.desc_zh, m.desc_en)}")
        st.markdown(f"**{label('单位', 'Unit')}**：{UNITS[m.unit][0]} ({UNITS[m.unit][1]}) · "
                    f"**{label('方向', 'Direction')}**：{label(*DIRECTIONS[m.direction])} · "
                    f"**{label('归期字段', 'Dated by')}**：`{SOURCES[m.table].time_column}`（{SOURCES[m.table].zh_time}）")
        if m.is_ratio and not m.per_1k:
            st.markdown(f"**{label('分子', 'Numerator')}**")
            st.code(m.num, language="sql")
            st.markdown(f"**{label('分母', 'Denominator')}**")
            st.code(m.den, language="sql")
        st.markdown("**SQL**")
        st.code(m.sql, language="sql")
        st.caption(label("可用分组：", "Groupings: ") + ", ".join(m.groupings))
