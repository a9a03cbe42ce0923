"""The importer on small hand-made exports: encodings, headers, normalising, validation, keys."""
from __future__ import annotations

import datetime as dt

import pytest

from conftest import write
from helpers import load, rows
from metrics.errors import ImportFailure, UsageError
from metrics.importer import ImportOptions

GBK_CASES = (
    "网格事件导出\r\n"
    "导出时间：2026年10月31日,,,,,,\r\n"
    "事件编号,所属区县,所属街道,社区名称,诉求类型,受理时间,办结时间,办理状态,满意度\r\n"
    "A1,荔城区,拱辰街道,拱辰社区,矛盾纠纷,2026年3月5日 14:05,2026/3/6 9:00:00,已办结,满意\r\n"
    "A2,荔城区,拱辰街道,拱辰社区,民生服务,2026/3/5 9:32:09,,处理中,\r\n"
    "A3,荔城区,镇海街道,镇海社区,城建物业,２０２６-０３-０７,2026-03-01,办结,基本满意\r\n"
    "A4,荔城区,镇海街道,镇海社区,卫生环保,2026-03-08,—,已撤销,无\r\n"
    ",,,,,,,,\r\n"
    "合计,4,,,,,,,\r\n"
)


def test_gbk_export_with_title_rows_total_row_and_chinese_headers(con, tmp_path):
    path = write(tmp_path, "cases.csv", GBK_CASES, "gbk")
    r = load(con, path)
    assert (r.table, r.encoding, r.header_line) == ("cases", "GB18030", 3)
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (4, 4, 0)
    got = rows(con, "SELECT case_id, district, street, community, category, reported_at, closed_at, status, "
                    "satisfaction, quality_flag, source_line FROM cases ORDER BY case_id")
    assert got == [
        ("A1", "荔城区", "拱辰街道", "拱辰社区", "矛盾纠纷", dt.datetime(2026, 3, 5, 14, 5),
         dt.datetime(2026, 3, 6, 9, 0), "closed", "satisfied", None, 4),
        ("A2", "荔城区", "拱辰街道", "拱辰社区", "民生服务", dt.datetime(2026, 3, 5, 9, 32, 9),
         None, "open", None, None, 5),
        ("A3", "荔城区", "镇海街道", "镇海社区", "城建物业", dt.datetime(2026, 3, 7),
         dt.datetime(2026, 3, 1), "closed", "basic", "close_before_report", 6),
        ("A4", "荔城区", "镇海街道", "镇海社区", "卫生环保", dt.datetime(2026, 3, 8),
         None, "cancelled", None, None, 7),
    ]
    assert any("closed before reported" in w for w in r.warnings)
    assert any("ignored 2 empty or total rows" in w for w in r.warnings)


@pytest.mark.parametrize("encoding,bom", [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"),
                                          ("utf-16-le", b"\xff\xfe"), ("gb18030", b"")])
def test_encodings_are_detected_and_recorded(con, tmp_path, encoding, bom):
    text = "事件编号,社区,上报时间\n1,拱辰社区,2026-01-02\n"
    path = tmp_path / "c.csv"
    path.write_bytes(bom + text.encode(encoding))
    r = load(con, path)
    expected = {"utf-8": "UTF-8 (BOM)" if bom else "UTF-8", "utf-16-le": "UTF-16 (BOM)",
                "gb18030": "GB18030"}[encoding]
    assert r.encoding == expected
    assert rows(con, "SELECT community FROM cases") == [("拱辰社区",)]


@pytest.mark.parametrize("text,expected", [
    ("2026年3月5日", dt.datetime(2026, 3, 5)),
    ("2026年3月5日 14:05", dt.datetime(2026, 3, 5, 14, 5)),
    ("2026/3/5 9:32:09", dt.datetime(2026, 3, 5, 9, 32, 9)),
    ("2026-03-05", dt.datetime(2026, 3, 5)),
    ("2026-03-05T14:05:00", dt.datetime(2026, 3, 5, 14, 5)),
    ("04/30/2014 02:51:52 PM", dt.datetime(2014, 4, 30, 14, 51, 52)),
    ("2010-03-01 09:12:00.0", dt.datetime(2010, 3, 1, 9, 12)),
    ("February 24 2011", dt.datetime(2011, 2, 24)),
    ("46086", dt.datetime(2026, 3, 5)),            # Excel serial: 1899-12-30 + 46086 days
    ("46086.5", dt.datetime(2026, 3, 5, 12, 0)),
    ("２０２６－０３－０５", dt.datetime(2026, 3, 5)),  # full-width digits and dash
])
def test_date_formats(con, tmp_path, text, expected):
    path = write(tmp_path, "d.csv", f"事件编号,上报时间\nX,{text}\n")
    r = load(con, path)
    assert r.rows_rejected == 0, r.rejects
    assert rows(con, "SELECT reported_at FROM cases") == [(expected,)]


def test_placeholder_dates_become_empty_and_are_counted(con, tmp_path):
    path = write(tmp_path, "d.csv", "事件编号,上报时间,办理时限\nX,2026-01-01,1900-01-01\nY,2026-01-02,2026-01-09\n")
    r = load(con, path)
    assert rows(con, "SELECT case_id, due_at FROM cases ORDER BY 1") == [
        ("X", None), ("Y", dt.datetime(2026, 1, 9))]
    assert any("1 个占位日期" in w for w in r.warnings)


def test_numbers_percentages_separators_and_empty_markers(con, tmp_path):
    path = write(tmp_path, "t.csv",
                 "任务编号,社区,任务名称,开始日期,目标值,完成值,单位\n"
                 "T1,拱辰社区,转移就业,2026-01-01,\"1,000\",\"1,101\",人\n"
                 "T2,拱辰社区,就业率,2026-01-01,100%,110.10%,%\n"
                 "T3,拱辰社区,垃圾分类,2026-01-01,１２０,N/A,户\n")
    r = load(con, path)
    assert r.table == "tasks"
    assert rows(con, "SELECT task_id, target, actual FROM tasks ORDER BY 1") == [
        ("T1", 1000.0, 1101.0), ("T2", 100.0, 110.1)]
    assert r.rejects == [(4, "完成值", None, "缺少必填值 (missing required value)")]


def test_status_and_rating_words_in_chinese_and_english(con, tmp_path):
    words = [("已办结", "closed"), ("办结", "closed"), ("Closed", "closed"), ("CLOSED", "closed"),
             ("已撤销", "cancelled"), ("作废", "cancelled"), ("CANCEL", "cancelled"), ("Cancel", "cancelled"),
             ("处理中", "open"), ("待受理", "open"), ("Open", "open"), ("In Progress", "open"),
             ("Pending", "open"), ("Assigned", "open")]
    body = "".join(f"S{i},2026-01-01,{w}\n" for i, (w, _) in enumerate(words))
    load(con, write(tmp_path, "s.csv", "事件编号,上报时间,办理状态\n" + body))
    got = dict(rows(con, "SELECT case_id, status FROM cases"))
    assert got == {f"S{i}": s for i, (_, s) in enumerate(words)}


def test_wish_status_words(con, tmp_path):
    load(con, write(tmp_path, "w.csv", "心愿编号,社区,提交时间,状态\nW1,c,2026-01-01,待认领\n"
                                       "W2,c,2026-01-01,已认领\nW3,c,2026-01-01,已实现\nW4,c,2026-01-01,已点亮\n"))
    assert rows(con, "SELECT wish_id, status FROM wishes ORDER BY 1") == [
        ("W1", "open"), ("W2", "claimed"), ("W3", "fulfilled"), ("W4", "fulfilled")]


def test_case_file_without_status_column_infers_from_close_time(con, tmp_path):
    load(con, write(tmp_path, "c.csv", "工单编号,登记时间,结案时间\nA,2026-01-01,2026-01-02\nB,2026-01-01,\n"))
    assert rows(con, "SELECT case_id, status FROM cases ORDER BY 1") == [("A", "closed"), ("B", "open")]


def test_bad_rows_are_rejected_with_line_column_and_reason(con, tmp_path):
    text = ("标题行\n"
            "活动编号,社区,活动日期,参与人数,服务时长(小时),服务人次\n"
            "V1,拱辰社区,2026-01-05,10,25.5,40\n"
            "V2,拱辰社区,不是日期,10,20,40\n"
            "V3,拱辰社区,2026-01-06,-3,20,40\n"
            "V4,拱辰社区,,5,10,12\n"
            "V5,拱辰社区,2026-01-07,2.5,abc,1\n")
    r = load(con, write(tmp_path, "v.csv", text))
    assert r.table == "volunteer_activities"
    assert (r.rows_read, r.rows_loaded, r.rows_rejected) == (5, 1, 4)
    assert r.rejects == [
        (4, "活动日期", "不是日期", "无法识别的日期 (not a date)"),
        (5, "参与人数", "-3", "不能为负数 (negative value)"),
        (6, "活动日期", None, "缺少必填值 (missing required value)"),
        (7, "参与人数", "2.5", "应为整数 (not a whole number)"),
        (7, "服务时长(小时)", "abc", "不是数字 (not a number)"),
    ]
    stored = rows(con, "SELECT line, column_name, reason FROM import_rejects ORDER BY line, column_name")
    assert len(stored) == 5 and stored[0] == (4, "活动日期", "无法识别的日期 (not a date)")


def test_unknown_status_word_is_rejected_and_explicit_value_map_accepts_it(con, tmp_path):
    path = write(tmp_path, "c.csv", "事件编号,上报时间,办理状态\nA,2026-01-01,已驳回\nB,2026-01-01,已办结\n")
    r = load(con, path, dry_run=True)
    assert r.rejects == [(2, "办理状态", "已驳回", "未知的状态值 (unknown status word)")]
    assert rows(con, "SELECT count(*) FROM cases") == [(0,)]
    load(con, path, options=ImportOptions(values={"status": {"已驳回": "closed"}}))
    assert rows(con, "SELECT case_id, status FROM cases ORDER BY 1") == [("A", "closed"), ("B", "closed")]


def test_line_numbers_survive_quoted_newlines_and_blank_lines(con, tmp_path):
    text = ('事件编号,上报时间,事件类型\n'
            'A,2026-01-01,"多行\n说明"\n'
            '\n'
            'B,bad,x\n'
            'C,2026-01-02,"又一个\n\n换行"\n'
            'D,worse,y\n')
    r = load(con, write(tmp_path, "n.csv", text))
    assert [(line, value) for line, _, value, _ in r.rejects] == [(5, "bad"), (9, "worse")]
    assert rows(con, "SELECT case_id, source_line FROM cases ORDER BY 1") == [("A", 2), ("C", 6)]


def test_empty_and_repeated_headers_do_not_crash(con, tmp_path):
    text = "事件编号,,上报时间,备注,备注,\nA,x,2026-01-01,p,q,\n"
    r = load(con, write(tmp_path, "h.csv", text))
    assert r.rows_loaded == 1
    assert r.unmapped == ["第2列", "备注", "备注.2", "第6列"]


def test_more_fields_than_header_is_rejected_not_truncated(con, tmp_path):
    r = load(con, write(tmp_path, "x.csv", "事件编号,上报时间\nA,2026-01-01\nB,2026-01-02,extra\n"))
    assert r.rejects == [(3, "(整行 whole row)", None, "字段数多于表头 (more fields than header)")]


def test_explicit_mapping_and_table(con, tmp_path):
    path = write(tmp_path, "e.csv", "Ticket,Created Date,Closed Date,Where\n1,2026-01-01,2026-01-03,Xin\n")
    guessed = load(con, path, dry_run=True)
    assert (guessed.table, guessed.mapping) == ("cases", {"Created Date": "reported_at", "Closed Date": "closed_at"})
    m = ImportOptions(columns={"Ticket": "case_id", "Created Date": "reported_at", "Closed Date": "closed_at",
                         "Where": "community"})
    r = load(con, path, table="cases", options=m)
    assert r.rows_loaded == 1
    assert rows(con, "SELECT case_id, community, status FROM cases") == [("1", "Xin", "closed")]


def test_mapping_to_unknown_column_is_a_usage_error(con, tmp_path):
    path = write(tmp_path, "e.csv", "Ticket,Created Date\n1,2026-01-01\n")
    with pytest.raises(UsageError, match="has no column opened"):
        load(con, path, table="cases", options=ImportOptions(columns={"Created Date": "opened"}))


def test_required_column_missing_is_one_clear_failure(con, tmp_path):
    path = write(tmp_path, "e.csv", "事件编号,社区\n1,拱辰社区\n")
    with pytest.raises(ImportFailure, match="required column missing: reported_at"):
        load(con, path, table="cases")


def test_within_file_last_row_wins_and_rows_without_id_get_stable_keys(con, tmp_path):
    text = ("事件编号,上报时间,事件类型\n"
            "A,2026-01-01,first\nA,2026-01-01,second\n"
            ",2026-01-02,no-id\n,2026-01-02,no-id\n,2026-01-03,no-id-2\n")
    r = load(con, write(tmp_path, "k.csv", text))
    assert (r.rows_loaded, r.rows_duplicate) == (3, 2)
    assert rows(con, "SELECT case_id, category FROM cases ORDER BY reported_at, category") == [
        ("A", "second"), (None, "no-id"), (None, "no-id-2")]


def test_reimport_same_file_changes_nothing(con, db_path, tmp_path):
    path = write(tmp_path, "cases.csv", GBK_CASES, "gbk")
    first = load(con, path, db_path)
    before = rows(con, "SELECT * FROM cases ORDER BY ALL")
    again = load(con, path, db_path)
    assert again.skipped_as_batch == first.batch_id
    assert rows(con, "SELECT * FROM cases ORDER BY ALL") == before
    assert rows(con, "SELECT count(*) FROM import_batches") == [(1,)]


def test_same_rows_in_a_new_file_are_counted_unchanged(con, tmp_path):
    load(con, write(tmp_path, "a.csv", "事件编号,上报时间\nA,2026-01-01\nB,2026-01-02\n"))
    r = load(con, write(tmp_path, "b.csv", "导出时间：今天\n事件编号,上报时间\nA,2026-01-01\nB,2026-01-03\n"))
    assert (r.rows_loaded, r.rows_unchanged) == (1, 1)


def test_later_import_replaces_and_undo_restores(con, tmp_path):
    from metrics.importer import undo as undo_batch
    a = load(con, write(tmp_path, "a.csv", "事件编号,上报时间,事件类型\nA,2026-01-01,old\nB,2026-01-01,keep\n"))
    b = load(con, write(tmp_path, "b.csv", "事件编号,上报时间,事件类型\nA,2026-01-01,new\nC,2026-01-02,added\n"))
    assert rows(con, "SELECT case_id, category, batch_id FROM cases ORDER BY 1") == [
        ("A", "new", b.batch_id), ("B", "keep", a.batch_id), ("C", "added", b.batch_id)]
    assert undo_batch(con, b.batch_id) == {"removed": 2, "restored": 1}
    assert rows(con, "SELECT case_id, category, batch_id FROM cases ORDER BY 1") == [
        ("A", "old", a.batch_id), ("B", "keep", a.batch_id)]
    assert rows(con, "SELECT status FROM import_batches WHERE id = ?", [b.batch_id]) == [("undone",)]
    with pytest.raises(UsageError, match="already undone"):
        undo_batch(con, b.batch_id)


def test_rows_keyed_by_their_id_store_no_second_key_and_older_stores_still_match(con, tmp_path):
    from metrics.importer import undo as undo_batch
    head = "事件编号,上报时间,事件类型\n"
    a = load(con, write(tmp_path, "a.csv", head + "A,2026-01-01,old\nB,2026-01-01,keep\n,2026-01-01,no-id\n"))
    assert rows(con, "SELECT case_id, row_key IS NULL FROM cases ORDER BY 1") == [
        ("A", True), ("B", True), (None, False)]
    # A store written before kept the id in row_key as well.
    con.execute("UPDATE cases SET row_key = case_id WHERE case_id IS NOT NULL")
    b = load(con, write(tmp_path, "b.csv", head + "A,2026-01-01,new\nB,2026-01-01,keep\n,2026-01-01,no-id\n"))
    assert (b.rows_loaded, b.rows_unchanged) == (1, 2)
    assert rows(con, "SELECT case_id, category, batch_id FROM cases ORDER BY 1") == [
        ("A", "new", b.batch_id), ("B", "keep", a.batch_id), (None, "no-id", a.batch_id)]
    assert undo_batch(con, b.batch_id) == {"removed": 1, "restored": 1}
    assert rows(con, "SELECT case_id, category, batch_id FROM cases ORDER BY 1") == [
        ("A", "old", a.batch_id), ("B", "keep", a.batch_id), (None, "no-id", a.batch_id)]


def test_undo_of_a_middle_batch_keeps_the_later_version(con, tmp_path):
    from metrics.importer import undo as undo_batch
    head = "事件编号,上报时间,事件类型\n"
    a = load(con, write(tmp_path, "a.csv", head + "K,2026-01-01,v1\n"))
    b = load(con, write(tmp_path, "b.csv", head + "K,2026-01-01,v2\n"))
    c = load(con, write(tmp_path, "c.csv", head + "K,2026-01-01,v3\n"))
    undo_batch(con, b.batch_id)
    assert rows(con, "SELECT category FROM cases") == [("v3",)]
    undo_batch(con, c.batch_id)
    assert rows(con, "SELECT category, batch_id FROM cases") == [("v1", a.batch_id)]
    undo_batch(con, a.batch_id)
    assert rows(con, "SELECT count(*) FROM cases") == [(0,)]
    assert rows(con, "SELECT count(*) FROM cases__replaced") == [(0,)]


def test_strict_loads_nothing_when_a_row_is_bad(con, tmp_path):
    path = write(tmp_path, "s.csv", "事件编号,上报时间\nA,2026-01-01\nB,nonsense\n")
    r = load(con, path, strict=True)
    assert not r.committed and r.rows_rejected == 1 and "strict mode" in r.message
    assert rows(con, "SELECT count(*) FROM cases") == [(0,)]
    assert rows(con, "SELECT count(*) FROM import_batches") == [(0,)]


def test_dry_run_writes_nothing(con, db_path, tmp_path):
    r = load(con, write(tmp_path, "d.csv", "事件编号,上报时间\nA,2026-01-01\n"), db_path, dry_run=True)
    assert r.rows_loaded == 1 and not r.committed
    assert rows(con, "SELECT count(*) FROM cases") == [(0,)]
    assert rows(con, "SELECT count(*) FROM import_batches") == [(0,)]
    assert not (db_path.parent / "archive").exists()


def test_original_bytes_are_archived_by_sha256(con, db_path, tmp_path):
    import hashlib
    path = write(tmp_path, "cases.csv", GBK_CASES, "gbk")
    load(con, path, db_path)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    assert rows(con, "SELECT sha256, file_name FROM import_batches") == [(sha, "cases.csv")]
    assert (db_path.parent / "archive" / f"{sha}.csv").read_bytes() == path.read_bytes()


def test_community_register_and_facts_for_unknown_communities(con, tmp_path):
    load(con, write(tmp_path, "c.csv", "区县,街道,社区,党建品牌,常住人口,户数,党员数,网格数,网格员数\n"
                                       "荔城区,拱辰街道,拱辰社区,共享+135,\"58,000\",16000,629,40,45\n"))
    load(con, write(tmp_path, "f.csv", "事件编号,社区,上报时间\n1,拱辰社区,2026-01-01\n2,新社区,2026-01-01\n"))
    assert rows(con, "SELECT community, brand, population FROM communities") == [("拱辰社区", "共享+135", 58000)]
    assert rows(con, "SELECT count(*) FROM cases") == [(2,)]


@pytest.mark.parametrize("content,message", [
    (b"", "the file is empty"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "legacy .xls"),
    (b"PK\x03\x04garbage", "not a valid xlsx"),
    (b"\x00\x01\x02\x03binary\xff\xfe\x00", "not a CSV or xlsx"),
    ("只有一行标题\n".encode(), "no header row found"),
    ("名字,年龄\n张三,3\n".encode(), "cannot tell which table"),
])
def test_bad_files_fail_with_one_clear_line_and_change_nothing(con, db_path, tmp_path, content, message):
    load(con, write(tmp_path, "ok.csv", "事件编号,上报时间\nA,2026-01-01\n"), db_path)
    before = rows(con, "SELECT * FROM cases"), rows(con, "SELECT count(*) FROM import_batches")
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(ImportFailure) as info:
        load(con, path, db_path)
    assert message in info.value.line() and "bad.csv" in info.value.line()
    assert "\n" not in info.value.line()
    assert (rows(con, "SELECT * FROM cases"), rows(con, "SELECT count(*) FROM import_batches")) == before


def test_a_recognised_column_can_be_left_out(con, tmp_path):
    path = write(tmp_path, "c.csv", "事件编号,上报时间,事件类型\nA,2026-01-01,矛盾纠纷\n")
    r = load(con, path, options=ImportOptions(columns={"事件类型": ""}))
    assert "category" not in r.mapping.values()
    assert rows(con, "SELECT category FROM cases") == [(None,)]


def test_dry_runs_do_not_use_up_batch_numbers(con, tmp_path):
    path = write(tmp_path, "c.csv", "事件编号,上报时间\nA,2026-01-01\n")
    load(con, path, dry_run=True)
    load(con, path, dry_run=True)
    assert load(con, path).batch_id == 1
