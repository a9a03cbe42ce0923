"""账户与审计 Accounts & audit (administrators only): accounts, roles and scopes, and the audit trail."""
from __future__ import annotations

import streamlit as st

from ui import state
from ui.admin_flow import accounts_section, audit_section
from ui.i18n import t

state.require_router()
if not state.user().can("admin"):
    st.error(t("只有管理员可以打开此页。", "Only administrators can open this page."))
    st.stop()
st.title(t("admin"))
accounts_section()
st.divider()
audit_section()
