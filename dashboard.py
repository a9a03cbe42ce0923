"""治理绩效看板 entry point: shows what the store holds (row counts per table)."""
from __future__ import annotations

import duckdb
import pandas as pd
import streamlit as st

from metrics.schema import TABLES
from metrics.store import connect, db_path, table_counts

st.set_page_config(page_title="治理绩效看板", page_icon="📊", layout="wide")
st.title("治理绩效看板 · Governance performance")

path = db_path()
if not path.exists():
    st.info(f"还没有数据库 {path}。请运行 `make run` 或 `python -m metrics init --sample` 导入示例数据。")
    st.stop()
try:
    con = connect(path, read_only=True)
except duckdb.IOException:
    st.warning("数据库正在被导入程序占用，请稍后刷新页面。(The store is busy with an import; refresh shortly.)")
    st.stop()
try:
    counts = table_counts(con)
finally:
    con.close()
frame = pd.DataFrame(
    [{"表 table": name, "名称": TABLES[name].zh, "行数 rows": n} for name, n in counts.items()]
)
st.subheader("数据概况 · Rows per table")
st.dataframe(frame, hide_index=True)
