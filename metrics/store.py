"""The DuckDB store: where it lives, how to open it, and its tables."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

from .schema import SQL_TYPES, TABLES, Table

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "governance.duckdb"

# Columns every canonical table carries besides its own.
BOOKKEEPING = (
    ("row_key", "VARCHAR"),      # the id, or a hash of the content when the export has no id
    ("row_hash", "VARCHAR"),     # hash of the canonical values, to spot unchanged re-imports
    ("batch_id", "BIGINT"),      # the import batch that wrote this version of the row
    ("source_line", "BIGINT"),   # line (CSV) or row (xlsx) in that batch's file
    ("quality_flag", "VARCHAR"),  # data-quality warning, e.g. close_before_report
)


def db_path(cli_value: str | None = None) -> Path:
    """The store's path: --db, else $GOVDASH_DB, else data/governance.duckdb."""
    return Path(cli_value or os.environ.get("GOVDASH_DB") or DEFAULT_DB)


def archive_dir(path: Path) -> Path:
    """Folder beside the store that keeps every imported file's bytes, named by sha256."""
    return path.parent / "archive"


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store, creating its folder and tables when writing."""
    path = Path(path)
    if read_only:
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    ensure_schema(con)
    return con


def table_ddl(table: Table, name: str | None = None, extra: str = "") -> str:
    """CREATE TABLE statement for a canonical table (or its replaced-rows history)."""
    cols = [f"{c.name} {SQL_TYPES[c.kind]}" for c in table.columns]
    cols += [f"{n} {t}" for n, t in BOOKKEEPING]
    if extra:
        cols.append(extra)
    return f"CREATE TABLE IF NOT EXISTS {name or table.name} ({', '.join(cols)})"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table the store needs, leaving existing data alone."""
    con.execute("CREATE SEQUENCE IF NOT EXISTS batch_seq START 1")
    for table in TABLES.values():
        con.execute(table_ddl(table))
        con.execute(table_ddl(table, history_table(table.name), "replaced_by BIGINT"))
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS import_batches (
            id BIGINT PRIMARY KEY, imported_at TIMESTAMP, file_name VARCHAR, sha256 VARCHAR,
            table_name VARCHAR, file_format VARCHAR, encoding VARCHAR, header_line BIGINT,
            rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, rows_duplicate BIGINT,
            rows_unchanged BIGINT, warnings VARCHAR, mapping VARCHAR, status VARCHAR,
            undone_at TIMESTAMP
        )
        """
    )
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS import_rejects (
            batch_id BIGINT, line BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR
        )
        """
    )


def history_table(name: str) -> str:
    """Name of the table that keeps rows a later import replaced, for undo."""
    return f"{name}__replaced"

