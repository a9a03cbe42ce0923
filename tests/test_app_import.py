"""The 数据导入 page through the whole app (AppTest), and the profile and history helpers it uses."""
from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from streamlit.testing.v1 import AppTest

from conftest import write
from helpers import load, mapping
from metrics.errors import UsageError
from metrics.importer import ImportOptions
from metrics.importer import batches as history
from metrics.importer import undo as undo_batch
from metrics.importer.profiles import check_name, duplicate_targets, list_profiles, load_named, profiles_dir, save_profile
from metrics.store import connect

PAGE = Path(__file__).resolve().parent.parent / "pages" / "import_data.py"

# 4 data rows: C has no valid report time (line 4), B appears twice (the later line wins).
CASES = "事件编号,上报时间,办理状态\nA,2026-01-05 09:00,处理中\nB,2026-01-06,处理中\nC,不是日期,处理中\nB,2026-01-07,处理中\n"
VOLUNTEERS = "活动编号,社区,活动日期,服务时长\nV1,拱辰社区,2026-01-10,12.5\nV2,镇海社区,2026-01-11,3\n"
# Headers no table recognises: they must be mapped by hand.
HOTLINE = "Ticket,When,Done,Note\nT1,2026-02-01 08:00,2026-02-02 10:00,x\nT2,2026-02-03,,y\n"


def open_page(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """The import page on the store at db_path (run as the main script, so button clicks reach it)."""
    monkeypatch.setenv("GOVDASH_DB", str(db_path))
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    assert not at.exception
    return at


def shown(element) -> str:
    """A message as the user reads it (data in messages is Markdown-escaped: cases\\.csv shows as cases.csv)."""
    return re.sub(r"\\(.)", r"\1", element.value)


def labelled(widgets, text: str):
    """The widget whose label is text."""
    return next(w for w in widgets if w.label == text)


def scalar(db_path: Path, sql: str) -> object:
    """One value from a plain query on the store."""
    con = connect(db_path)
    try:
        return con.execute(sql).fetchall()[0][0]
    finally:
        con.close()


def keyed(widgets, prefix: str):
    """The one widget whose key starts with prefix."""
    found = [w for w in widgets if w.key and w.key.startswith(prefix)]
    assert len(found) == 1, [w.key for w in widgets]
    return found[0]


def history_frame(at: AppTest):
    """The import history table on the page."""
    frames = [d.value for d in at.dataframe if "批次" in d.value.columns]
    assert len(frames) == 1
    return frames[0]


def counts_shown(at: AppTest) -> dict[str, str]:
    """The dry-run counts shown as metrics, by label."""
    return {m.label: m.value for m in at.metric}


def upload(at: AppTest, *files: tuple[str, str]) -> AppTest:
    """Put (name, text) files into the uploader and rerun."""
    at.file_uploader(key="imp_files").set_value([(n, text.encode(), "text/csv") for n, text in files]).run()
    assert not at.exception
    return at


def test_empty_store_renders_and_says_no_imports(db_path, monkeypatch):
    at = open_page(db_path, monkeypatch)
    assert at.title[0].value == "数据导入"
    assert "还没有导入批次。" in [shown(i) for i in at.info]
    assert at.file_uploader(key="imp_files").accept_multiple_files
    assert set(at.file_uploader(key="imp_files").allowed_type) == {".csv", ".xlsx"}


def test_english_labels(db_path, monkeypatch):
    monkeypatch.setenv("GOVDASH_DB", str(db_path))
    at = AppTest.from_file(str(PAGE), default_timeout=60).run()
    at.sidebar.radio(key="lang").set_value("English").run()
    assert not at.exception
    assert at.title[0].value == "Import"
    assert "No imports yet." in [shown(i) for i in at.info]


def test_history_lists_batches_newest_first(con, db_path, tmp_path, monkeypatch):
    load(con, write(tmp_path, "cases.csv", CASES))
    load(con, write(tmp_path, "vol.csv", VOLUNTEERS))
    ids = [r[0] for r in con.execute("SELECT id FROM import_batches ORDER BY imported_at DESC, id DESC").fetchall()]
    con.close()
    frame = history_frame(open_page(db_path, monkeypatch))
    assert frame["批次"].tolist() == ids
    assert frame["文件"].tolist() == ["vol.csv", "cases.csv"]
    assert frame["表"].tolist() == ["志愿服务（volunteer_activities）", "诉求事件（cases）"]
    assert frame["编码"].tolist() == ["UTF-8", "UTF-8"]
    assert frame[["读取", "导入", "不合格", "重复", "未变"]].values.tolist() == [[2, 2, 0, 0, 0], [4, 2, 1, 1, 0]]
    assert frame["状态"].tolist() == ["有效", "有效"]


def test_preview_shows_counts_and_rejects_then_commit_imports_once(db_path, monkeypatch):
    at = upload(open_page(db_path, monkeypatch), ("cases.csv", CASES))
    assert counts_shown(at) == {"读取行数": "4", "可导入（新增或更新）": "2", "不合格": "1", "文件内重复": "1",
                                "与库中相同": "0"}
    assert "识别为 诉求事件（cases） · 格式 csv · 编码 UTF-8 · 表头在第 1 行" in [c.value for c in at.caption]
    rejects = [d.value for d in at.dataframe if "原因" in d.value.columns][0]
    assert rejects[["行号", "列", "值"]].values.tolist() == [[4, "上报时间", "不是日期"]]
    editor = at.data_editor[0].value
    assert dict(zip(editor["header"], editor["column"])) == {"事件编号": "case_id", "上报时间": "reported_at",
                                                            "办理状态": "status"}
    assert scalar(db_path, "SELECT count(*) FROM import_batches") == 0  # a preview writes nothing

    keyed(at.button, "imp_go_cases.csv").click().run()
    assert not at.exception
    batch = scalar(db_path, "SELECT max(id) FROM import_batches")
    assert [shown(s) for s in at.success] == [
        f"已导入 cases.csv：批次 {batch}，读取 4 行，新增或更新 2 行，不合格 1 行，文件内重复 1 行，未变化 0 行。"]
    assert scalar(db_path, "SELECT string_agg(case_id, ',' ORDER BY case_id) FROM cases") == "A,B"
    assert scalar(db_path, f"SELECT count(*) FROM import_rejects WHERE batch_id = {batch}") == 1
    assert history_frame(at)["批次"].tolist() == [batch]
    # After the import the preview is redone against the store: everything is unchanged now.
    assert counts_shown(at)["与库中相同"] == "2"

    keyed(at.button, "imp_go_cases.csv").click().run()
    assert not at.exception
    assert any(f"already imported as batch {batch}" in shown(i) for i in at.info)
    assert scalar(db_path, "SELECT count(*) FROM import_batches") == 1


def test_two_files_import_all(db_path, monkeypatch):
    at = upload(open_page(db_path, monkeypatch), ("cases.csv", CASES), ("vol.csv", VOLUNTEERS))
    assert len(at.data_editor) == 2
    at.button(key="imp_go_all").click().run()
    assert not at.exception
    assert len(at.success) == 2
    assert scalar(db_path, "SELECT count(*) FROM cases") == 2
    assert scalar(db_path, "SELECT sum(hours) FROM volunteer_activities") == 15.5
    assert sorted(history_frame(at)["文件"]) == ["cases.csv", "vol.csv"]


def test_xlsx_upload_preview(db_path, monkeypatch):
    wb = openpyxl.Workbook()
    wb.active.append(["志愿服务统计"])
    for line in VOLUNTEERS.splitlines():
        wb.active.append(line.split(","))
    data = io.BytesIO()
    wb.save(data)
    at = open_page(db_path, monkeypatch)
    at.file_uploader(key="imp_files").set_value(("vol.xlsx", data.getvalue(), "application/octet-stream")).run()
    assert not at.exception and not at.error
    assert "识别为 志愿服务（volunteer_activities） · 格式 xlsx · 编码 xlsx · 表头在第 2 行 · 工作表“Sheet”" in [
        c.value for c in at.caption]
    assert counts_shown(at)["可导入（新增或更新）"] == "2"


def test_after_an_import_the_batch_pickers_show_the_new_batch(con, db_path, tmp_path, monkeypatch):
    old = load(con, write(tmp_path, "cases.csv", CASES)).batch_id
    con.close()
    at = upload(open_page(db_path, monkeypatch), ("vol.csv", VOLUNTEERS))
    assert labelled(at.selectbox, "撤销批次").value == old
    keyed(at.button, "imp_go_vol.csv").click().run()
    new = scalar(db_path, "SELECT max(id) FROM import_batches")
    assert new != old
    assert labelled(at.selectbox, "撤销批次").value == new
    assert labelled(at.selectbox, "查看批次的不合格行").value == new


def test_bad_file_shows_one_line_error_and_changes_nothing(db_path, monkeypatch):
    at = open_page(db_path, monkeypatch)
    at.file_uploader(key="imp_files").set_value(("old.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64,
                                                 "application/vnd.ms-excel")).run()
    assert not at.exception
    assert [shown(e) for e in at.error] == [
        "old.xlsx: 不支持旧版 Excel (.xls) 文件，请另存为 .xlsx 或 CSV (legacy .xls is not supported; save as .xlsx or CSV)"]
    assert not [b for b in at.button if b.key and b.key.startswith("imp_go_")]
    assert scalar(db_path, "SELECT count(*) FROM import_batches") == 0


def map_by_hand(at: AppTest, pairs: dict[int, str]) -> AppTest:
    """Set the mapping editor's target column for the given row numbers and rerun."""
    key = at.data_editor[0].key
    at.session_state[key] = {"edited_rows": {i: {"column": c} for i, c in pairs.items()},
                             "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    return at


def test_unrecognised_headers_mapped_by_hand_saved_and_reapplied(db_path, monkeypatch):
    at = upload(open_page(db_path, monkeypatch), ("hotline.csv", HOTLINE))
    assert "required column missing: reported_at" in shown(at.error[0])  # only "Done" was recognised
    assert "请先选择数据类型" in shown(at.info[0])
    keyed(at.selectbox, "imp_table_hotline.csv").set_value("cases").run()
    assert "required column missing: reported_at" in shown(at.error[0])
    assert at.data_editor[0].value["header"].tolist() == ["Ticket", "When", "Done", "Note"]

    map_by_hand(at, {0: "case_id", 1: "reported_at", 2: "closed_at"})
    assert not at.error
    assert counts_shown(at)["可导入（新增或更新）"] == "2"
    keyed(at.text_input, "imp_pname_hotline.csv").input("12345热线").run()
    keyed(at.button, "imp_psave_hotline.csv").click().run()
    assert "已保存映射方案“12345热线”" in [shown(s) for s in at.success]
    saved = profiles_dir(db_path) / "12345热线.json"
    assert load_named(profiles_dir(db_path), "12345热线") == ImportOptions(
        "cases", {"Ticket": "case_id", "When": "reported_at", "Done": "closed_at", "Note": ""}, {})  # Note left out
    assert saved.is_file()

    # A fresh session applies the saved profile to the same export and imports it.
    at = upload(open_page(db_path, monkeypatch), ("hotline.csv", HOTLINE))
    profile = keyed(at.selectbox, "imp_prof_hotline.csv")
    assert "12345热线" in profile.options
    profile.set_value("12345热线").run()
    assert not at.error
    keyed(at.button, "imp_go_hotline.csv").click().run()
    assert not at.exception
    assert scalar(db_path, "SELECT string_agg(case_id || '>' || coalesce(CAST(closed_at AS VARCHAR), '-'), ' ' "
                           "ORDER BY case_id) FROM cases") == "T1>2026-02-02 10:00:00 T2>-"


def test_two_headers_on_one_column_block_the_import(db_path, monkeypatch):
    at = upload(open_page(db_path, monkeypatch), ("cases.csv", CASES))
    map_by_hand(at, {2: "case_id"})
    assert "同一列被选了多次：case_id" in shown(at.error[0])
    assert not [b for b in at.button if b.key and b.key.startswith("imp_go_")]


def test_undo_through_the_page_removes_the_batch(con, db_path, tmp_path, monkeypatch):
    first = load(con, write(tmp_path, "cases.csv", CASES)).batch_id
    second = load(con, write(tmp_path, "vol.csv", VOLUNTEERS)).batch_id
    con.close()
    at = open_page(db_path, monkeypatch)
    assert labelled(at.selectbox, "撤销批次").options == [f"{second} · vol.csv", f"{first} · cases.csv"]
    labelled(at.selectbox, "撤销批次").set_value(first).run()
    at.button(key="imp_undo").click().run()
    assert not at.exception
    # Nothing changes until the user confirms, and the page says what will change.
    assert scalar(db_path, "SELECT count(*) FROM cases") == 2
    assert [shown(w) for w in at.warning if "撤销批次" in w.value] == [
        f"撤销批次 {first}（cases.csv）将删除它导入的 2 行，并恢复被它替换的 0 行旧数据。此操作会改变所有页面的数字。"]
    at.button(key="imp_undo_yes").click().run()
    assert not at.exception
    assert f"已撤销批次 {first}：删除 2 行，恢复 0 行。" in [shown(s) for s in at.success]
    assert scalar(db_path, "SELECT count(*) FROM cases") == 0
    assert scalar(db_path, "SELECT count(*) FROM volunteer_activities") == 2
    assert scalar(db_path, f"SELECT status FROM import_batches WHERE id = {first}") == "undone"
    assert history_frame(at)["状态"].tolist() == ["有效", "已撤销"]
    assert labelled(at.selectbox, "撤销批次").options == [f"{second} · vol.csv"]


def test_stored_rejects_of_a_batch(con, db_path, tmp_path, monkeypatch):
    batch = load(con, write(tmp_path, "cases.csv", CASES)).batch_id
    load(con, write(tmp_path, "vol.csv", VOLUNTEERS))
    con.close()
    at = open_page(db_path, monkeypatch)
    labelled(at.selectbox, "查看批次的不合格行").set_value(batch).run()
    rejects = [d.value for d in at.dataframe if "原因" in d.value.columns]
    assert len(rejects) == 1
    assert rejects[0][["行号", "列", "值"]].values.tolist() == [[4, "上报时间", "不是日期"]]


# --- metrics/importer/profiles.py and batches.py on real files and a real store ---

def test_profile_save_list_load_round_trip(tmp_path):
    folder = profiles_dir(tmp_path / "store" / "gov.duckdb")
    assert folder == tmp_path / "store" / "profiles"
    assert list_profiles(folder) == []
    hotline = ImportOptions("cases", {"受理时间": "reported_at"}, {"status": {"已答复": "closed"}})
    path = save_profile(folder, " 12345 热线 ", hotline)
    save_profile(folder, "grid", ImportOptions("cases", {"Opened": "reported_at"}))
    assert path == folder / "12345 热线.json"
    assert list_profiles(folder) == ["12345 热线", "grid"]
    assert load_named(folder, "12345 热线") == hotline
    save_profile(folder, "grid", ImportOptions("tasks", {"名称": "task"}))
    assert load_named(folder, "grid").table == "tasks"
    assert sorted(p.name for p in folder.iterdir()) == ["12345 热线.json", "grid.json"]


@pytest.mark.parametrize("name", ["", "   ", "a/b", "..", "../x", ".hidden", "a\\b", "c:d", "x" * 65, "a\nb"])
def test_bad_profile_names_are_rejected(tmp_path, name):
    with pytest.raises(UsageError):
        check_name(name)
    with pytest.raises(UsageError):
        save_profile(tmp_path / "profiles", name, ImportOptions())
    assert not (tmp_path / "profiles").exists() or list((tmp_path / "profiles").iterdir()) == []


def test_missing_profile_is_a_usage_error(tmp_path):
    with pytest.raises(UsageError):
        load_named(tmp_path, "nope")


def test_duplicate_targets():
    assert duplicate_targets({"a": "case_id", "b": "reported_at", "c": "case_id"}) == ["case_id"]
    assert duplicate_targets({"a": "case_id"}) == []


def test_history_batches_active_ids_and_rejects(con, tmp_path):
    assert history.batches(con).empty
    first = load(con, write(tmp_path, "cases.csv", CASES)).batch_id
    second = load(con, write(tmp_path, "c2.csv", "事件编号,上报时间\nZ,2026-03-01\n"),
                  options=mapping()).batch_id
    frame = history.batches(con)
    assert frame["id"].tolist() == [second, first]
    assert list(frame.columns) == list(history.BATCH_COLUMNS)
    assert frame.iloc[1][["rows_read", "rows_loaded", "rows_rejected", "rows_duplicate"]].tolist() == [4, 2, 1, 1]
    assert history.active_ids(con) == [second, first]
    undo_batch(con, second)
    assert history.active_ids(con) == [first]
    assert history.batches(con)["status"].tolist() == ["undone", "active"]
    assert history.rejects(con, first).values.tolist() == [[4, "上报时间", "不是日期", "无法识别的日期 (not a date)"]]
    assert history.reject_count(con, first) == 1
    assert history.rejects(con, second).empty


# --- fixes offered as controls when a preview cannot decide ------------------------------------------------

def ending(widgets, prefix: str, suffix: str):
    """The one widget whose key starts with prefix and ends with suffix (keys carry the file's size)."""
    found = [w for w in widgets if w.key and w.key.startswith(prefix) and w.key.endswith(suffix)]
    assert len(found) == 1, [w.key for w in widgets]
    return found[0]


AMBIGUOUS = "事件编号,上报时间\nA,6/5/25 14:57\nB,7/5/25 09:00\n"
UNKNOWN_WORDS = "事件编号,上报时间,事件状态\n" + "".join(
    f"A{i},2026-01-0{1 + i % 9},{'已驳回' if i < 6 else '已办结'}\n" for i in range(8))


def test_ambiguous_dates_ask_for_the_order_and_the_answer_is_used(db_path, monkeypatch):
    at = upload(open_page(db_path, monkeypatch), ("d.csv", AMBIGUOUS))
    assert "既可读作日/月/年也可读作月/日/年" in shown(at.error[0])
    assert "--" not in shown(at.error[0])  # no command-line flags on the page
    order = keyed(at.radio, "imp_fix_d.csv")
    assert order.options == ["（请选择）", "日/月/年", "月/日/年", "年/月/日"]
    order.set_value("dmy").run()
    assert not at.exception and not at.error
    assert counts_shown(at)["可导入（新增或更新）"] == "2"
    assert any("上报时间：日/月/年（两位年份） 时:分，2/2" in c.value for c in at.caption)
    keyed(at.button, "imp_go_d.csv").click().run()
    assert scalar(db_path, "SELECT strftime(min(reported_at), '%Y-%m-%d') FROM cases") == "2025-05-06"


def test_unknown_words_are_mapped_on_the_page(db_path, monkeypatch):
    at = upload(open_page(db_path, monkeypatch), ("s.csv", UNKNOWN_WORDS))
    assert "“事件状态”列使 6/8 行无法导入" in shown(at.error[0])
    editor = at.data_editor[0]
    assert editor.value[["word", "rows"]].values.tolist() == [["已驳回", 6]]
    at.session_state[editor.key] = {"edited_rows": {0: {"meaning": "open"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    ending(at.button, "imp_fix_s.csv", "_apply").click().run()
    assert not at.error
    assert counts_shown(at)["可导入（新增或更新）"] == "8"


def test_a_file_without_districts_can_be_given_one(con, db_path, tmp_path, monkeypatch):
    load(con, write(tmp_path, "communities.csv", "区县,街道,社区\n荔城区,拱辰街道,拱辰社区\n"))
    con.close()
    at = upload(open_page(db_path, monkeypatch), ("c.csv", "事件编号,社区,上报时间\n1,甲社区,2026-01-01\n"))
    assert any("1 行没有区县" in shown(w) for w in at.warning)
    keyed(at.selectbox, "imp_set_c.csv").set_value("荔城区").run()
    ending(at.button, "imp_set_c.csv", "_district_go").click().run()
    assert not at.exception
    assert not any("没有区县" in shown(w) for w in at.warning)
    keyed(at.button, "imp_go_c.csv").click().run()
    assert scalar(db_path, "SELECT district FROM cases") == "荔城区"
