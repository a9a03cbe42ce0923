"""The store connection, cached view data and the global controls kept in session state and the URL."""
from __future__ import annotations

import datetime as dt
import inspect
from pathlib import Path
from typing import Callable

import duckdb
import pandas as pd
import streamlit as st

from metrics import snapshots, views
from metrics.access import Access
from metrics.accounts import User
from metrics.errors import GovdashError
from metrics.periods import Period, latest_complete_month, parse_period, period_label
from metrics.store import connect, db_path

from . import auth, charts, widgets
from .i18n import lang, t

GLOBAL_PARAMS = ("period", "district", "street", "community", "lang")
PLACE_PARAMS = ("district", "street", "community")
ROUTER = "dashboard.py"


@st.cache_resource(show_spinner=False, max_entries=4)
def _database(snapshot: str) -> duckdb.DuckDBPyConnection:
    """One read-only connection per published snapshot for the whole server; sessions use cursors of it."""
    return connect(Path(snapshot), read_only=True)


def store_path() -> str:
    """The store the dashboard reads ($GOVDASH_DB or data/governance.duckdb)."""
    return str(db_path())


def snapshot_path() -> str:
    """The newest published snapshot of the store, looked up once per run (republished first when the store
    changed and no one is writing it; created empty when there is no store yet)."""
    held = st.session_state.get("_snapshot")
    if held:
        return held
    store = Path(store_path())
    try:
        if not store.exists():
            with snapshots.writing(store):
                pass
        snapshots.refresh(store)
        current = snapshots.current(store)
    except GovdashError as exc:
        st.error(exc.line())
        st.stop()
        raise
    if current is None:
        st.warning(t("busy"))
        st.stop()
    st.session_state["_snapshot"] = str(current)
    return str(current)


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on the snapshot's shared connection (a connection is not thread-safe; cursors are)."""
    try:
        return _database(snapshot_path()).cursor()
    except (duckdb.Error, GovdashError):
        st.warning(t("busy"))
        st.stop()
        raise


def run(fn: Callable, *args: object) -> object:
    """Call fn(cursor, *args) on a fresh cursor, closing it after."""
    cur = cursor()
    try:
        return fn(cur, *args)
    finally:
        cur.close()


def version() -> tuple:
    """The snapshot and its data version, read once per run; part of every cache key so imports never show
    stale figures."""
    held = st.session_state.get("_data_version")
    if held is None:
        held = (Path(snapshot_path()).name, *run(views.data_version))
        st.session_state["_data_version"] = held
    return held  # type: ignore[return-value]


def user() -> User:
    """The signed-in user of this run (set by the router, or by the page when it runs alone)."""
    return st.session_state.get("user") or auth.require()


def access() -> Access:
    """What the signed-in user may see."""
    return user().access


@st.cache_data(show_spinner=False, max_entries=64)
def _summary(path: str, data_version: tuple, name: str, *args: object) -> object:
    """A small summary view (months, places, data span) for this store and data version."""
    functions = {"months": views.months_with_data, "places": views.places, "span": views.data_span}
    return run(functions[name], *args)


def months(until: dt.date) -> list[str]:
    """Months with data, newest first, none after until's month."""
    return _summary(store_path(), version(), "months", until)  # type: ignore[return-value]


def places() -> pd.DataFrame:
    """Every district, street and community the user may see, with its brand."""
    return _summary(store_path(), version(), "places", access())  # type: ignore[return-value]


def data_span() -> tuple[dt.date | None, dt.date | None]:
    """First and last day with data."""
    return _summary(store_path(), version(), "span")  # type: ignore[return-value]


def clear_caches() -> None:
    """Drop cached data (after an import or undo in this process)."""
    _summary.clear()
    st.session_state.pop("_data_version", None)
    st.session_state.pop("_snapshot", None)
    from . import data
    data.clear()


def _init_from_url() -> None:
    """Seed session state from the query string once per session, so a copied link reproduces the view."""
    if st.session_state.get("_url_loaded"):
        return
    params = st.query_params
    for key in GLOBAL_PARAMS:
        if key in params and f"g_{key}" not in st.session_state:
            st.session_state[f"g_{key}"] = params[key]
    if params.get("lang") == "en":
        st.session_state["lang"] = "English"
    st.session_state["_url_loaded"] = True


def _url_places() -> dict[str, str | None]:
    """The places the query string names now (None where it names none)."""
    return {key: st.query_params.get(key) or None for key in PLACE_PARAMS}


def _follow_url_places() -> None:
    """Take the places from the URL when a link followed within the session changed them.

    The session seeds its controls from the URL once (_init_from_url) and then writes them back on every run, so
    a link to another place inside the app (a breadcrumb's st.page_link, browser back and forward) arrives as a
    query string whose places differ from the ones this session last wrote: those win, and a place the link
    leaves out is cleared (全市 › 荔城区 from a community's page drops the community). Navigation that carries no
    query string at all (the sidebar's page list) keeps the session's places. The places taken are checked
    against the user's scope by _refuse_outside like any other.
    """
    written = st.session_state.get("_url_places")
    if written is None or not st.query_params:
        return
    wanted = _url_places()
    if wanted == written:
        return
    for key, value in wanted.items():
        if value:
            st.session_state[f"g_{key}"] = value
        else:
            st.session_state.pop(f"g_{key}", None)
    st.session_state["_url_places"] = wanted


def _options(values: pd.Series) -> list[str]:
    """Sorted distinct non-empty values."""
    return sorted({v for v in values.dropna().tolist() if v})


def global_controls() -> views.Scope | None:
    """Sidebar period and scope controls; returns the Scope, or None when the store has no data."""
    _init_from_url()
    _follow_url_places()
    st.session_state.pop("_data_version", None)  # read the store's snapshot and version afresh once per run
    st.session_state.pop("_snapshot", None)
    st.sidebar.radio(t("language"), ["中文", "English"], horizontal=True, key="lang")
    today = dt.date.today()
    available = months(today)
    if not available:
        _write_url({"lang": "en" if st.session_state.get("lang") == "English" else None})
        return None
    default_start, _ = latest_complete_month(available, today)
    kind, start, end = _period_control(available, default_start)
    known = places()
    charts.register_places(known)
    _refuse_outside(known)
    _default_to_own_area(known)
    district = _select(t("district"), _options(known["district"]), "g_district")
    streets = known[known["district"] == district] if district else known
    street = _select(t("street"), _options(streets["street"]), "g_street")
    comms = streets[streets["street"] == street] if street else streets
    community = _select(t("community"), _options(comms["community"]), "g_community")
    through = min(data_span()[1] or today, today)
    scope = views.Scope(Period(kind, start, end, through), district, street, community, today, access())
    _write_url({"period": period_label(kind, start, end), "district": district, "street": street,
                "community": community, "lang": "en" if st.session_state.get("lang") == "English" else None})
    st.session_state["_url_places"] = {"district": district, "street": street, "community": community}
    return scope


def _refuse_outside(known: pd.DataFrame) -> None:
    """A place asked for (in the URL) that the user may not see: nothing but a message, and an audit row."""
    acc = access()
    if acc.everything:
        return
    for level in ("district", "street", "community"):
        wanted = st.session_state.get(f"g_{level}")
        if wanted and wanted not in set(known[level].dropna()):
            from metrics import accounts
            accounts.audit(Path(store_path()), user().username, "denied", f"{level}={wanted}", auth.client_ip())
            for key in ("g_district", "g_street", "g_community"):
                st.session_state.pop(key, None)
            shown, area = widgets.plain(wanted), widgets.plain(acc.label())
            st.error(t(f"没有查看“{shown}”的权限，或没有这个地方。您可以查看：{area}。",
                       f"You may not see “{shown}”, or it does not exist. You may see: {area}."))
            st.stop()


def _default_to_own_area(known: pd.DataFrame) -> None:
    """A user who may see one district (or one street) starts there, so titles name their area."""
    if access().everything or st.session_state.get("g_district"):
        return
    districts = _options(known["district"])
    if len(districts) == 1:
        st.session_state["g_district"] = districts[0]
        streets = _options(known["street"])
        if len(streets) == 1 and not access().whole_district(districts[0]):
            st.session_state["g_street"] = streets[0]


def _period_control(months: list[str], default_start: dt.date) -> tuple[str, dt.date, dt.date]:
    """Period type and value widgets; returns (kind, start, end)."""
    kinds = ["month", "quarter", "year", "custom"]
    wanted = st.session_state.get("g_period")
    parsed = None
    if wanted:
        try:
            parsed = parse_period(str(wanted))
        except ValueError:
            parsed = None
    st.sidebar.markdown(f"**{t('period')}**")
    kind = _select_box(st.sidebar, t("period_kind"), kinds, "g_kind", parsed[0] if parsed else "month", t)
    if kind == "custom":
        lo = parsed[1] if parsed and parsed[0] == "custom" else default_start
        hi = parsed[2] if parsed and parsed[0] == "custom" else default_start.replace(day=28)
        picked = st.sidebar.date_input(t("date_range"), value=(lo, hi), key="g_range")
        if isinstance(picked, (tuple, list)) and len(picked) == 2:
            st.session_state["g_period"] = period_label("custom", picked[0], picked[1])
            return "custom", picked[0], picked[1]
        st.session_state["g_period"] = period_label("custom", lo, hi)
        return "custom", lo, hi
    options = _period_options(kind, months)
    current = period_label(*parse_period(str(wanted))) if parsed and parsed[0] == kind else None
    default = current if current in options else _default_for(kind, default_start, options)
    if st.session_state.get("g_value_kind") != kind:
        st.session_state["g_value"] = default
        st.session_state["g_value_kind"] = kind
    value = _select_box(st.sidebar, t(kind), options, "g_value", default)
    st.session_state["g_period"] = value
    return parse_period(value)


def _period_options(kind: str, months: list[str]) -> list[str]:
    """Choices for a period type, newest first, from the months that have data."""
    if kind == "month":
        return months
    if kind == "quarter":
        return sorted({f"{m[:4]}-Q{(int(m[5:7]) - 1) // 3 + 1}" for m in months}, reverse=True)
    return sorted({m[:4] for m in months}, reverse=True)


def _default_for(kind: str, default_start: dt.date, options: list[str]) -> str:
    """The option containing the default month, else the newest."""
    text = {"month": default_start.strftime("%Y-%m"),
            "quarter": f"{default_start.year}-Q{(default_start.month - 1) // 3 + 1}",
            "year": str(default_start.year)}[kind]
    return text if text in options else options[0]


def _select(title: str, options: list[str], key: str) -> str | None:
    """A scope selectbox with 全部 first; keeps a URL-given value when it is valid."""
    value = _select_box(st.sidebar, title, [""] + options, key, "", lambda v: v or t("all"))
    return value or None


def _select_box(where, title: str, options: list[str], key: str, default: str,
                format_func: Callable[[str], str] = str) -> str:
    """A selectbox whose value is kept in st.session_state[key].

    The widget's own key carries the language and the value, so switching language or changing the
    value from code redraws the widget instead of leaving stale option text on screen.
    """
    value = st.session_state.get(key)
    if value not in options:
        value = default if default in options else options[0]
    widget_key = f"w_{key}_{lang()}_{options.index(value)}"
    picked = where.selectbox(title, options, index=options.index(value), key=widget_key,
                             format_func=format_func)
    st.session_state[key] = picked
    if picked != value:
        st.rerun()
    return picked


def _write_url(values: dict[str, str | None]) -> None:
    """Mirror the given values into the query string (empty ones removed)."""
    for key, value in values.items():
        if value:
            if st.query_params.get(key) != value:
                st.query_params[key] = value
        elif key in st.query_params:
            del st.query_params[key]


def page_choice(title: str, options: list[str], key: str, default: str | None = None,
                format_func: Callable[[str], str] = str, where=st) -> str:
    """A page-level selectbox whose value is kept in the URL under key."""
    # Widget state is per page (a page's widgets are discarded when another page runs); the URL
    # parameter is shared, so a chosen indicator follows the user from page to page.
    state_key = f"p_{key}_{_page_id()}"
    if state_key not in st.session_state:
        st.session_state[state_key] = st.query_params.get(key)
    value = _select_box(where, title, options, state_key, default if default in options else options[0],
                        format_func)
    if st.query_params.get(key) != value:
        st.query_params[key] = value
    return value


def page_scope(page: str, need: str | None = None) -> views.Scope:
    """The page's Scope, headed with its place and period; stop with a hint when there is no data or no
    `need` place picked."""
    from . import nav
    scope = current_scope()
    if scope is None:
        st.caption(page)
        st.title(t("app_title"))
        no_data_message()
        st.stop()
    nav.heading(page, scope)
    if need and not getattr(scope, need):
        st.info(t(f"pick_{need}"))
        st.stop()
    return scope


def _page_id() -> str:
    """An id of the page being run, for page-scoped widget keys."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx
    ctx = get_script_run_ctx()
    return ctx.page_script_hash[:8] if ctx else "page"


def no_data_message() -> None:
    """Say the period is empty and which periods have data."""
    first, last = data_span()
    if first is None:
        st.info(t("empty_store"))
    else:
        st.info(t("no_data", first=first.isoformat(), last=last.isoformat()))


def require_router() -> None:
    """Make sure the page has the router's global controls, however Streamlit started it."""
    if any(Path(frame.filename).name == ROUTER for frame in inspect.stack()):
        return
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        # Until some session calls st.navigation (a fresh server whose first request is a deep link),
        # Streamlit's legacy pages/ routing runs a page file without the entry file. Switch the server
        # to the router and rerun: the same URL path then resolves to the same page.
        PagesManager.uses_pages_directory = False
        st.rerun()
    # The page is the main script itself (e.g. `streamlit run pages/overview.py`): sign in and draw the
    # controls here.
    st.session_state["user"] = auth.require()
    st.session_state["scope"] = global_controls()


def current_scope() -> views.Scope | None:
    """The Scope set by the global controls for this run."""
    require_router()
    return st.session_state.get("scope")
