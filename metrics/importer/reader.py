"""Read a CSV or .xlsx export: find its header, then load the columns that matter into DuckDB.

`open_export` looks at the head of the file (encoding, delimiter, sheet, title rows, one- or two-row headers)
and returns an `Export`. `materialize` then builds the temp table `raw_rows`: one row per data record with
its file line (CSV) or Excel row number, and the cleaned text of only the mapped columns, so width costs
little. DuckDB parses the body in parallel when the file allows it; files with quoted line breaks or broken
quoting are parsed by Python's csv module instead, so every record keeps its true line number.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..errors import Fix, ImportFailure
from . import encoding as enc
from .headers import fold, header_strength

SNIFF_RECORDS = 60
# Cells up to this size are read (Python's csv module stops at 128 KiB by default).
csv.field_size_limit(1 << 28)
MIN_HEADER_CELLS = 2
XLSX_MAGIC = b"PK\x03\x04"
# Cells that look like data rather than a header: numbers, dates, times, percentages, codes like A12 or SJ-0001.
_DATA_LIKE = re.compile(r"^[\s\d.,:/\-+%年月日时分秒TZ]+$|^(?:true|false)$|^[A-Za-z]{0,4}[-_]?\d+$", re.IGNORECASE)
_QUOTED_NEWLINE = "quoted new lines"


@dataclass
class Export:
    """An export read far enough to know its shape, and how to read its body."""

    name: str
    file_format: str                    # csv | xlsx
    encoding: str                       # label for people
    headers: list[str]
    header_line: int                    # line (CSV) or row (xlsx) of the last header row
    sheet: str | None = None
    sheets: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # CSV: the source, its encoding, delimiter and how many records precede the body.
    source: bytes | Path | None = None
    encoding_info: enc.Encoding | None = None
    delimiter: str = ","
    skip_records: int = 0
    # xlsx: the rows below the header, as (row number, cell texts).
    rows: list[tuple[int, list[str | None]]] | None = None
    bad_bytes: int = 0
    facts: enc.Facts | None = None
    transcode: bool = False             # decode in Python even if the head looked like clean UTF-8


# ---------------------------------------------------------------- header rows

def _value_like(cell: str) -> bool:
    """True for a cell that reads as a value: a number, date, code, or a status or rating word."""
    from ..schema import CASE_STATUS, RATINGS, WISH_STATUS
    text = cell.strip()
    return bool(_DATA_LIKE.match(text)) or text.lower() in CASE_STATUS or text in RATINGS or text in WISH_STATUS


def looks_like_data(cells: list[str]) -> bool:
    """True when at least half the filled cells read as values: a data row, not a header."""
    filled = [c for c in cells if c and c.strip()]
    if not filled:
        return False
    return sum(1 for c in filled if _value_like(c)) * 2 >= len(filled)


def _recognised(cells: list[str]) -> int:
    """How many cells of a row name a known column."""
    return sum(1 for c in cells if c and header_strength(c) >= 0.6)


def pick_header(records: list[list[str]], where: str) -> tuple[int, int]:
    """(first, last) index of the header rows among records: one row, or two when a header spans two rows.

    The header is the row naming most known columns (at least two); failing that, the first row at least
    nearly as wide as the widest, unless it looks like data: a sheet without a header is never read from
    its second row.
    """
    best, best_score = -1, 0
    for i, rec in enumerate(records):
        score = _recognised(rec)
        if score > best_score:
            best, best_score = i, score
    if best_score < MIN_HEADER_CELLS:
        widths = [sum(1 for c in rec if c and c.strip()) for rec in records]
        widest = max(widths, default=0)
        best = next((i for i, w in enumerate(widths) if w >= 2 and w >= 0.6 * widest), -1)
        if best < 0:
            raise ImportFailure("找不到表头行（至少两列有列名的一行）", "no header row found", where)
        if looks_like_data(records[best]):
            shown = "，".join(c for c in records[best] if c)[:60]
            raise ImportFailure(f"找不到表头行：第一行看起来是数据（{shown}），请在文件第一行加上列名",
                                "no header row found: the first row looks like data; add a header row", where)
    first = last = best
    below = records[best + 1] if best + 1 < len(records) else None
    above = records[best - 1] if best > 0 else None
    if below is not None and _continues_header(records[best], below):
        last = best + 1
    elif above is not None and _parent_header(above, records[best]):
        first = best - 1
    return first, last


def _filled(cells: list[str]) -> list[int]:
    """Positions of the non-blank cells."""
    return [i for i, c in enumerate(cells) if c and c.strip()]


def _continues_header(top: list[str], below: list[str]) -> bool:
    """True when the row below the header is a second header row: sub-headers under merged group cells.

    Such a row holds no data-like cell, names known columns in at least half its cells, and has a cell
    under a blank of the top row (the top's group cell spreads over it).
    """
    cells = _filled(below)
    if not cells or any(_value_like(below[i]) for i in cells):
        return False
    if not any(i >= len(top) or not (top[i] or "").strip() for i in cells):
        return False
    if _recognised(below) * 2 >= len(cells):
        return True
    # Generic sub-headers (时间, 人员) name a column only together with their group (上报 + 时间).
    strength = lambda row: sum(header_strength(c) for c in row if c)  # noqa: E731
    return strength(merge_header_rows([top, below])) > strength(top)


def _parent_header(above: list[str], header: list[str]) -> bool:
    """True when the row above the header is a group row: fewer cells than the header, none data-like,
    at least one over a blank of the header (a header cell merged downwards)."""
    cells = _filled(above)
    if len(cells) < 2 or len(cells) >= len(_filled(header)):
        return False
    if any(_value_like(above[i]) for i in cells):
        return False
    return any(i >= len(header) or not (header[i] or "").strip() for i in cells)


def merge_header_rows(rows: list[list[str]]) -> list[str]:
    """One header from one or two rows: a group cell spreads right over its blank neighbours; a blank
    sub-header takes its group's name; repeated sub-headers are told apart by their group (上报+时间)."""
    if len(rows) == 1:
        return [c or "" for c in rows[0]]
    top, bottom = rows
    width = max(len(top), len(bottom))
    top = [(top[i] if i < len(top) else None) or "" for i in range(width)]
    bottom = [(bottom[i] if i < len(bottom) else None) or "" for i in range(width)]
    spread, current = [], ""
    for i in range(width):
        if top[i].strip():
            current = top[i].strip()
        spread.append(current if bottom[i].strip() else top[i].strip())
    counts: dict[str, int] = {}
    for b in bottom:
        if b.strip():
            counts[b.strip()] = counts.get(b.strip(), 0) + 1
    out = []
    for group, sub in zip(spread, bottom):
        sub = sub.strip()
        if not sub:
            out.append(group)
        elif counts[sub] > 1 and group:
            out.append(group + sub)
        else:
            out.append(sub)
    return out


def dedupe_headers(cells: list[str], blank_name) -> list[str]:
    """Header names made unique and non-empty: blanks get a positional name, repeats a suffix."""
    seen: dict[str, int] = {}
    out = []
    for i, cell in enumerate(cells):
        name = (cell or "").strip().replace("\n", " ").replace("\r", " ") or blank_name(i)
        count = seen.get(name, 0)
        seen[name] = count + 1
        out.append(name if count == 0 else f"{name}.{count + 1}")
    return out


def _trim_width(headers: list[str], rows: list[list[str | None]]) -> int:
    """Width without trailing columns that have neither a header nor a value in the sample."""
    width = len(headers)
    while width > 0 and not (headers[width - 1] or "").strip() and not any(
            len(r) >= width and r[width - 1] not in (None, "") for r in rows):
        width -= 1
    return width


# ---------------------------------------------------------------- CSV

def _sniff_delimiter(lines: list[str]) -> str:
    """The delimiter among comma, tab, semicolon and bar that splits the lines most consistently."""
    best, best_score = ",", 0
    for delim in (",", "\t", ";", "|"):
        counts = [ln.count(delim) for ln in lines if ln.strip()]
        counts = [c for c in counts if c]
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        score = mode * counts.count(mode)
        if score > best_score:
            best, best_score = delim, score
    return best


def _head_text(head: bytes, encoding: enc.Encoding) -> str:
    """The head decoded (bad bytes replaced; a character cut at the end dropped), CR line ends as LF."""
    text = codecs.getincrementaldecoder(encoding.codec)("replace").decode(head[encoding.bom:], final=False)
    text = text.replace("\x00", "")
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def _open_csv(source: bytes | Path, name: str, head: bytes) -> Export:
    """Header and shape of a CSV export from its first megabyte."""
    encoding = enc.detect(head, name)
    text = _head_text(head, encoding)
    delim = _sniff_delimiter(text.splitlines()[:SNIFF_RECORDS])
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    records: list[tuple[list[str], int, int]] = []  # (cells, record count so far, last physical line)
    count = 0
    try:
        for rec in reader:
            count += 1
            if any(c.strip() for c in rec):
                records.append((rec, count, reader.line_num))
            if len(records) >= SNIFF_RECORDS:
                break
    except csv.Error as exc:
        raise ImportFailure(f"无法解析 CSV（第 {reader.line_num} 行）", f"cannot parse CSV at line {reader.line_num}: "
                            f"{exc}", name) from exc
    if not records:
        raise ImportFailure("文件为空", "the file is empty", name)
    first, last = pick_header([r for r, _, _ in records], name)
    headers = merge_header_rows([records[i][0] for i in range(first, last + 1)])
    headers = dedupe_headers(headers, lambda i: f"第{i + 1}列")
    _, skip, header_end = records[last]
    return Export(name, "csv", encoding.label, headers, header_end, source=source, encoding_info=encoding,
                  delimiter=delim, skip_records=skip)


# ---------------------------------------------------------------- xlsx

def _cell_text(value: object) -> str | None:
    """An xlsx cell as text the normaliser understands (dates ISO, whole floats without .0)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _sheet_rows(ws, limit: int | None = None):
    """(row number, cell texts) of a read-only worksheet, counted as Excel counts rows; empty rows skipped."""
    ws.reset_dimensions()  # ignore a declared range (A1:XFD1048576) far larger than the data
    for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [_cell_text(v) for v in row]
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if cells:
            yield number, cells
            if limit is not None:
                limit -= 1
                if limit <= 0:
                    return


def _choose_sheet(wb, wanted: str | None, name: str):
    """The worksheet to read: the one asked for, else the first whose head holds a recognisable header."""
    sheets = wb.worksheets
    if wanted:
        if wanted.isdigit() and 1 <= int(wanted) <= len(sheets):
            return sheets[int(wanted) - 1]
        for ws in sheets:
            if ws.title == wanted or fold(ws.title) == fold(wanted):
                return ws
        raise ImportFailure(f"工作簿中没有工作表“{wanted}”；有：{'、'.join(wb.sheetnames)}",
                            f"no sheet {wanted!r}; sheets: {', '.join(wb.sheetnames)}", name,
                            Fix("sheet", choices=tuple(wb.sheetnames), cli=f"--sheet {wb.sheetnames[0]}"))
    first_filled = None
    for ws in sheets:
        head = [cells for _, cells in _sheet_rows(ws, SNIFF_RECORDS)]
        if head and first_filled is None:
            first_filled = ws
        if any(_recognised(r) >= MIN_HEADER_CELLS for r in head):
            return ws
    if first_filled is None:
        raise ImportFailure("工作簿是空的", "the workbook is empty", name)
    return first_filled


def _open_xlsx(source: bytes | Path, name: str, sheet: str | None) -> Export:
    """Header and rows of the chosen worksheet."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source,
                                    read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged or foreign zip
        raise ImportFailure("不是有效的 xlsx 文件", f"not a valid xlsx file: {type(exc).__name__}", name) from exc
    try:
        ws = _choose_sheet(wb, sheet, name)
        rows = list(_sheet_rows(ws))
        sheets = list(wb.sheetnames)
    except ImportFailure:
        raise
    except Exception as exc:  # a damaged sheet inside a valid zip
        raise ImportFailure("xlsx 文件已损坏，无法读取", f"damaged xlsx: {type(exc).__name__}", name) from exc
    finally:
        wb.close()
    if not rows:
        raise ImportFailure(f"工作表“{ws.title}”是空的", f"sheet {ws.title!r} is empty", name)
    sniff = rows[:SNIFF_RECORDS]
    first, last = pick_header([[c or "" for c in cells] for _, cells in sniff], name)
    header_rows = [[c or "" for c in sniff[i][1]] for i in range(first, last + 1)]
    merged = merge_header_rows(header_rows)
    body = rows[last + 1:]
    width = max([len(merged)] + [len(cells) for _, cells in body[:SNIFF_RECORDS]])
    merged += [""] * (width - len(merged))
    width = _trim_width(merged, [cells for _, cells in body[:SNIFF_RECORDS]])
    from openpyxl.utils import get_column_letter
    headers = dedupe_headers(merged[:width], lambda i: f"{get_column_letter(i + 1)}列")
    export = Export(name, "xlsx", "xlsx", headers, sniff[last][0], sheet=ws.title, sheets=sheets, rows=body)
    if len(sheets) > 1:
        export.warnings.append(f"读取工作表“{ws.title}”（共 {len(sheets)} 个：{'、'.join(sheets)}）"
                               f"(read sheet {ws.title!r} of {len(sheets)})")
    return export


def open_export(source: bytes | Path, name: str, sheet: str | None = None) -> Export:
    """Look at an export and find its header; ImportFailure when it is not a readable table."""
    head = enc.head_of(source)
    if head.startswith(XLSX_MAGIC):
        return _open_xlsx(source, name, sheet)
    enc.sniff_binary(head, name)
    return _open_csv(source, name, head)


# ---------------------------------------------------------------- raw_rows

@dataclass(frozen=True)
class Cell:
    """One header index to load, and whether its values are parsed (dates, numbers, words) or kept as text."""

    index: int
    parse: bool


@dataclass
class Body:
    """Where staging reads the records from.

    For a CSV that DuckDB can read itself, `sql` is a query over its parallel CSV reader (with named
    parameters) and each record's line is worked out after staging from its position (`lines_from_rowid`);
    otherwise `sql` reads the temp table raw_rows, which has a `line` column.
    """

    sql: str
    params: dict[str, object]
    lines_from_rowid: bool
    has_first: bool
    path: Path | None = None
    facts: enc.Facts | None = None


class NeedsPythonReader(Exception):
    """DuckDB's reader cannot give records with their true lines here (quoted line breaks, broken quoting)."""


def body(con: duckdb.DuckDBPyConnection, ex: Export, cells: list[Cell], tmp: Path, python: bool = False) -> Body:
    """The records of the export for the cells given; k<j> holds cells[j], cleaned.

    python=True forces Python's csv module (after DuckDB's reader refused the file).
    """
    if ex.file_format == "xlsx":
        _materialize_rows(con, ex, cells)
        return Body("SELECT * FROM raw_rows", {}, False, True)
    path, facts = _body_file(ex, tmp)
    if python or facts.quotes % 2:
        _python_csv(con, ex, path, cells, tmp)
        return Body("SELECT * FROM raw_rows", {}, False, True, path, facts)
    width = len(ex.headers)
    source = ("read_csv($gd_path, header=false, skip=$gd_skip, auto_detect=false, delim=$gd_delim, quote='\"', "
              "escape='\"', strict_mode=false, null_padding=true, parallel=true, columns=$gd_columns)")
    query = _cleaned(cells, False, source, {"extra": f"c{width} IS NOT NULL", "row_error": "NULL::VARCHAR"})
    params = {"gd_path": str(path), "gd_skip": ex.skip_records, "gd_delim": ex.delimiter,
              # one spare column catches extra fields
              "gd_columns": {f"c{i}": "VARCHAR" for i in range(width + 1)}}
    return Body(query, params, True, all(c.index != 0 for c in cells), path, facts)


def retranscode(ex: Export) -> bool:
    """After DuckDB found invalid UTF-8 further down a file that began as UTF-8: decode it in Python instead.
    Return False when that was done already (or the file was not read as UTF-8)."""
    if ex.transcode or not (ex.encoding_info and ex.encoding_info.utf8):
        return False
    ex.transcode = True
    return True


def line_numbers(con: duckdb.DuckDBPyConnection, ex: Export, b: Body, records: int) -> str:
    """SQL of each staged record's file line from its position s.rowid, with the join it needs
    ('expression|join'); NeedsPythonReader when records and lines cannot be matched up."""
    assert b.facts is not None and b.path is not None
    body_lines = b.facts.lines - ex.header_line
    if records == body_lines:
        return f"({ex.header_line} + 1 + s.rowid)|"
    # Record k (0-based, = rowid) sits on line header_line + 1 + k + (blank lines before it): DuckDB skips
    # blank lines. From the blank lines we know from which record on each further offset applies.
    blanks = [n for n in enc.blank_lines(b.path) if n > ex.header_line]
    if records + len(blanks) != body_lines:
        raise NeedsPythonReader
    shifts: dict[int, int] = {}
    for i, n in enumerate(blanks):
        shifts[n - ex.header_line - 1 - i] = i + 1
    con.execute("CREATE OR REPLACE TEMP TABLE gd_shift (rec BIGINT, shift BIGINT)")
    con.executemany("INSERT INTO gd_shift VALUES (?, ?)", sorted(shifts.items()))
    return (f"({ex.header_line} + 1 + s.rowid + coalesce(gd_s.shift, 0))|"
            "ASOF LEFT JOIN gd_shift gd_s ON s.rowid >= gd_s.rec")


def _cleaned(cells: list[Cell], full: bool, source: str, keep: dict[str, str], prefix: str = "c",
             first: int = 0, offset: int = 0, with_first: bool | None = None) -> str:
    """A query over source giving the keep columns, `first` and k0..kN, each cell cleaned (and folded when it
    is parsed). One flat projection over the reader: DuckDB then works on the reader's own vectors, which a
    nested projection would copy first. keep maps names to SQL."""
    from .values import clean_sql, fold_sql
    # The first column is kept for spotting total rows (合计), unless it is loaded anyway.
    if with_first is None:
        with_first = all(c.index != 0 for c in cells)
    items = [f"{sql} AS {name}" for name, sql in keep.items()]
    items += [f"{clean_sql(f'{prefix}{first}', full)} AS first"] if with_first else []
    items += [f"{clean_sql(fold_sql(f'{prefix}{c.index + offset}', c.parse), full)} AS k{j}"
              for j, c in enumerate(cells)]
    return f"SELECT {', '.join(items)} FROM {source}"


def _body_file(ex: Export, tmp: Path) -> tuple[Path, enc.Facts]:
    """A UTF-8 file DuckDB can read, and its counts: the export itself when possible, else a clean copy."""
    encoding = ex.encoding_info
    assert encoding is not None and ex.source is not None
    facts = ex.facts or enc.inspect(ex.source)
    if encoding.utf8 and not ex.transcode and not facts.nuls and not facts.lone_crs:
        if isinstance(ex.source, Path):
            return ex.source, facts
        path = tmp / "body.csv"
        path.write_bytes(ex.source)
        return path, facts
    return _transcoded(ex, tmp)


def _transcoded(ex: Export, tmp: Path) -> tuple[Path, enc.Facts]:
    """A repaired UTF-8 copy of the export (other encodings, NUL bytes, CR line ends, bad UTF-8)."""
    path = tmp / "utf8.csv"
    result = enc.transcode(ex.source, ex.encoding_info, path, ex.name, ex.facts)
    ex.encoding = result.encoding.label
    ex.bad_bytes = result.bad_bytes
    if result.nuls_removed:
        ex.warnings.append(f"删除了 {result.nuls_removed} 个 NUL 空字节 (removed {result.nuls_removed} NUL bytes)")
    if result.bad_bytes:
        ex.warnings.append(f"{result.bad_bytes} 处字节无法按 {ex.encoding} 解码，含这些字节的行不导入 "
                           f"({result.bad_bytes} undecodable bytes; their rows are rejected)")
    return path, result.facts


def _python_csv(con: duckdb.DuckDBPyConnection, ex: Export, path: Path, cells: list[Cell], tmp: Path) -> None:
    """raw_rows via Python's csv module: exact record lines, broken quoting reported per row."""
    width = len(ex.headers)
    out = tmp / "records.csv"
    indexes = [c.index for c in cells]
    with open(path, encoding="utf-8", newline="") as src, open(out, "w", encoding="utf-8", newline="") as dst:
        reader = csv.reader(src, delimiter=ex.delimiter, strict=True)
        writer = csv.writer(dst)
        records = previous_end = 0
        while True:
            try:
                rec = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                start, previous_end = previous_end + 1, reader.line_num
                if "unexpected end of data" in str(exc) or "EOF" in str(exc):
                    raise ImportFailure(
                        f"第 {start} 行的引号没有闭合：从这一行到文件末尾（第 {reader.line_num} 行）都会被读成一个"
                        "单元格；请检查该行的双引号",
                        f"unterminated quote at line {start}: everything to the end of the file (line "
                        f"{reader.line_num}) would become one cell", ex.name) from exc
                if reader.line_num > start:
                    raise _open_quote(ex.name, start, reader.line_num) from exc
                records += 1
                if records > ex.skip_records:
                    writer.writerow([start, "f", "引号用法不规范（如 \"拱辰\"社区），无法确定该行的各列 "
                                                 "(malformed quoting: text after a closing quote)"])
                continue
            start, previous_end = previous_end + 1, reader.line_num
            records += 1
            if records <= ex.skip_records or not rec:
                continue
            if reader.line_num > start and _swallowed_rows(rec, ex.delimiter, width):
                raise _open_quote(ex.name, start, reader.line_num)
            row = [rec[0]] + [rec[i] if i < len(rec) else "" for i in indexes]
            writer.writerow([start, "t" if len(rec) > width else "f", ""] + row)
    columns = {f"c{i}": "VARCHAR" for i in range(len(indexes) + 4)}
    shifted = [Cell(j, c.parse) for j, c in enumerate(cells)]
    source = ("read_csv(?, header=false, auto_detect=false, delim=',', quote='\"', escape='\"', "
              "strict_mode=false, null_padding=true, parallel=false, columns=?)")
    query = _cleaned(shifted, True, source,
                     {"line": "CAST(c0 AS BIGINT)", "extra": "c1 = 't'", "row_error": "nullif(c2, '')"},
                     first=3, offset=4, with_first=True)
    con.execute(f"CREATE OR REPLACE TEMP TABLE raw_rows AS {query}", [str(out), columns])


def _open_quote(name: str, start: int, end: int) -> ImportFailure:
    """The failure for a quote opened on one line and closed many lines later, across whole rows."""
    return ImportFailure(
        f"第 {start} 行的引号没有正确闭合：第 {start}–{end} 行会被读成一个单元格，其中有完整的数据行；请检查第 {start} 行的双引号",
        f"a quote opened at line {start} is not closed where it should be: lines {start}-{end} would become one "
        "cell that holds whole rows", name)


def _swallowed_rows(record: list[str], delimiter: str, width: int) -> bool:
    """True when a cell spanning several lines holds a line that looks like a whole row of the file."""
    least = max(2, width - 2)
    return any(line.count(delimiter) >= least for cell in record if "\n" in cell or "\r" in cell
               for line in cell.splitlines())


def _materialize_rows(con: duckdb.DuckDBPyConnection, ex: Export, cells: list[Cell]) -> None:
    """raw_rows from xlsx rows held in Python."""
    import pandas as pd

    rows = ex.rows or []
    data = {"line": [n for n, _ in rows], "c0": [r[0] if r else None for _, r in rows]}
    for j, c in enumerate(cells):
        data[f"c{j + 1}"] = [r[c.index] if c.index < len(r) else None for _, r in rows]
    frame = pd.DataFrame(data, dtype="object")
    frame["line"] = frame["line"].astype("int64")
    con.register("gd_xlsx_frame", frame)
    try:
        shifted = [Cell(j, c.parse) for j, c in enumerate(cells)]
        casts = ", ".join(["CAST(c0 AS VARCHAR) AS c0"] + [f"CAST(c{j + 1} AS VARCHAR) AS c{j + 1}"
                                                           for j in range(len(cells))])
        source = f"(SELECT line, {casts} FROM gd_xlsx_frame)"
        query = _cleaned(shifted, True, source, {"line": "line", "extra": "FALSE", "row_error": "NULL::VARCHAR"},
                         offset=1, with_first=True)
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw_rows AS {query} ORDER BY line")
    finally:
        con.unregister("gd_xlsx_frame")


def file_source(path: str | Path) -> Path:
    """A path checked to be a readable file, with a clear failure otherwise."""
    path = Path(path)
    if not path.exists():
        raise ImportFailure("文件不存在", "file not found", str(path))
    if path.is_dir():
        raise ImportFailure("这是一个目录，不是文件", "is a directory", str(path))
    if not os.access(path, os.R_OK):
        raise ImportFailure("没有读取该文件的权限", "permission denied", str(path))
    return path
