"""Trust in a real browser: the monthly assessment, sign-in and scope, hostile uploads, imports while people read.

Debian chromium driven by Playwright against `streamlit run dashboard.py`, on two servers per module:
- `single`: a sample store without accounts on 127.0.0.1 (single-user mode: the person at the keyboard is an
  administrator of the whole city). The assessment page (scores, fair lists, alerts, what changed, the scheme
  editor, the briefing), hostile uploads while another browser reads, and a command-line import while a page
  is open. The scheme edit and the import change the store, so they come after the tests that read it.
- `guarded`: a sample store with two viewer accounts (lc: 荔城区, df: 东风区), so sign-in is required even on
  127.0.0.1. Sign-in, sign-out, a wrong password, and the scope on every page, in table downloads, in the
  briefing and for a hand-edited link.

Expected figures come from an independent computation: the query layer and the scoring module run on a
read-only snapshot (`metrics.snapshots.reader`), or plain SQL, never from the page. Known defects are
xfail(strict=True) with the reason, so a fix shows up as XPASS. Screenshots go to test-output/screenshots/trust_*.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

# browser_kit first: importing it skips this module when chromium or Playwright is missing.
import browser_kit
from browser_kit import (SHOTS, Server, as_int, choose, chromium, count_received, current_url, exceptions, grid,
                         grid_rows, health, main_text, metric_value, new_context, page_name, running_server,
                         selectbox, title, wait_for)

import docx
import openpyxl
from playwright.sync_api import Browser, BrowserContext, Locator, Page

import hostile_files
from conftest import ROOT
from metrics import accounts, snapshots
from metrics.assessment.scores import score
from metrics.assessment.view import alert_list
from metrics.periods import Period
from metrics.query import Query, compute
from metrics.views import Scope

TALL = {"width": 1440, "height": 2400}  # tall enough that every table row is drawn
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
OCT_FIRST, OCT_LAST = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
SEP_FIRST, SEP_LAST = dt.date(2026, 9, 1), dt.date(2026, 9, 30)
OCTOBER = "2026年10月"
ASSESSMENT = "/assessment?" + urlencode({"period": "2026-10", "district": "荔城区"})
ACCOUNTS = {"lc": ("荔城区", "lc-trust-password-1"), "df": ("东风区", "df-trust-password-2")}
BRIEFING_HEADINGS = ["一、总体情况", "二、考核得分与红黑榜", "三、预警", "四、变化原因", "五、各街道情况", "附表"]
DEFERRED_FAILED = "Error executing deferred callable"  # Streamlit's log line when a download's builder raises
NEW_CASES = 6


# ---------------------------------------------------------------- servers and browser

@pytest.fixture(scope="module")
def stores(tmp_path_factory) -> dict[str, Path]:
    """Two sample stores built at once (`metrics init --sample`); the guarded one gets lc and df."""
    tmp = tmp_path_factory.mktemp("trust")
    dbs = {name: tmp / name / "gov.duckdb" for name in ("single", "guarded")}
    procs = {}
    for name, db in dbs.items():
        db.parent.mkdir()
        procs[name] = subprocess.Popen([sys.executable, "-m", "metrics", "init", "--sample", "--db", str(db)],
                                       cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for name, proc in procs.items():
        out, _ = proc.communicate(timeout=180)
        assert proc.returncode == 0, f"metrics init ({name}) failed:\n{out}"
    for user, (district, password) in ACCOUNTS.items():
        add = subprocess.run([sys.executable, "-m", "metrics", "users", "add", user, "--role", "viewer",
                              "--district", district, "--password-stdin", "--db", str(dbs["guarded"])],
                             cwd=ROOT, input=password + "\n", capture_output=True, text=True, timeout=60)
        assert add.returncode == 0, f"users add {user} failed:\n{add.stdout}\n{add.stderr}"
    return dbs


@pytest.fixture(scope="module")
def single(stores):
    """The server on the store without accounts (single-user mode on 127.0.0.1)."""
    with running_server(stores["single"]) as server:
        yield server


@pytest.fixture(scope="module")
def guarded(stores):
    """The server on the store with accounts (sign-in required, even on 127.0.0.1)."""
    with running_server(stores["guarded"]) as server:
        yield server


@pytest.fixture(scope="module")
def browser():
    """Debian chromium, headless."""
    with chromium() as b:
        yield b


@pytest.fixture
def context(browser: Browser):
    ctx = new_context(browser, TALL)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


# ---------------------------------------------------------------- page helpers (the shared ones are in browser_kit)

# The assessment page is the heaviest: a run may take up to 60 s here, and a short settle after it is enough.
wait_ready = partial(browser_kit.wait_ready, timeout=60, settle=0.3)
open_page = partial(browser_kit.open_page, ready=wait_ready)


def shot(page: Page, name: str) -> Path:
    """Save a screenshot of the viewport under test-output/screenshots/trust_<name>.png."""
    return browser_kit.shot(page, f"trust_{name}")


def all_text(page: Page) -> str:
    """Every text node of the document, hidden tabs, chart SVG text and the sidebar included."""
    return page.evaluate("document.body.textContent")


def dropdown_options(page: Page, box: Locator) -> list[str]:
    """Open a selectbox, read the options its list has drawn, and close it again."""
    box.locator("input[role=combobox]").first.click()
    items = page.locator('[data-testid="stSelectboxVirtualDropdown"] [role=option], li[role=option]')
    items.first.wait_for(state="visible", timeout=10_000)
    options = [t.strip() for t in items.all_inner_texts()]
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    return options


def open_tab(page: Page, name: str) -> Locator:
    """Click a tab of the page and return its (visible) panel once the run has finished."""
    page.get_by_role("tab", name=name, exact=True).click()
    wait_ready(page, stable=0.6, settle=0.2)
    panel = page.locator('[data-testid="stTabs"] [role="tabpanel"]:visible')
    wait_for(lambda: panel.count() == 1, f"the panel of tab {name}", page)
    return panel.first


def drawn_chart(scope: Locator, heading: str) -> Locator:
    """The chart under scope whose title contains heading, once drawn."""
    return browser_kit.chart(scope, heading)


def download(page: Page, button: Locator, server: Server, timeout: float = 90) -> Path:
    """Click a download button and return the saved file. Fails at once, with the server's line, when the
    server could not build the file (the browser then gets nothing and the page says nothing)."""
    got = []

    def keep(item) -> None:
        got.append(item)
    page.on("download", keep)
    mark = server.log_size()
    try:
        button.click()
        deadline = time.monotonic() + timeout
        while not got:
            failed = server.log_since(mark)
            if DEFERRED_FAILED in failed:
                last = [line for line in failed.splitlines() if line.strip()][-1]
                raise AssertionError(f"the server failed to build the download of {button.inner_text()!r}: "
                                     f"{last}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no download within {timeout} s after clicking {button.inner_text()!r}")
            page.wait_for_timeout(200)
    finally:
        page.remove_listener("download", keep)
    target = SHOTS.parent / "downloads" / got[0].suggested_filename
    target.parent.mkdir(parents=True, exist_ok=True)
    got[0].save_as(str(target))
    return target


def one_line_alerts(page: Page) -> list[str]:
    """The texts of the main area's alerts; each must be one line."""
    texts = [t.strip() for t in page.locator('[data-testid="stMain"] [data-testid="stAlert"]').all_inner_texts()]
    for text in texts:
        assert "\n" not in text and "Traceback" not in text, f"an alert that is not one line: {text!r}"
    return texts


def sign_in(page: Page, name: str, password: str) -> None:
    """Fill the sign-in form (账户/密码) and press 登录."""
    form = page.locator('[data-testid="stForm"]')
    wait_for(lambda: form.count() == 1, "the sign-in form", page)
    form.get_by_label("账户", exact=True).fill(name)
    form.get_by_label("密码", exact=True).fill(password)
    form.get_by_role("button", name="登录").click()
    wait_ready(page)


def signed_in_as(page: Page, name: str) -> bool:
    sidebar = page.locator('[data-testid="stSidebar"]')
    return sidebar.count() == 1 and sidebar.inner_text().find(f"{name} · 只读") >= 0


def nav_to(page: Page, label: str) -> None:
    """Open a page through the sidebar navigation (the same Streamlit session, so still signed in)."""
    page.locator('[data-testid="stSidebarNav"] a').filter(
        has_text=re.compile(rf"{re.escape(label)}\s*$")).first.click()  # text: icon name + label
    wait_ready(page)


def sign_in_form_shown(page: Page) -> bool:
    return (page.locator('[data-testid="stForm"]').filter(has_text="登录").count() == 1
            and page.get_by_label("密码", exact=True).count() == 1
            and page.locator('[data-testid="stMetric"]').count() == 0)


# ---------------------------------------------------------------- independent figures

def reader(db: Path):
    """A read-only connection to the store's newest published snapshot."""
    return snapshots.reader(db)


def data_end(con) -> dt.date:
    """The last day with event data, by plain SQL (what the dashboard calls the data's `through`)."""
    return con.execute("SELECT max(d) FROM (SELECT max(reported_at)::DATE AS d FROM cases UNION ALL "
                       "SELECT max(activity_date)::DATE FROM volunteer_activities UNION ALL "
                       "SELECT max(submitted_at)::DATE FROM wishes)").fetchone()[0]


def october(con, district: str | None = "荔城区") -> Scope:
    today = dt.date.today()
    return Scope(Period("month", OCT_FIRST, OCT_LAST, min(data_end(con), today)), district, today=today)


def expected_scores(db: Path, level: str) -> dict[str, tuple[str, float | None, str | None]]:
    """unit → (rank shown, score, list) for 荔城区 in 2026-10 under the scheme version in force."""
    con = reader(db)
    try:
        scored = score(con, october(con), "default", level)
    finally:
        con.close()
    out = {}
    for row in scored.scores.to_dict("records"):
        ok = bool(row["scored"])
        out[row["unit"]] = ("—" if not ok else str(int(row["rank"])), float(row["score"]) if ok else None,
                            row["list"] if isinstance(row["list"], str) else None)
    return out


def expected_alerts(db: Path) -> list[str]:
    con = reader(db)
    try:
        frame = alert_list(con, october(con), "default", ("street", "community"))
    finally:
        con.close()
    return list(frame["zh"])


def due_completion(db: Path, first: dt.date, last: dt.date) -> float:
    """应办结件办结率 of 荔城区 over [first, last], deadlines judged at the end of the data's last day."""
    con = reader(db)
    try:
        as_of = dt.datetime.combine(data_end(con) + dt.timedelta(days=1), dt.time())
        frame = compute(con, Query(["case_due_completion_rate"], [], first, last, {"district": ["荔城区"]},
                                   dt.date.today(), as_of))
    finally:
        con.close()
    return float(frame["case_due_completion_rate"].iloc[0])


def cases_received(db: Path, district: str | None) -> int:
    """受理诉求数 of 2026-10 by plain SQL: non-cancelled cases reported in October."""
    con = reader(db)
    try:
        return count_received(con, OCT_FIRST, OCT_LAST, district)
    finally:
        con.close()


def place_names(db: Path) -> dict[str, set[str]]:
    """district → every district, street and community name of its rows in data_places."""
    con = reader(db)
    try:
        rows = con.execute("SELECT district, street, community FROM data_places WHERE district IS NOT NULL").fetchall()
    finally:
        con.close()
    names: dict[str, set[str]] = {}
    for district, street, community in rows:
        names.setdefault(district, set()).update(n for n in (district, street, community) if n)
    return names


def outside_only(db: Path, district: str) -> set[str]:
    """Names of places that exist only outside district (and are not part of a name inside it)."""
    names = place_names(db)
    inside = names[district]
    outside = set().union(*(v for k, v in names.items() if k != district)) - inside
    return {n for n in outside if not any(n in own for own in inside)}


def leaked(text: str, forbidden: set[str]) -> list[str]:
    return sorted(n for n in forbidden if n in text)


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


# ---------------------------------------------------------------- 1. the assessment page (single-user mode)

def score_table(page: Page, level_word: str) -> dict[str, tuple[str, str, str]]:
    """unit → (名次, 得分, 榜单) from the scores table."""
    table = grid(page, level_word).filter(has=page.locator("th", has_text="名次"))
    wait_for(lambda: table.count() == 1, f"the scores table by {level_word}", page)
    return {r[level_word]: (r["名次"], r["得分"], r["榜单"]) for r in grid_rows(table)}


def assert_scores_match(shown: dict[str, tuple[str, str, str]], expected: dict, where: str) -> None:
    lists = {"red": "红榜", "black": "黑榜", None: ""}
    assert set(shown) == set(expected), (where, sorted(shown), sorted(expected))
    for unit, (rank, value, listed) in expected.items():
        got_rank, got_score, got_list = shown[unit]
        assert got_rank == rank, (where, unit, got_rank, rank)
        if value is None:
            assert got_score == "不评分", (where, unit, got_score)
        else:
            assert abs(float(got_score) - value) <= 0.05 + 1e-9, (where, unit, got_score, value)
        assert got_list == lists[listed], (where, unit, got_list, listed)


def test_10_assessment_scores_equal_the_scoring_module_and_switch_to_communities(single, page):
    streets = expected_scores(single.db, "street")
    communities = expected_scores(single.db, "community")
    open_page(page, single, ASSESSMENT)
    wait_for(lambda: title(page) == f"荔城区 · {OCTOBER}", f"the title 荔城区 · {OCTOBER} (shows {title(page)!r})", page)
    assert page_name(page) == "月度考核"
    assert "单机模式" in page.locator('[data-testid="stSidebar"]').inner_text()  # no sign-in on 127.0.0.1
    assert page.locator('[data-testid="stForm"]').count() == 0

    figure = drawn_chart(page.locator('[data-testid="stMain"]'), "街道 · 考核得分")
    wait_for(lambda: figure.count() == 1, "the scores chart by street", page)
    # Each bar is drawn with its street beside it and its score on it (to 0.1 point).
    drawn = {browser_kit.label_left_of(figure, box): browser_kit.value_right_of(figure, box)
             for box in browser_kit.bars(figure)}
    scored = {u: v for u, (_, v, _) in streets.items() if v is not None}
    assert set(drawn) == set(scored), (drawn, scored)
    for unit, value in scored.items():
        assert drawn[unit] == f"{value:.1f}", (unit, drawn[unit], value)
    assert_scores_match(score_table(page, "街道"), streets, "streets")
    assert exceptions(page) == 0

    page.set_viewport_size(DESKTOP)
    wait_ready(page, stable=0.5, settle=0.3)
    shot(page, "01_assessment_streets_1440")
    page.set_viewport_size(PHONE)
    wait_ready(page, stable=0.5, settle=0.5)
    shot(page, "02_assessment_streets_390")
    overflow = page.evaluate("() => document.documentElement.scrollWidth")
    page.set_viewport_size(TALL)
    wait_ready(page, stable=0.5, settle=0.3)
    assert overflow <= PHONE["width"] + 2, f"the page scrolls sideways at 390 px: {overflow} px wide"

    choose(page, selectbox(page.locator('[data-testid="stMain"]'), "参评层级"), "社区")
    wait_for(lambda: "units=community" in current_url(page), "units=community in the URL", page)
    wait_ready(page)
    figure = drawn_chart(page.locator('[data-testid="stMain"]'), "社区 · 考核得分")
    wait_for(lambda: figure.count() == 1, "the scores chart by community", page)
    assert_scores_match(score_table(page, "社区"), communities, "communities")
    assert exceptions(page) == 0
    page.set_viewport_size(DESKTOP)
    wait_ready(page, stable=0.5, settle=0.3)
    shot(page, "03_assessment_communities_1440")


def test_11_fair_lists_alerts_and_what_changed(single, page):
    streets = expected_scores(single.db, "street")
    alerts = expected_alerts(single.db)
    before, now = due_completion(single.db, SEP_FIRST, SEP_LAST), due_completion(single.db, OCT_FIRST, OCT_LAST)
    open_page(page, single, ASSESSMENT)
    wait_for(lambda: title(page) == f"荔城区 · {OCTOBER}", "the assessment title", page)

    panel = open_tab(page, "红黑榜（公平排名）")
    wait_for(lambda: drawn_chart(panel, "街道 · 应办结件办结率").count() == 1, "the interval chart", page)
    text = panel.inner_text()
    assert "\n红榜\n" in text and "\n黑榜\n" in text, text[:2000]
    red_part, black_part = text.split("\n红榜\n", 1)[1].split("\n黑榜\n", 1)
    for unit, (rank, value, listed) in streets.items():
        line = f"{rank}. {unit} {value:.1f} 分"
        if listed == "red":
            assert line in red_part, (line, red_part)
        elif listed == "black":
            assert line in black_part, (line, black_part)
        else:
            assert unit not in red_part and unit not in black_part.split("相同分数")[0], unit
    assert exceptions(page) == 0
    shot(page, "04_fair_lists_1440")

    panel = open_tab(page, "预警")
    text = panel.inner_text()
    assert alerts, "the sample should raise alerts in 荔城区"
    for sentence in alerts:
        assert sentence in text, (sentence, text)
    assert f"{len(alerts)} 项预警" in main_text(page)
    shot(page, "05_alerts_1440")

    panel = open_tab(page, "变化原因")
    wait_for(lambda: drawn_chart(panel, "变化分解").count() == 1, "the waterfall chart", page)
    totals = drawn_chart(panel, "变化分解").locator("svg path[fill='#6b7785']")
    assert totals.count() >= 2, "the waterfall has no bars for before and now"
    text = panel.inner_text()
    assert f"应办结件办结率由 {pct(before)} 下降至 {pct(now)}" in text or \
        f"应办结件办结率由 {pct(before)} 上升至 {pct(now)}" in text, (pct(before), pct(now), text[:800])
    assert exceptions(page) == 0
    shot(page, "06_what_changed_1440")

    page.set_viewport_size(PHONE)
    panel = open_tab(page, "红黑榜（公平排名）")
    wait_ready(page, stable=0.5, settle=0.5)
    shot(page, "07_fair_lists_390")


def test_12_briefing_word_and_excel_download_and_open(single, page):
    open_page(page, single, ASSESSMENT)
    wait_for(lambda: title(page) == f"荔城区 · {OCTOBER}", "the assessment title", page)
    panel = open_tab(page, "通报")
    shot(page, "08_briefing_tab")
    word = download(page, panel.get_by_role("button", name="下载通报（Word）"), single)
    document = docx.Document(str(word))
    paragraphs = [p.text.strip() for p in document.paragraphs if p.text.strip()]
    assert paragraphs[0] == "荔城区党建引领基层治理工作月度通报", paragraphs[:3]
    assert f"（{OCTOBER}）" in paragraphs[1], paragraphs[:3]
    positions = [paragraphs.index(h) for h in BRIEFING_HEADINGS]
    assert positions == sorted(positions), positions
    assert len(document.tables) >= 1

    excel = download(page, panel.get_by_role("button", name="下载通报（Excel）"), single)
    book = openpyxl.load_workbook(excel, read_only=True)
    assert len(book.sheetnames) >= 2, book.sheetnames
    cells = " ".join(str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row if c)
    for unit in expected_scores(single.db, "street"):
        assert unit in cells, unit
    # Both downloads are in the audit trail, as exports by the person at the keyboard.
    exports = [r for r in accounts.trail(single.db) if r[2] == "export" and r[3].startswith("通报 荔城区")]
    assert {r[3].rsplit("(", 1)[-1] for r in exports} >= {"docx)", "xlsx)"}, exports


def test_13_edit_the_scheme_and_the_scores_change(single, page):
    before = expected_scores(single.db, "street")
    open_page(page, single, ASSESSMENT)
    wait_for(lambda: title(page) == f"荔城区 · {OCTOBER}", "the assessment title", page)
    panel = open_tab(page, "考核方案")
    assert "第 1 版" in panel.inner_text()
    panel.get_by_text("修改方案（保存为新版本）").click()
    area = panel.locator("textarea")
    wait_for(lambda: area.count() == 1, "the scheme's TOML text area", page)
    blocks = area.input_value().split("[[indicator]]")
    assert 'metric = "case_due_completion_rate"' in blocks[1] and "weight = 30" in blocks[1], blocks[1]
    assert 'metric = "case_satisfaction_rate"' in blocks[3] and "weight = 30" in blocks[3], blocks[3]
    blocks[1] = blocks[1].replace("weight = 30", "weight = 40")
    blocks[3] = blocks[3].replace("weight = 30", "weight = 20")
    area.fill("[[indicator]]".join(blocks))
    area.press("Control+Enter")
    wait_ready(page)
    shot(page, "09_scheme_editor")
    page.locator('[data-testid="stTabs"] [role="tabpanel"]:visible').get_by_role("button", name="保存新版本").click()
    saved = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="已保存第 2 版")
    wait_for(lambda: saved.count() == 1, "已保存第 2 版", page, timeout=60)
    wait_ready(page)
    assert saved.first.inner_text().strip() == "已保存第 2 版，自 2026-10 起执行。", saved.first.inner_text()
    assert exceptions(page) == 0
    shot(page, "10_scheme_saved")

    after = expected_scores(single.db, "street")
    assert any(abs((after[u][1] or 0) - (before[u][1] or 0)) >= 0.05 for u in before), (before, after)
    open_tab(page, "得分排名")
    wait_for(lambda: score_table(page, "街道")[next(iter(after))][1] != "", "the scores table", page)
    assert_scores_match(score_table(page, "街道"), after, "streets after the edit")
    shown = score_table(page, "街道")
    assert any(shown[u][1] != f"{before[u][1]:.1f}" for u in before if before[u][1] is not None), shown
    shot(page, "11_scores_after_edit")


# ---------------------------------------------------------------- 2. sign-in and scope

def lc_signed_in(guarded: Server, context: BrowserContext, path: str = "/") -> Page:
    """A page of context signed in as lc through the form."""
    page = context.new_page()
    open_page(page, guarded, path)
    wait_for(lambda: sign_in_form_shown(page), "the sign-in form (accounts exist, even on 127.0.0.1)", page)
    sign_in(page, "lc", ACCOUNTS["lc"][1])
    wait_for(lambda: signed_in_as(page, "lc"), "signed in as lc", page)
    return page


def assert_no_outside_names(page: Page, forbidden: set[str], where: str) -> None:
    text = all_text(page)
    found = leaked(text, forbidden)
    if found:
        shot(page, f"FAILED_leak_{where}")
    assert not found, f"{where}: names of places outside the account's district: {found}"


def test_20_a_district_viewer_signs_in_and_sees_only_their_district(guarded, browser, context):
    forbidden = outside_only(guarded.db, "荔城区")
    assert {"东风区", "示例街道1", "南兴社区"} <= forbidden
    received = cases_received(guarded.db, "荔城区")

    first = context.new_page()
    open_page(first, guarded, "/")
    wait_for(lambda: sign_in_form_shown(first), "the sign-in form", first)
    assert page_name(first) == "党建引领基层治理 · 仅限授权人员使用"  # the form's line, not a page's name
    assert first.locator('[data-testid="stSidebarNav"] a').count() == 0  # no page is offered before signing in
    assert_no_outside_names(first, forbidden | {"荔城区"}, "sign-in form")
    shot(first, "20_sign_in_form")
    sign_in(first, "lc", ACCOUNTS["lc"][1])
    wait_for(lambda: signed_in_as(first, "lc"), "signed in as lc", first)
    page = first

    # Overview: the title names the account's district; the figures are 荔城区's.
    wait_for(lambda: title(page) == f"荔城区 · {OCTOBER}", f"the overview of 荔城区 (shows {title(page)!r})", page)
    assert page_name(page) == "总览"
    assert as_int(metric_value(page, "受理诉求数"), "件") == received
    district_box = selectbox(page.locator('[data-testid="stSidebar"]'), "区县")
    assert set(dropdown_options(page, district_box)) <= {"全部", "荔城区"}
    assert_no_outside_names(page, forbidden, "overview")
    assert exceptions(page) == 0
    shot(page, "21_lc_overview")

    # The ranking's CSV: every row is 荔城区.
    path = download(page, page.locator('[class*="st-key-csv_ranking"] button'), guarded)
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["区县"] for r in rows} == {"荔城区"}, {r["区县"] for r in rows}
    assert not leaked(text, forbidden)

    # District page (through the sidebar: the same session, still signed in).
    nav_to(page, "区/街道")
    wait_for(lambda: page_name(page) == "区/街道" and title(page) == f"荔城区 · {OCTOBER}", "the district page", page)
    wait_for(lambda: browser_kit.charts_drawn(page).count() >= 2, "district charts", page)
    assert_no_outside_names(page, forbidden, "district")
    assert exceptions(page) == 0
    shot(page, "22_lc_district")

    # Community page: the picker offers only 荔城区's communities.
    nav_to(page, "社区")
    community_box = selectbox(page.locator('[data-testid="stSidebar"]'), "社区")
    offered = set(dropdown_options(page, community_box)) - {"全部"}
    assert offered and offered <= place_names(guarded.db)["荔城区"], offered
    choose(page, community_box, "拱辰社区")
    wait_for(lambda: title(page) == f"拱辰社区 · {OCTOBER}", f"the community page (shows {title(page)!r})", page)
    wait_ready(page)
    wait_for(lambda: "全部指标与同区排名" in main_text(page), "the community indicators", page)
    assert_no_outside_names(page, forbidden, "community")
    assert exceptions(page) == 0
    shot(page, "23_lc_community")

    # Assessment page: every tab's text is in the document (hidden tabs too).
    nav_to(page, "月度考核")
    wait_for(lambda: page_name(page) == "月度考核", "the assessment page", page)
    wait_for(lambda: drawn_chart(page.locator('[data-testid="stMain"]'), "考核得分").count() == 1, "scores chart",
             page)
    assert_no_outside_names(page, forbidden, "assessment")
    panel = open_tab(page, "考核方案")
    assert "考核方案由管理员修改。" in panel.inner_text() and panel.locator("textarea").count() == 0
    assert exceptions(page) == 0
    shot(page, "24_lc_assessment")

    # A hand-edited link in a new page of the same browser: a new Streamlit session, so it asks to sign in
    # first (sessions are per page); then it shows only the refusal.
    other = context.new_page()
    open_page(other, guarded, "/?" + urlencode({"district": "东风区"}))
    wait_for(lambda: sign_in_form_shown(other), "the sign-in form in the new page", other)
    sign_in(other, "lc", ACCOUNTS["lc"][1])
    refusal = other.locator('[data-testid="stMain"] [data-testid="stAlertContentError"]').filter(has_text="没有查看")
    wait_for(lambda: refusal.count() == 1, "the refusal message (没有查看…)", other)
    wait_ready(other)
    assert refusal.first.inner_text().strip() == "没有查看“东风区”的权限，或没有这个地方。您可以查看：荔城区。"
    main = other.locator('[data-testid="stMain"]')
    assert main.locator('[data-testid="stMetric"], [data-testid="stEChartsChart"], [data-testid="stDataFrame"], '
                        '[data-testid="stTable"]') \
        .count() == 0, main.inner_text()[:1000]
    assert main.inner_text().strip() == refusal.first.inner_text().strip(), main.inner_text()[:1000]
    assert not leaked(all_text(other), forbidden - {"东风区"})
    shot(other, "25_lc_refused_link")
    other.close()

    # Sign out: the form is back; a wrong password gives one line.
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
    wait_ready(page)
    wait_for(lambda: sign_in_form_shown(page), "the sign-in form after 退出登录", page)
    assert not leaked(main_text(page), {"荔城区", "拱辰社区"}), main_text(page)
    shot(page, "26_signed_out")
    sign_in(page, "lc", "not-the-right-password")
    error = page.locator('[data-testid="stMain"] [data-testid="stAlertContentError"]')
    wait_for(lambda: error.count() == 1, "the wrong-password error", page)
    assert error.first.inner_text().strip() == "账户名或密码不正确 (wrong account name or password)"
    assert sign_in_form_shown(page) and one_line_alerts(page)
    shot(page, "27_wrong_password")

    # The mirror image: df in a second browser profile sees 东风区 and nothing of 荔城区.
    df_forbidden = outside_only(guarded.db, "东风区")
    assert {"荔城区", "拱辰社区", "拱辰街道"} <= df_forbidden
    df_context = new_context(browser, TALL)
    try:
        df = df_context.new_page()
        open_page(df, guarded, "/")
        sign_in(df, "df", ACCOUNTS["df"][1])
        wait_for(lambda: title(df) == f"东风区 · {OCTOBER}", f"the overview of 东风区 (shows {title(df)!r})", df)
        assert as_int(metric_value(df, "受理诉求数"), "件") == cases_received(guarded.db, "东风区")
        assert_no_outside_names(df, df_forbidden, "df overview")
        assert exceptions(df) == 0
        shot(df, "28_df_overview")
    finally:
        df_context.close()


def test_21_the_city_line_of_a_district_viewer_is_their_district(guarded, context):
    """The overview's trend has a grey 全市 line; for lc it is 荔城区's own figures (so nothing leaks)."""
    page = lc_signed_in(guarded, context)
    figure = drawn_chart(page.locator('[data-testid="stMain"]'), "月度趋势")
    wait_for(lambda: figure.count() == 1, "the trend chart", page)
    legend = [w["text"] for w in browser_kit.texts(figure)]
    assert "荔城区" in legend and "全市" not in legend, legend
    # Hovering the last month (the plot's right edge) shows the grey line's value there: 荔城区's own rate.
    box = figure.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 30, box["y"] + box["height"] / 2)
    expected = f"荔城区{due_completion(guarded.db, OCT_FIRST, OCT_LAST) * 100:.1f}%"
    tip = lambda: re.sub(r"\s+", "", figure.evaluate("el => el.parentElement.textContent"))  # noqa: E731
    wait_for(lambda: expected in tip(), f"the tooltip of the last month with {expected}", page)


def test_22_a_district_viewer_is_never_shown_the_word_city(guarded, context):
    page = lc_signed_in(guarded, context)
    figure = drawn_chart(page.locator('[data-testid="stMain"]'), "月度趋势")
    wait_for(lambda: figure.count() == 1, "the trend chart", page)
    figure.scroll_into_view_if_needed()
    figure.screenshot(path=str(SHOTS / "trust_29_lc_trend_labelled_city.png"))
    assert "全市" not in all_text(page)


def test_23_a_deep_link_survives_signing_in(guarded, context):
    page = lc_signed_in(guarded, context, "/district?" + urlencode({"district": "荔城区", "period": "2026-10"}))
    wait_for(lambda: title(page) == f"荔城区 · {OCTOBER}", "the 荔城区 title", page)
    shot(page, "30_deep_link_after_sign_in")
    assert urlsplit(current_url(page)).path == "/district", current_url(page)
    assert page_name(page) == "区/街道", page_name(page)


def test_24_a_district_viewer_downloads_the_briefing_of_their_district(guarded, context):
    forbidden = outside_only(guarded.db, "荔城区")
    page = lc_signed_in(guarded, context)
    nav_to(page, "月度考核")
    wait_for(lambda: page_name(page) == "月度考核", "the assessment page", page)
    panel = open_tab(page, "通报")
    shot(page, "31_lc_briefing")
    word = download(page, panel.get_by_role("button", name="下载通报（Word）"), guarded)
    document = docx.Document(str(word))
    text = "\n".join(p.text for p in document.paragraphs) + "\n".join(
        c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "荔城区" in text
    assert not leaked(text, forbidden), leaked(text, forbidden)


def test_25_signed_out_no_pages_are_offered(guarded, context):
    page = lc_signed_in(guarded, context)
    page.locator('[data-testid="stSidebar"]').get_by_role("button", name="退出登录").click()
    wait_ready(page)
    wait_for(lambda: sign_in_form_shown(page), "the sign-in form after 退出登录", page)
    shot(page, "32_nav_after_sign_out")
    links = page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()
    assert links == [], links


# ---------------------------------------------------------------- 3. one bad upload cannot hurt anyone else

def test_30_hostile_uploads_leave_the_server_serving(single, browser, page, tmp_path):
    files = [hostile_files.xlsx_huge_dimension(tmp_path), hostile_files.cols_10000(tmp_path)]
    assert files[0].stat().st_size < 10_000
    received = cases_received(single.db, None)
    open_page(page, single, "/import_data")
    wait_for(lambda: title(page) == "数据导入", "the import page", page)
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files([str(f) for f in files])

    # Meanwhile someone else reads the overview.
    reader_context = new_context(browser, TALL)
    try:
        other = reader_context.new_page()
        open_page(other, single, "/?period=2026-10")
        wait_for(lambda: title(other) == f"全市 · {OCTOBER}", "the city overview in the second browser", other)
        assert as_int(metric_value(other, "受理诉求数"), "件") == received
        wait_for(lambda: browser_kit.charts_drawn(other).count() >= 3, "overview charts",
                 other)
        assert exceptions(other) == 0
        shot(other, "40_overview_during_hostile_uploads")
    finally:
        reader_context.close()

    for f in files:
        wait_for(lambda: page.locator('[data-testid="stMain"] h2, [data-testid="stMain"] h3').filter(
            has_text=f.name).count() >= 1, f"the section of {f.name}", page, timeout=90)
    wait_for(lambda: main_text(page).count("识别为") + len(one_line_alerts(page)) >= len(files),
             "a preview or a one-line message per file", page, timeout=90)
    wait_ready(page)
    text = main_text(page)
    assert exceptions(page) == 0 and "Traceback" not in text, text[:3000]
    one_line_alerts(page)
    assert text.count("识别为 诉求事件（cases）") == 2, text[:3000]
    shot(page, "41_hostile_previews")
    assert single.proc.poll() is None and health(single.url("/_stcore/health")) == "ok"


# ---------------------------------------------------------------- 4. imports while people read

def small_export(path: Path) -> Path:
    """NEW_CASES cases of 荔城区 reported in October 2026, half closed."""
    header = "事件编号,区县,街道,社区,事件类型,来源渠道,承办单位,上报时间,办理时限,办结时间,办理状态,群众评价"
    lines = [header]
    for i in range(1, NEW_CASES + 1):
        closed = i % 2 == 1
        lines.append(",".join([f"TRUST{i:04d}", "荔城区", "拱辰街道", "拱辰社区", "环境卫生", "网格上报",
                               "拱辰街道城管办", f"2026-10-{i + 3:02d} 09:{i:02d}:00", f"2026-10-{i + 10:02d}",
                               f"2026-10-{i + 5:02d} 15:00:00" if closed else "", "已办结" if closed else "处理中",
                               "满意" if closed else ""]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_40_a_command_line_import_while_a_page_is_open(single, page, tmp_path):
    before = cases_received(single.db, "荔城区")
    scope = "/?" + urlencode({"district": "荔城区", "period": "2026-10"})
    open_page(page, single, scope)
    wait_for(lambda: title(page) == f"荔城区 · {OCTOBER}", "the overview of 荔城区", page)
    assert as_int(metric_value(page, "受理诉求数"), "件") == before
    shot(page, "50_overview_before_cli_import")

    export = small_export(tmp_path / "荔城区_2026-10_诉求.csv")
    run = subprocess.run([sys.executable, "-m", "metrics", "import", "--db", str(single.db), str(export)], cwd=ROOT,
                         capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, f"import failed while the server runs:\n{run.stdout}\n{run.stderr}"
    assert f"导入 loaded {NEW_CASES}" in run.stdout, run.stdout
    assert single.proc.poll() is None

    after = cases_received(single.db, "荔城区")
    assert after == before + NEW_CASES, (before, after)
    # The open page keeps working on what it read; a reload reads the new snapshot.
    assert exceptions(page) == 0
    page.reload(timeout=60_000)
    wait_ready(page)
    wait_for(lambda: title(page) == f"荔城区 · {OCTOBER}", "the overview of 荔城区 after the reload", page)
    wait_for(lambda: as_int(metric_value(page, "受理诉求数"), "件") == after,
             f"受理诉求数 {after} after the import (shows {metric_value(page, '受理诉求数')})", page)
    assert exceptions(page) == 0
    shot(page, "51_overview_after_cli_import")
