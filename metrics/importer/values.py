"""Cell values: cleaning, numbers, status and rating words, and the reasons a cell is rejected.

Everything here is SQL that runs inside DuckDB over the whole file; Python only assembles it. Values never
enter SQL text: vocabularies go into a temp table, and only column names from the schema and constants
defined here are interpolated.
"""
from __future__ import annotations

import duckdb

from ..schema import EMPTY_MARKERS, RATINGS, Column

_FULLWIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0"
_HALFWIDTH = "".join(chr(c) for c in range(0x21, 0x7F)) + "  "
# Numbers beyond this are not counts or hours anyone reports; they are data errors (or 1e30 test values).
MAX_NUMBER = 1e12

MSG_NOT_DATE = "无法识别的日期 (not a date)"
MSG_PLACEHOLDER = "占位日期（如 1900-01-01），视为没有日期 (placeholder date, treated as empty)"
MSG_FUTURE = "日期晚于导入当天，不合理 (implausible future date)"
MSG_FAR = "日期超出合理范围 (implausible date)"
MSG_NOT_NUMBER = "不是数字 (not a number)"
MSG_NOT_FINITE = "数值不合理（无穷、非数或过大）(not a finite number, or too large)"
MSG_NEGATIVE = "不能为负数 (negative value)"
MSG_NOT_WHOLE = "应为整数 (not a whole number)"
MSG_UNKNOWN_STATUS = "未知的状态值 (unknown status word)"
MSG_UNKNOWN_RATING = "未知的评价值 (unknown rating word)"
MSG_MISSING = "缺少必填值 (missing required value)"
MSG_EXTRA_FIELDS = "字段数多于表头 (more fields than header)"
MSG_BAD_BYTES = "含无法解码的字节，文件编码有误 (undecodable bytes)"
ROW_COLUMN = "(整行 whole row)"

# Canonical words each coded column accepts (what --value may map to).
CANONICAL_WORDS = {"status": {"cases": ("open", "closed", "cancelled", "suspended"),
                              "wishes": ("open", "claimed", "fulfilled", "cancelled")},
                   "satisfaction": {"cases": ("satisfied", "basic", "neutral", "dissatisfied")}}


def _sql_str(text: str) -> str:
    """A SQL string literal for a constant defined in this package."""
    return "'" + text.replace("'", "''") + "'"


def _marker_variants() -> list[str]:
    """Empty markers in the letter cases exports use (compared without lower(), which costs per cell)."""
    out = set()
    for m in EMPTY_MARKERS:
        out |= {m, m.upper(), m.lower(), m.title(), m.capitalize()}
    return sorted(out)


# No empty marker is longer than this in UTF-8 bytes: longer cells are never looked up.
_MARKER_BYTES = max(len(m.encode()) for m in _marker_variants())
_FW_CLASS = "'[\\x{FF01}-\\x{FF5E}\\x{3000}\\x{00A0}]'"


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create gd_fold(x) (full-width folded), gd_clean(x) (white space trimmed, empty markers as NULL),
    gd_empty(x) and gd_empty_once(x) (an empty marker as NULL)."""
    markers = _markers()
    con.execute(f"CREATE OR REPLACE TEMP MACRO gd_fold(x) AS CASE WHEN regexp_matches(x, {_FW_CLASS}) "
                f"THEN translate(x, {_sql_str(_FULLWIDTH)}, {_sql_str(_HALFWIDTH)}) ELSE x END")
    con.execute(f"CREATE OR REPLACE TEMP MACRO gd_empty(x) AS CASE WHEN x IN ({markers}) THEN NULL ELSE x END")
    # gd_empty names x twice, and DuckDB computes an expression named twice for every row, even inside a CASE
    # branch that few rows take (common subexpressions); gd_empty_once names x once, for such branches.
    con.execute(f"CREATE OR REPLACE TEMP MACRO gd_empty_once(x) AS "
                f"list_filter([x], lambda y: NOT list_contains([{markers}], y))[1]")
    con.execute("CREATE OR REPLACE TEMP MACRO gd_clean(x) AS gd_empty(trim(x, ' ' || chr(9) || chr(10) || chr(13)))")


def _markers() -> str:
    """The empty markers as a SQL list."""
    return ", ".join(_sql_str(m) for m in _marker_variants())


def fold_sql(cell: str, parse: bool) -> str:
    """First step of cleaning a raw cell: full-width characters folded in cells that are parsed (dates,
    numbers, words); ASCII-only cells (strlen = length) skip even the test. translate() is slow."""
    if not parse:
        return cell
    return f"CASE WHEN strlen({cell}) = length({cell}) THEN {cell} ELSE gd_fold({cell}) END"


def clean_sql(cell: str, full: bool) -> str:
    """Second step: empty markers as NULL and surrounding white space trimmed. full trims tabs and line
    breaks too (cells from Excel or Python's csv reader); otherwise only cells that start or end with a
    space are trimmed, which is cheap to test."""
    if full:
        return f"gd_clean({cell})"
    # Only cells as short as a marker are looked up: `IN (markers)` would become a join over every cell.
    return (f"CASE WHEN {cell} LIKE ' %' OR {cell} LIKE '% ' THEN gd_empty_once(trim({cell})) "
            f"WHEN strlen({cell}) > {_MARKER_BYTES} THEN {cell} ELSE gd_empty_once({cell}) END")


def load_vocabulary(con: duckdb.DuckDBPyConnection, vocab: dict[str, dict[str, str | None]]) -> None:
    """Put value maps into temp table gd_vocab(col, src, dst): src lower-cased, dst None = empty."""
    rows = {(col, str(src).strip().lower()): dst for col, mapping in vocab.items() for src, dst in mapping.items()}
    con.execute("CREATE OR REPLACE TEMP TABLE gd_vocab (col VARCHAR, src VARCHAR, dst VARCHAR)")
    if rows:
        con.executemany("INSERT INTO gd_vocab VALUES (?, ?, ?)", [(c, s, d) for (c, s), d in rows.items()])


def vocabulary(status_vocab: dict[str, str | None], overrides: dict[str, dict[str, str]]) -> dict:
    """The status and rating maps for a table, with explicit overrides winning."""
    vocab: dict[str, dict[str, str | None]] = {"status": dict(status_vocab), "satisfaction": dict(RATINGS)}
    for col, mapping in overrides.items():
        base = {k.lower(): v for k, v in vocab.setdefault(col, {}).items()}
        base.update({k.lower(): (v or None) for k, v in mapping.items()})
        vocab[col] = base
    return vocab


def number_sql(cell: str) -> str:
    """The number in a cleaned cell: thousands separators, spaces and a percent sign dropped."""
    return f"TRY_CAST(replace(replace(replace({cell}, ',', ''), '%', ''), ' ', '') AS DOUBLE)"


def number_checks(col: Column, t: str, x: str) -> list[tuple[str, str]]:
    """(condition, reason) pairs for a number cell: text t, parsed x."""
    checks = [(f"{t} IS NOT NULL AND {x} IS NULL", MSG_NOT_NUMBER),
              (f"NOT isfinite({x}) OR abs({x}) > {MAX_NUMBER:.0f}", MSG_NOT_FINITE),
              (f"{x} < 0", MSG_NEGATIVE)]
    if col.kind == "int":
        checks.append((f"{x} <> floor({x})", MSG_NOT_WHOLE))
    return checks


def number_value(col: Column, x: str) -> str:
    """The canonical number: finite, not negative, whole for counts; NULL otherwise."""
    ok = f"isfinite({x}) AND {x} >= 0 AND {x} <= {MAX_NUMBER:.0f}"
    if col.kind == "int":
        return f"CAST(CASE WHEN {ok} AND {x} = floor({x}) THEN {x} END AS BIGINT)"
    return f"CASE WHEN {ok} THEN {x} END"


def case_sql(checks: list[tuple[str, str]]) -> str:
    """A CASE giving the first reason whose condition holds, else NULL."""
    if not checks:
        return "NULL::VARCHAR"
    return "CASE " + " ".join(f"WHEN {cond} THEN {_sql_str(msg)}" for cond, msg in checks) + " END"
