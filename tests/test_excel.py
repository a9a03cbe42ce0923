"""Excel as it really arrives: several sheets, two-row and merged headers, formulas, oversized ranges."""
from __future__ import annotations

import datetime as dt
import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import write
from helpers import load, rows
from metrics.errors import ImportFailure
from metrics.importer import ImportOptions

CASE_ROWS = [["A1", "荔城区", "拱辰社区", dt.datetime(2026, 3, 5, 9), dt.datetime(2026, 3, 6, 10), "已办结"],
             ["A2", "荔城区", "渭阳社区", dt.datetime(2026, 3, 7, 8), None, "办理中"]]
CASE_HEAD = ["事件编号", "区县", "社区", "上报时间", "办结时间", "办理状态"]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write sheets (name → rows) to path and return it."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, data in sheets.items():
        ws = wb.create_sheet(name)
        for row in data:
            ws.append(row)
    wb.save(path)
    return path


def rewrite_sheet_xml(path: Path, change) -> None:
    """Apply change(text) to xl/worksheets/sheet1.xml inside the xlsx at path."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = change(data.decode("utf-8")).encode("utf-8")
            dst.writestr(item, data)
    shutil.move(tmp, path)


def test_the_first_sheet_holding_a_table_is_read_and_named(con, tmp_path):
    path = workbook(tmp_path / "台账.xlsx", {"说明": [["本表由系统导出"], ["请勿修改"]],
                                              "事件台账": [CASE_HEAD, *CASE_ROWS]})
    r = load(con, path)
    assert (r.table, r.sheet, r.rows_loaded) == ("cases", "事件台账", 2)
    assert any("读取工作表“事件台账”（共 2 个：说明、事件台账）" in w for w in r.warnings)


def test_a_sheet_is_chosen_by_name_or_number_and_an_unknown_one_is_named(con, tmp_path):
    path = workbook(tmp_path / "two.xlsx", {"三月": [CASE_HEAD, CASE_ROWS[0]], "四月": [CASE_HEAD, CASE_ROWS[1]]})
    assert load(con, path, options=ImportOptions(sheet="四月"), dry_run=True).sheet == "四月"
    assert load(con, path, options=ImportOptions(sheet="2"), dry_run=True).sheet == "四月"
    with pytest.raises(ImportFailure) as info:
        load(con, path, options=ImportOptions(sheet="五月"))
    assert "没有工作表“五月”" in info.value.zh and info.value.fix.choices == ("三月", "四月")


def test_a_declared_range_of_the_whole_sheet_costs_only_the_real_cells(con, tmp_path):
    path = workbook(tmp_path / "big.xlsx", {"Sheet": [CASE_HEAD, *CASE_ROWS]})
    rewrite_sheet_xml(path, lambda xml: re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:XFD1048576"/>', xml))
    r = load(con, path)
    assert (r.rows_read, r.rows_loaded, r.headers) == (2, 2, CASE_HEAD)


def test_merged_group_cells_over_sub_headers(con, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["网格事件台账"])
    ws.append(["序号", "事件信息", None, None, "办理情况", None])
    ws.append([None, "事件编号", "上报时间", "事件类型", "办结时间", "办理状态"])
    ws.merge_cells("A2:A3")
    ws.merge_cells("B2:D2")
    ws.merge_cells("E2:F2")
    ws.append([1, "E1", dt.datetime(2026, 3, 1, 9), "卫生环保", dt.datetime(2026, 3, 2, 9), "办结"])
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    r = load(con, path)
    assert r.headers == ["序号", "事件编号", "上报时间", "事件类型", "办结时间", "办理状态"]
    assert r.header_line == 3 and r.rows_loaded == 1
    assert "序号" in r.unmapped


def test_repeated_sub_headers_take_their_group_name(con, tmp_path):
    text = ("编号,上报,,办结,\n"
            ",时间,人员,时间,人员\n"
            "A,2026-03-01 09:00,张,2026-03-02 10:00,李\n")
    r = load(con, write(tmp_path, "two.csv", text))
    assert r.headers == ["编号", "上报时间", "上报人员", "办结时间", "办结人员"]
    assert rows(con, "SELECT case_id, reported_at, closed_at FROM cases") == [
        ("A", dt.datetime(2026, 3, 1, 9), dt.datetime(2026, 3, 2, 10))]


def test_formula_cells_are_read_by_their_computed_values(con, tmp_path):
    path = workbook(tmp_path / "f.xlsx", {"Sheet": [["活动编号", "社区", "活动日期", "参与人数", "服务时长(小时)"],
                                                     ["V1", "拱辰社区", dt.date(2026, 3, 1), 10, 2.5]]})
    # Excel keeps a formula and its last computed value; replace the hours cell by such a pair.
    rewrite_sheet_xml(path, lambda xml: re.sub(r'<c r="E2"([^>]*)><v>2.5</v></c>',
                                               r'<c r="E2"\1><f>D2*0.25</f><v>2.5</v></c>', xml))
    assert "<f>D2*0.25</f>" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    load(con, path)
    assert rows(con, "SELECT volunteers, hours FROM volunteer_activities") == [(10, 2.5)]


def test_a_sheet_without_a_header_row_is_refused_not_read_from_its_second_row(con, tmp_path):
    path = workbook(tmp_path / "nohead.xlsx", {"Sheet": [["A1", "荔城区", "2026-03-05 09:00", "已办结"],
                                                          ["A2", "荔城区", "2026-03-06 10:00", "办理中"]]})
    with pytest.raises(ImportFailure, match="no header row"):
        load(con, path)
    assert rows(con, "SELECT count(*) FROM cases") == [(0,)]
