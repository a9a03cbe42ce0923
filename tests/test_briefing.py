"""The briefing on the bundled sample: every figure equals the query layer's, the Word file opens with
python-docx and reads as a briefing, the PDF renders to a page with ink on it, HTML is self-contained,
the workbook has one sheet per table, and the CLI writes them."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import zipfile

import pytest
from docx import Document
from openpyxl import load_workbook

from conftest import ROOT
from metrics import briefing
from metrics.assessment import alerts, changes, versions
from metrics.assessment.scores import assessment_period, score
from metrics.briefing.content import Table
from metrics.query import Query, compute
from metrics.store import connect
from metrics.views import Scope

OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
AS_OF = dt.datetime(2026, 11, 1)
TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The sample store (through the CLI) and its path."""
    path = tmp_path_factory.mktemp("brief") / "gov.duckdb"
    subprocess.run([sys.executable, "-m", "metrics", "init", "--sample", "--db", str(path)], cwd=ROOT, check=True,
                   capture_output=True, timeout=600)
    return path


@pytest.fixture(scope="module")
def doc(store):
    """The 荔城区 briefing for October 2026."""
    con = connect(store)
    try:
        return briefing.build(con, OCT[0], "荔城区", today=TODAY)
    finally:
        con.close()


def _value(store, metric: str) -> object:
    """The query layer's figure for 荔城区 in October, deadlines judged at the end of the data (1 November)."""
    con = connect(store, read_only=True)
    try:
        return compute(con, Query([metric], [], *OCT, {"district": ["荔城区"]}, TODAY, AS_OF))[metric].iloc[0]
    finally:
        con.close()


@pytest.mark.parametrize("metric", ["cases_received", "case_due_completion_rate", "case_ontime_rate",
                                    "case_satisfaction_rate", "case_median_days", "volunteer_hours",
                                    "wishes_fulfilled"])
def test_overview_figures_are_the_query_layers(store, doc, metric):
    assert doc.figures[metric] == pytest.approx(_value(store, metric))


def test_scores_lists_alerts_and_changes_are_the_assessments(store, doc):
    con = connect(store)
    try:
        period = assessment_period("month", OCT[0], OCT[1])
        scope = Scope(period, "荔城区", today=TODAY)
        for level in ("street", "community"):
            s = score(con, scope, "default", level)
            ranked = s.scores[s.scores["scored"]]
            assert doc.figures[f"scores_{level}"] == pytest.approx(dict(zip(ranked["unit"], ranked["score"])))
            assert set(doc.figures[f"red_{level}"]) == set(s.scores.loc[s.scores["list"] == "red", "unit"])
            frame = alerts.alerts(con, scope, "default", level)
            assert doc.figures[f"alerts_{level}"] == [(r["unit"], r["metric"], r["kind"], r["periods"])
                                                      for r in frame.to_dict("records")]
        parts = changes.decompose(con, scope, "case_due_completion_rate", "street")
        assert doc.figures["change_street"][0] == pytest.approx(parts.attrs["change"])
        assert doc.figures["change_street"][1] == pytest.approx(parts.attrs["change"])  # the parts sum to it
    finally:
        con.close()


def test_the_first_sentence_states_the_figures(store, doc):
    first = doc.sections[0].blocks[0]
    received = int(_value(store, "cases_received"))
    rate = float(_value(store, "case_due_completion_rate"))
    assert first.startswith(f"10月，全区受理诉求 {received:,} 件，应办结件办结率 {rate:.1%}，环比")
    assert [s.heading for s in doc.sections] == ["一、总体情况", "二、考核得分与红黑榜", "三、预警", "四、变化原因",
                                                 "五、各街道情况", "附表"]


def test_word_document(doc):
    data = briefing.renderer("docx")(doc)
    word = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "荔城区党建引领基层治理工作月度通报" in text and "（2026年10月）" in text
    for heading in ("一、总体情况", "二、考核得分与红黑榜", "三、预警", "四、变化原因", "五、各街道情况", "附表"):
        assert heading in text
    assert doc.sections[0].blocks[0] in text
    tables = [b for s in doc.sections for b in s.blocks if isinstance(b, Table)]
    assert len(word.tables) == len(tables) >= 5
    assert word.tables[0].rows[0].cells[0].text == "指标"
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode("utf-8")
    assert 'w:eastAsia="仿宋"' in xml and 'w:eastAsia="黑体"' in xml
    footer = "".join(zipfile.ZipFile(io.BytesIO(data)).read(n).decode("utf-8")
                     for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.startswith("word/footer"))
    assert "PAGE" in footer
    section = word.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    from metrics.briefing.charts import chinese_font
    if chinese_font():
        assert len(word.inline_shapes) >= 3  # the two score charts and the waterfall


def test_html_is_self_contained(doc):
    page = briefing.renderer("html")(doc).decode("utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'charset="utf-8"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "荔城区党建引领基层治理工作月度通报" in page
    assert "counter(page)" in page


def test_workbook_has_a_sheet_per_table(doc):
    book = load_workbook(io.BytesIO(briefing.renderer("xlsx")(doc)))
    tables = [b for s in doc.sections for b in s.blocks if isinstance(b, Table)]
    assert book.sheetnames[0] == "通报"
    assert len(book.sheetnames) == len(tables) + 1 == len(set(n.lower() for n in book.sheetnames))
    assert all(len(n) <= 31 for n in book.sheetnames)
    first = book[book.sheetnames[1]]
    assert [c.value for c in first[1]][:2] == ["指标", "2026年10月"]


def test_pdf_renders_to_a_page_with_ink(doc, tmp_path):
    from metrics.briefing.pdf import browser
    if browser() is None or shutil.which("pdftoppm") is None:
        pytest.skip("chromium or pdftoppm not installed")
    data = briefing.renderer("pdf")(doc)
    assert data.startswith(b"%PDF")
    pdf = tmp_path / "b.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    from PIL import Image
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    dark = sum(image.histogram()[:128])
    assert dark / (image.width * image.height) > 0.01  # text, tables and rules are on the page


def cli(*args: str) -> subprocess.CompletedProcess:
    """Run python -m metrics."""
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)


def test_cli_writes_the_briefing(store, tmp_path):
    out = cli("report", "--db", str(store), "--period", "2026-10", "--district", "荔城区", "--format", "docx",
              "--out", str(tmp_path))
    assert out.returncode == 0, out.stderr
    written = tmp_path / "荔城区-2026-10-通报.docx"
    assert written.exists() and str(written) in out.stdout
    latest = cli("report", "--db", str(store), "--latest", "--format", "html", "--out", str(tmp_path))
    assert latest.returncode == 0, latest.stderr
    assert list(tmp_path.glob("全市-*-通报.html"))


@pytest.mark.parametrize("args, text", [
    (("--period", "2026-10", "--district", "无此区"), "未知区县 无此区"),
    (("--period", "2026-13",), "期间应为"),
    (("--period", "2026-10", "--scheme", "nope"), "未知考核方案 nope"),
])
def test_cli_report_errors_are_one_line(store, tmp_path, args, text):
    out = cli("report", "--db", str(store), "--out", str(tmp_path), *args)
    assert out.returncode == 2 and text in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr


def test_cli_assess_and_scheme_versions(store, tmp_path):
    out = cli("assess", "--db", str(store), "--period", "2026-10", "--district", "荔城区", "--format", "csv")
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0].startswith("rank,district,street,score")
    shown = cli("scheme", "show", "default", "--db", str(store))
    assert shown.returncode == 0 and 'metric = "case_due_completion_rate"' in shown.stdout
    edited = tmp_path / "s.toml"
    text = shown.stdout.split("\n", 1)[1].replace("top_n = 3", "top_n = 2")
    edited.write_text(text, encoding="utf-8")
    saved = cli("scheme", "save", "default", str(edited), "--from", "2026-11", "--note", "两名", "--db", str(store))
    assert saved.returncode == 0, saved.stderr
    history = cli("scheme", "history", "default", "--db", str(store))
    assert "top_n: 3 → 2" in history.stdout and "两名" in history.stdout
    con = connect(store)
    try:
        assert versions.in_force(con, "default", dt.date(2026, 10, 1))[0].top_n == 3
        assert versions.in_force(con, "default", dt.date(2026, 11, 1))[0].top_n == 2
    finally:
        con.close()
