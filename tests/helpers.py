"""Small helpers the tests share: importing a file and reading a table back."""
from __future__ import annotations

from pathlib import Path

from metrics.ingest import ImportResult, import_bytes
from metrics.mapping import Mapping


def load(con, path: Path, store: Path | None = None, **kwargs) -> ImportResult:
    """Import the file at path into the store behind con."""
    return import_bytes(con, path.read_bytes(), path.name, store_path=store, **kwargs)


def rows(con, sql: str, params: list | None = None) -> list[tuple]:
    """All rows of a query."""
    return con.execute(sql, params or []).fetchall()


def mapping(**columns: str) -> Mapping:
    """A Mapping from keyword pairs source=canonical (for headers that are identifiers)."""
    return Mapping(columns=dict(columns))
