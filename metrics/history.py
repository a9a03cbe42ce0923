"""Import history for the import page: batches and their stored rejects."""
from __future__ import annotations

import duckdb
import pandas as pd

BATCH_COLUMNS = ("id", "imported_at", "file_name", "table_name", "encoding", "rows_read", "rows_loaded",
                 "rows_rejected", "rows_duplicate", "rows_unchanged", "status")
REJECT_COLUMNS = ("line", "column_name", "value", "reason")


def batches(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every import batch, newest first, with its counts and status (active/undone)."""
    return con.execute(f"SELECT {', '.join(BATCH_COLUMNS)} FROM import_batches ORDER BY id DESC").df()


def active_ids(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Ids of the batches that can still be undone, newest first."""
    return [r[0] for r in con.execute(
        "SELECT id FROM import_batches WHERE status = 'active' ORDER BY id DESC").fetchall()]


def rejects(con: duckdb.DuckDBPyConnection, batch_id: int, limit: int = 1000) -> pd.DataFrame:
    """The rejected cells stored for one batch, in file order (at most limit rows)."""
    return con.execute(f"SELECT {', '.join(REJECT_COLUMNS)} FROM import_rejects WHERE batch_id = ? "
                       "ORDER BY line, column_name LIMIT ?", [batch_id, limit]).df()


def reject_count(con: duckdb.DuckDBPyConnection, batch_id: int) -> int:
    """How many rejected cells are stored for one batch."""
    return con.execute("SELECT count(*) FROM import_rejects WHERE batch_id = ?", [batch_id]).fetchall()[0][0]
