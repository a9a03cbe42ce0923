"""Benchmark: how long a shared link takes to be fully rendered in a fresh Chromium context, as a ratio to Streamlit's
own minimal page measured in the same run.

Run: .venv/bin/python bench/bench_browser.py [--repeat 3] [--skip-big] [--rows 1000000] [--skip-sql]
                                             [--write docs/benchmarks.md]

Three apps, each served by `streamlit run` on its own free 127.0.0.1 port (same flags, cwd and .streamlit/config.toml):
- minimal: a one-file app `st.title("hello"); st.write("minimal")`;
- the dashboard on a fresh store built from the bundled sample (`python -m metrics init --sample`);
- the dashboard on a store with the sample plus ~1,000,000 generated cases (bench/big_store.py).
Every link is opened twice per round: in a new browser context (a new Streamlit session, empty browser cache, like a
department head opening a copied link on a machine that never showed the dashboard) and in a new tab of a "returning"
context kept per app (a new Streamlit session, with the app's scripts already in the HTTP cache). Each server gets one untimed warm-up load of `/`; then every link is loaded --repeat times, in rounds
(link 1, link 2, ..., then again), and the median is reported. A run that shows a Streamlit exception box or never
finishes rendering is retried (up to 3 attempts); retries are reported.

"Fully rendered" (checked in the page by an init script every 20 ms and on every DOM mutation): the document is loaded;
stApp says data-test-script-state="notRunning" and data-test-connection-state="CONNECTED"; the main area holds at
least one element; no stStatusWidget, stAppSkeleton, stSkeleton, stSkeletonElement or stSpinner and no element marked
data-stale="true"; every stEChartsChart has drawn its SVG (it holds text) and every stPlotlyChart (in the Plotly
reference) contains `.js-plotly-plot .main-svg`; document.fonts are loaded. The load counts
as finished once all that has held, with no DOM mutation at all, for --quiet seconds (1 s): the time reported is the
later of the moment the conditions last became true and the last DOM mutation before that quiet second (dataframes
keep sizing their canvases for a few hundred ms after the script ends), in milliseconds since navigation start
(performance.now() of the new document). Nothing here downloads: the browser is /usr/bin/chromium and the pages only
talk to 127.0.0.1.

Optionally (default on, --skip-sql to skip) the number of SQL statements a load sends to DuckDB is counted on the
sample store: a separate, untimed server per link whose store connection has DuckDB's QueryLog enabled (through a
sitecustomize.py in a temp folder that wraps metrics.store.connect); "cold" is the link as the first page that server
serves, "warm" the same link again in a new context.
"""
from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import importlib.metadata
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Browser, BrowserContext, Error as PlaywrightError, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
import big_store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
VIEWPORT = {"width": 1440, "height": 900}
SECTION = "## Browser (`bench/bench_browser.py`)"
MINIMAL_APP = 'import streamlit as st\n\nst.title("hello")\nst.write("minimal")\n'
# References, not the floor: the minimal page plus one small bar chart, i.e. what any Streamlit page pays to fetch,
# compile and draw a chart library: ECharts (st.echarts_chart, SVG and no animation, as the dashboard draws its
# charts) and Plotly
# (st.plotly_chart, which the dashboard used before; plotly is in requirements-dev.txt for this reference only).
REFERENCES = [
    ("one ECharts chart", 'import streamlit as st\n\nst.title("hello")\n'
     'st.echarts_chart({"xAxis": {"type": "category", "data": ["a", "b", "c"]}, "yAxis": {"type": "value"}, '
     '"series": [{"type": "bar", "data": [1, 3, 2]}], "animation": False}, renderer="svg")\n'),
    ("one Plotly chart", 'import plotly.graph_objects as go\nimport streamlit as st\n\nst.title("hello")\n'
     'st.plotly_chart(go.Figure(go.Bar(x=["a", "b", "c"], y=[1, 3, 2])))\n'),
]
CHARTS = '[data-testid="stEChartsChart"], [data-testid="stPlotlyChart"]'

LINKS = [
    ("overview", "/?period=2026-10&district=荔城区"),
    ("district", "/district?period=2026-10&district=荔城区"),
    ("community", "/community?period=2026-10&district=荔城区&community=拱辰社区"),
    ("brands", "/brands?period=2026-10"),
]
ATTEMPTS = 4
BACKOFF = [5, 20, 60]  # seconds before the 2nd, 3rd and 4th attempt
LOAD_TIMEOUT = 240.0

# Installed in every new document before its own scripts run; keeps window.__bench up to date.
READY_JS = r"""
(() => {
  const BUSY = ['stStatusWidget', 'stAppSkeleton', 'stSkeleton', 'stSkeletonElement', 'stSpinner']
    .map(id => `[data-testid="${id}"]`).join(',') + ',[data-stale="true"]';
  const s = window.__bench = {readyAt: null, lastMutation: 0, why: 'loading'};
  function blocker() {
    if (document.readyState !== 'complete') return 'document ' + document.readyState;
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return 'no stApp';
    const script = app.getAttribute('data-test-script-state');
    if (script !== 'notRunning') return 'script ' + script;
    const connection = app.getAttribute('data-test-connection-state');
    if (connection !== 'CONNECTED') return 'connection ' + connection;
    if (!document.querySelector('[data-testid="stMain"] [data-testid="stElementContainer"]')) return 'empty main';
    const busy = document.querySelector(BUSY);
    if (busy) return 'busy ' + (busy.getAttribute('data-testid') || 'stale element');
    for (const chart of document.querySelectorAll('[data-testid="stEChartsChart"]'))
      if (!chart.querySelector('svg text')) return 'chart not drawn';
    for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]'))
      if (!chart.querySelector('.js-plotly-plot .main-svg')) return 'chart not drawn';
    if (document.fonts && document.fonts.status !== 'loaded') return 'fonts';
    return null;
  }
  function tick() {
    const why = blocker();
    if (why) { s.readyAt = null; s.why = why; }
    else if (s.readyAt === null) { s.readyAt = performance.now(); s.why = null; }
  }
  new MutationObserver(() => { s.lastMutation = performance.now(); tick(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  setInterval(tick, 20);
})();
"""
STATE_JS = """() => { const b = window.__bench; return b ? {readyAt: b.readyAt, last: b.lastMutation,
  now: performance.now(), why: b.why} : null; }"""

# Imported at interpreter start-up of the SQL-counting servers only (PYTHONPATH): logs every statement to a folder.
SITECUSTOMIZE = '''"""Benchmark hook: enable DuckDB's QueryLog on the dashboard's store connection."""
import os
import sys

_LOG = os.environ.get("BENCH_SQL_LOG")
if _LOG:
    sys.path.append(os.environ["BENCH_ROOT"])
    import metrics.store as _store

    _connect = _store.connect

    def _logged_connect(*args, **kwargs):
        con = _connect(*args, **kwargs)
        con.execute("CALL enable_logging('QueryLog', storage='file', storage_path='%s')" % _LOG)
        return con

    _store.connect = _logged_connect
'''


@dataclass
class LinkResult:
    """Timings (seconds from navigation start) of one link on one app, with notes on retries."""

    app: str
    name: str
    path: str
    runs: list[float] = field(default_factory=list)
    returning: list[float] = field(default_factory=list)  # the same, in a browser that has opened the app before
    title: str = ""
    charts: int = 0
    retries: list[str] = field(default_factory=list)
    sql: tuple[int, int] | None = None
    sql_warm: list[str] = field(default_factory=list)

    @property
    def median(self) -> float:
        """Median of the timed runs (nan when every attempt failed)."""
        return statistics.median(self.runs) if self.runs else float("nan")

    @property
    def median_returning(self) -> float:
        """Median of the returning-browser runs (nan when there are none)."""
        return statistics.median(self.returning) if self.returning else float("nan")


class LoadFailed(Exception):
    """A page load that did not finish rendering or showed a Streamlit exception."""


# ---------------------------------------------------------------- servers

def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(base: str) -> bool:
    """Whether Streamlit's health endpoint answers ok."""
    try:
        with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as response:
            return response.read().strip() == b"ok"
    except (urllib.error.URLError, ConnectionError, OSError):
        return False


def stop(proc: subprocess.Popen) -> None:
    """Terminate the server's process group; kill it if it has not gone within 10 s."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


class App:
    """`streamlit run script` from the project folder on a free 127.0.0.1 port; a context manager that always stops
    the server, and can restart it (a fresh process picks up code that others edited meanwhile)."""

    def __init__(self, name: str, script: Path, root: Path, log: Path, env: dict[str, str] | None = None):
        self.name, self.script, self.root, self.log = name, script, root, log
        self.env = dict(os.environ, PYTHONUNBUFFERED="1", **(env or {}))
        self.proc: subprocess.Popen | None = None
        self.base = ""
        self.starts = 0

    def start(self) -> str:
        """Start the server and wait until it is healthy; returns its base URL."""
        port = free_port()
        cmd = [sys.executable, "-m", "streamlit", "run", str(self.script), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
        self.starts += 1
        with self.log.open("a") as out:
            out.write(f"--- start {self.starts}: {' '.join(cmd)}\n")
            out.flush()
            self.proc = subprocess.Popen(cmd, cwd=self.root, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while not healthy(self.base):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"streamlit run {self.script.name} did not become healthy:\n"
                                   f"{self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        return self.base

    def stop(self) -> None:
        """Stop the server if it runs."""
        if self.proc is not None:
            stop(self.proc)
            self.proc = None

    def restart(self) -> str:
        """Stop and start again (new port)."""
        self.stop()
        return self.start()

    def __enter__(self) -> "App":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ---------------------------------------------------------------- browser

def load(browser: Browser, url: str, quiet: float, timeout: float = LOAD_TIMEOUT,
         context: BrowserContext | None = None) -> tuple[float, str, int]:
    """Open url in a fresh context (or in a new tab of `context`, whose HTTP cache is kept: a new Streamlit session
    in a browser that has opened the app before); return (seconds from navigation start to fully rendered, h1
    title, charts)."""
    own = context is None
    if own:
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        context.add_init_script(READY_JS)
    page = None
    try:
        page = context.new_page()
        page.goto(url, wait_until="commit", timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        state = None
        while True:
            try:
                state = page.evaluate(STATE_JS)
            except PlaywrightError:  # the document is still being replaced
                state = None
            if state and state["readyAt"] is not None:
                done = max(state["readyAt"], state["last"])
                if state["now"] - done >= quiet * 1000:
                    break
            if time.monotonic() > deadline:
                raise LoadFailed(f"not rendered after {timeout:.0f} s ({state and state['why']})")
            page.wait_for_timeout(50)
        errors = page.locator('[data-testid="stException"]')
        if errors.count():
            raise LoadFailed("Streamlit exception: " + errors.first.inner_text()[:300].replace("\n", " "))
        heading = page.locator('[data-testid="stMain"] h1')
        title = heading.first.inner_text().strip() if heading.count() else ""
        return done / 1000, title, page.locator(CHARTS).count()
    finally:
        if own:
            context.close()
        elif page is not None:
            page.close()


def load_with_retries(browser: Browser, app: App, path: str, quiet: float, notes: list[str],
                      context: BrowserContext | None = None) -> tuple[float, str, int] | None:
    """load(); after a failure restart the server (others may be editing the code), warm it up and retry, waiting
    longer each time; failures are appended to notes; None if every attempt failed."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return load(browser, app.base + quote(path, safe="/?=&"), quiet, context=context)
        except (LoadFailed, PlaywrightError) as exc:
            notes.append(f"attempt {attempt} of {path}: {str(exc).splitlines()[0][:240]}")
            print(f"    {app.name}: {notes[-1]}", flush=True)
            if attempt == ATTEMPTS:
                return None
            time.sleep(BACKOFF[attempt - 1])
            app.restart()
            with contextlib.suppress(LoadFailed, PlaywrightError):
                load(browser, app.base + "/", quiet)  # untimed warm-up of the new process
    return None


LOADAVG: list[float] = []  # 1-minute load averages sampled before every timed load


def measure_app(browser: Browser, app: App, links: list[tuple[str, str]], repeat: int,
                quiet: float) -> list[LinkResult]:
    """One untimed warm-up load of `/`, then `repeat` rounds over the links, each link opened in a fresh context and
    then in a returning browser (one context kept for the app, primed by its own untimed load of every link, so its
    HTTP cache holds the app's scripts); one LinkResult per link."""
    warm_notes: list[str] = []
    load_with_retries(browser, app, "/", quiet, warm_notes)
    results = [LinkResult(app.name, name, path) for name, path in links]
    if warm_notes:
        results[0].retries.extend(f"warm-up {n}" for n in warm_notes)
    returning = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    returning.add_init_script(READY_JS)
    try:
        for result in results:
            load_with_retries(browser, app, result.path, quiet, [], returning)
        for round_no in range(repeat):
            for result in results:
                if round_no and not result.runs:
                    continue  # failed every attempt in the first round: do not insist
                LOADAVG.append(os.getloadavg()[0])
                got = load_with_retries(browser, app, result.path, quiet, result.retries)
                if got:
                    seconds, result.title, result.charts = got
                    result.runs.append(seconds)
                again = load_with_retries(browser, app, result.path, quiet, result.retries, returning)
                if again:
                    result.returning.append(again[0])
                print(f"  {app.name:9s} {result.name:10s} {result.runs[-1] if result.runs else float('nan'):6.2f} s"
                      f"  returning {result.returning[-1] if result.returning else float('nan'):6.2f} s"
                      f"  {result.title}", flush=True)
    finally:
        returning.close()
    return results


# ---------------------------------------------------------------- SQL statements

def logged(folder: Path) -> list[str]:
    """The statements DuckDB's QueryLog has written to folder so far, in order."""
    entries = folder / "duckdb_log_entries.csv"
    if not entries.exists():
        return []
    with entries.open(encoding="utf-8", errors="replace", newline="") as fh:
        return [row["message"] for row in csv.DictReader(fh) if row.get("type") == "QueryLog"]


def count_sql(browser: Browser, root: Path, db: Path, tmp: Path, links: list[tuple[str, str]], quiet: float,
              results: list[LinkResult]) -> None:
    """For each link, a fresh QueryLog-enabled server: statements on the cold load and on a warm reload."""
    hook = tmp / "sqlhook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    by_name = {r.name: r for r in results}
    for name, path in links:
        folder = tmp / f"sqllog_{name}"
        folder.mkdir()
        env = {"GOVDASH_DB": str(db), "BENCH_SQL_LOG": str(folder), "BENCH_ROOT": str(root),
               "PYTHONPATH": os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))}
        loads: list[list[str]] = []
        with App("sql", root / "dashboard.py", root, tmp / f"sql_{name}.log", env) as app:
            for _ in range(2):
                before = len(logged(folder))
                try:
                    load(browser, app.base + quote(path, safe="/?=&"), quiet)
                except (LoadFailed, PlaywrightError) as exc:
                    print(f"    sql {name}: {str(exc).splitlines()[0][:240]}", flush=True)
                    break
                time.sleep(0.5)  # the log is written as statements run; leave a margin anyway
                loads.append(logged(folder)[before:])
        counts = [len(statements) for statements in loads]
        if len(counts) == 2 and counts[0] > 0:
            by_name[name].sql = (counts[0], counts[1])
            by_name[name].sql_warm = sorted({" ".join(q.split()) for q in loads[1]})
        print(f"  sql       {name:10s} cold {counts[0] if counts else '?'} · warm "
              f"{counts[1] if len(counts) > 1 else '?'}", flush=True)


# ---------------------------------------------------------------- stores and report

def init_sample(root: Path, db: Path) -> float:
    """`python -m metrics init --sample --db db`; returns wall seconds."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "metrics", "init", "--sample", "--db", str(db)], cwd=root,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"metrics init failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def store_size(db: Path) -> dict[str, float]:
    """Rows of the fact tables and the file size in MB (read before the server opens the store)."""
    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        sizes = {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
                 for t in ("cases", "volunteer_activities", "wishes", "tasks", "communities") if t in tables}
    finally:
        con.close()
    sizes["mb"] = db.stat().st_size / 1e6
    return sizes


def machine(chromium: str) -> str:
    """CPU, cores, memory and versions."""
    import duckdb
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) // 1024 // 1024 for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    version = importlib.metadata.version
    return (f"{cpu}, {os.cpu_count()} cores, {mem} GiB; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}, Streamlit {version('streamlit')}, DuckDB {duckdb.__version__}, "
            f"Plotly {version('plotly')}, Playwright {version('playwright')}, Chromium {chromium} (headless)")


def describe(sizes: dict[str, float]) -> str:
    """'29,742 cases, … ; 3.2 MB' for a store."""
    parts = [f"{int(sizes[t]):,} {t.replace('_', ' ')}" for t in ("cases", "volunteer_activities", "wishes", "tasks",
                                                                   "communities") if t in sizes]
    return ", ".join(parts) + f"; {sizes['mb']:.1f} MB on disk"


def fmt(seconds: float) -> str:
    """Seconds with two decimals, or 'failed'."""
    return "failed" if seconds != seconds else f"{seconds:.2f} s"


def render(minimal: LinkResult, references: list[LinkResult], apps: list[tuple[str, list[LinkResult]]],
           stores: dict[str, str],
           args: argparse.Namespace, info: dict[str, object]) -> str:
    """The markdown section."""
    base = minimal.median
    command = ".venv/bin/python bench/bench_browser.py --write docs/benchmarks.md"
    if args.repeat != 3:
        command += f" --repeat {args.repeat}"
    if args.skip_big:
        command += " --skip-big"
    if args.root.resolve() != ROOT:
        command += f" --root {args.root}"
    lines = [SECTION, "",
             f"Measured {dt.date.today().isoformat()} on {info['machine']}.",
             f"Command: `{command}` (the whole run took {info['total']:.0f} s, building the stores included).", "",
             "What is measured: a shared link opened in a **fresh browser context** (new Streamlit session, empty "
             "browser cache) and in a **returning browser** (new Streamlit session, HTTP cache kept), from "
             "navigation start until the page is **fully rendered**, compared with Streamlit's "
             "own minimal page (`st.title(\"hello\"); st.write(\"minimal\")`) served the same way in the same run. "
             "Each app runs under `streamlit run` on its own free 127.0.0.1 port (same flags, same "
             "`.streamlit/config.toml`, `--server.fileWatcherType none`); each server gets one untimed warm-up load "
             f"of `/`, then every link is loaded {args.repeat} times in rounds and the median is reported. "
             "Runs are listed in order: the first is the first time that link is opened on the server (its views "
             "not yet in `st.cache_data`); later runs are served from the cache. "
             f"Viewport {VIEWPORT['width']}×{VIEWPORT['height']}, locale zh-CN.", "",
             "**Fully rendered** (checked inside the page every 20 ms and on every DOM mutation): document loaded; "
             "`stApp` has `data-test-script-state=\"notRunning\"` and `data-test-connection-state=\"CONNECTED\"`; "
             "the main area holds at least one element; no `stStatusWidget`, `stAppSkeleton`, `stSkeleton`, "
             "`stSkeletonElement` or `stSpinner`, and no element with `data-stale=\"true\"`; every `stEChartsChart` "
             "has drawn its SVG (it holds text; every `stPlotlyChart` of the Plotly reference contains "
             "`.js-plotly-plot .main-svg`); `document.fonts` loaded. The load has finished when all that has "
             f"held with no DOM mutation at all for {args.quiet:g} s; the time reported is the later of the moment "
             "the conditions last became true and the last DOM mutation before that quiet period "
             "(`performance.now()` of the new document, i.e. from navigation start). A load that shows an "
             "`stException` box or does not finish within "
             f"{LOAD_TIMEOUT:.0f} s is retried (up to {ATTEMPTS} attempts).", "",
             "Stores: " + "; ".join(f"**{k}** — {v}" for k, v in stores.items()) + ".", ""]
    sql_note = not args.skip_sql
    back = minimal.median_returning
    header = ("| store | link | fresh browser | × minimal | runs | returning browser | × minimal | runs | charts |"
              + (" SQL cold / warm |" if sql_note else ""))
    lines += [header, "|" + "---|" * (header.count("|") - 1)]

    def runs(values: list[float]) -> str:
        return " · ".join(f"{x:.2f}" for x in values) or "—"

    def ratio(value: float, floor: float) -> str:
        return f"{value / floor:.2f}×" if value == value and floor == floor else "—"

    lines.append(f"| — | minimal page `/` | {fmt(base)} | 1.00× | {runs(minimal.runs)} | {fmt(back)} | 1.00× | "
                 f"{runs(minimal.returning)} | 0 |" + (" — |" if sql_note else ""))
    for p in references:
        lines.append(f"| — | minimal page + {p.name} `/` | {fmt(p.median)} | {ratio(p.median, base)} | "
                     f"{runs(p.runs)} | {fmt(p.median_returning)} | {ratio(p.median_returning, back)} | "
                     f"{runs(p.returning)} | {p.charts} |" + (" — |" if sql_note else ""))
    for store, results in apps:
        for r in results:
            sql = (f" {r.sql[0]} / {r.sql[1]} |" if r.sql else " — |") if sql_note else ""
            lines.append(f"| {store} | {r.name} `{r.path}` | {fmt(r.median)} | {ratio(r.median, base)} | "
                         f"{runs(r.runs)} | {fmt(r.median_returning)} | {ratio(r.median_returning, back)} | "
                         f"{runs(r.returning)} | {r.charts} |{sql}")
    lines.append("")
    lines += ["Fresh browser: a new context for every load (empty HTTP cache: the browser fetches and compiles "
              "Streamlit's scripts, and a chart library's, every time), like a link opened on a machine that "
              "has never shown the dashboard. Returning browser: a new tab, and so a new Streamlit session, in one "
              "context per app that has opened every link once before (untimed), so the scripts come from its HTTP "
              "cache, like a department head who opens a link to a dashboard they used before.", ""]
    if sql_note:
        lines += ["SQL cold / warm: statements DuckDB executed for one load on the sample store (QueryLog on the "
                  "dashboard's connection, counted on separate untimed servers): cold = the link is the first page "
                  "that server serves (empty `st.cache_data`), warm = the same link again in a new context."]
        warm = sorted({q for _, rs in apps for r in rs for q in r.sql_warm})
        if warm and len(warm) <= 3:
            lines[-1] += " Warm loads only run " + " and ".join(f"`{q[:160]}`" for q in warm) + "."
        lines.append("")
    lines.append(f"Minimal page re-measured at the end of the run: {fmt(info['minimal_end'])} "
                 f"(median), as a check on drift. 1-minute load average before the timed loads: "
                 f"median {statistics.median(LOADAVG):.1f}, max {max(LOADAVG):.1f} on {os.cpu_count()} cores. This "
                 "includes the benchmark's own server and browser (about 1–2 while a page loads); more than that is "
                 "other work on the machine, which also shows in the spread of the runs.")
    problems = [f"{r.app} {r.name}: " + "; ".join(r.retries) for _, rs in apps for r in rs if r.retries]
    problems += ["minimal: " + "; ".join(minimal.retries)] if minimal.retries else []
    lines.append("")
    lines.append("Retries: " + (" / ".join(problems) if problems else "none (every load rendered without an "
                                                                        "exception on the first attempt)."))
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace the browser section of a markdown file (or append it), leaving the other sections untouched."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + ("\n" + text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main() -> None:
    """Build the stores, run the three apps, print the table and optionally write it into a markdown file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="markdown file whose browser section to replace")
    parser.add_argument("--repeat", type=int, default=3, help="timed loads per link (median reported)")
    parser.add_argument("--skip-big", action="store_true", help="leave out the ~1,000,000-case store")
    parser.add_argument("--rows", type=int, default=1_000_000, help="generated cases in the big store")
    parser.add_argument("--skip-sql", action="store_true", help="do not count SQL statements per link")
    parser.add_argument("--quiet", type=float, default=1.0, help="seconds without change that end a load")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="project folder to serve (default: the one holding this bench), e.g. a `git archive` "
                             "snapshot")
    args = parser.parse_args()
    root = args.root.resolve()
    if not CHROMIUM.exists():
        raise SystemExit(f"chromium not found at {CHROMIUM}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally blocks: servers stop, temp goes
    started = time.perf_counter()
    info: dict[str, object] = {}
    stores: dict[str, str] = {}
    apps: list[tuple[str, list[LinkResult]]] = []
    with tempfile.TemporaryDirectory(prefix="govdash-bench-browser-") as name, sync_playwright() as p:
        tmp = Path(name)
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            info["machine"] = machine(browser.version)
            minimal_app = tmp / "minimal_app.py"
            minimal_app.write_text(MINIMAL_APP, encoding="utf-8")
            print("minimal page", flush=True)
            with App("minimal", minimal_app, root, tmp / "minimal.log") as app:
                minimal = measure_app(browser, app, [("minimal", "/")], args.repeat, args.quiet)[0]
            references = []
            for i, (label, code) in enumerate(REFERENCES):
                script = tmp / f"reference_{i}.py"
                script.write_text(code, encoding="utf-8")
                print(f"minimal page with {label}", flush=True)
                with App(f"ref{i}", script, root, tmp / f"reference_{i}.log") as app:
                    references.append(measure_app(browser, app, [(label, "/")], args.repeat, args.quiet)[0])

            sample = tmp / "sample" / "gov.duckdb"
            sample.parent.mkdir()
            init_sample(root, sample)
            stores["sample"] = describe(store_size(sample))
            print(f"sample store: {stores['sample']}", flush=True)
            with App("sample", root / "dashboard.py", root, tmp / "sample.log", {"GOVDASH_DB": str(sample)}) as app:
                apps.append(("sample", measure_app(browser, app, LINKS, args.repeat, args.quiet)))

            if not args.skip_big:
                big = tmp / "big" / "gov.duckdb"
                big.parent.mkdir()
                built = big_store.build(big, args.rows, tmp, root)
                stores["big"] = (describe(store_size(big)) + f" (the sample + {args.rows:,} generated cases, built in "
                                 f"{sum(built.values()):.0f} s: " + ", ".join(f"{k} {v:.1f} s" for k, v in
                                                                                built.items()) + ")")
                print(f"big store: {stores['big']}", flush=True)
                with App("big", root / "dashboard.py", root, tmp / "big.log", {"GOVDASH_DB": str(big)}) as app:
                    apps.append(("~1M cases", measure_app(browser, app, LINKS, args.repeat, args.quiet)))

            if not args.skip_sql:
                count_sql(browser, root, sample, tmp, LINKS, args.quiet, apps[0][1])

            with App("minimal", minimal_app, root, tmp / "minimal_end.log") as app:
                info["minimal_end"] = measure_app(browser, app, [("minimal", "/")], args.repeat,
                                                  args.quiet)[0].median
        finally:
            browser.close()
    info["total"] = time.perf_counter() - started
    section = render(minimal, references, apps, stores, args, info)
    print()
    print(section)
    if args.write:
        write_section(args.write, section)
        print(f"written to {args.write}")


if __name__ == "__main__":
    main()
