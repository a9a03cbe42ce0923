"""Hostile data is just text: names with / \\ : * ? [ ], Markdown, HTML and control characters render as plain
text on every page, in every chart and in every download, and crash nothing.

A store is built through the command line (init, then import of CSV exports) whose districts, streets,
communities, brands, categories, channels, handling units and teams carry hostile names. Then:
1. every page runs under AppTest: no exception; no Markdown element (markdown, caption, title, alerts, page
   links) holds an unescaped link `](http` or raw `<a `/`<script` from the data; no chart on a page puts data into
   a template (an ECharts formatter is HTML in a tooltip and template syntax in a label; names and values are
   drawn as plain text and escaped in tooltips, as tests/test_browser_trust.py checks in Chromium), while the
   places kept for drill-down keep the raw names;
2. every figure function of ui/charts.py is built on hostile frames and checked the same way;
3. CSV downloads parse back with the same number of records (even split naively on line breaks) and no text
   cell starting a formula; xlsx downloads and the briefing (Word, HTML, Excel) open, with valid, unique sheet
   names of at most 31 characters.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import docx
import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from helpers import open_page, store_for_app
from metrics import briefing
from metrics.export import csv_bytes, sheet_title, unique_sheet_title, xlsx_bytes
from metrics.store import connect
from ui import charts

APP = str(ROOT / "dashboard.py")
LINK = "[登录领取补贴](https://evil.example/login)"
ANCHOR = '<a href="https://evil.example">x</a>'
SCRIPT = "<script>alert(1)</script>"
LONG = "长" * 80 + "社区"
D1, D2 = "东城/西城区", "=1+1 [南]区*"
MATH = "$\\foo$街道"  # matplotlib would read $...$ as mathtext (and fail on \foo)
# (district, street, community, brand)
PLACES = [
    (D1, LINK, ANCHOR, "**粗体**品牌"),
    (D1, LINK, "东城/西城社区", SCRIPT),
    (D1, "街道:*?[x]", "和平社区？", "品牌\r=2+2"),
    (D1, "街道:*?[x]", "回车\r=1+1社区", "$\\foo$ 品牌"),
    (D1, MATH, "控制\x0b\x07社区", "|品牌|\n|---|"),
    (D2, "制表\t街道", "制表\t社区", "@SUM(A1)"),
    (D2, "制表\t街道", LONG, "-3+3"),
]
CATEGORIES = [SCRIPT, LINK, "**加粗**", "=1+1"]
HANDLERS = [ANCHOR, '=HYPERLINK("http://evil.example")', "城管/执法:局", "回车\r单位"]
CHANNELS = [ANCHOR, "12345\t热线"]
TEAMS = [ANCHOR, LINK, "队/伍:*?", "=1+1"]
# What may stand in a formatter besides our own text: ECharts' placeholders. Data never does.
PLACEHOLDER = re.compile(r"\{(?:a|b|c|d|value|@\[\d+\])\}")
MARKDOWN_LINK = re.compile(r"(?<!\\)\]\((?:https?:|\\?<)|(?<!\\)<a[\s>]|(?<!\\)<script", re.I)


def _csv(rows: list[list[object]]) -> bytes:
    """CSV bytes (UTF-8) of rows, quoted where needed."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode("utf-8")


def hostile_exports(folder: Path) -> list[Path]:
    """The five exports of the hostile store, written to folder."""
    files = {"communities.csv": _csv(
        [["区县", "街道", "社区", "党建品牌", "品牌工作法", "常住人口", "户数", "党员数", "网格数", "网格员数"]]
        + [[d, s, c, b, LINK + " *方法*", 10000 + i, 3000, 100, 5, 6] for i, (d, s, c, b) in enumerate(PLACES)])}
    rows: list[list[object]] = [["事件编号", "区县", "街道", "社区", "网格", "事件类型", "来源渠道", "承办单位",
                                 "上报时间", "办理时限", "办结时间", "办理状态", "群众评价"]]
    n = 0
    for d, s, c, _ in PLACES:
        for month in (8, 9, 10):
            for k in range(14):
                n += 1
                reported = dt.datetime(2026, month, 1 + k, 9)
                closed = (n * 7) % 10 < 8  # 80% closed, some late, so that lists, alerts and red lines appear
                rows.append([f"C{n:05d}", d, s, c, "网格<b>1</b>", CATEGORIES[k % 4], CHANNELS[k % 2],
                             HANDLERS[k % 4], f"{reported:%Y-%m-%d %H:%M}",
                             f"{reported + dt.timedelta(days=5):%Y-%m-%d}",
                             f"{reported + dt.timedelta(days=2 + 5 * (n % 2)):%Y-%m-%d %H:%M}" if closed else "",
                             "已办结" if closed else "办理中",
                             ["满意", "基本满意", "不满意", ""][n % 4] if closed else ""])
    files["cases.csv"] = _csv(rows)
    files["volunteers.csv"] = _csv(
        [["活动编号", "区县", "街道", "社区", "志愿服务队", "活动类型", "活动日期", "参与人数", "服务时长(小时)", "服务人次"]]
        + [[f"V{i}-{m}", d, s, c, TEAMS[i % 4], "<i>环境</i>", f"2026-{m:02d}-05", 5, 10.5, 20]
           for i, (d, s, c, _) in enumerate(PLACES) for m in (9, 10)])
    files["wishes.csv"] = _csv(
        [["心愿编号", "区县", "街道", "社区", "心愿类别", "提交时间", "认领时间", "实现时间", "认领人", "状态"]]
        + [[f"W{i}-{k}", d, s, c, [ANCHOR, LINK][k % 2], f"2026-10-{k + 1:02d}",
            f"2026-10-{k + 2:02d}" if k % 2 else "", "", "党员<b>某</b>", "已认领" if k % 2 else "待认领"]
           for i, (d, s, c, _) in enumerate(PLACES) for k in range(12)])
    files["tasks.csv"] = _csv(
        [["任务编号", "区县", "街道", "社区", "任务名称", "开始日期", "结束日期", "目标值", "完成值", "单位"]]
        + [[f"T{i}", d, s, c, LINK, "2026-01-01", "2026-10-31", 10, 7, ANCHOR]
           for i, (d, s, c, _) in enumerate(PLACES)])
    paths = []
    for name, data in files.items():
        (folder / name).write_bytes(data)
        paths.append(folder / name)
    return paths


def cli(*args: str) -> subprocess.CompletedProcess:
    """Run `python -m metrics ARGS`; it must succeed."""
    proc = subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile store, built as an operator would (init, import), set as GOVDASH_DB for the app."""
    folder = tmp_path_factory.mktemp("hostile_pages")
    path = folder / "gov.duckdb"
    cli("init", "--empty", "--db", str(path))
    cli("import", "--db", str(path), *map(str, hostile_exports(folder)))
    with store_for_app(path):
        yield path


def stored_places(path: Path) -> list[tuple[str, str, str]]:
    """(district, street, community) of every community the store holds, as stored."""
    con = connect(path, read_only=True)
    try:
        return con.execute("SELECT district, street, community FROM communities ORDER BY 1, 2, 3").fetchall()
    finally:
        con.close()


# ---------------------------------------------------------------- checks

def _strings(node: object, skip: tuple[str, ...] = ()) -> list[str]:
    """Every string in a JSON tree, leaving out the values under keys in skip."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for k, v in node.items() if k not in skip for s in _strings(v, skip)]
    if isinstance(node, list):
        return [s for v in node for s in _strings(v, skip)]
    return []


def formatters(node: object) -> list[str]:
    """Every formatter string in an ECharts option."""
    if isinstance(node, dict):
        own = [v for k, v in node.items() if k == "formatter" and isinstance(v, str)]
        return own + [s for k, v in node.items() if k != "formatter" for s in formatters(v)]
    if isinstance(node, list):
        return [s for v in node for s in formatters(v)]
    return []


def assert_chart_inert(spec: dict, where: str) -> None:
    """No template holds markup or template syntax (so none holds data), and no text a control character."""
    bad = [f for f in formatters(spec) if re.search(r"[<>{}]", PLACEHOLDER.sub("", f))]
    assert not bad, f"{where}: markup or template syntax in a formatter: {bad[:3]}"
    controls = [s for s in _strings(spec) if any(not ch.isprintable() and ch not in "\n" for ch in s)]
    assert not controls, f"{where}: control characters in a chart: {controls[:3]}"


MARKDOWN_KINDS = ("markdown", "caption", "title", "header", "subheader", "info", "warning", "error", "success",
                  "latex", "code")


def assert_page_inert(at: AppTest, where: str) -> None:
    """No exception; Markdown elements and page links without live links or HTML from data; charts inert."""
    assert not at.exception, (where, [e.value for e in at.exception])
    texts = [(kind, el.value) for kind in MARKDOWN_KINDS for el in getattr(at, kind, [])]
    texts += [("page_link", el.proto.label) for el in at.get("page_link")]
    # st.table reads its cells and headers as Markdown too.
    for table in at.table:
        texts += [("table", str(c)) for c in table.value.columns]
        texts += [("table", v) for row in table.value.itertuples(index=False) for v in row]
    bad = [(kind, value) for kind, value in texts if isinstance(value, str) and MARKDOWN_LINK.search(value)]
    assert not bad, f"{where}: Markdown from data: {bad[:3]}"
    for chart in at.get("echarts_chart"):
        assert_chart_inert(json.loads(chart.proto.spec), f"{where} chart {chart.proto.id[-20:]}")


# ---------------------------------------------------------------- 1. every page

def test_the_store_holds_the_hostile_names(hostile_db: Path) -> None:
    places = stored_places(hostile_db)
    assert len(places) == len(PLACES)
    assert {c for _, _, c in places} >= {ANCHOR, "东城/西城社区", "和平社区？", LONG}
    assert any("\x0b" in c for _, _, c in places)  # control characters reach the store


PAGES = [
    ("pages/overview.py", {"period": "2026-10"}),
    ("pages/overview.py", {"period": "2026-10", "district": D1}),
    ("pages/overview.py", {"period": "2026-Q4", "district": D2, "level": "street", "lang": "en"}),
    ("pages/district.py", {"period": "2026-10", "district": D1}),
    ("pages/district.py", {"period": "2026-10", "district": D1, "street": LINK}),
    ("pages/district.py", {"period": "2026-10", "district": D2, "street": "制表\t街道"}),
    ("pages/community.py", {"period": "2026-10", "district": D1, "street": LINK, "community": ANCHOR}),
    ("pages/community.py", {"period": "2026-10", "district": D1, "community": "和平社区？"}),
    ("pages/community.py", {"period": "2026-10", "district": D1, "community": "东城/西城社区"}),
    ("pages/community.py", {"period": "2026-10", "district": D2, "community": LONG}),
    ("pages/brands.py", {"period": "2026-10", "district": D1, "units": f"{D1}|{ANCHOR},{D1}|东城/西城社区"}),
    ("pages/assessment.py", {"period": "2026-10", "district": D1}),
    ("pages/assessment.py", {"period": "2026-10", "district": D1, "units": "community"}),
    ("pages/dictionary.py", {}),
    ("pages/import_data.py", {}),
]


@pytest.mark.parametrize("page,params", PAGES, ids=[f"{p.split('/')[1][:-3]}-{i}" for i, (p, _) in enumerate(PAGES)])
def test_page_shows_hostile_names_as_text(hostile_db: Path, page: str, params: dict[str, str]) -> None:
    at = open_page(page, **params)
    assert_page_inert(at, f"{page} {params}")
    if page not in ("pages/dictionary.py", "pages/import_data.py"):
        assert at.get("echarts_chart"), f"{page} {params} drew no chart: the check would prove nothing"


def test_community_with_control_characters_opens(hostile_db: Path) -> None:
    """A name holding a line break and control characters (as stored) opens its page; its title shows it
    escaped, without the control characters."""
    district, street, community = next(p for p in stored_places(hostile_db) if "\x0b" in p[2])
    at = open_page("pages/community.py", period="2026-10", district=district, street=street, community=community)
    assert_page_inert(at, "community with control characters")
    assert at.title[0].value.startswith("控制  社区 · ")


def test_titles_and_breadcrumbs_escape_markdown(hostile_db: Path) -> None:
    at = open_page("pages/community.py", period="2026-10", district=D1, street=LINK, community=ANCHOR)
    assert_page_inert(at, "community")
    assert at.title[0].value.startswith(r'\<a href="https://evil\.example"\>x\</a\> · ')
    labels = [el.proto.label for el in at.get("page_link")]
    assert r"\[登录领取补贴\]\(https://evil\.example/login\)" in labels
    assert "东城/西城区" in labels


def test_brands_caption_escapes_a_district_with_a_link(hostile_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "link.duckdb"
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "cases.csv").write_bytes(_csv([["事件编号", "区县", "街道", "社区", "上报时间", "办理状态"]] + [
        [f"L{i}", LINK, "街道", ["甲社区", "乙社区"][i % 2], f"2026-10-{i % 28 + 1:02d}", "已办结"] for i in range(40)]))
    cli("init", "--empty", "--db", str(path))
    cli("import", "--db", str(path), str(folder / "cases.csv"))
    with store_for_app(path):
        at = open_page("pages/brands.py", period="2026-10", district=LINK, units=f"{LINK}|甲社区,{LINK}|乙社区")
    assert_page_inert(at, "brands")


# ---------------------------------------------------------------- 2. every figure function

NAMES = [ANCHOR, SCRIPT, LINK, "东城/西城社区", "回车\r=1+1社区", "控制\x0b\x07社区", "<b>粗</b>&amp;", LONG]
RATE = "case_due_completion_rate"


def shown(raw: str) -> str:
    """How a name must appear in a chart: as written, control characters as spaces."""
    return "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in raw)


def _rates(n: int) -> list[float]:
    return [round(0.5 + 0.45 * ((i * 37) % 11) / 10, 3) for i in range(n)]


def figures() -> dict[str, object]:
    """Every figure function of ui/charts.py on frames whose names are hostile."""
    n = len(NAMES)
    places = pd.DataFrame({"district": [D1] * n, "street": [LINK] * n, "community": NAMES})
    ranked = places.assign(**{RATE: _rates(n), f"{RATE}__num": [9] * n, f"{RATE}__den": [10] * n})
    ranked.loc[0, RATE] = 0.0  # a zero bar has its own marker and label
    tree = pd.DataFrame({
        "id": [D1, f"{D1}/{LINK}"] + [f"{D1}/{LINK}/{c}" for c in NAMES],
        "parent": ["", D1] + [f"{D1}/{LINK}"] * n, "label": [D1, LINK] + NAMES,
        "district": [D1] * (n + 2), "street": [None, LINK] + [LINK] * n, "community": [None, None] + NAMES,
        "size": [n * 10, n * 10] + [10] * n, "value": [0.8, 0.8] + _rates(n)})
    months = ["2026-08", "2026-09", "2026-10"]
    trend = pd.DataFrame({"month": months * 2, "district": [D1] * 3 + [D2] * 3, RATE: _rates(6)})
    handlers = pd.DataFrame({"handler": NAMES, RATE: [0.5] * n, "case_ontime_rate": _rates(n),
                             "cases_received": [10 + i for i in range(n)]})
    units = places.assign(unit=NAMES, kind=["unit"] * (n - 1) + ["district"], **{RATE: _rates(n),
                                                                              f"{RATE}__num": [9] * n,
                                                                              f"{RATE}__den": [10] * n})
    scored = places.assign(unit=NAMES, score=[90.0 - i for i in range(n)],
                           list=["red", "red"] + [None] * (n - 4) + ["black", "black"])
    fair = pd.DataFrame({"unit": NAMES, "shrunk_value": _rates(n), "low": [0.4] * n, "high": [0.99] * n,
                         "den": [10] * n, "value": _rates(n), "parent_rate": [0.8] * n})
    change = pd.DataFrame({"label": ["上期", *NAMES[:3], "本期"], "value": [0.8, 0.01, -0.02, 0.01, 0.8],
                           "measure": ["absolute", "relative", "relative", "relative", "total"]})
    return {
        "bars": charts.bars(ranked, "community", RATE, f"{D1} · 排名", 0.8, 0.9, LINK, ["district", "street",
                                                                                       "community"]),
        "side_by_side": charts.side_by_side(units, "unit", RATE, ANCHOR, reference=0.8, reference_name=SCRIPT),
        "line": charts.line(trend, RATE, "趋势", "district", trend[trend["district"] == D1], ANCHOR),
        "treemap": charts.treemap(tree, RATE, "地图", 0.9),
        "pie": charts.pie(pd.DataFrame({"channel": NAMES, "cases_received": range(1, n + 1)}), "channel",
                          "cases_received", "渠道"),
        "scatter_handlers": charts.scatter_handlers(handlers, "承办单位", {RATE: 0.9, "case_ontime_rate": 0.85}),
        "funnel": charts.funnel(pd.DataFrame({"zh": [ANCHOR, LINK, SCRIPT], "en": ["a", "b", "c"],
                                              "count": [10, 5, 2]}), "心愿"),
        "radar": charts.radar(units, [RATE], "雷达"),
        "scores": charts.scores(scored, "得分", 85.0, ["district", "street", "community"]),
        "intervals": charts.intervals(fair, RATE, "公平", ANCHOR),
        "waterfall": charts.waterfall(change, RATE, "变化"),
    }


def test_every_figure_function_is_covered() -> None:
    public = {name for name, fn in vars(charts).items() if callable(fn) and not isinstance(fn, type)
              and getattr(fn, "__module__", "") == charts.__name__ and not name.startswith("_")}
    helpers = {"register_places", "colour_of", "status_colour", "style", "label", "labels"}
    assert public - helpers == set(figures())


@pytest.mark.parametrize("name", sorted(figures()))
def test_figure_shows_data_as_text(name: str) -> None:
    fig = figures()[name]
    spec = json.loads(json.dumps(fig.spec, allow_nan=False))  # plain JSON (no NaN), as st.echarts_chart requires
    assert_chart_inert(spec, name)
    # The names the chart shows are there as written (control characters as spaces).
    assert any(shown(raw) in set(_strings(spec)) for raw in NAMES), name


def _names(items: list) -> list[str]:
    """The name of every data item (a dict's "name", else the item)."""
    return [item["name"] if isinstance(item, dict) else item for item in items]


def test_category_labels_are_the_names_as_written() -> None:
    made = {k: v.spec for k, v in figures().items()}
    want = [shown(n) for n in NAMES]
    assert made["bars"]["yAxis"]["data"] == want and made["scores"]["yAxis"]["data"] == want
    assert made["side_by_side"]["yAxis"]["data"] == want and made["intervals"]["yAxis"]["data"] == want
    assert _names(made["pie"]["series"][0]["data"]) == want
    tree = made["treemap"]["series"][0]["data"]
    assert _names(tree) == [shown(D1)] and _names(tree[0]["children"]) == [shown(LINK)]
    assert _names(tree[0]["children"][0]["children"]) == want
    assert _names(made["radar"]["series"][0]["data"]) == want
    assert made["waterfall"]["xAxis"]["data"] == ["上期", *want[:3], "本期"]
    assert _names(made["scatter_handlers"]["series"][0]["data"]) == want
    notes = [g["style"]["text"] for g in made["bars"]["graphic"]]
    assert any(n.startswith(f"┆ {shown(LINK)} ") for n in notes), notes


def test_drill_down_keeps_raw_names() -> None:
    """The places behind bars, scores and tiles hold the stored names, so a click opens the right place."""
    made = figures()
    n = len(NAMES)
    for name in ("bars", "scores"):
        places = made[name].places
        assert [row[2] for row in places] == NAMES and all(row[1] == LINK for row in places), name
    tiles = made["treemap"].places
    # ECharts numbers a tree's nodes depth first after its own root (0, no place): the district, its street, ...
    assert tiles[0] == [None, None, None] and tiles[1] == [D1, None, None] and tiles[2] == [D1, LINK, None]
    assert len(tiles) == n + 3 and [row[2] for row in tiles][3:] == NAMES


# ---------------------------------------------------------------- 3. downloads and the briefing

def hostile_frame() -> pd.DataFrame:
    """A table with CR, LF, CRLF, tabs, Unicode line separators and formula starts inside text cells."""
    return pd.DataFrame({
        "社区": ["回车\r=1+1", "换行\n+2", "回车换行\r\n-3", "\t@SUM(A1)", " =HYPERLINK(\"x\")", "行\u2028分隔",
               "控制\x0b\x00字符", ANCHOR, "=cmd|' /C calc'!A0", "正常"],
        "=危险列名\r\n": ["a\rb", "c", "d\n", "\r\n", "", None, "x", "y", "z", "w"],
        "办结率": pd.array([0.95, None, -0.5, 1.0, 0.5, 0.1, 0.2, 0.3, 0.4, -1.0], dtype="Float64"),
        "件数": pd.array([1, 2, None, -4, 5, 6, 7, 8, 9, 10], dtype="Int64"),
    })


FORMULA = ("=", "+", "-", "@")


def test_csv_keeps_one_line_per_record_and_no_formula() -> None:
    frame = hostile_frame()
    text = csv_bytes(frame).decode("utf-8-sig")
    # Even a reader that splits on every line break (as some spreadsheet imports do) sees one line per record.
    assert len(re.split(r"\r\n|\r|\n|\u2028|\u2029|\x85", text.rstrip("\r\n"))) == len(frame) + 1
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert len(records) == len(frame) + 1
    assert all(len(r) == len(frame.columns) for r in records)
    header, *body = records
    text_cells = [header] + [r[:2] for r in body]
    assert not [c for row in text_cells for c in row if c.lstrip().startswith(FORMULA)]
    assert header[1].startswith("'")  # the header that started with = is neutralised too
    # CR, LF and tab become spaces; a formula start after leading blanks is neutralised, one after text is not
    # a formula.
    assert [r[0] for r in body] == ["回车 =1+1", "换行 +2", "回车换行  -3", "' @SUM(A1)", "' =HYPERLINK(\"x\")",
                                    "行 分隔", "控制  字符", ANCHOR, "'=cmd|' /C calc'!A0", "正常"]
    assert header[1] == "'=危险列名  " and [r[1] for r in body][:5] == ["a b", "c", "d ", "  ", ""]
    assert [r[3] for r in body][3] == "-4" and [r[2] for r in body][2] == "-0.5"  # numbers stay numbers


def test_xlsx_with_hostile_cells_and_sheet_names_opens() -> None:
    frame = hostile_frame()
    names = ["community_东城/西城社区", "和平社区？", "a:b*c?[d]\\e", "'引号'", "History", "\x0b", "", LONG,
             f"community_{ANCHOR}"]
    for name in names:
        book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame, name)))
        ws = book.active
        assert ws.title == sheet_title(name)
        assert 1 <= len(ws.title) <= 31 and not set(ws.title) & set("/\\:*?[]")
        assert not ws.title.startswith("'") and not ws.title.endswith("'") and ws.title.lower() != "history"
        cells = [c.value for row in ws.iter_rows() for c in row]
        assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
        assert not [v for v in cells if isinstance(v, str) and v.lstrip().startswith(FORMULA)]
        assert "回车 =1+1" in cells and "' @SUM(A1)" in cells and 0.95 in cells and -4 in cells


def test_sheet_names_stay_unique_after_cleaning() -> None:
    used: set[str] = set()
    names = ["东城/西城", "东城:西城", "东城?西城", LONG, LONG + "2", "History", "history", "data", ""]
    titles = [unique_sheet_title(n, used) for n in names]
    assert len({t.lower() for t in titles}) == len(names)
    assert all(1 <= len(t) <= 31 and not set(t) & set("/\\:*?[]") for t in titles)
    book = openpyxl.Workbook()
    for title in titles:
        book.create_sheet(title)  # openpyxl refuses invalid titles


def test_briefing_of_a_hostile_district_renders(hostile_db: Path) -> None:
    """Word, HTML and Excel briefings of a district whose names hold Markdown, HTML, control characters and
    matplotlib's $...$ open, with every name as inert text."""
    con = connect(hostile_db, read_only=True)
    try:
        doc = briefing.build(con, dt.date(2026, 10, 1), D1, "default", dt.date(2026, 11, 1))
    finally:
        con.close()
    page = briefing.renderer("html")(doc).decode("utf-8")
    assert "<a href" not in page and "<script>" not in page and "&lt;a href=" in page
    word = docx.Document(io.BytesIO(briefing.renderer("docx")(doc)))
    assert any("东城/西城区" in p.text for p in word.paragraphs)
    book = openpyxl.load_workbook(io.BytesIO(briefing.renderer("xlsx")(doc)))
    assert len({s.lower() for s in book.sheetnames}) == len(book.sheetnames)
    assert all(len(s) <= 31 and not set(s) & set("/\\:*?[]") for s in book.sheetnames)
    assert briefing.file_name(doc, "docx").startswith("东城西城区-")
