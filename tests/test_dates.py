"""Dates inferred per column from all its values: day/month order settled by the column, never guessed."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest

from conftest import write
from helpers import load, rows
from metrics.errors import ImportFailure
from metrics.importer import ImportOptions
from metrics.importer.dates import classify, describe

HEAD = "事件编号,上报时间\n"


def test_a_first_part_above_12_anywhere_in_the_column_decides_day_first(con, tmp_path):
    # Only the last of 300 rows shows the order; a sample of the first rows would not.
    body = "".join(f"A{i},{1 + i % 12}/{1 + i % 12}/25 14:57\n" for i in range(300)) + "Z,13/5/25 08:00\n"
    r = load(con, write(tmp_path, "d.csv", HEAD + body))
    assert r.rows_rejected == 0
    assert rows(con, "SELECT reported_at FROM cases WHERE case_id = 'Z'") == [(dt.datetime(2025, 5, 13, 8, 0),)]
    assert rows(con, "SELECT reported_at FROM cases WHERE case_id = 'A1'") == [(dt.datetime(2025, 2, 2, 14, 57),)]
    assert [d.line() for d in r.dates] == ["上报时间：日/月/年（两位年份） 时:分，301/301 "
                                           "(day/month/year (2-digit year) hh:mm)"]


def test_a_second_part_above_12_decides_month_first(con, tmp_path):
    r = load(con, write(tmp_path, "d.csv", HEAD + "A,03/04/2014 02:51:52 PM\nB,04/30/2014 09:00:00 AM\n"))
    assert r.rows_rejected == 0
    assert rows(con, "SELECT case_id, reported_at FROM cases ORDER BY 1") == [
        ("A", dt.datetime(2014, 3, 4, 14, 51, 52)), ("B", dt.datetime(2014, 4, 30, 9, 0))]


def test_all_ambiguous_dates_stop_the_import_with_examples_and_the_fix(con, db_path, tmp_path):
    path = write(tmp_path, "d.csv", HEAD + "A,6/5/25 14:57\nB,7/5/25 09:00\n")
    with pytest.raises(ImportFailure) as info:
        load(con, path, db_path)
    exc = info.value
    assert "既可读作日/月/年也可读作月/日/年" in exc.zh and "6/5/25 14:57" in exc.zh
    assert exc.fix.kind == "date_order" and exc.fix.header == "上报时间" and "dmy" in exc.fix.choices
    assert "--date-order" in exc.fix.cli
    assert rows(con, "SELECT count(*) FROM import_batches") == [(0,)]
    r = load(con, path, db_path, options=ImportOptions(date_order="dmy"))
    assert rows(con, "SELECT case_id, reported_at FROM cases ORDER BY 1") == [
        ("A", dt.datetime(2025, 5, 6, 14, 57)), ("B", dt.datetime(2025, 5, 7, 9, 0))]
    assert r.dates[0].zh.startswith("日/月/年")


def test_contradicting_orders_in_one_column_are_not_guessed(con, tmp_path):
    path = write(tmp_path, "d.csv", HEAD + "A,13/05/2025\nB,05/13/2025\n")
    with pytest.raises(ImportFailure, match="mixes date orders"):
        load(con, path)


def test_an_explicit_order_that_the_values_contradict_rejects_those_values_truly(con, tmp_path):
    r = load(con, write(tmp_path, "d.csv", HEAD + "A,13/05/2025\nB,12/05/2025\nC,11/05/2025\n"),
             options=ImportOptions(date_order="mdy"))
    assert r.rejects == [(2, "上报时间", "13/05/2025", "无法识别的日期 (not a date)")]


def test_mixed_excel_date_cells_and_text_dates_in_one_column(con, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["事件编号", "上报时间", "办结时间"])
    ws.append(["A", dt.datetime(2026, 3, 5, 9, 30), "2026/3/6 10:00"])
    ws.append(["B", "2026年3月7日 8:15", dt.datetime(2026, 3, 8, 17, 0)])
    ws.append(["C", "2026-03-09", 46090])  # an Excel serial number left as a number: 2026-03-09
    path = tmp_path / "mixed.xlsx"
    wb.save(path)
    r = load(con, path)
    assert r.rows_rejected == 0
    assert rows(con, "SELECT case_id, reported_at, closed_at FROM cases ORDER BY 1") == [
        ("A", dt.datetime(2026, 3, 5, 9, 30), dt.datetime(2026, 3, 6, 10, 0)),
        ("B", dt.datetime(2026, 3, 7, 8, 15), dt.datetime(2026, 3, 8, 17, 0)),
        ("C", dt.datetime(2026, 3, 9), dt.datetime(2026, 3, 9))]


def test_a_rare_format_late_in_the_column_is_still_read(con, tmp_path):
    body = "".join(f"A{i},2026-03-{1 + i % 28:02d} 10:00:00\n" for i in range(500)) + "Z,2026年3月31日\n"
    r = load(con, write(tmp_path, "d.csv", HEAD + body))
    assert r.rows_rejected == 0 and r.dates[0].parsed == 501


@pytest.mark.parametrize("text,reason", [
    ("0001-01-01", "占位日期"), ("1900-01-01", "占位日期"), ("9999-12-31", "不合理"), ("2099-01-01", "不合理"),
])
def test_implausible_report_dates_are_rejected_with_a_reason(con, tmp_path, text, reason):
    r = load(con, write(tmp_path, "d.csv", HEAD + f"A,{text}\nB,2026-01-02\nC,2026-01-03\n"),
             today=dt.date(2026, 11, 22))
    assert [(line, value) for line, _, value, _ in r.rejects] == [(2, text)]
    assert reason in r.rejects[0][3]


def test_deadlines_may_lie_ahead_but_placeholders_are_emptied(con, tmp_path):
    r = load(con, write(tmp_path, "d.csv", "事件编号,上报时间,办理时限\nA,2026-01-01,2027-06-30\nB,2026-01-01,1900-01-01\n"),
             today=dt.date(2026, 11, 22))
    assert r.rows_rejected == 0
    assert rows(con, "SELECT case_id, due_at FROM cases ORDER BY 1") == [("A", dt.datetime(2027, 6, 30)), ("B", None)]


@pytest.mark.parametrize("value,formats", [
    ("2026/3/5 9:32:09", ["%Y/%m/%d %H:%M:%S"]),
    ("6/5/25 14:57", ["%d/%m/%y %H:%M", "%m/%d/%y %H:%M", "%y/%m/%d %H:%M"]),
    ("13/5/2025", ["%d/%m/%Y"]),
    ("04/30/2014 02:51:52 PM", ["%m/%d/%Y %I:%M:%S %p"]),
    ("2026年3月5日 14时05分", ["%Y年%m月%d日 %H时%M分"]),
    ("February 24 2011", ["%B %d %Y"]),
    ("24-Feb-2011", ["%d-%b-%Y"]),
    ("20260305", ["%Y%m%d"]),
    ("2026-03-05T14:05:00.000", ["%Y-%m-%dT%H:%M:%S.%f"]),
    ("46086.5", ["excel-serial"]),
    ("not a date", []),
])
def test_classify_names_every_format_a_value_could_have(value, formats):
    assert [c.fmt for c in classify(value)] == formats


def test_formats_are_described_in_words():
    assert describe("%d/%m/%y %H:%M") == ("日/月/年（两位年份） 时:分", "day/month/year (2-digit year) hh:mm")
    assert describe("%Y-%m-%d") == ("年/月/日", "year/month/day")
