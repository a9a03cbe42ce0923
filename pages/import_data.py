"""数据导入 Import: upload exports, preview them in a dry run, fix what is unclear, import, undo."""
from __future__ import annotations

import streamlit as st

from ui import state
from ui.i18n import t
from ui.import_flow import history_section, import_section

state.require_router()
if not state.user().can("import"):
    st.error(t("您的账户只能查看，不能导入数据。", "Your account can read only; it cannot import."))
    st.stop()
st.title(t("import"))
st.caption(t("先上传并预览：系统试导入一遍（不写入），显示识别出的数据类型、编码、列映射、日期格式和不合格的行；"
                 "有不明确的地方会请您选择；确认无误后再点“导入”。每次导入都是一个批次，可在下方撤销。",
                 "Upload and preview first: a dry run shows the kind of data, encoding, column mapping, date formats "
                 "and rejected rows without writing anything, and asks when something is unclear; then press Import. "
                 "Every import is a batch you can undo below."))
import_section()
st.divider()
history_section()
