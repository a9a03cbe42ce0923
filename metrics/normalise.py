"""SQL that turns raw text cells into canonical values, and says why a cell is bad.

Everything here runs inside DuckDB over the whole file at once; Python only
assembles the expressions. Values never enter SQL text: vocabularies are loaded
into a temp table, and only column names from the schema are interpolated.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from .schema import EMPTY_MARKERS, RATINGS, Column

_FULLWIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "\u3000\u00a0"
_HALFWIDTH = "".join(chr(c) for c in range(0x21, 0x7F)) + "  "

DATE_FORMATS = [
    "%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S.%f", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
    "%Y.%m.%d %H:%M:%S", "%Y.%m.%d",
    "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y",
    "%B %d %Y", "%b %d %Y", "%B %d, %Y", "%b %d, %Y", "%d-%b-%Y", "%Y%m%d",
]

# Dates before this are placeholders (1900-01-01, Excel's day 0), not real events.
PLACEHOLDER_BEFORE = "1901-01-01"

MSG_NOT_DATE = "无法识别的日期 (not a date)"
MSG_NOT_NUMBER = "不是数字 (not a number)"
MSG_NEGATIVE = "不能为负数 (negative value)"
MSG_NOT_WHOLE = "应为整数 (not a whole number)"
MSG_UNKNOWN_STATUS = "未知的状态值 (unknown status word)"
MSG_UNKNOWN_RATING = "未知的评价值 (unknown rating word)"
MSG_MISSING = "缺少必填值 (missing required value)"


def _sql_str(text: str) -> str:
    """A SQL string literal for a constant defined in this module."""
    return "'" + text.replace("'", "''") + "'"


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temp macros the import SELECT uses."""
    markers = ", ".join(_sql_str(m) for m in EMPTY_MARKERS)
    formats = ", ".join(_sql_str(f) for f in DATE_FORMATS)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP MACRO gd_fold(x) AS
            trim(CASE WHEN regexp_matches(x, '[\uFF01-\uFF5E\u3000\u00A0]')
                      THEN translate(x, {_sql_str(_FULLWIDTH)}, {_sql_str(_HALFWIDTH)}) ELSE x END,
                 ' ' || chr(9) || chr(13) || chr(10));
        CREATE OR REPLACE TEMP MACRO gd_clean(x) AS
            CASE WHEN lower(gd_fold(x)) IN ({markers}) THEN NULL ELSE gd_fold(x) END;
        CREATE OR REPLACE TEMP MACRO gd_num(x) AS
            try_cast(regexp_replace(x, '[,，%\\s]', '', 'g') AS DOUBLE);
        CREATE OR REPLACE TEMP MACRO gd_ts_text(x) AS
            regexp_replace(trim(replace(replace(replace(replace(x, '年', '-'), '月', '-'), '日', ' '), 'T', ' ')),
                           '\\s+', ' ', 'g');
        CREATE OR REPLACE TEMP MACRO gd_ts(x) AS
            CASE
                WHEN x IS NULL THEN NULL
                WHEN regexp_full_match(x, '[0-9]{{5}}(\\.[0-9]+)?') AND CAST(x AS DOUBLE) BETWEEN 20000 AND 80000
                    THEN TIMESTAMP '1899-12-30'
                         + to_microseconds(CAST(round(CAST(x AS DOUBLE) * 86400000000) AS BIGINT))
                ELSE try_strptime(gd_ts_text(x), [{formats}])
            END;
        """
    )


def load_vocabulary(con: duckdb.DuckDBPyConnection, vocab: dict[str, dict[str, str | None]]) -> None:
    """Put value maps into temp table gd_vocab(col, src, dst): src lower-cased, dst None = empty."""
    rows = [(col, str(src).strip().lower(), dst) for col, mapping in vocab.items()
            for src, dst in mapping.items()]
    frame = pd.DataFrame(rows, columns=["col", "src", "dst"], dtype="object")
    con.register("gd_vocab_frame", frame)
    con.execute("CREATE OR REPLACE TEMP TABLE gd_vocab AS SELECT DISTINCT ON (col, src) "
                "CAST(col AS VARCHAR) AS col, CAST(src AS VARCHAR) AS src, CAST(dst AS VARCHAR) AS dst "
                "FROM gd_vocab_frame")
    con.unregister("gd_vocab_frame")


def default_vocabulary(status_vocab: dict[str, str], overrides: dict[str, dict[str, str]]) -> dict:
    """The status and rating maps for a table, with explicit overrides winning."""
    vocab: dict[str, dict[str, str | None]] = {"status": dict(status_vocab), "satisfaction": dict(RATINGS)}
    for col, mapping in overrides.items():
        base = {k.lower(): v for k, v in vocab.setdefault(col, {}).items()}
        base.update({k.lower(): v for k, v in mapping.items()})
        vocab[col] = base
    return vocab


def value_expr(col: Column) -> str:
    """Canonical value from the parsed cell x_<col> (text columns: the cleaned cell t_<col>)."""
    x = f"x_{col.name}"
    if col.kind == "timestamp":
        return f"CASE WHEN {x} >= TIMESTAMP '{PLACEHOLDER_BEFORE}' THEN {x} END"
    if col.kind == "date":
        return f"CAST(CASE WHEN {x} >= TIMESTAMP '{PLACEHOLDER_BEFORE}' THEN {x} END AS DATE)"
    if col.kind == "int":
        return f"CAST(CASE WHEN {x} >= 0 AND {x} = floor({x}) THEN {x} END AS BIGINT)"
    if col.kind == "number":
        return f"CASE WHEN {x} >= 0 THEN {x} END"
    if col.kind in ("status", "rating"):
        return x
    return f"t_{col.name}"


def error_expr(col: Column) -> str:
    """Why the cell of col is bad, or NULL when it is fine."""
    t, x = f"t_{col.name}", f"x_{col.name}"
    checks: list[tuple[str, str]] = []
    if col.kind in ("timestamp", "date"):
        checks.append((f"{t} IS NOT NULL AND {x} IS NULL", MSG_NOT_DATE))
    elif col.kind in ("int", "number"):
        checks.append((f"{t} IS NOT NULL AND {x} IS NULL", MSG_NOT_NUMBER))
        checks.append((f"{x} < 0", MSG_NEGATIVE))
        if col.kind == "int":
            checks.append((f"{x} <> floor({x})", MSG_NOT_WHOLE))
    elif col.kind == "status":
        checks.append((f"{t} IS NOT NULL AND s_{col.name} IS NULL", MSG_UNKNOWN_STATUS))
    elif col.kind == "rating":
        checks.append((f"{t} IS NOT NULL AND s_{col.name} IS NULL", MSG_UNKNOWN_RATING))
    if col.required:
        checks.append((f"({value_expr(col)}) IS NULL", MSG_MISSING))
    if not checks:
        return "NULL::VARCHAR"
    whens = " ".join(f"WHEN {cond} THEN {_sql_str(msg)}" for cond, msg in checks)
    return f"CASE {whens} END"


def placeholder_expr(col: Column) -> str:
    """True when a date cell holds a placeholder such as 1900-01-01."""
    if col.kind not in ("timestamp", "date"):
        return "FALSE"
    return f"coalesce(x_{col.name} < TIMESTAMP '{PLACEHOLDER_BEFORE}', FALSE)"
