"""The DuckDB store: where it lives, how to open it, and its tables."""
from __future__ import annotations

import os
from pathlib import Path

import duckdb

from .errors import GovdashError
from .schema import SQL_TYPES, TABLES, Table

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = PROJECT_ROOT / "data" / "governance.duckdb"
# DuckDB must never try the network: no extension is installed or loaded behind our back.
CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}

# Columns every canonical table carries besides its own.
BOOKKEEPING = (
    # The key where the id does not give it: the table's key rule, or a hash of the content for rows without
    # an id. NULL when the id is the key (stores written before hold the id here too; both read the same).
    ("row_key", "VARCHAR"),
    ("batch_id", "BIGINT"),      # the import batch that wrote this version of the row
    ("source_line", "BIGINT"),   # line (CSV) or row (xlsx) in that batch's file
    ("quality_flag", "VARCHAR"),  # data-quality warning, e.g. close_before_report
)
BATCH_TABLE = (
    ("id", "BIGINT PRIMARY KEY"), ("imported_at", "TIMESTAMP"), ("file_name", "VARCHAR"), ("sha256", "VARCHAR"),
    ("table_name", "VARCHAR"), ("file_format", "VARCHAR"), ("encoding", "VARCHAR"), ("header_line", "BIGINT"),
    ("rows_read", "BIGINT"), ("rows_loaded", "BIGINT"), ("rows_rejected", "BIGINT"), ("rows_duplicate", "BIGINT"),
    ("rows_unchanged", "BIGINT"), ("warnings", "VARCHAR"), ("mapping", "VARCHAR"), ("status", "VARCHAR"),
    ("undone_at", "TIMESTAMP"), ("options", "VARCHAR"), ("sheet", "VARCHAR"),
    ("places", "VARCHAR"),  # JSON [[district, street], …] of the rows the batch loaded: who may see or undo it
)


class StoreBusy(GovdashError):
    """Another process is writing the store (DuckDB allows one writer at a time)."""


def db_path(cli_value: str | None = None) -> Path:
    """The store's path: --db, else $GOVDASH_DB, else data/governance.duckdb."""
    return Path(cli_value or os.environ.get("GOVDASH_DB") or DEFAULT_DB)


def archive_dir(path: Path) -> Path:
    """Folder beside the store that keeps every imported file's bytes, named by sha256."""
    return Path(path).parent / "archive"


def _open(path: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """duckdb.connect with offline settings, turning every failure into one clear GovdashError."""
    where = str(path)
    if path.is_dir():
        raise GovdashError("数据库路径是一个目录，不是数据库文件", "the store path is a directory, not a DuckDB file",
                           where)
    if read_only and not path.exists():
        raise GovdashError("数据库不存在，请先导入数据（python -m metrics init）",
                           "the store does not exist; create it first (python -m metrics init)", where)
    if path.exists():
        try:
            with open(path, "rb") as fh:
                magic = fh.read(16)
        except OSError as exc:
            raise GovdashError("无法读取数据库文件", f"cannot read the store: {exc.strerror}", where) from exc
        if magic.startswith(b"SQLite format 3"):
            raise GovdashError("这是 SQLite 文件，不是 DuckDB 数据库", "an SQLite file, not a DuckDB store", where)
    try:
        return duckdb.connect(where, read_only=read_only, config=CONFIG)
    except duckdb.IOException as exc:
        text = str(exc)
        if "lock" in text.lower() or "in use" in text.lower():
            raise StoreBusy("数据库正被另一个程序写入，请稍后再试", "the store is in use by another program; "
                               "try again shortly", where) from exc
        if "read-only" in text.lower() or "permission" in text.lower():
            raise GovdashError("没有写入数据库的权限（文件或目录只读）", "no permission to write the store "
                               "(read-only file or folder)", where) from exc
        raise GovdashError("无法打开数据库", f"cannot open the store: {text.splitlines()[0][:200]}", where) from exc
    except (duckdb.Error, RuntimeError) as exc:
        raise GovdashError("这不是有效的 DuckDB 数据库文件", f"not a valid DuckDB store: "
                           f"{str(exc).splitlines()[0][:200]}", where) from exc


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store, creating its folder and tables when writing."""
    path = Path(path)
    if read_only:
        return _open(path, True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise GovdashError("无法创建数据库目录", f"cannot create the store's folder: {exc.strerror}",
                           str(path.parent)) from exc
    con = _open(path, False)
    try:
        ensure_schema(con)
    except duckdb.Error as exc:
        con.close()
        raise GovdashError("无法写入数据库（只读或已损坏）", f"cannot write the store: {str(exc).splitlines()[0][:200]}",
                           str(path)) from exc
    return con


def table_ddl(table: Table, name: str | None = None, extra: str = "") -> str:
    """CREATE TABLE statement for a canonical table (or its replaced-rows history)."""
    cols = [f"{c.name} {SQL_TYPES[c.kind]}" for c in table.columns]
    cols += [f"{n} {t}" for n, t in BOOKKEEPING]
    if extra:
        cols.append(extra)
    return f"CREATE TABLE IF NOT EXISTS {name or table.name} ({', '.join(cols)})"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create every table the store needs and add columns newer versions define; existing data stays."""
    con.execute("CREATE SEQUENCE IF NOT EXISTS batch_seq START 1")
    wanted: list[tuple[str, str, str]] = []
    for table in TABLES.values():
        con.execute(table_ddl(table))
        con.execute(table_ddl(table, history_table(table.name), "replaced_by BIGINT"))
        for name in (table.name, history_table(table.name)):
            wanted += [(name, c.name, SQL_TYPES[c.kind]) for c in table.columns]
    con.execute(f"CREATE TABLE IF NOT EXISTS import_batches ({', '.join(f'{n} {t}' for n, t in BATCH_TABLE)})")
    wanted += [("import_batches", n, t) for n, t in BATCH_TABLE[1:]]
    # A store made by an older version may lack columns added since.
    have = {(t, c) for t, c in con.execute(
        "SELECT table_name, column_name FROM duckdb_columns() WHERE schema_name = 'main'").fetchall()}
    for name, column, sql_type in wanted:
        if (name, column) not in have:
            con.execute(f"ALTER TABLE {name} ADD COLUMN {column} {sql_type}")
    for table in TABLES.values():
        for name in (table.name, history_table(table.name)):
            if (name, "row_hash") in have:  # unchanged rows are now found by comparing their values
                con.execute(f"ALTER TABLE {name} DROP COLUMN row_hash")
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS import_rejects (
            batch_id BIGINT, line BIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR
        )
        """
    )
    from . import summary  # the summary reads the registry, which the store does not otherwise need
    from .assessment import versions
    summary.ensure(con)
    versions.ensure(con)


def history_table(name: str) -> str:
    """Name of the table that keeps rows a later import replaced, for undo."""
    return f"{name}__replaced"
