"""What the Chromium tests (test_browser.py, test_browser_trust.py) share: a dashboard server, Debian chromium under
Playwright, and reading and waiting on a Streamlit page.

Importing it skips the importing test module when chromium or Playwright is missing.
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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
SHOTS = ROOT / "test-output" / "screenshots"

if not CHROMIUM.exists():
    pytest.skip("chromium not installed at /usr/bin/chromium; run as root: make test installs it "
                "(tests/setup_browser.sh)", allow_module_level=True)
try:
    from playwright.sync_api import Browser, BrowserContext, ElementHandle, Locator, Page, sync_playwright
except ImportError as exc:  # pragma: no cover - depends on the environment
    pytest.skip(f"playwright cannot be imported ({exc}); install requirements-dev.txt (make test does)",
                allow_module_level=True)


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


@dataclass
class Server:
    """A running dashboard: base URL, its store, its log, its process and figures computed before it started."""

    base: str
    db: Path
    log: Path
    proc: subprocess.Popen
    expected: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        """The address of path on this server."""
        return self.base + path

    def log_size(self) -> int:
        """How many bytes the server's log holds now (an offset for log_since)."""
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        """What the server has logged after offset."""
        with self.log.open("rb") as fh:
            fh.seek(offset)
            return fh.read().decode("utf-8", "replace")


@contextmanager
def running_server(db: Path, expected: dict[str, int] | None = None) -> Iterator[Server]:
    """`streamlit run dashboard.py` on db, on a free 127.0.0.1 port, once healthy; stopped on leaving."""
    port = free_port()
    env = dict(os.environ, GOVDASH_DB=str(db), PYTHONUNBUFFERED="1")
    log = db.parent / "streamlit.log"
    with log.open("w") as fh:  # the server writes to its own copy of the descriptor
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port", str(port),
             "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while health(base + "/_stcore/health") != "ok":
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not become healthy within 60 s (exit {proc.poll()}):\n"
                            f"{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.25)
        yield Server(base, db, log, proc, dict(expected or {}))
    finally:
        stop(proc)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian chromium, headless, under Playwright; closed on leaving."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser: Browser, viewport: dict[str, int]) -> BrowserContext:
    """A fresh browser profile (its own cookies and Streamlit sessions) in Chinese that accepts downloads."""
    context = browser.new_context(viewport=viewport, locale="zh-CN", accept_downloads=True)
    context.set_default_timeout(30_000)
    return context


def count_received(con, first: dt.date, last: dt.date, district: str | None = None) -> int:
    """受理诉求数 by plain SQL on con: non-cancelled cases reported in [first, last], in district if given."""
    sql = "SELECT count(*) FROM cases WHERE status <> 'cancelled' AND reported_at >= ? AND reported_at < ?"
    args: list[object] = [first, last + dt.timedelta(days=1)]
    if district:
        sql += " AND district = ?"
        args.append(district)
    return con.execute(sql, args).fetchone()[0]


# ---------------------------------------------------------------- waiting

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


def wait_for(check: Callable[[], object], what: str, page: Page | None = None, timeout: float = 30) -> None:
    """Poll check() until it is true (bounded); fail saying what was awaited (with a screenshot FAILED_<what>)."""
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


def open_page(page: Page, server: Server, path: str, ready: Callable[[Page], None] = wait_ready) -> None:
    """Go to path on server and wait (with ready) until the page's run has finished."""
    page.goto(server.url(path), timeout=60_000)
    ready(page)


def shot(page: Page, name: str) -> Path:
    """Save a screenshot of the viewport as test-output/screenshots/<name>.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


# ---------------------------------------------------------------- reading the page

def main_text(page: Page) -> str:
    """The visible text of the main area."""
    return page.locator('[data-testid="stMain"]').inner_text()


def title(page: Page) -> str:
    """The page's st.title text: the place and period it shows ("荔城区 · 2026年10月")."""
    heading = page.locator('[data-testid="stMain"] h1')
    return heading.first.inner_text().strip() if heading.count() else ""


def page_name(page: Page) -> str:
    """The small caption above the title that names the page (总览, 区/街道, 社区, …)."""
    caption = page.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]')
    return caption.first.inner_text().strip() if caption.count() else ""


def exceptions(page: Page) -> int:
    """How many Streamlit exception boxes the page shows."""
    return page.locator('[data-testid="stException"]').count()


def current_url(page: Page) -> str:
    """The address bar as the page sees it now (Streamlit rewrites the query string in place), decoded."""
    return unquote(page.evaluate("location.href"))


def metric(page: Page, name: str) -> Locator:
    """The st.metric whose label is exactly name."""
    return page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=re.compile(rf"^\s*{re.escape(name)}\s*$")))


def metric_value(page: Page, name: str) -> str:
    """The shown value of the st.metric labelled name."""
    wait_for(lambda: metric(page, name).count() == 1, f"one KPI labelled {name}", page)
    return metric(page, name).locator('[data-testid="stMetricValue"]').inner_text().strip()


def as_int(text: str, unit: str = "") -> int:
    """'12,345' → 12345; with unit='件', '12,345 件' → 12345 (the unit is required then)."""
    pattern = r"\d{1,3}(,\d{3})*" + (rf" {re.escape(unit)}" if unit else "")
    assert re.fullmatch(pattern, text), f"not a count with thousands separators {unit}: {text!r}"
    return int(text.removesuffix(unit).strip().replace(",", ""))


def root(scope: Page | Locator) -> Page:
    """The page of a page or locator (`has=` locators must start from the page)."""
    return scope.page if isinstance(scope, Locator) else scope


def grid(scope: Page | Locator, header: str) -> Locator:
    """The visible st.dataframe under scope that has a column headed exactly header."""
    return scope.locator('[data-testid="stDataFrame"]:visible').filter(
        has=root(scope).locator("th", has_text=re.compile(rf"^\s*{re.escape(header)}\s*$")))


def grid_rows(table: Locator | ElementHandle) -> list[dict[str, str]]:
    """The rows glide-data-grid has drawn, read from its accessible table (the canvas has no text), each as
    header → cell text plus "_row": the row's index in the data."""
    return table.evaluate("""el => {
        const heads = {};
        for (const th of el.querySelectorAll('table th')) {
            heads[th.getAttribute('aria-colindex')] = th.textContent.trim();
        }
        return [...el.querySelectorAll('table tr')].filter(tr => tr.querySelector('td')).map(tr => {
            const row = {_row: String(Number(tr.getAttribute('aria-rowindex')) - 2)};
            for (const td of tr.querySelectorAll('td')) {
                row[heads[td.getAttribute('aria-colindex')]] = td.textContent.trim();
            }
            return row;
        });
    }""")


def selectbox(scope: Page | Locator, label: str) -> Locator:
    """The selectbox under scope whose label is exactly label."""
    return scope.locator('[data-testid="stSelectbox"]').filter(
        has=root(scope).locator('[data-testid="stWidgetLabel"]', has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")))


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


# ---------------------------------------------------------------- charts (ECharts, drawn as SVG)

CHART = '[data-testid="stEChartsChart"]'
# The fills of status-coloured bars (ui/charts.py: red line, worse than the reference, good, nothing to judge).
BAR_FILLS = ("#d64545", "#e8a317", "#4f83c2", "#a7b1bc")


def charts_drawn(scope: Page | Locator) -> Locator:
    """The charts under scope that have drawn their SVG."""
    return scope.locator(CHART).filter(has=root(scope).locator("svg text"))


def chart(scope: Page | Locator, heading: str) -> Locator:
    """The drawn chart under scope whose title (its accessible name) contains heading."""
    return scope.locator(f'{CHART}[aria-label*="{heading}"]').filter(has=root(scope).locator("svg text"))


def texts(figure: Locator) -> list[dict[str, object]]:
    """Every text the chart draws: its words, box (left, top, right, bottom) and font size in px."""
    return figure.evaluate("""el => [...el.querySelectorAll('svg text')].map(t => {
        const r = t.getBoundingClientRect();
        return {text: t.textContent, left: r.left, top: r.top, right: r.right, bottom: r.bottom,
                size: parseFloat(getComputedStyle(t).fontSize) || 0};
    })""")


def bars(figure: Locator) -> list[dict[str, float]]:
    """The status-coloured bars of a chart, top to bottom: box and fill."""
    found = figure.evaluate("""(el, fills) => [...el.querySelectorAll('svg path')]
        .filter(p => fills.includes((p.getAttribute('fill') || '').toLowerCase()))
        .map(p => { const r = p.getBoundingClientRect();
                    return {left: r.left, top: r.top, width: r.width, height: r.height,
                            fill: p.getAttribute('fill').toLowerCase()}; })
        .filter(b => b.height > 2)""", list(BAR_FILLS))
    return sorted(found, key=lambda b: b["top"])


def label_left_of(figure: Locator, box: dict[str, float]) -> str:
    """The category label drawn left of a horizontal bar, at its height."""
    centre = box["top"] + box["height"] / 2
    beside = [t for t in texts(figure) if t["right"] <= box["left"] + 1 and t["top"] <= centre <= t["bottom"]]
    return max(beside, key=lambda t: t["right"])["text"] if beside else ""


def value_right_of(figure: Locator, box: dict[str, float]) -> str:
    """The value label of a horizontal bar: the text at its height that starts inside or just past it."""
    centre = box["top"] + box["height"] / 2
    own = [t for t in texts(figure) if t["top"] <= centre <= t["bottom"] and t["left"] >= box["left"]]
    return min(own, key=lambda t: t["left"])["text"] if own else ""


def click_bar(page: Page, figure: Locator, index: int = 0) -> str:
    """Click bar `index` (top to bottom) of a horizontal bar chart at its centre; return the label beside it."""
    wait_for(lambda: len(bars(figure)) > index, f"bar {index} drawn", page)
    box = bars(figure)[index]
    assert box["width"] > 2, f"bar {index} has no length to click: {box}"
    x, y = box["left"] + box["width"] / 2, box["top"] + box["height"] / 2
    name = label_left_of(figure, box)
    page.mouse.move(x, y)
    page.wait_for_timeout(200)
    page.mouse.click(x, y)
    return name
