"""The entry page renders the store's row counts."""
from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from conftest import write
from helpers import load

APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def test_home_shows_row_counts(con, db_path, tmp_path, monkeypatch):
    load(con, write(tmp_path, "c.csv", "事件编号,上报时间\nA,2026-01-01\nB,2026-01-02\n"))
    con.close()
    monkeypatch.setenv("GOVDASH_DB", str(db_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    frame = at.dataframe[0].value
    assert dict(zip(frame["表 table"], frame["行数 rows"]))["cases"] == 2


def test_home_without_store_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("GOVDASH_DB", str(tmp_path / "none.duckdb"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "make run" in at.info[0].value
