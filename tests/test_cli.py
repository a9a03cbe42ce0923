"""`python -m metrics` as scripts use it: exit codes, one-line errors, atomic imports."""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import openpyxl
import pytest

from conftest import ROOT, write


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run python -m metrics with args from the project root."""
    return subprocess.run([sys.executable, "-m", "metrics", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def count(db: Path, sql: str) -> list[tuple]:
    """Rows of a query on the store at db, opened read-only."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_import_summary_batches_and_undo(tmp_path):
    db = tmp_path / "s.duckdb"
    f = write(tmp_path, "c.csv", "事件编号,上报时间,办结时间\nA,2026-01-01,2026-01-02\nB,坏日期,\n", "gb18030")
    proc = cli("import", "--db", str(db), str(f))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "c.csv → cases" in out and "GB18030" in out
    assert "读取 read 2 · 导入 loaded 1 · 拒绝 rejected 1" in out
    assert "第 3 行 line 3, 列 column 上报时间 “坏日期”: 无法识别的日期 (not a date)" in out
    listing = cli("batches", "--db", str(db)).stdout
    assert "\tcases\tc.csv\tGB18030\t2\t1\t1\t0\t0" in listing
    undo = cli("undo", "--db", str(db), "1")
    assert undo.returncode == 0 and "删除 1 行" in undo.stdout
    assert count(db, "SELECT count(*) FROM cases") == [(0,)]
    again = cli("undo", "--db", str(db), "1")
    assert again.returncode == 2 and "already undone" in again.stderr


def test_db_from_environment(tmp_path):
    db = tmp_path / "env.duckdb"
    f = write(tmp_path, "c.csv", "事件编号,上报时间\nA,2026-01-01\n")
    assert cli("import", str(f), env={"GOVDASH_DB": str(db)}).returncode == 0
    assert count(db, "SELECT count(*) FROM cases") == [(1,)]


@pytest.mark.parametrize("args,code,text", [
    (["import"], 2, "usage error"),
    (["import", "--table", "nope", "x.csv"], 2, "invalid choice"),
    (["import", "--map", "nonsense", "x.csv"], 2, "--map expects SOURCE=COLUMN"),
    (["import", "--map", "=x", "x.csv"], 2, "--map expects SOURCE=COLUMN"),
    (["undo", "abc"], 2, "invalid int value"),
    (["undo", "99"], 2, "no batch 99"),
    (["frobnicate"], 2, "invalid choice"),
])
def test_usage_errors_exit_2_without_traceback(tmp_path, args, code, text):
    if args and args[0] in ("import", "undo") and "--db" not in args:
        args = [args[0], "--db", str(tmp_path / "u.duckdb"), *args[1:]]
    proc = cli(*args)
    assert proc.returncode == code
    assert text in proc.stderr + proc.stdout
    assert "Traceback" not in proc.stderr


def test_bad_file_exits_1_with_one_line_and_changes_nothing(tmp_path):
    db = tmp_path / "b.duckdb"
    good = write(tmp_path, "good.csv", "事件编号,上报时间\nA,2026-01-01\n")
    assert cli("import", "--db", str(db), str(good)).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"\xff\xfe\x00\x00\x01binary")
    missing = tmp_path / "missing.csv"
    proc = cli("import", "--db", str(db), str(bad), str(missing))
    assert proc.returncode == 1
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("失败")]
    assert len(lines) == 2
    assert "bad.csv" in lines[0] and "missing.csv: 文件不存在 (file not found)" in lines[1]
    assert "Traceback" not in proc.stderr
    assert count(db, "SELECT count(*) FROM import_batches") == [(1,)]


def test_strict_exits_1_and_loads_nothing(tmp_path):
    db = tmp_path / "s.duckdb"
    f = write(tmp_path, "c.csv", "事件编号,上报时间\nA,2026-01-01\nB,xx\n")
    proc = cli("import", "--db", str(db), "--strict", str(f))
    assert proc.returncode == 1 and "strict mode" in proc.stdout
    assert count(db, "SELECT count(*) FROM cases") == [(0,)]


def test_mapping_profile_and_value_option(tmp_path):
    db = tmp_path / "m.duckdb"
    f = write(tmp_path, "x.csv", "Ticket,Opened,State\nT1,2026-01-01,Answered\n")
    profile = tmp_path / "profile.json"
    profile.write_text('{"table": "cases", "columns": {"Ticket": "case_id", "Opened": "reported_at", '
                       '"State": "status"}}', encoding="utf-8")
    proc = cli("import", "--db", str(db), "--mapping", str(profile), "--value", "status:Answered=closed", str(f))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert count(db, "SELECT case_id, status FROM cases") == [("T1", "closed")]


def test_xlsx_with_merged_title_excel_dates_and_total_row(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["微心愿台账（2026年）"])
    ws.merge_cells("A1:F1")
    ws.append(["心愿编号", "社区", "提交时间", "认领时间", "实现时间", "状态"])
    ws.append(["W1", "渭阳社区", dt.datetime(2026, 3, 1, 10, 0), dt.date(2026, 3, 2), None, "已认领"])
    ws.append(["W2", "渭阳社区", 46086, None, None, "待认领"])  # a bare Excel serial: 2026-03-05
    ws.append([None] * 6)
    ws.append(["合计", 2])
    path = tmp_path / "wishes.xlsx"
    wb.save(path)
    db = tmp_path / "x.duckdb"
    proc = cli("import", "--db", str(db), str(path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "wishes.xlsx → wishes" in proc.stdout and "表头第 2 行" in proc.stdout
    assert count(db, "SELECT wish_id, submitted_at, claimed_at, status, source_line FROM wishes ORDER BY 1") == [
        ("W1", dt.datetime(2026, 3, 1, 10, 0), dt.datetime(2026, 3, 2), "claimed", 3),
        ("W2", dt.datetime(2026, 3, 5), None, "open", 4)]


@pytest.mark.parametrize("point", ["after-delete", "before-commit"])
def test_import_killed_midway_leaves_store_as_it_was(tmp_path, point):
    db = tmp_path / "k.duckdb"
    first = write(tmp_path, "a.csv", "事件编号,上报时间,事件类型\n" + "".join(
        f"K{i},2026-01-01,old\n" for i in range(2000)))
    assert cli("import", "--db", str(db), str(first)).returncode == 0
    before = count(db, "SELECT * FROM cases ORDER BY ALL")
    second = write(tmp_path, "b.csv", "事件编号,上报时间,事件类型\n" + "".join(
        f"K{i},2026-01-02,new\n" for i in range(0, 4000, 2)))
    proc = cli("import", "--db", str(db), str(second), env={"GOVDASH_CRASH_AT": point})
    assert proc.returncode == -9
    assert count(db, "SELECT * FROM cases ORDER BY ALL") == before
    assert count(db, "SELECT count(*) FROM import_batches") == [(1,)]
    assert count(db, "SELECT count(*) FROM cases__replaced") == [(0,)]
    proc = cli("import", "--db", str(db), str(second))
    assert proc.returncode == 0
    assert count(db, "SELECT count(*), count(*) FILTER (category = 'new') FROM cases") == [(3000, 2000)]
