"""治理绩效看板 entry point: sign-in, the pages this user may open, and the global period/scope controls."""
from __future__ import annotations

import logging

import streamlit as st

st.set_page_config(page_title="治理绩效看板 · Governance dashboard", page_icon="📊", layout="wide")

from ui import auth, state, style  # noqa: E402  (set_page_config must come first)
from ui.i18n import t  # noqa: E402

if "lang" not in st.session_state and st.query_params.get("lang") == "en":
    st.session_state["lang"] = "English"
style.apply()
user = auth.require()
st.session_state["user"] = user

# URL paths equal the file names, so links stay the same whichever way Streamlit routes them. A page the
# role may not open is not in the navigation at all (its URL then opens the overview).
PAGES = [
    st.Page("pages/overview.py", title=t("overview"), icon=":material/dashboard:", default=True),
    st.Page("pages/district.py", title=t("district_view"), icon=":material/location_city:", url_path="district"),
    st.Page("pages/community.py", title=t("community_view"), icon=":material/home_work:", url_path="community"),
    st.Page("pages/brands.py", title=t("brands"), icon=":material/compare:", url_path="brands"),
    st.Page("pages/assessment.py", title=t("assessment"), icon=":material/military_tech:", url_path="assessment"),
]
if user.can("import"):
    PAGES.append(st.Page("pages/import_data.py", title=t("import"), icon=":material/upload_file:",
                         url_path="import_data"))
PAGES.append(st.Page("pages/dictionary.py", title=t("dictionary"), icon=":material/menu_book:", url_path="dictionary"))
if user.can("admin"):
    PAGES.append(st.Page("pages/admin.py", title=t("admin"), icon=":material/admin_panel_settings:", url_path="admin"))

page = st.navigation(PAGES)
auth.sign_out_control(user)
st.session_state["scope"] = state.global_controls()
try:
    page.run()
except Exception as exc:  # one line for the user; the details go to the server's log, never the browser
    logging.getLogger("govdash").exception("page failed")
    st.error(t(f"此页出错，已记录：{type(exc).__name__}。请刷新或稍后再试。",
               f"This page failed and the error was logged ({type(exc).__name__}). Refresh or try again later."))
