"""Every dashboard page under AppTest on the bundled sample: renders, shows the query layer's figures,
and reacts to its controls."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from conftest import ROOT
from metrics.query import Query, compute
from metrics.store import connect

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")
TODAY = dt.date.today()


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    """A store loaded from the bundled sample through the CLI, set as GOVDASH_DB for the app."""
    path = tmp_path_factory.mktemp("pages") / "gov.duckdb"
    subprocess.run([sys.executable, "-m", "metrics", "init", "--sample", "--db", str(path)], cwd=ROOT,
                   check=True, capture_output=True, timeout=600)
    old = os.environ.get("GOVDASH_DB")
    os.environ["GOVDASH_DB"] = str(path)
    yield path
    if old is None:
        os.environ.pop("GOVDASH_DB", None)
    else:
        os.environ["GOVDASH_DB"] = old


def value(path: Path, metric: str, start: dt.date, end: dt.date, **where: str) -> object:
    """The query layer's figure for metric over the period and places."""
    con = connect(path)
    try:
        q = Query([metric], [], start, end, {k: [v] for k, v in where.items()}, TODAY)
        return compute(con, q)[metric].iloc[0]
    finally:
        con.close()


def open_page(page: str, **params: str) -> AppTest:
    """Run the app with query params and switch to page."""
    at = AppTest.from_file(APP, default_timeout=120)
    for key, val in params.items():
        at.query_params[key] = val
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def labelled(widgets, text: str):
    """The widget whose label is text."""
    return next(w for w in widgets if w.label == text)


def kpi(at: AppTest, label: str) -> str:
    """The shown value of the KPI card with this label."""
    return next(m.value for m in at.metric if m.label == label)


OCT = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
SEP = (dt.date(2026, 9, 1), dt.date(2026, 9, 30))


def test_overview_kpis_equal_the_query_layer_and_follow_the_period(sample_db):
    at = open_page("pages/overview.py", period="2026-10", district="荔城区")
    received = value(sample_db, "cases_received", *OCT, district="荔城区")
    rate = value(sample_db, "case_completion_rate", *OCT, district="荔城区")
    assert kpi(at, "受理诉求数") == f"{received:,}"
    assert kpi(at, "办结率") == f"{rate:.1%}"
    labelled(at.sidebar.selectbox, "月").set_value("2026-09").run()
    assert not at.exception
    assert kpi(at, "受理诉求数") == f"{value(sample_db, 'cases_received', *SEP, district='荔城区'):,}"
    assert at.query_params["period"] == ["2026-09"] or at.query_params["period"] == "2026-09"


def test_overview_defaults_to_latest_complete_month_and_ranks(sample_db):
    at = open_page("pages/overview.py")
    assert labelled(at.sidebar.selectbox, "月").value == "2026-10"
    assert "2026-11" not in labelled(at.sidebar.selectbox, "月").options  # no future months
    ranking = next(df.value for df in at.dataframe if "排名" in df.value.columns)
    assert len(ranking) > 10
    assert ranking["排名"].iloc[0] == "1"


def test_overview_language_switch(sample_db):
    at = open_page("pages/overview.py", lang="en")
    assert at.title[0].value == "Overview"
    assert any(m.label == "Completion rate" for m in at.metric)
    at = open_page("pages/overview.py")
    at.sidebar.radio(key="lang").set_value("English").run()
    assert at.title[0].value == "Overview"
    assert labelled(at.sidebar.selectbox, "Period type").value == "month"
    assert "Month" in [s.label for s in at.sidebar.selectbox]


def test_district_page_needs_a_district_then_shows_units(sample_db):
    at = open_page("pages/district.py")
    assert "区县" in at.info[0].value
    at = open_page("pages/district.py", period="2026-10", district="荔城区")
    table = at.dataframe[0].value
    assert set(table["社区"]) >= {"拱辰社区", "渭阳社区", "镇海社区"}
    row = table[table["社区"] == "拱辰社区"].iloc[0]
    rate = value(sample_db, "case_completion_rate", *OCT, district="荔城区", community="拱辰社区")
    assert row["办结率"] == f"{rate:.1%}"


def test_community_page_profile_and_indicators(sample_db):
    at = open_page("pages/community.py", period="2026-10", district="荔城区", community="拱辰社区")
    assert kpi(at, "常住人口") == "58,000"
    table = at.dataframe[0].value
    shown = dict(zip(table["指标"], table["数值"]))
    received = value(sample_db, "cases_received", *OCT, district="荔城区", community="拱辰社区")
    assert shown["受理诉求数"] == f"{received:,}"
    picker = labelled(at.selectbox, "指标")
    picker.set_value("case_satisfaction_rate").run()
    assert not at.exception
    assert at.query_params["metric"] in ("case_satisfaction_rate", ["case_satisfaction_rate"])


def test_brand_page_compares_two_communities(sample_db):
    at = open_page("pages/brands.py", period="2026-10", units="荔城区|拱辰社区,荔城区|渭阳社区")
    table = at.dataframe[0].value
    assert list(table["社区"][:2]) == ["拱辰社区 · 共享+135", "渭阳社区 · 红管家暖万家"]
    per_1k = value(sample_db, "volunteer_hours_per_1k_residents", *OCT, community="拱辰社区")
    assert table["每千人志愿服务时长"].iloc[0] == f"{per_1k:,.1f}"
    at.multiselect(key="p_units").set_value(["荔城区|拱辰社区"]).run()
    assert "至少" in at.info[0].value


def test_dictionary_lists_every_indicator(sample_db):
    from metrics.registry import METRICS
    at = open_page("pages/dictionary.py")
    ids = set(at.dataframe[0].value["id"])
    assert ids == {m.id for m in METRICS}
    assert len(at.expander) == len(METRICS)


def test_empty_store_pages_say_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVDASH_DB", str(tmp_path / "empty.duckdb"))
    for page in ("pages/overview.py", "pages/district.py", "pages/community.py", "pages/brands.py"):
        at = open_page(page)
        assert any("数据导入" in i.value for i in at.info), page
