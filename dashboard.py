"""治理绩效看板 entry point: page router and the global period/scope controls."""
from __future__ import annotations

import streamlit as st

st.set_page_config(page_title="治理绩效看板 · Governance dashboard", page_icon="📊", layout="wide")

from ui import state, style  # noqa: E402  (set_page_config must come first)
from ui.i18n import t  # noqa: E402

if "lang" not in st.session_state and st.query_params.get("lang") == "en":
    st.session_state["lang"] = "English"

# URL paths equal the file names, so links stay the same whichever way Streamlit routes them.
PAGES = [
    st.Page("pages/overview.py", title=t("overview"), icon=":material/dashboard:", default=True),
    st.Page("pages/district.py", title=t("district_view"), icon=":material/location_city:", url_path="district"),
    st.Page("pages/community.py", title=t("community_view"), icon=":material/home_work:", url_path="community"),
    st.Page("pages/brands.py", title=t("brands"), icon=":material/compare:", url_path="brands"),
    st.Page("pages/assessment.py", title=t("assessment"), icon=":material/military_tech:", url_path="assessment"),
    st.Page("pages/import_data.py", title=t("import"), icon=":material/upload_file:", url_path="import_data"),
    st.Page("pages/dictionary.py", title=t("dictionary"), icon=":material/menu_book:", url_path="dictionary"),
]

page = st.navigation(PAGES)
style.apply()
st.session_state["scope"] = state.global_controls()
page.run()
