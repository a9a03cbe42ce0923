"""Only committed imports keep files: the archived original bytes (<store folder>/archive/<sha256>.<ext>) belong to
committed batches alone, and every import's temp folder goes away.

A dry run, a failed import and a strict import with bad rows leave no archive copy and no temp folder. A
process killed while staging leaves a temp folder, one killed while writing a pending copy; the next import
removes both. One killed just after its commit leaves a pending copy that the next import keeps as the batch's
archive.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest

from conftest import ROOT, write
from helpers import load, rows
from metrics.errors import GovdashError

GOOD = "事件编号,上报时间,办结时间\nA1,2026-01-01,2026-01-02\nA2,2026-01-03,\n"
OTHER = "事件编号,上报时间\nB1,2026-02-01\nB2,2026-02-02\nB3,2026-02-03\n"


def sha(path: Path) -> str:
    """sha256 of a file's bytes, in hex."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def listing(folder: Path) -> set[str]:
    """Names in a folder (empty when it does not exist)."""
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


@pytest.fixture
def temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder that tempfile uses for this test, so that the importer's temp folders can be seen."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_dry_runs_and_failures_leave_no_archive_and_no_temp_folder(con, db_path: Path, tmp_path: Path,
                                                                  temp: Path) -> None:
    archive = db_path.parent / "archive"
    good = write(tmp_path, "good.csv", GOOD)
    assert not load(con, good, db_path, dry_run=True).committed
    assert listing(archive) == set() and listing(temp) == set()
    failing = {"header_only.csv": "事件编号,上报时间\n",
               "no_valid_row.csv": "事件编号,上报时间\nA1,坏日期\nA2,也不是日期\n",
               "empty.csv": ""}
    for name, text in failing.items():
        with pytest.raises(GovdashError):
            load(con, write(tmp_path, name, text), db_path)
        assert listing(archive) == set() and listing(temp) == set(), name
    strict = load(con, write(tmp_path, "strict.csv", GOOD + "A3,坏日期,\n"), db_path, strict=True)
    assert not strict.committed and strict.rows_rejected == 1
    assert listing(archive) == set() and listing(temp) == set()
    assert rows(con, "SELECT count(*) FROM import_batches") == [(0,)]
    # The first committed import keeps exactly its bytes, under their sha256.
    assert load(con, good, db_path).committed
    assert listing(archive) == {f"{sha(good)}.csv"} and listing(temp) == set()
    assert (archive / f"{sha(good)}.csv").read_bytes() == good.read_bytes()


def cli(db: Path, path: Path, temp: Path, crash: str | None = None) -> subprocess.CompletedProcess:
    """`python -m metrics import` in a child process whose temp folder is temp (killed at crash, if given)."""
    env = {**os.environ, "TMPDIR": str(temp), "GOVDASH_CRASH_AT": crash or ""}
    return subprocess.run([sys.executable, "-m", "metrics", "import", "--db", str(db), str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=env)


def batches(db: Path) -> list[tuple]:
    """(sha256, status) of every batch of the store, oldest first."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT sha256, status FROM import_batches ORDER BY id").fetchall()
    finally:
        con.close()


def age(folder: Path, seconds: float) -> None:
    """Make every entry of folder look untouched for seconds."""
    when = time.time() - seconds
    for path in folder.iterdir():
        os.utime(path, (when, when))


@pytest.mark.parametrize("point", ["staged", "after-delete", "before-commit"])
def test_import_killed_before_commit_keeps_nothing(tmp_path: Path, point: str) -> None:
    db, temp = tmp_path / "store" / "gov.duckdb", tmp_path / "tmp"
    temp.mkdir()
    archive = db.parent / "archive"
    first, second = write(tmp_path, "first.csv", GOOD), write(tmp_path, "second.csv", OTHER)
    assert cli(db, first, temp).returncode == 0
    killed = cli(db, second, temp, crash=point)
    assert killed.returncode == -9, killed.stdout + killed.stderr
    assert batches(db) == [(sha(first), "active")]
    # What a killed process could not clean: killed while staging, its temp folder; killed while writing, its
    # copy of the file (pending, never under the archived name).
    left = listing(archive) - {f"{sha(first)}.csv"}
    if point == "staged":
        assert left == set()
        assert len(listing(temp)) == 1 and next(iter(listing(temp))).startswith("govdash-import-")
        age(temp, 3600)
    else:
        assert len(left) == 1 and next(iter(left)).startswith(f"{sha(second)}.csv.pending-")
        assert listing(temp) == set()
    # The next import removes both, then imports the same file and keeps its bytes once.
    assert cli(db, second, temp).returncode == 0
    assert batches(db) == [(sha(first), "active"), (sha(second), "active")]
    assert listing(archive) == {f"{sha(first)}.csv", f"{sha(second)}.csv"}
    assert (archive / f"{sha(second)}.csv").read_bytes() == second.read_bytes()
    assert listing(temp) == set()


def test_import_killed_just_after_commit_keeps_its_archive(tmp_path: Path) -> None:
    db, temp = tmp_path / "store" / "gov.duckdb", tmp_path / "tmp"
    temp.mkdir()
    archive = db.parent / "archive"
    first, second = write(tmp_path, "first.csv", GOOD), write(tmp_path, "second.csv", OTHER)
    killed = cli(db, first, temp, crash="after-commit")
    assert killed.returncode == -9, killed.stdout + killed.stderr
    assert batches(db) == [(sha(first), "active")]  # committed
    assert [p.startswith(f"{sha(first)}.csv.pending-") for p in listing(archive)] == [True]
    assert cli(db, second, temp).returncode == 0
    assert listing(archive) == {f"{sha(first)}.csv", f"{sha(second)}.csv"}
    assert (archive / f"{sha(first)}.csv").read_bytes() == first.read_bytes()


def test_a_live_import_temp_folder_is_left_alone(tmp_path: Path, temp: Path, con, db_path: Path) -> None:
    """Folders of a running process (this one) or recently touched ones are never removed by another import."""
    mine = temp / f"govdash-import-{os.getpid()}-x"
    recent = temp / "govdash-import-999999999-y"  # no such process, but touched just now
    mine.mkdir()
    recent.mkdir()
    age(temp, 0)
    mine_old = time.time() - 3600
    os.utime(mine, (mine_old, mine_old))
    assert load(con, write(tmp_path, "good.csv", GOOD), db_path).committed
    assert listing(temp) == {mine.name, recent.name}
