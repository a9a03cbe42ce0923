"""Read a CSV or .xlsx export into a raw DuckDB table of text cells with file line numbers.

The raw table `raw_rows` has columns c0..cN (VARCHAR, one per header cell), an
extra-field marker column and `line`, the line (CSV) or row (xlsx) where each
record starts, so that every reject can say exactly where it came from.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import os
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from .encoding import detect_and_decode
from .errors import ImportFailure

SNIFF_RECORDS = 40
SPARE_FIELDS = 4
TOTAL_WORDS = ("合计", "总计", "小计", "total", "grandtotal")


@dataclass
class RawExport:
    """What the reader found: headers, where they were, and how the file was encoded."""

    headers: list[str]
    header_line: int
    encoding: str
    file_format: str
    rows_in_file: int


def normalise_header(text: str) -> str:
    """Header text folded for matching: NFKC, no spaces or required-markers, lower case."""
    folded = unicodedata.normalize("NFKC", text or "")
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "*").lower()


def read_export(con: duckdb.DuckDBPyConnection, data: bytes, name: str,
                known_headers: set[str]) -> RawExport:
    """Load the export's bytes into the temp table raw_rows and describe it."""
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(con, data, name, known_headers)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFailure("不支持旧版 Excel (.xls) 文件，请另存为 .xlsx 或 CSV",
                            "legacy .xls is not supported; save as .xlsx or CSV", name)
    if not data.strip():
        raise ImportFailure("文件为空", "the file is empty", name)
    text, encoding = detect_and_decode(data, name)
    if "\x00" in text[:65536]:
        raise ImportFailure("不是 CSV 或 xlsx 文件", "not a CSV or xlsx file", name)
    return _read_csv(con, text, encoding, name, known_headers)


def _pick_header(records: list[list[str]], known: set[str]) -> int:
    """Index of the header record: the one naming most known columns, else the first wide row."""
    best, best_score = -1, 0
    for i, rec in enumerate(records):
        score = sum(1 for cell in rec if normalise_header(cell) in known)
        if score > best_score:
            best, best_score = i, score
    if best_score >= 2:
        return best
    widths = [sum(1 for c in rec if c and c.strip()) for rec in records]
    widest = max(widths, default=0)
    for i, width in enumerate(widths):
        if width >= 2 and width >= 0.6 * widest:
            return i
    raise ImportFailure("找不到表头行", "no header row found")


def _dedupe_headers(cells: list[str], blank_name) -> list[str]:
    """Header names made unique and non-empty: blanks get a positional name, repeats a suffix."""
    seen: dict[str, int] = {}
    out = []
    for i, cell in enumerate(cells):
        name = (cell or "").strip() or blank_name(i)
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}.{count + 1}")
    return out


def _sniff_delimiter(sample: str) -> str:
    """The delimiter among comma, tab, semicolon and bar that the sample's lines use most."""
    lines = [ln for ln in sample.splitlines()[:SNIFF_RECORDS] if ln.strip()]
    best, best_count = ",", 0
    for delim in (",", "\t", ";", "|"):
        count = max((ln.count(delim) for ln in lines), default=0)
        if count > best_count:
            best, best_count = delim, count
    return best


def _read_csv(con: duckdb.DuckDBPyConnection, text: str, encoding: str, name: str,
              known: set[str]) -> RawExport:
    """CSV: find the header in Python, let DuckDB parse the body, number lines in SQL."""
    sample = text[:262144]
    delim = _sniff_delimiter(sample)
    reader = csv.reader(io.StringIO(sample), delimiter=delim)
    records: list[list[str]] = []
    record_end_lines: list[int] = []
    try:
        for rec in reader:
            records.append(rec)
            record_end_lines.append(reader.line_num)
            if len(records) >= SNIFF_RECORDS:
                break
    except csv.Error as exc:
        raise ImportFailure("无法解析 CSV", f"cannot parse CSV: {exc}", name) from exc
    nonblank = [(r, e) for r, e in zip(records, record_end_lines) if any(c.strip() for c in r)]
    if not nonblank:
        raise ImportFailure("文件为空", "the file is empty", name)
    try:
        idx = _pick_header([r for r, _ in nonblank], known)
    except ImportFailure as exc:
        raise ImportFailure(exc.zh, exc.en, name) from exc
    header_cells, header_end = nonblank[idx]
    headers = _dedupe_headers(header_cells, lambda i: f"第{i + 1}列")
    width = len(headers) + SPARE_FIELDS
    body = text.split("\n", header_end)[-1] if text.count("\n") >= header_end else ""
    with tempfile.TemporaryDirectory(prefix="govdash-") as tmp:
        path = os.path.join(tmp, "body.csv")
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(body)
        columns = {f"c{i}": "VARCHAR" for i in range(width)}
        con.execute(
            "CREATE OR REPLACE TEMP TABLE raw_body AS SELECT * FROM read_csv(?, header=false, "
            "all_varchar=true, null_padding=true, parallel=false, strict_mode=false, auto_detect=false, "
            "delim=?, quote='\"', escape='\"', columns=?)",
            [path, delim, columns],
        )
        _number_csv_lines(con, path, header_end, width, len(headers))
    rows = con.execute("SELECT count(*) FROM raw_rows").fetchall()[0][0]
    return RawExport(headers, header_end, encoding, "csv", rows)


def _number_csv_lines(con: duckdb.DuckDBPyConnection, path: str, offset: int, width: int,
                      n_headers: int) -> None:
    """Build raw_rows: raw_body plus the file line where each record starts.

    A physical line starts a record when the quotes before it are balanced and it is
    not empty (DuckDB's reader skips empty lines); counting those starts in order
    pairs each parsed record with its line.
    """
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE raw_lines AS
        WITH parts AS (
            SELECT unnest(range(1, len(p) + 1)) AS ln, unnest(p) AS txt
            FROM (SELECT string_split(content, chr(10)) AS p FROM read_text(?))
        ), quoted AS (
            SELECT ln, txt,
                   coalesce(sum(length(txt) - length(replace(txt, '"', ''))) OVER (
                       ORDER BY ln ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS q_before
            FROM parts
        )
        SELECT row_number() OVER (ORDER BY ln) AS rec, ln + ? AS line
        FROM quoted WHERE q_before % 2 = 0 AND txt NOT IN ('', chr(13))
        """,
        [path, offset],
    )
    cells = ", ".join(f"b.c{i}" for i in range(n_headers))
    extra = " OR ".join(f"b.c{i} IS NOT NULL" for i in range(n_headers, width))
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE raw_rows AS
        SELECT {cells}, ({extra}) AS extra_fields, l.line
        FROM (SELECT *, rowid + 1 AS rec FROM raw_body) b
        LEFT JOIN raw_lines l USING (rec)
        ORDER BY b.rec
        """
    )
    con.execute("DROP TABLE raw_body; DROP TABLE raw_lines")


def _cell_text(value: object) -> str | None:
    """An xlsx cell as text the normaliser understands (dates ISO, whole floats without .0)."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(con: duckdb.DuckDBPyConnection, data: bytes, name: str, known: set[str]) -> RawExport:
    """xlsx: the first sheet with data, rows numbered as Excel numbers them."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign zip
        raise ImportFailure("不是有效的 xlsx 文件", f"not a valid xlsx file: {type(exc).__name__}",
                            name) from exc
    try:
        rows = _first_sheet_rows(wb)
    finally:
        wb.close()
    if not rows:
        raise ImportFailure("文件为空", "the file is empty", name)
    sniff = [(i, r) for i, r in enumerate(rows[:SNIFF_RECORDS]) if any(c not in (None, "") for c in r)]
    try:
        pos = _pick_header([[c or "" for c in r] for _, r in sniff], known)
    except ImportFailure as exc:
        raise ImportFailure(exc.zh, exc.en, name) from exc
    header_idx, header_row = sniff[pos]
    headers = _dedupe_headers([c or "" for c in header_row], lambda i: f"{get_column_letter(i + 1)}列")
    width = len(headers)
    body = rows[header_idx + 1:]
    frame = pd.DataFrame(
        {f"c{i}": [r[i] if i < len(r) else None for r in body] for i in range(width)},
        dtype="object",
    )
    frame["extra_fields"] = [any(c not in (None, "") for c in r[width:]) for r in body]
    frame["line"] = range(header_idx + 2, header_idx + 2 + len(body))
    con.register("xlsx_frame", frame)
    cells = ", ".join(f"CAST(c{i} AS VARCHAR) AS c{i}" for i in range(width))
    con.execute(f"CREATE OR REPLACE TEMP TABLE raw_rows AS SELECT {cells}, extra_fields, "
                "CAST(line AS BIGINT) AS line FROM xlsx_frame")
    con.unregister("xlsx_frame")
    return RawExport(headers, header_idx + 1, "xlsx", "xlsx", len(body))


def _first_sheet_rows(wb) -> list[list[str | None]]:
    """Cell texts of the first worksheet that holds any value."""
    for ws in wb.worksheets:
        rows = [[_cell_text(v) for v in row] for row in ws.iter_rows(values_only=True)]
        while rows and not any(c not in (None, "") for c in rows[-1]):
            rows.pop()
        if rows:
            return rows
    return []


def file_bytes(path: str | Path) -> bytes:
    """The bytes of a file, with a clear failure when it cannot be read."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError as exc:
        raise ImportFailure("文件不存在", "file not found", str(path)) from exc
    except IsADirectoryError as exc:
        raise ImportFailure("这是一个目录，不是文件", "is a directory", str(path)) from exc
    except OSError as exc:
        raise ImportFailure("无法读取文件", f"cannot read file: {exc.strerror}", str(path)) from exc
