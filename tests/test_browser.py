"""The dashboard in a real browser: Debian chromium driven by Playwright against `streamlit run dashboard.py`.

One Streamlit server per module, on a fresh store built from the bundled sample. Every test opens its own
pages (each page load is a new Streamlit session). The import test adds cases, so it runs last and the other
tests never depend on the figures it changes. Screenshots go to test-output/screenshots/.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, unquote, urlencode

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1400, "height": 2600}

if not CHROMIUM.exists():
    pytest.skip("chromium not installed at /usr/bin/chromium; run as root: make test installs it "
                "(tests/setup_browser.sh)", allow_module_level=True)
try:
    from playwright.sync_api import Browser, Locator, Page, sync_playwright
except ImportError as exc:  # pragma: no cover - depends on the environment
    pytest.skip(f"playwright cannot be imported ({exc}); install requirements-dev.txt (make test does)",
                allow_module_level=True)

import duckdb  # noqa: E402

# The first request the server ever gets: a deep link to a page other than the default one.
DEEP_LINK = "/community?" + urlencode({"district": "荔城区", "community": "拱辰社区"})
NEW_CASES = 7


# ---------------------------------------------------------------- server and browser

def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def health(url: str) -> str | None:
    """The body of the health endpoint, or None while the server does not answer."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8", "replace").strip()
    except (urllib.error.URLError, ConnectionError, OSError):
        return None


def cases_received(db: Path, first: dt.date, last: dt.date, district: str | None = None) -> int:
    """受理诉求数 computed by hand: non-cancelled cases reported in [first, last]."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        sql = ("SELECT count(*) FROM cases WHERE status <> 'cancelled' "
               "AND reported_at >= ? AND reported_at < ?")
        args: list[object] = [first, last + dt.timedelta(days=1)]
        if district:
            sql += " AND district = ?"
            args.append(district)
        return con.execute(sql, args).fetchone()[0]
    finally:
        con.close()


class Server:
    """A running dashboard: base URL, store path and figures computed before it started."""

    def __init__(self, base: str, db: Path, expected: dict[str, int]):
        self.base = base
        self.db = db
        self.expected = expected

    def url(self, path: str) -> str:
        return self.base + path


def stop(proc: subprocess.Popen) -> None:
    """Terminate the server's process group, then kill it if it does not go within 10 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=5)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`streamlit run dashboard.py` on a fresh sample store, on a free 127.0.0.1 port."""
    tmp = tmp_path_factory.mktemp("browser")
    db = tmp / "gov.duckdb"
    init = subprocess.run([sys.executable, "-m", "metrics", "init", "--sample", "--db", str(db)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, f"metrics init failed:\n{init.stdout}\n{init.stderr}"
    # The server keeps the store open read-write, so compute the expected figures before it starts.
    expected = {"2026-09": cases_received(db, dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
                "荔城区 2026-10": cases_received(db, dt.date(2026, 10, 1), dt.date(2026, 10, 31), "荔城区")}
    port = free_port()
    env = dict(os.environ, GOVDASH_DB=str(db), PYTHONUNBUFFERED="1")
    log = (tmp / "streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while health(base + "/_stcore/health") != "ok":
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (tmp / "streamlit.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"streamlit did not become healthy within 60 s (exit {proc.poll()}):\n{tail}")
            time.sleep(0.25)
        yield Server(base, db, expected)
    finally:
        stop(proc)
        log.close()


@pytest.fixture(scope="module")
def browser():
    """Debian chromium, headless."""
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def first_visit(server: Server, browser: Browser) -> dict[str, object]:
    """Open the deep link as the server's very first page request, whichever test runs first."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(server.url(DEEP_LINK), timeout=60_000)
        wait_ready(page)
        wait_for(lambda: title(page) == "社区", "the community page title after the deep link", page)
        wait_for(lambda: "全部指标与同区排名" in main_text(page), "the community indicators", page)
        wait_for(lambda: page.locator(".js-plotly-plot").count() >= 1, "a chart on the community page", page)
        shot(page, "01_community_deep_link_first_request")
        return {"title": title(page), "exceptions": exceptions(page), "text": main_text(page),
                "url": current_url(page)}
    finally:
        context.close()


@pytest.fixture
def page(server: Server, browser: Browser, first_visit):
    """A fresh browser page (its own Streamlit sessions) with a tall viewport."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    try:
        yield pg
    finally:
        context.close()


# ---------------------------------------------------------------- page helpers

def script_state(page: Page) -> str | None:
    """stApp's data-test-script-state: initial, running, notRunning or rerunRequested."""
    app = page.locator('[data-testid="stApp"]')
    return app.first.get_attribute("data-test-script-state") if app.count() else None


def wait_ready(page: Page, timeout: float = 45, stable: float = 1.0, settle: float = 0.5) -> None:
    """Wait until the Streamlit script run has finished and the page has stopped changing (bounded).

    Finished means: stMain present, no stStatusWidget (the "Running…" indicator), stApp's script state
    notRunning, and the main area's text unchanged, all for `stable` seconds; then a short settle.
    """
    page.wait_for_selector('[data-testid="stMain"]', timeout=timeout * 1000)
    deadline = time.monotonic() + timeout
    quiet_since, last_text = None, None
    while time.monotonic() < deadline:
        text = main_text(page)
        busy = (page.locator('[data-testid="stStatusWidget"]').count() > 0
                or script_state(page) != "notRunning" or text != last_text)
        last_text = text
        now = time.monotonic()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= stable:
            break
        page.wait_for_timeout(100)  # sleeps while letting Playwright process the page's events
    else:
        raise AssertionError(f"Streamlit still running after {timeout} s on {page.url}")
    page.wait_for_timeout(settle * 1000)


def wait_for(check, what: str, page: Page | None = None, timeout: float = 30) -> None:
    """Poll check() until it is true (bounded); fail saying what was awaited."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except Exception:  # noqa: BLE001 - the page may be re-rendering
            pass
        if page is not None:
            page.wait_for_timeout(200)  # unlike time.sleep, lets the sync API process page events
        else:
            time.sleep(0.2)
    if page is not None:
        shot(page, "FAILED_" + re.sub(r"\W+", "_", what)[:60])
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def shot(page: Page, name: str) -> Path:
    """Save a screenshot of the viewport under test-output/screenshots/."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def title(page: Page) -> str:
    """The page's st.title text."""
    heading = page.locator('[data-testid="stMain"] h1')
    return heading.first.inner_text().strip() if heading.count() else ""


def exceptions(page: Page) -> int:
    """How many Streamlit exception boxes the page shows."""
    return page.locator('[data-testid="stException"]').count()


def current_url(page: Page) -> str:
    """The address bar as the page sees it now (Streamlit rewrites the query string in place), decoded."""
    return unquote(page.evaluate("location.href"))


def main_text(page: Page) -> str:
    return page.locator('[data-testid="stMain"]').inner_text()


def metric(page: Page, name: str) -> Locator:
    """The st.metric whose label is exactly name."""
    return page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")))


def metric_value(page: Page, name: str) -> str:
    """The shown value of the st.metric labelled name."""
    wait_for(lambda: metric(page, name).count() == 1, f"one KPI labelled {name}", page)
    return metric(page, name).locator('[data-testid="stMetricValue"]').inner_text().strip()


def as_int(text: str) -> int:
    """'12,345' → 12345."""
    assert re.fullmatch(r"\d{1,3}(,\d{3})*", text), f"not a count with thousands separators: {text!r}"
    return int(text.replace(",", ""))


def sidebar_select(page: Page, label: str) -> Locator:
    """The sidebar selectbox whose label is exactly label."""
    return page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').filter(
        has=page.locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))


def choose(page: Page, box: Locator, option: str) -> None:
    """Open a selectbox and click one option of its dropdown list.

    Streamlit 1.67 renders selectboxes as a react-aria combobox: an input[role=combobox] that opens
    [data-testid="stSelectboxVirtualDropdown"] holding div[role=option] items (older versions used li).
    """
    box.locator("input[role=combobox], [data-baseweb=select]").first.click()
    item = page.locator('[data-testid="stSelectboxVirtualDropdown"] [role=option], li[role=option]').filter(
        has_text=re.compile(rf"^\s*{re.escape(option)}\s*$"))
    item.first.wait_for(state="visible", timeout=10_000)
    item.first.click()


def open_page(page: Page, server: Server, path: str) -> None:
    page.goto(server.url(path), timeout=60_000)
    wait_ready(page)


# ---------------------------------------------------------------- tests

PAGES = [
    ("/", "总览", "02_overview", ["受理诉求数", "办结率", "月度趋势"]),
    ("/district?" + urlencode({"district": "荔城区"}), "区/街道", "03_district", ["荔城区", "街道与社区对比"]),
    (DEEP_LINK, "社区", "04_community", ["拱辰社区", "共享+135", "全部指标与同区排名"]),
    ("/brands", "品牌对比", "05_brands_default", ["选择 2–6 个社区（品牌）"]),
    ("/import_data", "数据导入", "06_import", ["上传导出文件", "导入历史"]),
    ("/dictionary", "指标说明", "07_dictionary", ["受理诉求数", "办结率"]),
]


def test_1_every_page_opens_by_url_with_a_deep_link_first(server, first_visit, page):
    # The server's very first page request was the community deep link (first_visit fixture).
    assert first_visit["title"] == "社区", first_visit
    assert first_visit["exceptions"] == 0, first_visit["text"]
    assert "拱辰社区" in first_visit["text"] and "共享+135" in first_visit["text"]
    assert "community=拱辰社区" in str(first_visit["url"]), first_visit["url"]

    for path, heading, name, texts in PAGES:
        open_page(page, server, path)
        wait_for(lambda: title(page) == heading, f"title {heading} on {path}", page)
        for text in texts:
            wait_for(lambda: text in main_text(page), f"{text!r} on {path}", page)
        assert exceptions(page) == 0, f"exception on {path}:\n{main_text(page)[:2000]}"
        shot(page, name)


def test_2_changing_the_month_changes_the_kpi_and_the_url(server, page):
    open_page(page, server, "/")
    wait_for(lambda: title(page) == "总览", "overview title", page)
    before = metric_value(page, "受理诉求数")
    assert as_int(before) > 0

    choose(page, sidebar_select(page, "月"), "2026-09")
    wait_for(lambda: "period=2026-09" in current_url(page), "period=2026-09 in the URL", page)
    wait_ready(page)
    expected = f"{server.expected['2026-09']:,}"
    wait_for(lambda: metric_value(page, "受理诉求数") == expected,
             f"受理诉求数 {expected} for 2026-09 (page shows {metric_value(page, '受理诉求数')})", page)
    assert metric_value(page, "受理诉求数") != before
    assert exceptions(page) == 0
    shot(page, "08_overview_2026-09")


def test_3_compare_two_brands(server, page):
    units = quote("荔城区|拱辰社区,荔城区|渭阳社区", safe=",")
    open_page(page, server, f"/brands?units={units}")
    wait_for(lambda: title(page) == "品牌对比", "brands title", page)
    for text in ("拱辰社区", "共享+135", "渭阳社区", "红管家暖万家"):
        wait_for(lambda: text in main_text(page), f"{text!r} on the brands page", page)
    wait_for(lambda: page.locator(".js-plotly-plot").count() >= 2, "two plotly charts", page)
    wait_for(lambda: page.locator(".js-plotly-plot .main-svg").count() >= 2, "plotly charts drawn", page)
    assert exceptions(page) == 0
    shot(page, "09_brands_gongchen_vs_weiyang")


def test_4_switching_to_english_relabels_the_page_and_the_selectboxes(server, page):
    open_page(page, server, "/")
    wait_for(lambda: title(page) == "总览", "overview title", page)
    page.locator('[data-testid="stSidebar"] [data-testid="stRadio"]').get_by_text("English", exact=True).click()
    wait_for(lambda: title(page) == "Overview", "the title Overview", page)
    wait_ready(page)
    wait_for(lambda: "lang=en" in current_url(page), "lang=en in the URL", page)
    metric_value(page, "Cases received")
    assert exceptions(page) == 0
    shown = {box.get_attribute("aria-label"): box.input_value() for box in page.locator("input[role=combobox]").all()}
    assert shown.get("Period type") == "Month", shown
    assert shown.get("District") == "All", shown
    assert shown.get("Indicator") == "Completion rate", shown
    shot(page, "10_overview_english")


def gbk_export(path: Path) -> Path:
    """A small 网格事件导出 as Excel on Chinese Windows saves it: GB18030, CRLF, title row, padded with commas."""
    header = "事件编号,区县,街道,社区,事件类型,来源渠道,承办单位,上报时间,办理时限,办结时间,办理状态,群众评价"
    lines = ["网格事件导出（浏览器测试）" + "," * 11, header]
    for i in range(1, NEW_CASES + 1):
        closed = i % 2 == 1
        lines.append(",".join([
            f"BRW{i:04d}", "荔城区", "拱辰街道", "拱辰社区", "环境卫生", "网格上报", "拱辰街道城管办",
            f"2026/10/{i + 2} 9:{i:02d}:05", f"2026-10-{i + 9:02d}",
            f"2026/10/{i + 4} 16:30:00" if closed else "", "已办结" if closed else "处理中",
            "满意" if closed else ""]))
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    return path


def test_9_upload_a_gbk_export_and_see_the_kpi_rise(server, page, tmp_path):
    scope = "/?" + urlencode({"district": "荔城区", "period": "2026-10"})
    open_page(page, server, scope)
    wait_for(lambda: title(page) == "总览", "overview title", page)
    before = as_int(metric_value(page, "受理诉求数"))
    assert before == server.expected["荔城区 2026-10"]
    shot(page, "11_overview_licheng_2026-10_before_import")

    csv = gbk_export(tmp_path / "网格事件导出_浏览器测试.csv")
    open_page(page, server, "/import_data")
    wait_for(lambda: title(page) == "数据导入", "import title", page)
    page.locator('[data-testid="stFileUploader"] input[type=file]').set_input_files(str(csv))
    wait_for(lambda: "编码 GB18030" in main_text(page), "the dry-run preview with encoding GB18030", page,
             timeout=45)
    wait_ready(page)
    preview = main_text(page)
    assert "识别为 诉求事件（cases）" in preview, preview[:3000]
    assert metric_value(page, "可导入（新增或更新）") == str(NEW_CASES)
    assert metric_value(page, "不合格") == "0"
    assert exceptions(page) == 0
    shot(page, "12_import_preview_gbk")

    page.get_by_role("button", name="导入此文件").click()
    success = page.locator('[data-testid="stAlertContentSuccess"]').filter(has_text="已导入")
    wait_for(lambda: success.count() >= 1, "the import success message", page, timeout=45)
    wait_ready(page)
    assert f"新增或更新 {NEW_CASES} 行" in success.first.inner_text()
    assert exceptions(page) == 0
    shot(page, "13_import_done")

    open_page(page, server, scope)
    wait_for(lambda: title(page) == "总览", "overview title", page)
    wait_for(lambda: as_int(metric_value(page, "受理诉求数")) == before + NEW_CASES,
             f"受理诉求数 {before} + {NEW_CASES} after the import", page)
    url = current_url(page)
    assert "period=2026-10" in url and "district=荔城区" in url, url
    assert exceptions(page) == 0
    shot(page, "14_overview_licheng_2026-10_after_import")
