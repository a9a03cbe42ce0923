"""The administrators' page: accounts (add, disable, role and scope, new password) and the audit trail,
which can be read and downloaded but never changed here."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from metrics import accounts
from metrics.access import Access
from metrics.errors import GovdashError
from metrics.export import csv_bytes

from . import auth, state
from .i18n import t

ACTIONS = {"sign_in": ("登录", "sign-in"), "sign_in_failed": ("登录失败", "failed sign-in"),
           "sign_out": ("退出", "sign-out"), "session_expired": ("会话过期", "session expired"),
           "denied": ("越权访问被拒", "access denied"), "import": ("导入", "import"), "undo": ("撤销", "undo"),
           "scheme_save": ("修改考核方案", "scheme edit"), "export": ("下载", "download"),
           "user_add": ("添加账户", "account added"), "user_passwd": ("修改密码", "password changed"),
           "user_disable": ("停用账户", "account disabled"), "user_enable": ("启用账户", "account enabled"),
           "user_role": ("修改角色与范围", "role and scope changed")}


def _store() -> Path:
    """The store whose accounts file is managed."""
    return Path(state.store_path())


def _scope_picker(prefix: str, current: Access | None = None) -> Access:
    """Scope widgets: the whole city, districts, or streets (as 区县/街道)."""
    places = state.places()
    districts = sorted({d for d in places["district"].dropna()})
    streets = sorted({f"{d}/{s}" for d, s in zip(places["district"], places["street"]) if d and s})
    kind = st.radio(t("范围", "Scope"), ["city", "districts", "streets"], horizontal=True, key=f"{prefix}_kind",
                    format_func=lambda k: {"city": t("全市", "whole city"), "districts": t("区县", "districts"),
                                           "streets": t("街道", "streets")}[k])
    if kind == "city":
        return Access(city=True)
    if kind == "districts":
        picked = st.multiselect(t("区县", "Districts"), districts, key=f"{prefix}_districts")
        return Access(False, tuple(picked))
    picked = st.multiselect(t("街道", "Streets"), streets, key=f"{prefix}_streets")
    return Access(False, (), tuple(tuple(p.split("/", 1)) for p in picked))  # type: ignore[misc]


def accounts_section() -> None:
    """Every account, and forms to add one or change one."""
    st.header(t("账户", "Accounts"))
    by = state.user().username
    rows = accounts.users(_store())
    roles = {k: t(*v) for k, v in accounts.ROLES.items()}
    st.dataframe(pd.DataFrame({
        t("账户", "Account"): [r["username"] for r in rows],
        t("角色", "Role"): [roles[r["role"]] for r in rows],
        t("范围", "Scope"): [r["access"].label() for r in rows],
        t("状态", "Status"): [t("停用", "disabled") if r["disabled"] else t("启用", "enabled") for r in rows],
        t("上次登录", "Last sign-in"): [r["last_login"] or "—" for r in rows],
    }), hide_index=True, width="stretch")
    left, right = st.columns(2)
    with left, st.container(border=True):
        st.subheader(t("添加账户", "Add an account"))
        name = st.text_input(t("账户名（单点登录时为邮箱）", "Name (the e-mail with single sign-on)"), key="adm_new_name")
        role = st.selectbox(t("角色", "Role"), list(roles), format_func=roles.get, key="adm_new_role")
        scope = _scope_picker("adm_new")
        password = st.text_input(t(f"初始密码（至少 {accounts.MIN_PASSWORD} 个字符）",
                                   f"First password (at least {accounts.MIN_PASSWORD} characters)"),
                                 type="password", key="adm_new_password")
        if st.button(t("添加", "Add"), key="adm_add", type="primary"):
            _do(lambda: accounts.add(_store(), name, password, role, scope, by),
                t(f"已添加账户 {name}。", f"Account {name} added."))
    with right, st.container(border=True):
        st.subheader(t("修改账户", "Change an account"))
        names = [r["username"] for r in rows]
        if not names:
            st.caption(t("还没有账户。", "No accounts yet."))
            return
        who = st.selectbox(t("账户", "Account"), names, key="adm_edit_name")
        action = st.radio(t("修改", "Change"), ["passwd", "disable", "enable", "role"], horizontal=True,
                          key="adm_edit_action", format_func=lambda a: {
                              "passwd": t("重设密码", "new password"), "disable": t("停用", "disable"),
                              "enable": t("启用", "enable"), "role": t("角色与范围", "role and scope")}[a])
        if action == "passwd":
            password = st.text_input(t("新密码", "New password"), type="password", key="adm_edit_password")
            if st.button(t("保存", "Save"), key="adm_passwd"):
                _do(lambda: accounts.set_password(_store(), who, password, by), t("密码已修改。", "Password changed."))
        elif action in ("disable", "enable"):
            if st.button(t("确认", "Confirm"), key="adm_disable"):
                _do(lambda: accounts.set_disabled(_store(), who, action == "disable", by), t("已保存。", "Saved."))
        else:
            role = st.selectbox(t("角色", "Role"), list(roles), format_func=roles.get, key="adm_edit_role")
            scope = _scope_picker("adm_edit")
            if st.button(t("保存", "Save"), key="adm_role"):
                _do(lambda: accounts.set_role(_store(), who, role, scope, by), t("已保存。", "Saved."))


def _do(change, done: str) -> None:
    """Run an account change; one line of success or failure after the rerun."""
    try:
        change()
    except GovdashError as exc:
        st.error(exc.line())
        return
    st.session_state["adm_flash"] = done
    st.rerun()


def audit_section() -> None:
    """The audit trail, newest first, with a CSV download; nothing here can change it."""
    st.header(t("审计记录", "Audit trail"))
    flash = st.session_state.pop("adm_flash", None)
    if flash:
        st.success(flash)
    rows = accounts.trail(_store())
    frame = pd.DataFrame(rows, columns=[t("时间", "Time"), t("账户", "Account"), t("操作", "Action"),
                                        t("内容", "Detail"), t("来源地址", "From")])
    frame[t("操作", "Action")] = [t(*ACTIONS.get(a, (a, a))) for a in frame[t("操作", "Action")]]
    st.caption(t("审计记录只增不改：页面和命令都不能修改或删除。", "The trail only grows: nothing can change or delete it."))
    st.dataframe(frame, hide_index=True, width="stretch", height=420)

    record = auth.export_recorder()

    def download() -> bytes:
        record("audit.csv")
        return csv_bytes(frame)

    st.download_button(t("download_csv"), download, "audit.csv", "text/csv", key="audit_csv", on_click="ignore",
                       icon=":material/download:")

