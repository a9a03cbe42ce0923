"""Imports while people read: three command-line imports run while sixteen reading sessions query the store
the way the dashboard does (newest snapshot, republished when stale). Readers see the old or the new figures,
never an error and never a half-written store; the final figures are exact."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb

from conftest import ROOT
from metrics import snapshots
from metrics.store import connect

ROWS = 4000  # cases per import file
READERS = 16


def cases_file(path: Path, batch: int) -> Path:
    """ROWS cases of October 2026 with ids of their own."""
    lines = ["事件编号,区县,街道,社区,上报时间,办结时间,办理状态"]
    for i in range(ROWS):
        day = 1 + i % 28
        lines.append(f"b{batch}-{i},荔城区,拱辰街道,拱辰社区,2026-10-{day:02d} 09:00,2026-10-{day:02d} 18:00,已办结")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def store_with_base(tmp_path: Path) -> Path:
    """A store holding one import of ROWS cases, through the command line."""
    store = tmp_path / "gov.duckdb"
    base = cases_file(tmp_path / "base.csv", 0)
    assert subprocess.run([sys.executable, "-m", "metrics", "import", "--db", str(store), str(base)], cwd=ROOT,
                          capture_output=True, timeout=300).returncode == 0
    return store


def read_like_the_dashboard(store: Path, seen: list, errors: list, stop: threading.Event) -> None:
    """One session: newest snapshot (refreshed when stale, never waiting), one read-only connection per
    snapshot, the total number of cases, again and again."""
    connections: dict[str, duckdb.DuckDBPyConnection] = {}
    while not stop.is_set():
        try:
            snapshots.refresh(store)
            current = str(snapshots.current(store))
            if current not in connections:
                connections[current] = connect(Path(current), read_only=True)
            cur = connections[current].cursor()
            try:
                seen.append(cur.execute("SELECT count(*) FROM cases").fetchall()[0][0])
            finally:
                cur.close()
        except Exception as exc:  # every failure counts
            errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.005)
    for con in connections.values():
        con.close()


def test_imports_while_sixteen_sessions_read(tmp_path):
    store = store_with_base(tmp_path)
    files = [cases_file(tmp_path / f"batch{b}.csv", b) for b in (1, 2, 3)]
    seen: list[int] = []
    errors: list[str] = []
    stop = threading.Event()
    readers = [threading.Thread(target=read_like_the_dashboard, args=(store, seen, errors, stop))
               for _ in range(READERS)]
    for r in readers:
        r.start()
    imports = [subprocess.Popen([sys.executable, "-m", "metrics", "import", "--db", str(store), str(f)], cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f in files]
    outcomes = [(p.wait(timeout=600), p.stdout.read(), p.stderr.read()) for p in imports]
    time.sleep(0.5)
    stop.set()
    for r in readers:
        r.join(timeout=60)
    assert all(code == 0 for code, _, _ in outcomes), outcomes
    assert errors == []
    # Every read saw a whole number of imports: old or new, never in between.
    assert set(seen) <= {ROWS * k for k in (1, 2, 3, 4)}
    assert len(seen) > READERS * 10 and max(seen) == 4 * ROWS
    reader = snapshots.reader(store)
    try:
        assert reader.execute("SELECT count(*), count(DISTINCT case_id) FROM cases").fetchall()[0] == (4 * ROWS,
                                                                                                      4 * ROWS)
        assert reader.execute("SELECT count(*) FROM import_batches WHERE status = 'active'").fetchall()[0][0] == 4
    finally:
        reader.close()


def test_a_reader_never_blocks_a_writer(tmp_path):
    """A read-only connection held open on a snapshot does not stop an import (the old way it did)."""
    store = store_with_base(tmp_path)
    held = snapshots.reader(store)
    try:
        more = cases_file(tmp_path / "more.csv", 1)
        out = subprocess.run([sys.executable, "-m", "metrics", "import", "--db", str(store), str(more)], cwd=ROOT,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        assert held.execute("SELECT count(*) FROM cases").fetchall()[0][0] == ROWS  # the old snapshot, whole
    finally:
        held.close()
    fresh = snapshots.reader(store)
    try:
        assert fresh.execute("SELECT count(*) FROM cases").fetchall()[0][0] == 2 * ROWS
    finally:
        fresh.close()
