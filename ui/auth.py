"""Who is using the dashboard: sign-in, session expiry, and the single-user mode of a laptop.

- Single-user mode: when the server listens on the loopback address only (`make run`) and no account exists,
  the one person at the keyboard is an administrator of the whole city. Any other bind address needs accounts.
- Accounts: name and password (metrics.accounts, argon2 hashes), managed with `python -m metrics users …`.
- Single sign-on: when `.streamlit/secrets.toml` configures `[auth]`, Streamlit's st.login (OIDC) signs people in
  and their e-mail (or name) must match an enabled account, which gives the role and scope.
A session ends after IDLE_MINUTES without use or MAX_HOURS in all; the user signs in again.
"""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Callable

import streamlit as st

from metrics import accounts
from metrics.access import EVERYTHING
from metrics.accounts import User
from metrics.errors import GovdashError

from .i18n import t

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
IDLE_MINUTES = int(os.environ.get("GOVDASH_IDLE_MINUTES", "30"))
MAX_HOURS = int(os.environ.get("GOVDASH_MAX_HOURS", "12"))
LOCAL_USER = User("本机用户", "admin", EVERYTHING)


def store() -> Path:
    """The store whose accounts file holds the accounts."""
    from .state import store_path
    return Path(store_path())


def client_ip() -> str:
    """The browser's address as the server sees it ('' when unknown)."""
    try:
        ip = st.context.ip_address
    except Exception:  # no request context (a bare script run)
        return ""
    return ip if isinstance(ip, str) else ""


def _sso_configured() -> bool:
    """True when secrets.toml configures st.login."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all
        return False


def mode() -> str:
    """'single', 'sso' or 'accounts'."""
    if _sso_configured():
        return "sso"
    address = st.get_option("server.address") or ""
    if address in LOOPBACK and accounts.count(store()) == 0:
        return "single"
    return "accounts"


def _expired(session: dict) -> bool:
    """True when the session has been idle too long or open too long."""
    now = dt.datetime.now()
    return (now - session["last_seen"] > dt.timedelta(minutes=IDLE_MINUTES)
            or now - session["signed_in"] > dt.timedelta(hours=MAX_HOURS))


def current() -> User | None:
    """The signed-in user of this session (refreshing its idle clock), or None."""
    how = mode()
    if how == "single":
        return LOCAL_USER
    session = st.session_state.get("auth")
    if session and _expired(session):
        accounts.audit(store(), session["user"].username, "session_expired", "", client_ip())
        st.session_state.pop("auth", None)
        st.session_state.pop("user", None)
        st.session_state["auth_note"] = t("长时间未操作，已自动退出，请重新登录。", "Your session expired; please sign in again.")
        session = None
    if session is None and how == "sso":
        session = _from_sso()
    if session is None:
        return None
    session["last_seen"] = dt.datetime.now()
    return session["user"]


def _from_sso() -> dict | None:
    """A session from st.login's identity when it matches an enabled account."""
    if not st.user.is_logged_in:
        return None
    name = st.user.get("email") or st.user.get("preferred_username") or st.user.get("name") or ""
    user = accounts.lookup(store(), str(name))
    if user is None:
        return None
    accounts.audit(store(), user.username, "sign_in", "单点登录", client_ip())
    return _start(user)


def _start(user: User) -> dict:
    """Open a session for user."""
    now = dt.datetime.now()
    session = {"user": user, "signed_in": now, "last_seen": now}
    st.session_state["auth"] = session
    return session


def require() -> User:
    """The signed-in user; otherwise draw the sign-in form and stop the page."""
    user = current()
    if user is not None:
        return user
    # A narrow card in the middle of a wide screen (the columns stack on a phone).
    _, middle, _ = st.columns([1, 1.4, 1])
    with middle:
        st.title(t("app_title"))
        st.caption(t("党建引领基层治理 · 仅限授权人员使用", "Community governance · for authorised staff only"))
        note = st.session_state.pop("auth_note", None)
        if note:
            st.info(note)
        how = mode()
        if how == "sso":
            _sso_form()
        elif accounts.count(store()) == 0:
            st.warning(t("本看板未在本机地址上运行，需要账户才能使用，但还没有任何账户。请管理员运行：",
                         "This dashboard is not on the local address only, so it needs accounts, and none exists. "
                         "An administrator runs:"))
            st.code("python -m metrics users add 管理员 --role admin --city", language="bash")
        else:
            _password_form()
    st.stop()
    raise RuntimeError("unreachable")


def _password_form() -> None:
    """Account name and password."""
    with st.form("sign_in"):
        st.subheader(t("登录", "Sign in"))
        name = st.text_input(t("账户", "Account"), key="signin_name")
        password = st.text_input(t("密码", "Password"), type="password", key="signin_password")
        go = st.form_submit_button(t("登录", "Sign in"), type="primary")
    if go:
        try:
            user = accounts.sign_in(store(), name, password, client_ip())
        except GovdashError as exc:
            st.error(exc.line())
            return
        _start(user)
        st.rerun()


def _sso_form() -> None:
    """The single sign-on button, or why a signed-in identity is not let in."""
    if st.user.is_logged_in:
        st.error(t("此身份没有看板账户或账户已停用，请联系管理员。", "This identity has no enabled dashboard account; ask "
                   "an administrator."))
        st.button(t("退出", "Sign out"), on_click=st.logout)
        return
    st.button(t("单点登录", "Sign in with single sign-on"), on_click=st.login, type="primary")


def sign_out_control(user: User) -> None:
    """The signed-in name, role and scope in the sidebar, with a sign-out button (not in single-user mode)."""
    role = t(*accounts.ROLES[user.role]).split("：")[0]
    if mode() == "single":
        st.sidebar.caption(t("单机模式：仅本机可访问，无需登录。", "Single-user mode: this machine only, no sign-in."))
        return
    st.sidebar.caption(f"{user.username} · {role} · {user.access.label()}")
    if st.sidebar.button(t("退出登录", "Sign out"), key="sign_out"):
        accounts.audit(store(), user.username, "sign_out", "", client_ip())
        st.session_state.pop("auth", None)
        st.session_state.pop("user", None)
        if mode() == "sso":
            st.logout()
        st.rerun()


def export_recorder() -> Callable[[str], None]:
    """A function that records a download of `what` by this session's user; bound now, because a download
    button's file is built later, outside the page run (where the session cannot be read)."""
    user, path, ip = st.session_state.get("user") or current(), store(), client_ip()

    def record(what: str) -> None:
        if user is not None:
            accounts.audit(path, user.username, "export", what, ip)
    return record


def who(user: User) -> dict:
    """Who did something and from where, for the audit trail."""
    return {"user": user.username, "ip": client_ip()}
