"""Where a page is: its heading ("荔城区 · 2026年10月"), a breadcrumb back up, and drill-down to a unit (charts
whose bars or tiles open their place)."""
from __future__ import annotations

import streamlit as st

from streamlit.errors import StreamlitPageNotFoundError

from metrics.views import Scope

from . import widgets
from .charts import Chart
from .i18n import lang, t

PAGES = {"overview": "pages/overview.py", "district": "pages/district.py", "community": "pages/community.py"}
# st.page_link's href is the page's url_path plus the query, and the default page's url_path is "", so a link to
# the overview is the relative "?period=…", which a browser resolves against the page it is on (/community?…):
# opened in a new tab or copied, it would not lead to the overview. Clicks are unaffected (Streamlit navigates by
# the page's id), so only the address needs mending: this script gives such links the app's root path. Every page
# sits directly under the root, so the root is the current path up to its last "/" (also under a baseUrlPath).
# It watches the DOM because Streamlit redraws the links on every run.
_ROOT_LINKS_JS = """<script>
(() => {
  if (window.__govdashRootLinks) return;
  window.__govdashRootLinks = true;
  const mend = () => {
    const root = window.location.pathname.replace(/[^/]*$/, "");
    for (const a of document.querySelectorAll('a[data-testid="stPageLink-NavLink"]')) {
      const href = a.getAttribute("href");
      if (href !== null && (href === "" || href.startsWith("?"))) a.setAttribute("href", root + href);
    }
  };
  mend();
  new MutationObserver(mend).observe(document.body,
                                      {subtree: true, childList: true, attributes: true, attributeFilter: ["href"]});
})();
</script>"""


def whole_name(scope: Scope) -> str:
    """What the viewer sees when no place is chosen: 全市, or their own area when their scope is not the city."""
    return t("city") if scope.access is None or scope.access.everything else scope.access.label()


def place_name(scope: Scope) -> str:
    """The narrowest place the scope names, or the viewer's whole area (whole_name)."""
    return scope.community or scope.street or scope.district or whole_name(scope)


def heading(page: str, scope: Scope, note: str = "") -> None:
    """The page's name, then the place and period it shows as its title, then the breadcrumb."""
    st.caption(page + (f" · {note}" if note else ""))
    st.title(f"{widgets.plain(place_name(scope))} · {scope.period.label(lang())}")
    breadcrumb(scope)


def _params(**places: str | None) -> dict[str, str]:
    """Query parameters for a link: the period and language kept, places as given."""
    params = {k: v for k, v in places.items() if v}
    for key in ("period", "lang"):
        value = st.query_params.get(key)
        if value:
            params[key] = value
    return params


def breadcrumb(scope: Scope) -> None:
    """全市 › 荔城区 › 拱辰街道 › 拱辰社区: each level a link to its page."""
    steps = [(whole_name(scope), PAGES["overview"], {})]
    if scope.district:
        steps.append((scope.district, PAGES["district"], {"district": scope.district}))
    if scope.street:
        steps.append((scope.street, PAGES["district"], {"district": scope.district, "street": scope.street}))
    if scope.community:
        steps.append((scope.community, PAGES["community"], {"district": scope.district, "street": scope.street,
                                                            "community": scope.community}))
    if len(steps) < 2:
        return
    with st.container(horizontal=True, gap="small", key="breadcrumb"):
        for i, (name, page, places) in enumerate(steps):
            if i:
                st.markdown("›")
            if i == len(steps) - 1:
                st.markdown(f"**{widgets.plain(name)}**")
            else:
                try:
                    st.page_link(page, label=widgets.plain(name), query_params=_params(**places))
                except StreamlitPageNotFoundError:  # a page run on its own (not through the router)
                    st.markdown(widgets.plain(name))
        st.html(_ROOT_LINKS_JS, width="content", unsafe_allow_javascript=True)


def open_place(district: str | None, street: str | None = None, community: str | None = None) -> None:
    """Go to the page of a place (a community's page, else its district's), keeping the period."""
    for key, value in (("g_district", district), ("g_street", street), ("g_community", community)):
        st.session_state[key] = value
    page = PAGES["community"] if community else PAGES["district"]
    st.switch_page(page, query_params=_params(district=district, street=street, community=community))


def chart(figure: Chart, key: str, level: str | None = None) -> None:
    """Draw a chart; with level, clicking a bar or tile that stands for a place opens that place's page."""
    drill = bool(level and figure.places)
    event = st.echarts_chart(figure.spec, height=figure.height, key=key, renderer="svg", theme=None,
                             on_select="rerun" if drill else "ignore",
                             alt=figure.spec.get("title", {}).get("text") or None)
    if drill:
        follow(event, figure.places, level)


def follow(event: object, places: list[list[str | None]], level: str) -> None:
    """Open the place of a clicked bar or tile: places holds (district, street, community) per item of the
    chart's first series, in the order ECharts numbers them."""
    selected = getattr(getattr(event, "selection", None), "selected", None) or []
    for group in selected:
        if group.get("series_index") != 0 or not group.get("data_indices"):
            continue
        index = group["data_indices"][0]
        if not 0 <= index < len(places) or not any(places[index]):
            continue
        district, street, community = (list(places[index]) + [None, None, None])[:3]
        if level == "district" or (not street and not community):
            open_place(district)
        elif community:
            open_place(district, street, community)
        else:
            open_place(district, street)


def follow_row(event: object, frame, level: str) -> None:
    """Open the place of a selected table row."""
    rows = getattr(getattr(event, "selection", None), "rows", None) or []
    if rows:
        rec = frame.iloc[rows[0]]
        open_place(rec.get("district"), rec.get("street") if level != "district" else None,
                   rec.get("community") if level == "community" else None)
