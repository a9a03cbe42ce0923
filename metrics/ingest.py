"""Import one export into the store: detect, map, validate, normalise, upsert; and undo.

An import is one DuckDB transaction: it commits whole or changes nothing.
"""
from __future__ import annotations

import hashlib
import json
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import duckdb

from . import normalise as nz
from .errors import ImportFailure, UsageError
from .mapping import Mapping, resolve_mapping
from .reader import RawExport, read_export
from .schema import SQL_TYPES, TABLES, Table
from .store import archive_dir, history_table

REJECT_SAMPLE = 20
ROW_COLUMN = "(整行 whole row)"
MSG_EXTRA_FIELDS = "字段数多于表头 (more fields than header)"


@dataclass
class ImportResult:
    """What one import did, for the CLI summary and the import page."""

    file_name: str
    table: str
    encoding: str
    file_format: str
    header_line: int
    mapping: dict[str, str]
    headers: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_duplicate: int = 0
    rows_unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    rejects: list[tuple[int, str, str | None, str]] = field(default_factory=list)
    batch_id: int | None = None
    committed: bool = False
    skipped_as_batch: int | None = None
    message: str = ""


def sha256_hex(data: bytes) -> str:
    """Hex sha256 of the file's bytes."""
    return hashlib.sha256(data).hexdigest()


def import_bytes(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str, *,
                 table: str | None = None, mapping: Mapping | None = None, strict: bool = False,
                 dry_run: bool = False, store_path: Path | None = None, reject_sample: int = REJECT_SAMPLE,
                 progress: Callable[[float, str], None] | None = None) -> ImportResult:
    """Import one export's bytes; raise ImportFailure when the file cannot be imported at all.

    progress, when given, is called with (fraction done, stage name) as the import advances.
    """
    mapping = mapping or Mapping()
    step = progress or (lambda fraction, stage: None)
    step(0.05, "read")
    if table is not None and table not in TABLES:
        raise UsageError(f"未知的表 {table}", f"unknown table {table}; one of {', '.join(TABLES)}")
    raw = read_export(con, data, file_name, mapping.known_headers(table))
    tbl, colmap = resolve_mapping(raw.headers, table or mapping.table, mapping, file_name)
    result = ImportResult(file_name, tbl.name, raw.encoding, raw.file_format, raw.header_line,
                          {raw.headers[i]: c for c, i in colmap.items()}, list(raw.headers))
    step(0.3, "mapped")
    sha = sha256_hex(data)
    mapping_json = json.dumps({"columns": result.mapping, "values": mapping.values}, ensure_ascii=False,
                              sort_keys=True)
    previous = con.execute(
        "SELECT max(id) FROM import_batches WHERE sha256 = ? AND table_name = ? AND mapping = ? "
        "AND status = 'active'", [sha, tbl.name, mapping_json]).fetchall()[0][0]
    if previous is not None and not dry_run:
        result.skipped_as_batch = previous
        result.message = f"该文件已导入（批次 {previous}），未做任何更改 (already imported as batch {previous}; nothing changed)"
        return result
    nz.install_macros(con)
    nz.load_vocabulary(con, nz.default_vocabulary(tbl.status_vocab, mapping.values))
    _stage(con, tbl, colmap, raw)
    step(0.6, "validated")
    _summarise_staging(con, tbl, colmap, raw, result, reject_sample)
    step(0.75, "checked")
    if strict and result.rows_rejected:
        result.message = (f"严格模式：{result.rows_rejected} 行不合格，未导入任何数据 "
                          f"(strict mode: {result.rows_rejected} bad rows, nothing imported)")
        return result
    if not dry_run and store_path is not None:
        _archive(data, sha, file_name, store_path)
    con.execute("BEGIN TRANSACTION")
    try:
        # A dry run is rolled back; it takes no number from the sequence, so batch ids stay gapless.
        batch_id = 0 if dry_run else con.execute("SELECT nextval('batch_seq')").fetchall()[0][0]
        _upsert(con, tbl, batch_id, result)
        _record_batch(con, batch_id, sha, mapping_json, result)
        _crash_point("before-commit")
        if dry_run:
            con.execute("ROLLBACK")
        else:
            con.execute("COMMIT")
            result.batch_id = batch_id
            result.committed = True
    except BaseException:
        con.execute("ROLLBACK")
        raise
    step(1.0, "done")
    return result


def _crash_point(name: str) -> None:
    """Kill this process at a named point when GOVDASH_CRASH_AT asks (used to prove atomicity)."""
    if os.environ.get("GOVDASH_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)


def _archive(data: bytes, sha: str, file_name: str, store_path: Path) -> None:
    """Keep the original bytes by sha256 beside the store so any batch can be re-run."""
    folder = archive_dir(store_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / (sha + Path(file_name).suffix.lower())
    if not target.exists():
        tmp = target.with_suffix(target.suffix + ".part")
        tmp.write_bytes(data)
        tmp.replace(target)


def _stage(con: duckdb.DuckDBPyConnection, tbl: Table, colmap: dict[str, int], raw: RawExport) -> None:
    """Build temp table staged: one row per data record with values, errors and flags.

    Three layers (clean text, parsed values, checks) so each macro runs once per cell.
    """
    n = len(raw.headers)
    cleaned = ", ".join(f"gd_clean(c{i}) AS k{i}" for i in range(n))
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged_clean AS SELECT line, extra_fields, {cleaned} "
                "FROM raw_rows")
    first_cell = f"coalesce({', '.join(f'k{i}' for i in range(n))})"
    con.execute(f"DELETE FROM staged_clean WHERE {first_cell} IS NULL OR lower(replace({first_cell}, ' ', '')) "
                "IN ('合计', '总计', '小计', 'total', 'grandtotal')")
    parsed = ["r.line", "r.extra_fields"]
    joins = []
    for col in tbl.columns:
        if col.name not in colmap:
            continue
        cell = f"r.k{colmap[col.name]}"
        parsed.append(f"{cell} AS t_{col.name}")
        if col.kind in ("timestamp", "date"):
            parsed.append(f"gd_ts({cell}) AS x_{col.name}")
        elif col.kind in ("int", "number"):
            parsed.append(f"gd_num({cell}) AS x_{col.name}")
        elif col.kind in ("status", "rating"):
            joins.append(f"LEFT JOIN gd_vocab voc_{col.name} ON voc_{col.name}.col = '{col.name}' "
                         f"AND voc_{col.name}.src = lower({cell})")
            parsed.append(f"voc_{col.name}.src AS s_{col.name}, voc_{col.name}.dst AS x_{col.name}")
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged_parsed AS SELECT {', '.join(parsed)} "
                f"FROM staged_clean r {' '.join(joins)}")
    selects = ["line", "extra_fields"]
    for col in tbl.columns:
        if col.name in colmap:
            selects += [f"t_{col.name}", f"{nz.value_expr(col)} AS {col.name}",
                        f"{nz.error_expr(col)} AS e_{col.name}", f"{nz.placeholder_expr(col)} AS p_{col.name}"]
        else:
            missing = f"'{nz.MSG_MISSING}'" if col.required else "NULL"
            selects += [f"NULL::VARCHAR AS t_{col.name}", f"NULL::{SQL_TYPES[col.kind]} AS {col.name}",
                        f"{missing}::VARCHAR AS e_{col.name}", f"FALSE AS p_{col.name}"]
    errors = " OR ".join(f"e_{c.name} IS NOT NULL" for c in tbl.columns)
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS SELECT *, extra_fields OR {errors} AS bad FROM "
                f"(SELECT {', '.join(selects)} FROM staged_parsed) ORDER BY line")
    con.execute("DROP TABLE staged_clean; DROP TABLE staged_parsed")


def _summarise_staging(con: duckdb.DuckDBPyConnection, tbl: Table, colmap: dict[str, int],
                       raw: RawExport, result: ImportResult, reject_sample: int) -> None:
    """Fill counts, warnings and rejects from the staged table, and build staged_good."""
    header_of = {c: raw.headers[i] for c, i in colmap.items()}
    parts = [f"SELECT line, '{ROW_COLUMN}' AS column_name, NULL AS value, '{MSG_EXTRA_FIELDS}' AS reason "
             "FROM staged WHERE extra_fields"]
    params: list[object] = []
    for col in tbl.columns:
        parts.append(f"SELECT line, ? AS column_name, t_{col.name} AS value, e_{col.name} AS reason "
                     f"FROM staged WHERE e_{col.name} IS NOT NULL")
        params.append(header_of.get(col.name, f"{col.zh} ({col.name})"))
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged_rejects AS {' UNION ALL '.join(parts)} "
                "ORDER BY line, column_name", params)
    counts = con.execute(
        "SELECT (SELECT count(*) FROM raw_rows), (SELECT count(*) FROM staged), "
        "(SELECT count(*) FROM staged WHERE bad)").fetchall()[0]
    ignored = counts[0] - counts[1]
    result.rows_read, result.rows_rejected = counts[1], counts[2]
    if ignored:
        result.warnings.append(f"忽略 {ignored} 个空行或合计行 (ignored {ignored} empty or total rows)")
    result.rejects = [tuple(r) for r in con.execute(
        "SELECT line, column_name, value, reason FROM staged_rejects LIMIT ?", [reject_sample]).fetchall()]
    for col in tbl.columns:
        if col.kind in ("timestamp", "date") and col.name in colmap:
            n = con.execute(f"SELECT count(*) FROM staged WHERE NOT bad AND p_{col.name}").fetchall()[0][0]
            if n:
                result.warnings.append(f"{header_of[col.name]}: {n} 个占位日期（如 1900-01-01）已置空 "
                                       f"({n} placeholder dates emptied)")
    unmapped = [h for i, h in enumerate(raw.headers) if i not in colmap.values()]
    if unmapped:
        shown = ", ".join(unmapped[:12]) + (" …" if len(unmapped) > 12 else "")
        result.warnings.append(f"未使用的列 (unused columns): {shown}")
    _build_good(con, tbl, colmap)
    dup, flagged = con.execute(
        "SELECT (SELECT count(*) FROM staged WHERE NOT bad) - (SELECT count(*) FROM staged_good), "
        "(SELECT count(*) FROM staged_good WHERE quality_flag IS NOT NULL)").fetchall()[0]
    result.rows_duplicate = dup
    if flagged:
        result.warnings.extend(_flag_warnings(con))


QUALITY_FLAGS = {
    "cases": [("close_before_report", "closed_at < reported_at",
               "办结时间早于上报时间 (closed before reported)"),
              ("closed_without_time", "status = 'closed' AND closed_at IS NULL",
               "状态为办结但无办结时间 (closed with no close time)")],
    "wishes": [("fulfil_before_submit", "fulfilled_at < submitted_at",
                "实现时间早于提交时间 (fulfilled before submitted)"),
               ("claim_before_submit", "claimed_at < submitted_at",
                "认领时间早于提交时间 (claimed before submitted)")],
    "tasks": [("end_before_start", "period_end < period_start",
               "结束日期早于开始日期 (period ends before it starts)")],
}


def _flag_warnings(con: duckdb.DuckDBPyConnection) -> list[str]:
    """One warning per data-quality flag present in staged_good."""
    rows = con.execute("SELECT quality_flag, count(*), min(source_line) FROM staged_good "
                       "WHERE quality_flag IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall()
    labels = {flag: msg for flags in QUALITY_FLAGS.values() for flag, _, msg in flags}
    return [f"数据质量 (data quality): {n} 行{labels.get(flag, flag)}，已导入并标记，首见第 {line} 行 "
            f"(loaded and flagged; first at line {line})" for flag, n, line in rows]


def _derived_status(tbl: Table, colmap: dict[str, int]) -> str:
    """Status expression: the mapped word, else inferred from the times the row has."""
    if tbl.name == "cases":
        inferred = "CASE WHEN closed_at IS NOT NULL THEN 'closed' ELSE 'open' END"
    elif tbl.name == "wishes":
        inferred = ("CASE WHEN fulfilled_at IS NOT NULL THEN 'fulfilled' "
                    "WHEN claimed_at IS NOT NULL THEN 'claimed' ELSE 'open' END")
    else:
        return "status"
    return f"coalesce(status, {inferred})" if "status" in colmap else inferred


def _build_good(con: duckdb.DuckDBPyConnection, tbl: Table, colmap: dict[str, int]) -> None:
    """staged_good: valid rows with keys and flags, the last row winning for each key."""
    values = []
    for col in tbl.columns:
        expr = _derived_status(tbl, colmap) if col.name == "status" else col.name
        values.append(f"{expr} AS {col.name}")
    flags = QUALITY_FLAGS.get(tbl.name, [])
    flag_expr = ("CASE " + " ".join(f"WHEN {cond} THEN '{flag}'" for flag, cond, _ in flags) + " END"
                 if flags else "NULL")
    content = ", ".join(f"coalesce(CAST({c.name} AS VARCHAR), '\u2205')" for c in tbl.columns)
    if tbl.name == "communities":
        key = "concat_ws('|', coalesce(district, ''), coalesce(street, ''), community)"
    else:
        key = f"coalesce({tbl.key}, 'h:' || md5(concat_ws(chr(31), {content})))"
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE staged_good AS
        WITH v AS (SELECT line, {', '.join(values)} FROM staged WHERE NOT bad)
        SELECT {', '.join(c.name for c in tbl.columns)},
               {key} AS row_key, md5(concat_ws(chr(31), {content})) AS row_hash,
               NULL::BIGINT AS batch_id, line AS source_line, {flag_expr} AS quality_flag
        FROM v
        QUALIFY row_number() OVER (PARTITION BY {key} ORDER BY line DESC) = 1
        ORDER BY line
        """
    )


def _upsert(con: duckdb.DuckDBPyConnection, tbl: Table, batch_id: int, result: ImportResult) -> None:
    """Write staged_good into the table, keeping replaced rows in history for undo."""
    hist = history_table(tbl.name)
    names = [c.name for c in tbl.columns] + ["row_key", "row_hash", "batch_id", "source_line", "quality_flag"]
    cols = ", ".join(names)
    values = ", ".join("?" if n == "batch_id" else n for n in names)
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE staged_changed AS
            SELECT s.* FROM staged_good s LEFT JOIN {tbl.name} t USING (row_key)
            WHERE t.row_key IS NULL OR t.row_hash <> s.row_hash""")
    total, changed = con.execute(
        "SELECT (SELECT count(*) FROM staged_good), (SELECT count(*) FROM staged_changed)").fetchall()[0]
    result.rows_unchanged = total - changed
    result.rows_loaded = changed
    con.execute(f"INSERT INTO {hist} SELECT t.*, ? FROM {tbl.name} t "
                f"WHERE t.row_key IN (SELECT row_key FROM staged_changed)", [batch_id])
    con.execute(f"DELETE FROM {tbl.name} WHERE row_key IN (SELECT row_key FROM staged_changed)")
    _crash_point("after-delete")
    con.execute(f"INSERT INTO {tbl.name} ({cols}) SELECT {values} "
                f"FROM staged_changed ORDER BY source_line", [batch_id])
    con.execute("INSERT INTO import_rejects SELECT ?, line, column_name, value, reason FROM staged_rejects",
                [batch_id])


def _record_batch(con: duckdb.DuckDBPyConnection, batch_id: int, sha: str, mapping_json: str,
                  r: ImportResult) -> None:
    """Insert the import_batches row for this import."""
    con.execute(
        "INSERT INTO import_batches VALUES (?, now()::TIMESTAMP, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "'active', NULL)",
        [batch_id, r.file_name, sha, r.table, r.file_format, r.encoding, r.header_line, r.rows_read,
         r.rows_loaded, r.rows_rejected, r.rows_duplicate, r.rows_unchanged,
         json.dumps(r.warnings, ensure_ascii=False), mapping_json])


def undo_batch(con: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, int]:
    """Remove what a batch added and restore what it replaced; return removed/restored counts."""
    rows = con.execute("SELECT table_name, status FROM import_batches WHERE id = ?", [batch_id]).fetchall()
    if not rows:
        raise UsageError(f"批次 {batch_id} 不存在", f"no batch {batch_id}")
    table, status = rows[0]
    if status != "active":
        raise UsageError(f"批次 {batch_id} 已撤销", f"batch {batch_id} was already undone")
    hist = history_table(table)
    con.execute("BEGIN TRANSACTION")
    try:
        removed = con.execute(f"SELECT count(*) FROM {table} WHERE batch_id = ?", [batch_id]).fetchall()[0][0]
        con.execute(f"DELETE FROM {table} WHERE batch_id = ?", [batch_id])
        # This batch's rows that a later batch replaced are gone with this batch.
        con.execute(f"DELETE FROM {hist} WHERE batch_id = ?", [batch_id])
        # Rows this batch replaced come back, unless a later batch now holds their key:
        # then they become what that later batch replaced.
        con.execute(f"UPDATE {hist} SET replaced_by = t.batch_id FROM {table} t "
                    f"WHERE {hist}.replaced_by = ? AND {hist}.row_key = t.row_key", [batch_id])
        restored = con.execute(f"SELECT count(*) FROM {hist} WHERE replaced_by = ?", [batch_id]).fetchall()[0][0]
        con.execute(f"INSERT INTO {table} SELECT * EXCLUDE (replaced_by) FROM {hist} WHERE replaced_by = ?",
                    [batch_id])
        con.execute(f"DELETE FROM {hist} WHERE replaced_by = ?", [batch_id])
        con.execute("UPDATE import_batches SET status = 'undone', undone_at = now()::TIMESTAMP WHERE id = ?",
                    [batch_id])
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return {"removed": removed, "restored": restored}
