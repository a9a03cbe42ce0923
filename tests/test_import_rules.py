"""Rules an export meets on the way in: real status and rating words, honest failure, places from the register."""
from __future__ import annotations

import datetime as dt
import random

import pytest

from conftest import write
from helpers import load, rows
from metrics.errors import ImportFailure
from metrics.importer import ImportOptions
from metrics.schema import CASE_STATUS, RATINGS

REGISTER = ("区县,街道,社区,常住人口\n荔城区,拱辰街道,拱辰社区,58000\n荔城区,西天尾镇,渭阳社区,1427\n"
            "东风区,建设街道,新村社区,8000\n南芬区,铁山街道,新村社区,6000\n")


def grid_event_export(n: int, seed: int = 5) -> str:
    """A grid-event export as another province's platform writes it: its own headers, d/m/yy dates, 归档."""
    rng = random.Random(seed)
    lines = ["事件编号,区县名称,镇街名称,村社名称,网格名称,事件类型,上报时间,办结时间,事件状态"]
    for i in range(n):
        day, month, hour = rng.randint(1, 28), rng.randint(1, 12), rng.randint(0, 23)
        closed = f"{min(day + 2, 28)}/{month}/25 {hour}:05"
        status = rng.choice(["归档", "归档", "已办结", "处置中", "已受理"])
        lines.append(f"SJ{i:05d},临海市,古城街道,紫阳社区,网格{i % 9},环境卫生,{day}/{month}/25 {hour}:{i % 60:02d},"
                     f"{closed if status in ('归档', '已办结') else ''},{status}")
    return "\n".join(lines) + "\n"


def test_a_grid_event_export_nobody_here_has_seen_loads_without_a_mapping(con, tmp_path):
    r = load(con, write(tmp_path, "基层智治事件.csv", grid_event_export(5810)))
    assert (r.table, r.rows_read, r.rows_loaded, r.rows_rejected) == ("cases", 5810, 5810, 0)
    assert r.mapping == {"事件编号": "case_id", "区县名称": "district", "镇街名称": "street", "村社名称": "community",
                         "网格名称": "grid", "事件类型": "category", "上报时间": "reported_at", "办结时间": "closed_at",
                         "事件状态": "status"}
    assert r.dates[0].line().startswith("上报时间：日/月/年（两位年份） 时:分，5,810/5,810")
    assert rows(con, "SELECT count(*) FILTER (status = 'closed'), count(*) FILTER (status = 'open') FROM cases")[0] \
        == (sum(1 for line in grid_event_export(5810).splitlines()[1:] if line.endswith(("归档", "已办结"))),
            sum(1 for line in grid_event_export(5810).splitlines()[1:] if line.endswith(("处置中", "已受理"))))


@pytest.mark.parametrize("word,status", [
    ("归档", "closed"), ("已归档", "closed"), ("结案", "closed"), ("已结案", "closed"), ("办结", "closed"),
    ("已完成", "closed"), ("已办理", "closed"), ("已答复", "closed"), ("已回复", "closed"), ("已回访", "closed"),
    ("已评价", "closed"), ("受理", "open"), ("已受理", "open"), ("派发", "open"), ("已派发", "open"), ("签收", "open"),
    ("处置中", "open"), ("办理中", "open"), ("待处理", "open"), ("转办", "open"), ("退回", "open"), ("退单", "open"), ("延期", "open"),
    ("作废", "cancelled"), ("撤销", "cancelled"), ("无效", "cancelled"), ("重复件", "cancelled"),
    ("缓办", "suspended"), ("挂起", "suspended"), ("暂缓", "suspended"), ("挂账", "suspended"),
])
def test_status_words_of_real_systems(con, tmp_path, word, status):
    assert CASE_STATUS[word] == status
    load(con, write(tmp_path, "s.csv", f"事件编号,上报时间,事件状态\nA,2026-01-01,{word}\nB,2026-01-01,办结\n"))
    assert rows(con, "SELECT status FROM cases WHERE case_id = 'A'") == [(status,)]


@pytest.mark.parametrize("word,rating", [("非常满意", "satisfied"), ("满意", "satisfied"), ("比较满意", "basic"),
                                         ("基本满意", "basic"), ("一般", "neutral"), ("不满意", "dissatisfied"),
                                         ("非常不满意", "dissatisfied"), ("未评价", None)])
def test_rating_words(con, tmp_path, word, rating):
    assert RATINGS[word] == rating
    load(con, write(tmp_path, "s.csv", f"事件编号,上报时间,满意度\nA,2026-01-01,{word}\nB,2026-01-01,满意\n"))
    assert rows(con, "SELECT satisfaction FROM cases WHERE case_id = 'A'") == [(rating,)]


def test_unknown_words_are_reported_once_each_with_their_counts(con, tmp_path):
    body = "".join(f"A{i},2026-01-01,{'已驳回' if i < 12 else ('待核查' if i < 15 else '已办结')}\n" for i in range(40))
    r = load(con, write(tmp_path, "s.csv", "事件编号,上报时间,事件状态\n" + body))
    assert r.unknown_words == [("事件状态", "已驳回", 12), ("事件状态", "待核查", 3)]
    assert [w for w in r.warnings if w.startswith("未知")] == [
        "未知状态值（事件状态）：已驳回 ×12 (unknown status word in 事件状态: 已驳回 ×12)",
        "未知状态值（事件状态）：待核查 ×3 (unknown status word in 事件状态: 待核查 ×3)"]
    assert r.rows_rejected == 15


def test_a_column_rejecting_most_rows_stops_the_import_with_the_fix(con, db_path, tmp_path):
    body = "".join(f"A{i},2026-01-01,{'已驳回' if i < 30 else '已办结'}\n" for i in range(40))
    path = write(tmp_path, "s.csv", "事件编号,上报时间,事件状态\n" + body)
    with pytest.raises(ImportFailure) as info:
        load(con, path, db_path)
    exc = info.value
    assert "“事件状态”列使 30/40 行无法导入：未知的状态值" in exc.zh and "已驳回" in exc.zh
    assert (exc.fix.kind, exc.fix.column, exc.fix.choices, exc.fix.counts) == ("value", "status", ("已驳回",), (30,))
    assert exc.fix.cli == '--value "status:已驳回=open"'
    assert rows(con, "SELECT count(*) FROM import_batches") == [(0,)]
    r = load(con, path, db_path, options=ImportOptions(values={"status": {"已驳回": "open"}}))
    assert r.rows_loaded == 40


def test_when_no_row_loads_the_reason_is_true_and_names_the_column(con, tmp_path):
    path = write(tmp_path, "s.csv", "事件编号,上报时间\nA,昨天下午\nB,前天\n")
    with pytest.raises(ImportFailure) as info:
        load(con, path)
    assert "没有一行可以导入：无法识别的日期" in info.value.zh and "上报时间" in info.value.zh
    assert "缺少必填值" not in info.value.zh


def test_a_header_only_file_records_no_batch(con, tmp_path):
    for text in ("事件编号,上报时间\n", "事件编号,上报时间\n合计,0\n"):
        with pytest.raises(ImportFailure, match="no data rows"):
            load(con, write(tmp_path, "h.csv", text))
    assert rows(con, "SELECT count(*) FROM import_batches") == [(0,)]


def test_suspended_cases_stay_received_but_leave_the_completion_base(con, tmp_path):
    from metrics.query import Query, compute
    load(con, write(tmp_path, "s.csv", "事件编号,上报时间,事件状态\nA,2026-01-01,已办结\nB,2026-01-01,缓办\n"
                                       "C,2026-01-01,办理中\nD,2026-01-01,作废\n"))
    frame = compute(con, Query(["cases_received", "case_completion_rate"]))
    assert frame["cases_received"][0] == 3
    assert (frame["case_completion_rate__num"][0], frame["case_completion_rate__den"][0]) == (1, 2)


def test_places_are_completed_from_the_register_and_ambiguous_names_listed(con, tmp_path):
    load(con, write(tmp_path, "communities.csv", REGISTER))
    r = load(con, write(tmp_path, "c.csv", "事件编号,社区,上报时间\n1,拱辰社区,2026-01-01\n2,渭阳社区,2026-01-01\n"
                                           "3,新村社区,2026-01-01\n4,无名社区,2026-01-01\n"))
    assert rows(con, "SELECT case_id, district, street FROM cases ORDER BY 1") == [
        ("1", "荔城区", "拱辰街道"), ("2", "荔城区", "西天尾镇"), ("3", None, None), ("4", None, None)]
    assert any("2 行按社区档案补全" in w for w in r.warnings)
    assert any("重名" in w and "新村社区（1）" in w for w in r.warnings)
    assert any("社区档案中没有：无名社区（1）" in w for w in r.warnings)
    assert r.no_district == 2 and any("2 行没有区县" in w for w in r.warnings)


def test_a_constant_district_for_a_whole_file(con, tmp_path):
    r = load(con, write(tmp_path, "c.csv", "事件编号,社区,上报时间\n1,某社区,2026-01-01\n2,另一社区,2026-01-02\n"),
             options=ImportOptions(set_values={"district": "荔城区"}))
    assert r.no_district == 0
    assert rows(con, "SELECT DISTINCT district FROM cases") == [("荔城区",)]


def test_a_constant_never_overrides_a_value_the_file_has(con, tmp_path):
    load(con, write(tmp_path, "c.csv", "事件编号,区县,上报时间\n1,东风区,2026-01-01\n2,,2026-01-02\n"),
         options=ImportOptions(set_values={"district": "荔城区"}))
    assert rows(con, "SELECT case_id, district FROM cases ORDER BY 1") == [("1", "东风区"), ("2", "荔城区")]


def test_numbers_that_are_not_finite_or_absurd_are_rejected(con, tmp_path):
    r = load(con, write(tmp_path, "v.csv", "活动编号,社区,活动日期,参与人数,服务时长(小时)\n"
                                           "V1,c,2026-01-01,NaN,2\nV2,c,2026-01-01,inf,2\nV3,c,2026-01-01,1e30,2\n"
                                           "V4,c,2026-01-01,5,2\nV5,c,2026-01-01,6,2\nV6,c,2026-01-01,7,3\n"
                                           "V7,c,2026-01-01,8,-inf\n"))
    assert [(line, value) for line, _, value, _ in r.rejects] == [(2, "NaN"), (3, "inf"), (4, "1e30"), (8, "-inf")]
    assert {reason for *_, reason in r.rejects} == {"数值不合理（无穷、非数或过大）(not a finite number, or too large)"}
    assert rows(con, "SELECT sum(volunteers), sum(hours) FROM volunteer_activities") == [(18, 7.0)]


def test_the_preview_of_a_file_without_districts_says_how_many_rows(con, tmp_path):
    r = load(con, write(tmp_path, "c.csv", "事件编号,社区,上报时间\n1,甲社区,2026-01-01\n2,乙社区,2026-01-02\n"),
             dry_run=True, today=dt.date(2026, 11, 22))
    assert r.no_district == 2 and not r.committed
