"""Roles and scope, default deny: two district viewers on the bundled sample never see each other's figures on
any page, picker, chart, briefing or hand-edited URL; the query layer applies the scope to every statement;
imports and undos stay within an analyst's scope."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from google.protobuf.json_format import MessageToJson
from streamlit import config as streamlit_config
from streamlit.testing.v1 import AppTest

from conftest import ROOT, write
from helpers import load
from metrics import accounts, briefing
from metrics.access import Access
from metrics.errors import ImportFailure
from metrics.importer import ImportOptions, import_file
from metrics.query import Query, compute

APP = str(ROOT / "dashboard.py")
PASSWORD = "a long enough password"
PAGES = ["pages/overview.py", "pages/district.py", "pages/community.py", "pages/brands.py", "pages/assessment.py",
         "pages/dictionary.py"]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample store with a 荔城区 viewer and a 东风区 viewer, the dashboard in accounts mode."""
    path = tmp_path_factory.mktemp("access") / "gov.duckdb"
    subprocess.run([sys.executable, "-m", "metrics", "init", "--sample", "--db", str(path)], cwd=ROOT, check=True,
                   capture_output=True, timeout=600)
    accounts.add(path, "lc", PASSWORD, "viewer", Access(districts=("荔城区",)))
    accounts.add(path, "df", PASSWORD, "viewer", Access(districts=("东风区",)))
    accounts.add(path, "gc", PASSWORD, "viewer", Access(streets=(("荔城区", "拱辰街道"),)))
    streamlit_config.set_option("server.address", "0.0.0.0")  # not loopback: accounts are required
    yield path
    streamlit_config.set_option("server.address", "127.0.0.1")


SCOPES = {"lc": Access(districts=("荔城区",)), "df": Access(districts=("东风区",)),
          "gc": Access(streets=(("荔城区", "拱辰街道"),))}


def foreign_names(path: Path, mine: str | Access) -> set[str]:
    """Names of districts, streets and communities that exist only outside the area (a district or an Access)."""
    from metrics.snapshots import reader
    access = Access(districts=(mine,)) if isinstance(mine, str) else mine
    con = reader(path)
    try:
        rows = con.execute("SELECT district, street, community FROM data_places").fetchall()
    finally:
        con.close()
    inside = {n for r in rows if access.allows(r[0], r[1]) for n in r if n}
    return {n for r in rows if not access.allows(r[0], r[1]) for n in r if n and n not in inside}


def signed_in(path: Path, name: str, monkeypatch, script: str = APP, **params: str) -> AppTest:
    """The dashboard (or one page run on its own, as a freshly opened link) after signing in as name.

    A page on its own is signed in through its form. The dashboard routes every page while signed out (so a deep
    link keeps its page through signing in), and AppTest reruns the routed page file on its own rather than the
    router, so there the session is opened as the form would open it, by accounts.sign_in; the form in front of
    the router is exercised in Chromium (tests/test_browser_trust.py)."""
    monkeypatch.setenv("GOVDASH_DB", str(path))
    at = AppTest.from_file(script, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    if script == APP:
        now = dt.datetime.now()
        at.session_state["auth"] = {"user": accounts.sign_in(path, name, PASSWORD, ""), "signed_in": now,
                                    "last_seen": now}
        at.run()
    else:
        at.run()
        assert at.text_input(key="signin_name") is not None
        at.text_input(key="signin_name").set_value(name)
        at.text_input(key="signin_password").set_value(PASSWORD)
        at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def every_text(at: AppTest) -> str:
    """Everything the page sent to the browser (text, tables, chart specs, options), as one string."""
    out = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(MessageToJson(proto, ensure_ascii=False))
        for child in getattr(node, "children", {}).values():
            walk(child)
        value = getattr(node, "value", None)
        if hasattr(value, "to_json"):
            out.append(value.to_json(force_ascii=False))
    walk(at._tree)
    return "\n".join(out)


def test_the_sign_in_form_comes_first(sample, monkeypatch):
    monkeypatch.setenv("GOVDASH_DB", str(sample))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert at.text_input(key="signin_password") is not None
    assert not at.dataframe and not at.table and not at.metric  # nothing of the data before signing in
    # A page opened on its own (AppTest reruns the routed page file) asks the same and refuses a wrong password.
    at = AppTest.from_file(str(ROOT / "pages/overview.py"), default_timeout=120).run()
    at.text_input(key="signin_name").set_value("lc")
    at.text_input(key="signin_password").set_value("wrong password!")
    at.button[0].click().run()
    assert "账户名或密码不正确" in at.error[0].value


@pytest.mark.parametrize("me, mine", [("lc", "荔城区"), ("df", "东风区"), ("gc", "拱辰街道")])
@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_another_district(sample, monkeypatch, me, mine, page):
    at = signed_in(sample, me, monkeypatch, period="2026-10")
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    text = every_text(at)
    assert mine in text  # the page shows the user's own area
    leaked = sorted(n for n in foreign_names(sample, SCOPES[me]) if n in text)
    assert not leaked, (page, leaked[:10])


@pytest.mark.parametrize("params", [{"district": "东风区"}, {"district": "东风区", "street": "示例街道1"},
                                    {"community": "示例社区05"}, {"district": "不存在区"}])
def test_a_hand_edited_url_outside_the_scope_shows_only_a_message(sample, monkeypatch, params):
    for page in ("pages/overview.py", "pages/district.py", "pages/community.py", "pages/assessment.py"):
        # A link opened afresh: a new session running that page.
        at = signed_in(sample, "lc", monkeypatch, str(ROOT / page), period="2026-10", **params)
        assert at.error and "没有查看" in at.error[0].value, page
        assert not at.dataframe and not at.table and not at.metric and not at.get("echarts_chart"), page
        assert accounts.trail(sample)[0][2] == "denied"


@pytest.mark.parametrize("page, message", [("pages/import_data.py", "只能查看"), ("pages/admin.py", "只有管理员")])
def test_viewers_cannot_open_the_import_or_admin_page(sample, monkeypatch, page, message):
    at = signed_in(sample, "lc", monkeypatch)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(page)  # not in a viewer's navigation at all
    at = signed_in(sample, "lc", monkeypatch, str(ROOT / page))  # and refused when opened directly
    assert message in at.error[0].value
    assert not at.get("file_uploader") and not at.dataframe and not at.table


def test_the_query_layer_applies_the_scope(sample):
    from metrics.snapshots import reader
    con = reader(sample)
    try:
        q = Query(["cases_received", "volunteer_hours_per_1k_residents"], ["district"], dt.date(2026, 10, 1),
                  dt.date(2026, 10, 31), access=Access(districts=("荔城区",)))
        scoped = compute(con, q)
        q.access = None
        everyone = compute(con, q)
        q.access = Access()
        nothing = compute(con, q)
        q.access = Access(streets=(("荔城区", "拱辰街道"),))
        q.by = ["street"]
        street = compute(con, q)
    finally:
        con.close()
    assert list(scoped["district"]) == ["荔城区"]
    own = everyone[everyone["district"] == "荔城区"].iloc[0]
    assert scoped["cases_received"].iloc[0] == own["cases_received"]
    assert scoped["volunteer_hours_per_1k_residents"].iloc[0] == pytest.approx(own["volunteer_hours_per_1k_residents"])
    assert nothing.empty or nothing["cases_received"].fillna(0).sum() == 0
    assert list(street["street"]) == ["拱辰街道"]


def test_a_briefing_never_leaves_the_scope(sample):
    from metrics.snapshots import reader
    con = reader(sample)
    try:
        doc = briefing.build(con, dt.date(2026, 10, 1), None, access=Access(districts=("荔城区",)))
        with pytest.raises(Exception, match="没有查看"):
            briefing.build(con, dt.date(2026, 10, 1), "东风区", access=Access(districts=("荔城区",)))
    finally:
        con.close()
    page = briefing.renderer("html")(doc).decode("utf-8")
    assert "荔城区" in page
    assert not [n for n in foreign_names(sample, "荔城区") if n in page]


CASES = """事件编号,区县,街道,社区,上报时间,办结时间,办理状态
a1,荔城区,拱辰街道,拱辰社区,2026-10-02 09:00,2026-10-03 09:00,已办结
a2,东风区,示例街道1,示例社区05,2026-10-02 09:00,,办理中
"""


def test_an_analyst_imports_only_within_scope(con, db_path, tmp_path):
    mixed = write(tmp_path, "mixed.csv", CASES)
    with pytest.raises(ImportFailure, match="范围（荔城区）以外的地方：东风区示例街道1"):
        import_file(con, mixed.read_bytes(), "mixed.csv", ImportOptions(), access=Access(districts=("荔城区",)))
    assert con.execute("SELECT count(*) FROM cases").fetchall()[0][0] == 0  # nothing was imported
    mine = write(tmp_path, "mine.csv", "\n".join(CASES.splitlines()[:2]) + "\n")
    result = import_file(con, mine.read_bytes(), "mine.csv", ImportOptions(), access=Access(districts=("荔城区",)))
    assert result.committed
    places = json.loads(con.execute("SELECT places FROM import_batches").fetchall()[0][0])
    assert places == [["荔城区", "拱辰街道"]]


def test_undo_and_history_stay_within_scope(con, db_path, tmp_path):
    from metrics.importer import batches
    load(con, write(tmp_path, "all.csv", CASES), db_path)
    frame = batches.batches(con)
    assert batches.visible(frame, con, Access(districts=("荔城区",))).empty  # the batch holds 东风区 rows
    assert len(batches.visible(frame, con, Access(city=True))) == 1


def test_a_session_expires_after_idle_time(sample, monkeypatch):
    at = signed_in(sample, "lc", monkeypatch)
    assert at.metric  # signed in, the overview shows figures
    session = at.session_state["auth"]
    at.session_state["auth"] = {**session, "last_seen": session["last_seen"] - dt.timedelta(hours=1)}
    at.run()
    assert at.text_input(key="signin_password") is not None and not at.metric
    assert "已自动退出" in at.info[0].value
    assert accounts.trail(sample)[0][2] == "session_expired"


def test_a_broken_store_is_one_line_on_every_page(tmp_path, monkeypatch):
    fake = tmp_path / "gov.duckdb"
    fake.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    monkeypatch.setenv("GOVDASH_DB", str(fake))
    streamlit_config.set_option("server.address", "127.0.0.1")
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
    finally:
        streamlit_config.set_option("server.address", "0.0.0.0")
    assert not at.exception
    assert "SQLite" in at.error[0].value and "\n" not in at.error[0].value


SSO = {"auth": {"redirect_uri": "http://127.0.0.1:8501/oauth2callback", "cookie_secret": "x" * 32,
                "client_id": "dashboard", "client_secret": "secret",
                "server_metadata_url": "https://sso.example.invalid/.well-known/openid-configuration"}}


def test_single_sign_on_lets_in_an_enabled_account_within_its_scope(sample, monkeypatch):
    monkeypatch.setenv("GOVDASH_DB", str(sample))
    accounts.add(sample, "lc@city.example", PASSWORD, "viewer", Access(districts=("荔城区",)))
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets = SSO
    at.user = {"is_logged_in": False}
    at.run()
    assert [b.label for b in at.button] == ["单点登录"] and not at.metric  # the single sign-on button only
    at.user = {"is_logged_in": True, "email": "lc@city.example"}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value.startswith("荔城区"), at.title[0].value  # in, and within the account's scope
    leaked = sorted(n for n in foreign_names(sample, SCOPES["lc"]) if n in every_text(at))
    assert not leaked, leaked[:10]
    assert any(r[1] == "lc@city.example" and r[2] == "sign_in" and r[3] == "单点登录"
               for r in accounts.trail(sample))


def test_single_sign_on_refuses_an_identity_without_an_account(sample, monkeypatch):
    monkeypatch.setenv("GOVDASH_DB", str(sample))
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets = SSO
    at.user = {"is_logged_in": True, "email": "stranger@elsewhere.example"}
    at.run()
    assert "没有看板账户" in at.error[0].value
    assert not at.metric and not at.dataframe and not at.table
