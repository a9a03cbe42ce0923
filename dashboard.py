"""治理绩效看板 entry point: sign-in, the pages this user may open, and the global period/scope controls."""
from __future__ import annotations

import logging
from typing import Callable

import streamlit as st

st.set_page_config(page_title="治理绩效看板 · Governance dashboard", page_icon="📊", layout="wide")

from ui import auth, state, style  # noqa: E402  (set_page_config must come first)
from ui.i18n import t  # noqa: E402

if "lang" not in st.session_state and st.query_params.get("lang") == "en":
    st.session_state["lang"] = "English"
style.apply()
user = auth.current()


def pages(can: Callable[[str], bool]) -> list[st.Page]:
    """The pages a user with these permissions may open. URL paths equal the file names, so links stay the same
    whichever way Streamlit routes them; a page the role may not open is not in the navigation at all (its URL
    then opens the overview)."""
    out = [
        st.Page("pages/overview.py", title=t("overview"), icon=":material/dashboard:", default=True),
        st.Page("pages/district.py", title=t("district_view"), icon=":material/location_city:", url_path="district"),
        st.Page("pages/community.py", title=t("community_view"), icon=":material/home_work:", url_path="community"),
        st.Page("pages/brands.py", title=t("brands"), icon=":material/compare:", url_path="brands"),
        st.Page("pages/assessment.py", title=t("assessment"), icon=":material/military_tech:", url_path="assessment"),
    ]
    if can("import"):
        out.append(st.Page("pages/import_data.py", title=t("import"), icon=":material/upload_file:",
                           url_path="import_data"))
    out.append(st.Page("pages/dictionary.py", title=t("dictionary"), icon=":material/menu_book:",
                       url_path="dictionary"))
    if can("admin"):
        out.append(st.Page("pages/admin.py", title=t("admin"), icon=":material/admin_panel_settings:",
                           url_path="admin"))
    return out


if user is None:
    # Signed out: every page is routed (so a deep link keeps its page through signing in) but none is listed
    # or run; the sign-in form is all there is.
    st.navigation(pages(lambda _: True), position="hidden")
    auth.require()
st.session_state["user"] = user
page = st.navigation(pages(user.can))
auth.sign_out_control(user)
st.session_state["scope"] = state.global_controls()
try:
    page.run()
except Exception as exc:  # one line for the user; the details go to the server's log, never the browser
    logging.getLogger("govdash").exception("page failed")
    st.error(t(f"此页出错，已记录：{type(exc).__name__}。请刷新或稍后再试。",
               f"This page failed and the error was logged ({type(exc).__name__}). Refresh or try again later."))
