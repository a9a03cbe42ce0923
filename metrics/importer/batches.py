"""Import batches: writing staged rows into a table as one batch, undoing a batch, and the import history.

Rows are keyed (the table's id, else a hash of the content); the last row per key in a file wins. A later
batch replaces rows with the same key; the replaced versions go to `<table>__replaced` so that undo can put
them back exactly, even when the undone batch is not the newest.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from .. import summary
from ..errors import UsageError
from ..schema import TABLES, Table
from ..store import BOOKKEEPING, archive_dir, history_table

BATCH_COLUMNS = ("id", "imported_at", "file_name", "table_name", "encoding", "rows_read", "rows_loaded",
                 "rows_rejected", "rows_duplicate", "rows_unchanged", "status")
REJECT_COLUMNS = ("line", "column_name", "value", "reason")

if TYPE_CHECKING:
    from ..access import Access
    import pandas as pd


def crash_point(name: str) -> None:
    """Kill this process at a named point when GOVDASH_CRASH_AT asks (used to prove atomicity)."""
    if os.environ.get("GOVDASH_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


PENDING = ".pending-"


def archive(con: duckdb.DuckDBPyConnection, source: bytes | Path, sha: str, file_name: str,
            store_path: Path) -> Path | None:
    """Write the original bytes beside the store, before the commit, as `<sha256>.<ext>.pending-<pid>`; return
    that path (None when the archive already holds these bytes). Only a committed batch keeps them: keep()
    after COMMIT renames the copy to `<sha256>.<ext>`, discard() removes it when the import does not commit.
    Copies left by an import whose process died are removed here (or kept, when their batch committed)."""
    folder = archive_dir(store_path)
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(con, folder)
    # The extension in letters and digits only, so no file name can look like a pending copy.
    target = folder / (sha + "".join(ch for ch in Path(file_name).suffix.lower()[:10] if ch.isalnum() or ch == "."))
    if target.exists():
        return None
    pending = target.with_name(f"{target.name}{PENDING}{os.getpid()}")
    try:
        if isinstance(source, Path):
            shutil.copyfile(source, pending)  # the kernel copies (sendfile), not Python
        else:
            pending.write_bytes(source)
    except BaseException:
        discard(pending)
        raise
    return pending


def keep(pending: Path | None) -> None:
    """After COMMIT: the pending copy becomes the batch's archived file."""
    if pending is not None:
        pending.replace(pending.with_name(pending.name.rpartition(PENDING)[0]))


def discard(pending: Path | None) -> None:
    """The import did not commit: remove its pending copy."""
    if pending is not None:
        pending.unlink(missing_ok=True)


def _sweep(con: duckdb.DuckDBPyConnection, folder: Path) -> None:
    """Pending copies of processes that no longer run: kept when this store committed their bytes (the
    process died between COMMIT and keep()), else removed."""
    for path in folder.glob(f"*{PENDING}*"):
        name, _, pid = path.name.rpartition(PENDING)
        if not pid.isdigit() or alive(int(pid)):
            continue
        committed = con.execute("SELECT count(*) FROM import_batches WHERE sha256 = ?",
                                [name.split(".")[0]]).fetchall()[0][0]
        if committed:
            path.replace(path.with_name(name))
        else:
            path.unlink(missing_ok=True)


def alive(pid: int) -> bool:
    """True when a process with this id runs (ours included)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # e.g. another user's process
    return True


def _columns(table: Table) -> list[str]:
    """Canonical and bookkeeping column names of a table, in table order."""
    return [c.name for c in table.columns] + [n for n, _ in BOOKKEEPING]


def row_key(table: Table, alias: str) -> str:
    """SQL of a stored row's key: its row_key, else its id (rows keyed by their id store no second copy;
    stores written before that hold the id in row_key too, which reads the same)."""
    return f"{alias}.row_key" if table.key_sql else f"coalesce({alias}.row_key, {alias}.{table.key})"


def _stored_key(table: Table) -> str:
    """SQL of the row_key to store for a staged row (alias s): none when its id is its key."""
    return "s.row_key" if table.key_sql else f"CASE WHEN s.{table.key} IS NULL THEN s.row_key END"


def build_good(con: duckdb.DuckDBPyConnection, table: Table) -> int:
    """staged_good: valid rows, the last row of the file winning for each key; return how many.

    When every key is unique (the usual case) it is a view of staged, which saves copying every row.
    """
    names = ", ".join(c.name for c in table.columns)
    select = f"SELECT {names}, row_key, NULL::BIGINT AS batch_id, line AS source_line, quality_flag FROM staged"
    good, keys = con.execute("SELECT count(*), count(DISTINCT row_key) FROM staged WHERE NOT bad").fetchall()[0]
    for kind in ("VIEW", "TABLE"):  # the previous import may have left either
        try:
            con.execute(f"DROP {kind} IF EXISTS staged_good")
        except duckdb.CatalogException:
            pass
    if good == keys:
        con.execute(f"CREATE TEMP VIEW staged_good AS {select} WHERE NOT bad")
        return good
    con.execute(f"CREATE TEMP TABLE staged_good AS {select} WHERE NOT bad "
                "QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY line DESC) = 1")
    return keys


def flag_counts(con: duckdb.DuckDBPyConnection, table: Table) -> list[str]:
    """One warning per data-quality flag present in staged_good."""
    rows = con.execute("SELECT quality_flag, count(*), min(source_line) FROM staged_good "
                       "WHERE quality_flag IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall()
    labels = {f.flag: (f.zh, f.en) for f in table.quality_flags}
    return [f"数据质量 (data quality): {n} 行{labels.get(flag, (flag, flag))[0]}，已导入并标记，首见第 {line} 行 "
            f"({labels.get(flag, (flag, flag))[1]}: loaded and flagged; first at line {line})"
            for flag, n, line in rows]


def upsert(con: duckdb.DuckDBPyConnection, table: Table, batch_id: int) -> tuple[int, int]:
    """Write staged_good into the table as batch_id; return (rows added or changed, rows unchanged).

    A row is unchanged when a row with its key holds the same canonical values; it then keeps its batch.
    """
    hist = history_table(table.name)
    names = _columns(table)
    cols = ", ".join(names)
    values = ", ".join("?" if n == "batch_id" else _stored_key(table) if n == "row_key" else f"s.{n}"
                       for n in names)
    existing = con.execute(f"SELECT count(*) FROM {table.name}").fetchall()[0][0]
    if existing == 0:
        total = con.execute("SELECT count(*) FROM staged_good").fetchall()[0][0]
        crash_point("after-delete")
        con.execute(f"INSERT INTO {table.name} ({cols}) SELECT {values} FROM staged_good s", [batch_id])
        return total, 0
    differs = " OR ".join(f"s.{c.name} IS DISTINCT FROM t.{c.name}" for c in table.columns)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged_changed AS
            SELECT s.* FROM staged_good s LEFT JOIN {table.name} t ON {row_key(table, 't')} = s.row_key
            WHERE {row_key(table, 't')} IS NULL OR {differs}""")
    total, changed = con.execute(
        "SELECT (SELECT count(*) FROM staged_good), (SELECT count(*) FROM staged_changed)").fetchall()[0]
    con.execute(f"INSERT INTO {hist} ({cols}, replaced_by) SELECT {', '.join('t.' + n for n in names)}, ? "
                f"FROM {table.name} t WHERE {row_key(table, 't')} IN (SELECT row_key FROM staged_changed)",
                [batch_id])
    con.execute(f"DELETE FROM {table.name} WHERE {row_key(table, table.name)} IN "
                "(SELECT row_key FROM staged_changed)")
    crash_point("after-delete")
    con.execute(f"INSERT INTO {table.name} ({cols}) SELECT {values} FROM staged_changed s", [batch_id])
    return changed, total - changed


def store_rejects(con: duckdb.DuckDBPyConnection, batch_id: int) -> None:
    """Keep the batch's rejected cells for the import history."""
    con.execute("INSERT INTO import_rejects (batch_id, line, column_name, value, reason) "
                "SELECT ?, line, column_name, value, reason FROM staged_rejects", [batch_id])


def record(con: duckdb.DuckDBPyConnection, batch_id: int, sha: str, options_json: str, r) -> None:
    """Insert the import_batches row for this import (r is the ImportResult)."""
    con.execute(
        "INSERT INTO import_batches (id, imported_at, file_name, sha256, table_name, file_format, encoding, "
        "header_line, rows_read, rows_loaded, rows_rejected, rows_duplicate, rows_unchanged, warnings, mapping, "
        "status, undone_at, options, sheet, places) "
        "VALUES (?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', NULL, ?, ?, ?)",
        [batch_id, r.file_name, sha, r.table, r.file_format, r.encoding, r.header_line, r.rows_read,
         r.rows_loaded, r.rows_rejected, r.rows_duplicate, r.rows_unchanged,
         json.dumps(r.warnings, ensure_ascii=False), json.dumps(r.mapping, ensure_ascii=False), options_json,
         r.sheet, json.dumps(r.places, ensure_ascii=False)])


def staged_places(con: duckdb.DuckDBPyConnection) -> list[list]:
    """The distinct (district, street) of the rows about to be loaded."""
    return [list(r) for r in con.execute(
        "SELECT DISTINCT district, street FROM staged_good ORDER BY ALL").fetchall()]


def outside(places: list, access: "Access | None") -> list[str]:
    """The places (as text) that access does not allow; empty when all are allowed."""
    if access is None or access.everything:
        return []
    return sorted({f"{d or '（未填区县）'}{s or ''}" for d, s in places if not access.allows(d, s)})


def batch_places(con: duckdb.DuckDBPyConnection, batch_id: int) -> list | None:
    """The places a batch loaded (None for batches recorded before places were kept)."""
    rows = con.execute("SELECT places FROM import_batches WHERE id = ?", [batch_id]).fetchall()
    return json.loads(rows[0][0]) if rows and rows[0][0] else None


def visible(frame: pd.DataFrame, con: duckdb.DuckDBPyConnection, access: "Access | None") -> pd.DataFrame:
    """The batches of frame whose rows all lie within access (older batches without places: city only)."""
    if access is None or access.everything or frame.empty:
        return frame
    places = dict(con.execute("SELECT id, places FROM import_batches").fetchall())
    keep = [bool(places.get(i)) and not outside(json.loads(places[i]), access) for i in frame["id"]]
    return frame[keep].reset_index(drop=True)


def previous_batch(con: duckdb.DuckDBPyConnection, sha: str, options_json: str) -> tuple[int, str] | None:
    """(id, table) of an active batch that imported these exact bytes with these options, if any."""
    rows = con.execute("SELECT id, table_name FROM import_batches WHERE sha256 = ? AND options = ? "
                       "AND status = 'active' ORDER BY id DESC LIMIT 1", [sha, options_json]).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


def undo(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, int]:
    """Remove what a batch added and restore what it replaced; return removed/restored counts."""
    rows = con.execute("SELECT table_name, status FROM import_batches WHERE id = ?", [batch_id]).fetchall()
    if not rows:
        raise UsageError(f"批次 {batch_id} 不存在", f"no batch {batch_id}")
    name, status = rows[0]
    if status != "active":
        raise UsageError(f"批次 {batch_id} 已撤销", f"batch {batch_id} was already undone")
    table = TABLES[name]
    hist = history_table(name)
    cols = ", ".join(_columns(table))
    con.execute("BEGIN TRANSACTION")
    try:
        removed = con.execute(f"SELECT count(*) FROM {name} WHERE batch_id = ?", [batch_id]).fetchall()[0][0]
        con.execute(f"DELETE FROM {name} WHERE batch_id = ?", [batch_id])
        # This batch's rows that a later batch replaced are gone with this batch.
        con.execute(f"DELETE FROM {hist} WHERE batch_id = ?", [batch_id])
        # Rows this batch replaced come back, unless a later batch now holds their key:
        # then they become what that later batch replaced.
        con.execute(f"UPDATE {hist} SET replaced_by = t.batch_id FROM {name} t "
                    f"WHERE {hist}.replaced_by = ? AND {row_key(table, hist)} = {row_key(table, 't')}", [batch_id])
        restored = con.execute(f"SELECT count(*) FROM {hist} WHERE replaced_by = ?", [batch_id]).fetchall()[0][0]
        con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM {hist} WHERE replaced_by = ?", [batch_id])
        con.execute(f"DELETE FROM {hist} WHERE replaced_by = ?", [batch_id])
        con.execute("UPDATE import_batches SET status = 'undone', undone_at = now()::TIMESTAMP WHERE id = ?",
                    [batch_id])
        summary.refresh(con, name)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {"removed": removed, "restored": restored}


def batches(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every import batch, newest first, with its counts and status (active/undone)."""
    return con.execute(f"SELECT {', '.join(BATCH_COLUMNS)} FROM import_batches ORDER BY id DESC").df()


def active_ids(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Ids of the batches that can still be undone, newest first."""
    return [r[0] for r in con.execute(
        "SELECT id FROM import_batches WHERE status = 'active' ORDER BY id DESC").fetchall()]


def batch_effect(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, object]:
    """What undoing a batch would do: its file and table, rows it would remove and rows it would restore."""
    rows = con.execute("SELECT file_name, table_name, status FROM import_batches WHERE id = ?", [batch_id]).fetchall()
    if not rows:
        raise UsageError(f"批次 {batch_id} 不存在", f"no batch {batch_id}")
    file_name, name, status = rows[0]
    removed = con.execute(f"SELECT count(*) FROM {name} WHERE batch_id = ?", [batch_id]).fetchall()[0][0]
    restored = con.execute(f"SELECT count(*) FROM {history_table(name)} WHERE replaced_by = ?",
                           [batch_id]).fetchall()[0][0]
    return {"file_name": file_name, "table": name, "status": status, "removed": removed, "restored": restored}


def rejects(con: duckdb.DuckDBPyConnection, batch_id: int, limit: int = 1000) -> pd.DataFrame:
    """The rejected cells stored for one batch, in file order (at most limit rows)."""
    return con.execute(f"SELECT {', '.join(REJECT_COLUMNS)} FROM import_rejects WHERE batch_id = ? "
                       "ORDER BY line, column_name LIMIT ?", [batch_id, limit]).df()


def reject_count(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
    """How many rejected cells are stored for one batch."""
    return con.execute("SELECT count(*) FROM import_rejects WHERE batch_id = ?", [batch_id]).fetchall()[0][0]
