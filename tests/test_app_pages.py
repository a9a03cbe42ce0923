"""Every dashboard page under AppTest on the bundled sample: renders, shows the query layer's figures,
and reacts to its controls."""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from helpers import open_page as open_app
from helpers import store_for_app
from metrics.query import Query, compute
from metrics.store import connect

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
TODAY = dt.date.today()
AS_OF = dt.datetime(2026, 11, 1)


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    """A store loaded from the bundled sample through the CLI, set as GOVDASH_DB for the app."""
    path = tmp_path_factory.mktemp("pages") / "gov.duckdb"
    subprocess.run([sys.executable, "-m", "metrics", "init", "--sample", "--db", str(path)], cwd=ROOT,
                   check=True, capture_output=True, timeout=600)
    with store_for_app(path):
        yield path


def value(path: Path, metric: str, start: dt.date, end: dt.date, **where: str) -> object:
    """The query layer's figure for metric over the period and places."""
    con = connect(path)
    try:
        # Deadlines judged when the page judges them: at the end of the data's last day (2026-10-31).
        q = Query([metric], [], start, end, {k: [v] for k, v in where.items()}, TODAY, AS_OF)
        return compute(con, q)[metric].iloc[0]
    finally:
        con.close()


def open_page(page: str, **params: str) -> AppTest:
    """Run the app with query params, switch to page, and check it raised nothing."""
    at = open_app(page, **params)
    assert not at.exception, [e.value for e in at.exception]
    return at


def shown_table(at: AppTest, index: int = 0):
    """A plain table (st.table) as the reader sees it: the Markdown escapes of its text removed."""
    frame = at.table[index].value
    unescape = lambda v: re.sub(r"\\(.)", r"\1", v) if isinstance(v, str) else v  # noqa: E731
    return frame.map(unescape).rename(columns=unescape)


def labelled(widgets, text: str):
    """The widget whose label is text."""
    return next(w for w in widgets if w.label == text)


def kpi(at: AppTest, label: str) -> str:
    """The shown value of the KPI card with this label."""
    return next(m.value for m in at.metric if m.label == label)


OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
SEP = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))


def not_yet_due(path: Path, start: dt.date, end: dt.date, as_of: dt.datetime, **where: str) -> int:
    """Open cases reported in [start, end] whose deadline (end of the due day) is not yet passed at as_of,
    counted in Python from the rows (the sample has a due date on every case)."""
    con = connect(path)
    try:
        sql = "SELECT status, due_at FROM cases WHERE reported_at >= ? AND reported_at < ?"
        args: list[object] = [start, end + dt.timedelta(days=1)]
        for k, v in where.items():
            sql += f" AND {k} = ?"
            args.append(v)
        rows = con.execute(sql, args).fetchall()
    finally:
        con.close()

    def due_end(due: dt.datetime) -> dt.datetime:
        return due + dt.timedelta(days=1) - dt.timedelta(microseconds=1) if due.time() == dt.time(0) else due
    return sum(1 for status, due in rows if status == "open" and due is not None and due_end(due) >= as_of)


def test_overview_kpis_equal_the_query_layer_and_follow_the_period(sample_db):
    at = open_page("pages/overview.py", period="2026-10", district="荔城区")
    received = value(sample_db, "cases_received", *OCT, district="荔城区")
    rate = value(sample_db, "case_completion_rate", *OCT, district="荔城区")
    due_rate = value(sample_db, "case_due_completion_rate", *OCT, district="荔城区")
    assert kpi(at, "受理诉求数") == f"{received:,} 件"
    assert kpi(at, "办结率") == f"{rate:.1%}"
    assert kpi(at, "应办结件办结率") == f"{due_rate:.1%}"
    labelled(at.sidebar.selectbox, "月").set_value("2026-09").run()
    assert not at.exception
    assert kpi(at, "受理诉求数") == f"{value(sample_db, 'cases_received', *SEP, district='荔城区'):,} 件"
    assert at.query_params["period"] == ["2026-09"] or at.query_params["period"] == "2026-09"


def test_every_page_states_its_place_and_period(sample_db):
    cases = [("pages/overview.py", {"period": "2026-10"}, "全市 · 2026年10月"),
             ("pages/overview.py", {"period": "2026-10", "district": "荔城区"}, "荔城区 · 2026年10月"),
             ("pages/district.py", {"period": "2026-10", "district": "荔城区", "street": "拱辰街道"},
              "拱辰街道 · 2026年10月"),
             ("pages/community.py", {"period": "2026-10", "district": "荔城区", "community": "拱辰社区"},
              "拱辰社区 · 2026年10月"),
             ("pages/brands.py", {"period": "2026-Q3", "district": "荔城区"}, "荔城区 · 2026年第三季度")]
    for page, params, title in cases:
        at = open_page(page, **params)
        assert at.title[0].value == title, page


def test_immature_month_says_how_many_cases_are_still_in_time(sample_db):
    at = open_page("pages/overview.py", period="2026-10", district="荔城区")
    # Deadlines are judged at the time the data describes: the end of its last day (2026-10-31).
    expected = not_yet_due(sample_db, *OCT, dt.datetime(2026, 11, 1), district="荔城区")
    assert expected > 0
    notes = [i.value for i in at.info]
    assert f"2026年10月尚有 {expected:,} 件诉求未到办理期限，办结率仍在变化；评比与红线看“应办结件办结率”。" in notes
    at = open_page("pages/overview.py", period="2026-05", district="荔城区")
    assert not any("未到办理期限" in i.value for i in at.info)  # a month long past is mature


def test_partial_quarter_is_labelled_and_compared_like_for_like(sample_db):
    at = open_page("pages/overview.py", period="2026-Q4", district="荔城区")
    assert at.title[0].value == "荔城区 · 2026年第四季度（截至10月）"
    assert "环比对照 2026年7月，同比对照 2025年10月。" in " ".join(c.value for c in at.caption)
    october = value(sample_db, "cases_received", *OCT, district="荔城区")
    july = value(sample_db, "cases_received", dt.date(2026, 7, 1), dt.date(2026, 7, 31), district="荔城区")
    card = next(m for m in at.metric if m.label == "受理诉求数")
    assert card.value == f"{october:,} 件"
    assert card.delta == f"{october - july:+,} 件"
    year = open_page("pages/overview.py", period="2026", district="荔城区")
    assert year.title[0].value == "荔城区 · 2026年（截至10月）"
    assert "环比对照 2025年1—10月" in " ".join(c.value for c in year.caption)


def test_overview_defaults_to_latest_complete_month_and_ranks(sample_db):
    at = open_page("pages/overview.py")
    assert labelled(at.sidebar.selectbox, "月").value == "2026-10"
    assert "2026-11" not in labelled(at.sidebar.selectbox, "月").options  # no future months
    ranking = next(df.value for df in at.dataframe if "排名" in df.value.columns)
    assert len(ranking) > 10
    assert ranking["排名"].iloc[0] == "1"
    assert {"已办结", "应办结"} <= set(ranking.columns)  # ratio parts in words, never 分子/分母


def test_red_lines_judge_only_cases_due(sample_db):
    at = open_page("pages/overview.py", period="2026-10", district="荔城区")
    below = next(df.value for df in at.dataframe if "红线" in df.value.columns)
    assert "办结率" not in set(below["指标"])  # the cohort rate of a maturing month never puts a unit on it
    for community in below[below["指标"] == "应办结件办结率"]["社区"]:
        rate = value(sample_db, "case_due_completion_rate", *OCT, district="荔城区", community=community)
        assert rate < 0.90


def test_overview_language_switch(sample_db):
    at = open_page("pages/overview.py", lang="en")
    assert at.title[0].value == "All districts · October 2026"
    assert any(m.label == "Completion rate" for m in at.metric)
    at = open_page("pages/overview.py")
    at.sidebar.radio(key="lang").set_value("English").run()
    assert at.title[0].value == "All districts · October 2026"
    assert labelled(at.sidebar.selectbox, "Period type").value == "month"
    assert "Month" in [s.label for s in at.sidebar.selectbox]


def test_district_page_needs_a_district_then_explains_and_shows_units(sample_db):
    at = open_page("pages/district.py")
    assert "区县" in at.info[0].value
    at = open_page("pages/district.py", period="2026-10", district="荔城区")
    sentences = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert sentences and "应办结件办结率" in sentences[0]
    table = at.dataframe[0].value
    assert set(table["社区"]) >= {"拱辰社区", "渭阳社区", "镇海社区"}
    row = table[table["社区"] == "拱辰社区"].iloc[0]
    rate = value(sample_db, "case_due_completion_rate", *OCT, district="荔城区", community="拱辰社区")
    assert row["应办结件办结率（%）"] == f"{rate:.1%}"


def test_community_page_names_what_pulls_completion_down(sample_db):
    at = open_page("pages/community.py", period="2026-10", district="荔城区", community="示例社区03")
    sentences = [m.value.replace("\\", "") for m in at.markdown if m.value.startswith("- ")]
    rate = value(sample_db, "case_due_completion_rate", *OCT, district="荔城区", community="示例社区03")
    district = value(sample_db, "case_due_completion_rate", *OCT, district="荔城区")
    assert sentences[0].startswith(f"- 应办结件办结率 {rate:.1%}（") and f"低于区内 {district:.1%}" in sentences[0]
    assert "卫生环保" in sentences[1] and "街道城管办" in sentences[1]


def test_community_page_profile_and_indicators(sample_db):
    at = open_page("pages/community.py", period="2026-10", district="荔城区", community="拱辰社区")
    assert kpi(at, "常住人口") == "58,000"
    table = shown_table(at)
    shown = dict(zip(table["指标"], table["数值"]))
    received = value(sample_db, "cases_received", *OCT, district="荔城区", community="拱辰社区")
    assert shown["受理诉求数"] == f"{received:,} 件"
    picker = labelled(at.selectbox, "指标")
    picker.set_value("case_satisfaction_rate").run()
    assert not at.exception
    assert at.query_params["metric"] in ("case_satisfaction_rate", ["case_satisfaction_rate"])


def test_brand_page_compares_two_communities(sample_db):
    at = open_page("pages/brands.py", period="2026-10", units="荔城区|拱辰社区,荔城区|渭阳社区")
    table = shown_table(at)
    assert list(table["社区"][:2]) == ["拱辰社区 · 共享+135", "渭阳社区 · 红管家暖万家"]
    per_1k = value(sample_db, "volunteer_hours_per_1k_residents", *OCT, community="拱辰社区")
    assert table["每千人志愿服务时长（小时/千人）"].iloc[0] == f"{per_1k:,.1f}"
    at.multiselect(key="p_units").set_value(["荔城区|拱辰社区"]).run()
    assert "至少" in at.info[0].value


def test_brand_page_honours_the_sidebar_area(sample_db):
    at = open_page("pages/brands.py", period="2026-10", district="东风区")
    picker = at.multiselect(key="p_units")
    assert picker.options and all(o.endswith("（东风区）") for o in picker.options)
    assert any("只列出东风区的社区" in c.value for c in at.caption)


def test_dictionary_gives_the_rule_in_words_first(sample_db):
    from metrics.registry import METRICS
    at = open_page("pages/dictionary.py")
    table = at.table[0].value
    assert list(table["指标"]) == [m.zh for m in METRICS]
    assert table["怎么算"].iloc[0] == METRICS[0].desc_zh
    assert len(at.expander) == 1 and "SQL" in at.expander[0].label


def test_empty_store_pages_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVDASH_DB", str(tmp_path / "empty.duckdb"))
    for page in ("pages/overview.py", "pages/district.py", "pages/community.py", "pages/brands.py"):
        at = open_page(page)
        assert any("数据导入" in i.value for i in at.info), page


def _scores(path: Path, level: str, **scope: str):
    """The assessment's scores for October 2026 (default scheme), straight from metrics.assessment."""
    from metrics.assessment.scores import assessment_period, score
    from metrics.views import Scope
    con = connect(path)
    try:
        period = assessment_period("month", *OCT)
        return score(con, Scope(period, scope.get("district")), "default", level).scores
    finally:
        con.close()


def test_assessment_page_shows_the_scores_reasons_alerts_and_briefing(sample_db):
    at = open_page("pages/assessment.py", period="2026-10", district="荔城区")
    assert at.title[0].value == "荔城区 · 2026年10月"
    table = at.dataframe[0].value
    expected = _scores(sample_db, "street", district="荔城区")
    assert list(table["街道"]) == list(expected["unit"])
    assert list(table["得分"]) == [f"{s:.1f}" for s in expected["score"]]
    assert all(text.startswith("第 ") for text in table["说明"])
    assert "相同分数排名不分先后" in " ".join(c.value for c in at.caption)
    assert any(m.value.startswith("- ") and "连续" in m.value for m in at.markdown)  # alerts in sentences
    labels = [b.label for b in at.get("download_button")]
    assert {"下载通报（Word）", "下载通报（Excel）", "下载通报（HTML）"} <= set(labels)


def test_assessment_page_units_switch_to_communities(sample_db):
    at = open_page("pages/assessment.py", period="2026-10", district="荔城区", units="community")
    expected = _scores(sample_db, "community", district="荔城区")
    table = at.dataframe[0].value
    assert list(table["社区"]) == list(expected["unit"])
    assert "不评分" in set(table["得分"])  # communities with too few cases are listed, not scored


def test_editing_the_scheme_on_the_page_is_versioned_and_rescoring(sample_db, tmp_path, monkeypatch):
    import shutil
    copy = tmp_path / "copy.duckdb"
    shutil.copy(sample_db, copy)
    monkeypatch.setenv("GOVDASH_DB", str(copy))
    # Run as the main script: AppTest delivers button clicks only to the script it started.
    at = AppTest.from_file(str(ROOT / "pages" / "assessment.py"), default_timeout=120)
    at.query_params["period"], at.query_params["district"] = "2026-10", "荔城区"
    at.run()
    before = list(at.dataframe[0].value["得分"])
    area = at.text_area(key="toml_default")
    area.set_value(area.value.replace("weight = 30", "weight = 60", 1).replace("weight = 30", "weight = 0", 1))
    at.text_input(key="note_default").set_value("办结为重")
    at.button(key="save_default").click().run()
    assert not at.exception
    assert any("权重须在 0 到 100 之间" in e.value for e in at.error)  # 0 is not a valid weight: refused
    area = at.text_area(key="toml_default")
    area.set_value(area.value.replace("weight = 60", "weight = 30", 1).replace("weight = 0", "weight = 30", 1))
    # Completion of cases due 30 → 40, satisfaction 30 → 20: weights still sum to 100.
    area.set_value(area.value.replace("weight = 30", "weight = 40", 1).replace("weight = 30", "weight = 20", 1))
    at.button(key="save_default").click().run()
    assert not at.exception
    assert any("已保存第 2 版" in m.value for m in at.success)
    assert list(at.dataframe[0].value["得分"]) != before
    con = connect(copy)
    try:
        from metrics.assessment import versions
        hist = versions.history(con, "default")
    finally:
        con.close()
    assert list(hist["version"]) == [2, 1] and hist["note"].iloc[0] == "办结为重"
