"""Each view the pages draw asks DuckDB at most three statements, counted by DuckDB's own QueryLog.

Issue 8 asked for at most 3 SQL statements per view and for sidebar lists read from a small summary kept by
imports, not from full scans. DuckDB logs every statement it runs on the connection; the test counts the
entries a view adds (the count query itself is not a view's statement and is subtracted)."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from conftest import ROOT
from metrics import views
from metrics.periods import Period
from metrics.store import connect

OCTOBER = Period("month", dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2026, 10, 31))
LICHENG = views.Scope(OCTOBER, "荔城区", today=dt.date(2026, 11, 1))
GONGCHEN = views.Scope(OCTOBER, "荔城区", None, "拱辰社区", today=dt.date(2026, 11, 1))
CITY = views.Scope(OCTOBER, today=dt.date(2026, 11, 1))
RATE = "case_due_completion_rate"

VIEWS = {
    "kpis": lambda con: views.kpis(con, LICHENG),
    "trend by street": lambda con: views.trend(con, LICHENG, RATE, 12, "street"),
    "ranking of communities": lambda con: views.ranking(con, LICHENG, RATE, "community"),
    "hierarchy": lambda con: views.hierarchy(con, CITY, RATE),
    "below red lines": lambda con: views.below_thresholds(con, LICHENG),
    "peer ranks": lambda con: views.peer_ranks(con, GONGCHEN, "拱辰社区", [RATE, "case_ontime_rate"]),
    "breakdown by category": lambda con: views.breakdown(con, GONGCHEN, [RATE, "cases_received"], "category"),
    "wish funnel": lambda con: views.wish_funnel(con, GONGCHEN),
    "compare units": lambda con: views.compare_units(con, CITY, (("荔城区", "拱辰社区"), ("荔城区", "渭阳社区")),
                                                     [RATE]),
    "months for the picker": lambda con: views.months_with_data(con),
    "places for the picker": lambda con: views.places(con),
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The bundled sample, loaded through the CLI."""
    path = tmp_path_factory.mktemp("statements") / "gov.duckdb"
    subprocess.run([sys.executable, "-m", "metrics", "init", "--sample", "--db", str(path)], cwd=ROOT,
                   check=True, capture_output=True, timeout=600)
    return path


def logged(con) -> int:
    """QueryLog entries so far (this count query is logged too, after it is answered)."""
    return con.execute("SELECT count(*) FROM duckdb_logs WHERE type = 'QueryLog'").fetchall()[0][0]


@pytest.mark.parametrize("name", VIEWS)
def test_a_view_asks_at_most_three_statements(store, name):
    con = connect(store, read_only=True)
    try:
        con.execute("CALL enable_logging('QueryLog')")
        before = logged(con)
        frame = VIEWS[name](con)
        asked = logged(con) - before - 1  # the second count query itself
        assert len(frame), name  # the view answered something
        assert 1 <= asked <= 3, (name, asked)
    finally:
        con.close()
