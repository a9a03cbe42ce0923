"""Small helpers the tests share: importing a file and reading a table back."""
from __future__ import annotations

from pathlib import Path

from metrics.importer import ImportOptions, ImportResult, import_file


def load(con, path: Path, store: Path | None = None, *, table: str | None = None,
         options: ImportOptions | None = None, strict: bool = False, **kwargs) -> ImportResult:
    """Import the file at path into the store behind con (its bytes, as the import page passes them)."""
    opts = options or ImportOptions()
    if table:
        opts.table = table
    opts.strict = opts.strict or strict
    return import_file(con, path.read_bytes(), path.name, opts, store_path=store, **kwargs)


def rows(con, sql: str, params: list | None = None) -> list[tuple]:
    """All rows of a query."""
    return con.execute(sql, params or []).fetchall()


def mapping(**columns: str) -> ImportOptions:
    """Options mapping source headers to canonical columns (for headers that are identifiers)."""
    return ImportOptions(columns=dict(columns))
