"""One import, start to end: recognise the file, stage it, and commit it as one transaction (or not at all)."""
from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from .. import summary
from ..access import Access
from ..errors import GovdashError, ImportFailure, UsageError
from ..schema import TABLES
from . import batches
from . import values as vz
from .encoding import inspect
from .headers import ColumnMatch, resolve
from .profiles import ImportOptions
from .reader import Cell, Export, NeedsPythonReader, body, open_export, retranscode
from .staging import DateReport, stage

REJECT_SAMPLE = 20
# Each import stages in a temp folder of its own, named with its process id: `govdash-import-<pid>-…`.
TEMP_PREFIX = "govdash-import-"
STALE_TEMP_S = 600  # a folder this old whose process is gone was left by a killed import
FOLDED = ("timestamp", "date", "int", "number")
Progress = Callable[[float, str], None]


@dataclass
class ImportResult:
    """What one import did (or, in a dry run, would do), for the CLI summary and the import page."""

    file_name: str
    table: str
    encoding: str
    file_format: str
    header_line: int
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    columns: list[ColumnMatch] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    dates: list[DateReport] = field(default_factory=list)
    unknown_words: list[tuple[str, str, int]] = field(default_factory=list)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    rows_unchanged: int = 0
    no_district: int = 0
    warnings: list[str] = field(default_factory=list)
    rejects: list[tuple[int, str, str | None, str]] = field(default_factory=list)
    batch_id: int | None = None
    committed: bool = False
    skipped_as_batch: int | None = None
    message: str = ""
    places: list[list] = field(default_factory=list)  # distinct [district, street] of the rows to load

    @property
    def mapping(self) -> dict[str, str]:
        """Header → canonical column, in header order."""
        return {m.header: m.column for m in sorted(self.columns, key=lambda m: m.index)}


def import_file(con: duckdb.DuckDBPyConnection, source: bytes | Path, file_name: str,
                options: ImportOptions | None = None, *, dry_run: bool = False, store_path: Path | None = None,
                progress: Progress | None = None, today: dt.date | None = None,
                reject_sample: int = REJECT_SAMPLE, access: Access | None = None) -> ImportResult:
    """Import one export (its bytes, or the path of a file); ImportFailure when it cannot be imported at all.

    Nothing is written unless the whole file is staged without a fatal problem; then the rows, the batch
    record and the rejected cells are written in one transaction.
    """
    options = options or ImportOptions()
    options.check()
    step = progress or (lambda fraction, stage: None)
    today = today or dt.date.today()
    step(0.02, "read")
    facts = inspect(source)
    sha = facts.sha256
    signature = options.signature()
    if not dry_run:
        previous = batches.previous_batch(con, sha, signature)
        if previous is not None:
            return _already(file_name, previous)
    ex = open_export(source, file_name, options.sheet)
    ex.facts = facts
    match = resolve(ex.headers, options, file_name)
    _check_constants(match.table.name, options)
    result = ImportResult(file_name, match.table.name, ex.encoding, ex.file_format, ex.header_line, ex.sheet,
                          ex.sheets, list(ex.headers), match.columns, match.unmapped)
    step(0.2, "mapped")
    vz.install_macros(con)
    # Dates and numbers are folded (full-width digits); words keep their characters (they are looked up).
    cells = [Cell(m.index, match.table.column(m.column).kind in FOLDED) for m in match.columns]
    with _work_dir() as tmp:
        staged = _stage(con, ex, match, options, cells, Path(tmp), file_name, today)
        batches.crash_point("staged")
    result.encoding = ex.encoding
    step(0.65, "validated")
    _fill(result, ex, staged, reject_sample, con)
    result.rows_duplicate = result.rows_read - result.rows_rejected - batches.build_good(con, match.table)
    result.places = batches.staged_places(con)
    _within(result.places, access, file_name)
    result.warnings += batches.flag_counts(con, match.table)
    step(0.75, "checked")
    if options.strict and result.rows_rejected:
        result.message = (f"严格模式：{result.rows_rejected} 行不合格，未导入任何数据 "
                          f"(strict mode: {result.rows_rejected} bad rows, nothing imported)")
        return result
    pending = batches.archive(con, source, sha, file_name, store_path) if not dry_run and store_path else None
    try:
        _commit(con, result, sha, signature, dry_run)
    except BaseException:
        batches.discard(pending)  # only committed batches keep their bytes
        raise
    batches.crash_point("after-commit")
    batches.keep(pending)
    step(1.0, "done")
    return result


def _work_dir() -> tempfile.TemporaryDirectory:
    """This import's temp folder (removed when staging ends, also on failure); the folders of killed imports
    (their process gone, untouched for STALE_TEMP_S) are removed first."""
    for path in Path(tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*"):
        pid = path.name[len(TEMP_PREFIX):].split("-", 1)[0]
        try:
            stale = time.time() - path.stat().st_mtime > STALE_TEMP_S
        except OSError:
            continue
        if stale and pid.isdigit() and not batches.alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
    return tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-")


def _stage(con: duckdb.DuckDBPyConnection, ex: Export, match, options: ImportOptions, cells: list[Cell],
           tmp: Path, file_name: str, today: dt.date):
    """Stage the records, read by DuckDB when it can give true lines, else by Python's csv module."""
    python = False
    for _ in range(3):
        b = body(con, ex, cells, tmp, python)
        try:
            return stage(con, match, options, file_name, today, ex, b)
        except NeedsPythonReader:
            python = True
        except duckdb.NotImplementedException:
            python = True  # e.g. a line longer than the parallel reader's buffer
        except duckdb.Error as exc:
            text = str(exc)
            if not b.lines_from_rowid or not ("CSV Error" in text or "Invalid Input Error" in text):
                raise
            if "unicode" not in text.lower() or not retranscode(ex):
                python = True  # quoted line breaks or broken quoting
    raise ImportFailure("无法读取该 CSV 文件", "cannot read this CSV file", file_name)


def _already(file_name: str, previous: tuple[int, str]) -> ImportResult:
    """The result for bytes already imported with the same options: nothing to do."""
    batch, table = previous
    return ImportResult(file_name, table, "", "", 0, skipped_as_batch=batch,
                        message=f"该文件已导入（批次 {batch}），未做任何更改 "
                                f"(already imported as batch {batch}; nothing changed)")


def _within(places: list[list], access: Access | None, file_name: str) -> None:
    """ImportFailure when the file holds rows of places (staged_places) the importing account may not change."""
    bad = batches.outside(places, access)
    if bad:
        shown = "、".join(bad[:5]) + ("等" if len(bad) > 5 else "")
        raise ImportFailure(f"文件含有您范围（{access.label()}）以外的地方：{shown}，未导入任何数据",
                            f"the file holds rows of places outside your scope ({len(bad)}); nothing imported",
                            file_name)


def _check_constants(table: str, options: ImportOptions) -> None:
    """--set may give text columns of the table only."""
    for column in options.set_values:
        col = TABLES[table].column(column) if column in TABLES[table].names else None
        if col is None:
            raise UsageError(f"表 {table} 没有列 {column}", f"table {table} has no column {column}")
        if col.kind != "text":
            raise UsageError(f"--set 只能给文字列赋值，{column} 不是", f"--set gives text columns only; {column} "
                             f"is a {col.kind} column")


def _fill(result: ImportResult, ex: Export, staged, reject_sample: int, con: duckdb.DuckDBPyConnection) -> None:
    """Copy the staging summary into the result."""
    result.rows_read = staged.rows_read
    result.rows_rejected = staged.rows_rejected
    result.dates = staged.dates
    result.unknown_words = staged.unknown_words
    result.no_district = staged.no_district
    result.warnings = ex.warnings + staged.warnings
    result.rejects = [tuple(r) for r in con.execute(
        "SELECT line, column_name, value, reason FROM staged_rejects LIMIT ?", [reject_sample]).fetchall()]


def _commit(con: duckdb.DuckDBPyConnection, result: ImportResult, sha: str, signature: str, dry_run: bool) -> None:
    """Write the batch in one transaction; a dry run rolls back and takes no batch number."""
    table = TABLES[result.table]
    con.execute("BEGIN TRANSACTION")
    try:
        batch_id = 0 if dry_run else con.execute("SELECT nextval('batch_seq')").fetchall()[0][0]
        result.rows_loaded, result.rows_unchanged = batches.upsert(con, table, batch_id)
        batches.store_rejects(con, batch_id)
        batches.record(con, batch_id, sha, signature, result)
        if not dry_run:
            summary.refresh(con, result.table)
        batches.crash_point("before-commit")
        if dry_run:
            con.execute("ROLLBACK")
        else:
            con.execute("COMMIT")
            result.batch_id = batch_id
            result.committed = True
    except BaseException:
        con.execute("ROLLBACK")
        raise


def safe_import(con: duckdb.DuckDBPyConnection, source: bytes | Path, file_name: str,
                options: ImportOptions | None = None, **kwargs) -> ImportResult:
    """import_file, with any unexpected failure turned into one ImportFailure line (never a traceback)."""
    try:
        return import_file(con, source, file_name, options, **kwargs)
    except GovdashError as exc:
        raise exc.located(file_name)
    except (duckdb.Error, OSError, ValueError, MemoryError, RecursionError) as exc:
        _rollback(con)
        raise ImportFailure("导入失败", f"import failed: {type(exc).__name__}: "
                            f"{str(exc).splitlines()[0][:160] if str(exc) else ''}", file_name) from exc


def _rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back a transaction left open by a failure, if any."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass
