"""Small helpers the tests share: importing a file and reading a table back."""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
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


APP = str(Path(__file__).resolve().parent.parent / "dashboard.py")


def open_page(page: str, **params: str):
    """The dashboard run by AppTest with these query parameters, switched to page (a path like pages/x.py)."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    return at


@contextmanager
def store_for_app(path: Path) -> Iterator[Path]:
    """GOVDASH_DB set to path while the block runs (the store AppTest pages open), restored after."""
    old = os.environ.get("GOVDASH_DB")
    os.environ["GOVDASH_DB"] = str(path)
    try:
        yield path
    finally:
        if old is None:
            os.environ.pop("GOVDASH_DB", None)
        else:
            os.environ["GOVDASH_DB"] = old
