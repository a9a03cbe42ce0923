"""Staging: raw text cells → canonical values with a true reason for every reject, in one DuckDB statement.

The temp table `staged_t` holds, per record of the file and in file order: each canonical value,
placeholder flags (p_), the row key, the data-quality flag, `bad`, `skip` for empty and total rows, and for
rejected rows only `rej`: the parsed columns' text (t_) and the reject reasons (e_). It is built straight
from the file with no join, so its rowid is the record's position, from which its line is worked out. The
view `staged` adds `line`, takes the t_ and e_ columns out of `rej` and leaves out skipped rows; the
summary, the rejects and the commit read it.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb

from ..errors import Fix, ImportFailure
from ..schema import FAR_FUTURE_YEARS, FUTURE_SLACK_DAYS, PLACEHOLDER_BEFORE, Column, Table
from . import values as vz
from .dates import DateChoice, Values, extend, infer, parse_sql
from .headers import TableMatch
from .profiles import ImportOptions
from .reader import Body, Export, line_numbers

# What a word that means "no value" (未评价) maps to inside the lookup, told apart from an unknown word.
NO_VALUE = "\u2205"
# Rows read to propose date formats (the whole column settles day/month order when needed).
DATE_SAMPLE_ROWS = 20000

REJECT_SAMPLE = 20
# A column that rejects more than this share of rows stops the import (the file would load nothing useful).
MOST = 0.5


@dataclass
class ColumnPlan:
    """Where a canonical column's text comes from: a raw_rows cell, a constant, both, or nothing."""

    column: Column
    cell: str | None
    header: str | None
    constant: bool
    date: DateChoice | None = None
    checked: bool = False  # staged has e_<name>, a reject reason

    @property
    def present(self) -> bool:
        """True when the column has any source."""
        return self.cell is not None or self.constant


@dataclass
class DateReport:
    """How one date column was read: its header, format in words, values parsed of those filled."""

    header: str
    zh: str
    en: str
    parsed: int
    filled: int
    example: str

    def line(self) -> str:
        """'上报时间：日/月/年 时:分，5,810/5,810 (day/month/year hh:mm)'."""
        return f"{self.header}：{self.zh}，{self.parsed:,}/{self.filled:,} ({self.en})"


@dataclass
class Staged:
    """The figures of a staged file that the summary and the commit need."""

    rows_raw: int = 0
    rows_read: int = 0
    rows_rejected: int = 0
    rows_good: int = 0
    rows_duplicate: int = 0
    rejects: list[tuple[int, str, str | None, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dates: list[DateReport] = field(default_factory=list)
    unknown_words: list[tuple[str, str, int]] = field(default_factory=list)
    no_district: int = 0
    places_filled: int = 0


def plan(match: TableMatch, options: ImportOptions) -> list[ColumnPlan]:
    """A ColumnPlan per canonical column: raw_rows cells are k0.. in the order of match.columns."""
    cells = {m.column: (f"k{j}", m.header) for j, m in enumerate(match.columns)}
    out = []
    for col in match.table.columns:
        cell, header = cells.get(col.name, (None, None))
        out.append(ColumnPlan(col, cell, header, col.name in options.set_values))
    return out


def _text(p: ColumnPlan) -> str:
    """SQL of the column's text: its cell, its constant where the cell is empty, or NULL."""
    constant = f"CAST($set_{p.column.name} AS VARCHAR)"
    if p.cell and p.constant:
        return f"coalesce(r.{p.cell}, {constant})"
    if p.cell:
        return f"r.{p.cell}"
    if p.constant:
        return constant
    return "NULL::VARCHAR"


def _limits(col: Column, today: dt.date) -> tuple[str, str]:
    """(latest plausible timestamp literal, reason when later) for a date column."""
    if col.future_ok:
        latest = dt.datetime(min(today.year + FAR_FUTURE_YEARS, 9999), 12, 31, 23, 59, 59)
        return f"TIMESTAMP '{latest.isoformat(sep=' ')}'", vz.MSG_FAR
    latest = dt.datetime.combine(today + dt.timedelta(days=FUTURE_SLACK_DAYS), dt.time())
    return f"TIMESTAMP '{latest.isoformat(sep=' ')}'", vz.MSG_FUTURE


def _layers(table: Table, plans: list[ColumnPlan], today: dt.date, bad_bytes: bool, b: Body) -> str:
    """The SELECT building `staged_t` from the records, layer by layer, with no join (file order is kept).

    Only columns that can be wrong get a reason column e_<name>, and only date columns a placeholder flag
    p_<name>; ColumnPlan.checked records which. Words map through MAP parameters ($vk_/$vv_<column>).
    """
    cells = [p.cell for p in plans if p.cell]
    filled = f"coalesce({', '.join((['r.first'] if b.has_first else []) + ['r.' + c for c in cells])})"
    parsed = ([] if b.lines_from_rowid else ["r.line"]) + ["r.extra", "r.row_error"]
    for p in plans:
        name, kind = p.column.name, p.column.kind
        if not p.present:
            continue
        t = _text(p)
        parsed.append(f"{t} AS t_{name}")
        if kind in ("timestamp", "date"):
            parsed.append(f"{parse_sql(t, p.date.formats, p.date.excel) if p.date else 'NULL::TIMESTAMP'} AS x_{name}")
        elif kind in ("int", "number"):
            parsed.append(f"{vz.number_sql(t)} AS x_{name}")
        elif kind in ("status", "rating"):
            # One lookup: a known word that means "no value" (未评价) maps to the marker NO_VALUE.
            parsed.append(f"MAP($vk_{name}, $vv_{name})[{t}] AS w_{name}")
    if bad_bytes and cells:
        parsed.append(f"({' OR '.join(f'strpos(r.{c}, chr(65533)) > 0' for c in cells)}) AS bad_bytes")
    else:
        parsed.append("FALSE AS bad_bytes")
    words = ", ".join(vz._sql_str(v) for w in table.total_words for v in sorted({w, w.upper(), w.title()}))
    prefixes = " OR ".join(f"starts_with({filled}, {vz._sql_str(w)})" for w in table.total_words if not w.isascii())
    parsed.append(f"(r.row_error IS NULL AND {filled} IS NULL) "
                  f"OR coalesce({filled} IN ({words}) OR {prefixes or 'FALSE'}, FALSE) AS skip")
    layer0 = f"SELECT {', '.join(parsed)} FROM ({b.sql}) r"

    checked = ([] if b.lines_from_rowid else ["line"]) + ["extra", "row_error", "bad_bytes", "skip"]
    for p in plans:
        col, name = p.column, p.column.name
        if not p.present:
            checked.append(f"NULL::{_sql_type(col)} AS {name}")
            if col.required:
                checked.append(f"{vz._sql_str(vz.MSG_MISSING)} AS e_{name}")
                p.checked = True
            continue
        t, x = f"t_{name}", f"x_{name}"
        checks: list[tuple[str, str]] = []
        if col.kind in ("timestamp", "date"):
            latest, why = _limits(col, today)
            early = f"{x} < TIMESTAMP '{PLACEHOLDER_BEFORE}'"
            value = f"CASE WHEN {x} >= TIMESTAMP '{PLACEHOLDER_BEFORE}' AND {x} <= {latest} THEN {x} END"
            if col.kind == "date":
                value = f"CAST({value} AS DATE)"
            checks += [(f"{t} IS NOT NULL AND {x} IS NULL", vz.MSG_NOT_DATE), (f"{x} > {latest}", why)]
            if col.required:
                checks.append((early, vz.MSG_PLACEHOLDER))
            checked.append(f"coalesce({early}, FALSE) AS p_{name}")
        elif col.kind in ("int", "number"):
            value = vz.number_value(col, x)
            checks += vz.number_checks(col, t, x)
        elif col.kind in ("status", "rating"):
            value = f"nullif(w_{name}, '{NO_VALUE}')"
            why = vz.MSG_UNKNOWN_STATUS if col.kind == "status" else vz.MSG_UNKNOWN_RATING
            checks.append((f"{t} IS NOT NULL AND w_{name} IS NULL", why))
        else:
            value = t
        if col.required:
            checks.append((f"{t} IS NULL", vz.MSG_MISSING))
        if col.kind == "text":
            checked.append(f"{t} AS {name}")
        else:
            # The text of a parsed cell is kept only where it is rejected (to show it); good rows need none.
            failing = " OR ".join(f"({cond})" for cond, _ in checks) or "FALSE"
            checked += [f"CASE WHEN {failing} THEN {t} END AS {t}", f"{value} AS {name}"]
        if checks:
            checked.append(f"{vz.case_sql(checks)} AS e_{name}")
            p.checked = True
    layer1 = f"SELECT {', '.join(checked)} FROM ({layer0})"

    names = [c.name for c in table.columns]
    if "status" in names and table.status_inferred:
        layer2 = (f"SELECT * EXCLUDE (status), coalesce(status, {table.status_inferred}) AS status "
                  f"FROM ({layer1})")
    else:
        layer2 = f"SELECT * FROM ({layer1})"
    errors = "".join(f" OR e_{p.column.name} IS NOT NULL" for p in plans if p.checked)
    flags = ("CASE " + " ".join(f"WHEN {f.condition} THEN '{f.flag}'" for f in table.quality_flags) + " END"
             if table.quality_flags else "NULL")
    layer3 = (f"SELECT *, extra OR row_error IS NOT NULL OR bad_bytes{errors} AS bad, {_hash_key_sql(table)} AS "
              f"hash_key, {flags} AS quality_flag, NULL::VARCHAR AS place_fill FROM ({layer2})")
    kept = _reject_columns(plans)
    if not kept:
        return layer3
    # Good rows have no text or reason to keep: one NULL list instead of a column each (see _unpacked).
    packed = ", ".join(f"{c} := {c}" for c in kept)
    return (f"SELECT * EXCLUDE ({', '.join(kept)}), CASE WHEN bad THEN [struct_pack({packed})] END AS rej "
            f"FROM ({layer3})")


def _reject_columns(plans: list[ColumnPlan]) -> list[str]:
    """The t_ (text of a parsed cell) and e_ (reason) columns, which only rejected rows fill."""
    out = []
    for p in plans:
        if p.present and p.column.kind != "text":
            out.append(f"t_{p.column.name}")
        if p.checked:
            out.append(f"e_{p.column.name}")
    return out


def _unpacked(plans: list[ColumnPlan], alias: str) -> str:
    """SQL of staged_t's columns with the t_ and e_ columns taken out of `rej` (NULL for good rows)."""
    kept = _reject_columns(plans)
    if not kept:
        return f"{alias}.*"
    # Taken out for rejected rows only: rej[1] copies the whole struct before picking one field.
    return ", ".join([f"{alias}.* EXCLUDE (rej)"] + [f"CASE WHEN {alias}.bad THEN {alias}.rej[1].{c} END AS {c}"
                                                    for c in kept])


def _hash_key_sql(table: Table) -> str:
    """The row key where the row's id does not give it: the table's key rule, else a hash of every canonical
    value for rows without an id (rows with one are keyed by it in the view `staged`, not copied here)."""
    content = ", ".join(f"coalesce(CAST({c.name} AS VARCHAR), '\u2205')" for c in table.columns)
    return table.key_sql or f"CASE WHEN {table.key} IS NULL THEN 'h:' || md5(concat_ws(chr(31), {content})) END"


def _row_key_sql(table: Table) -> str:
    """The row key over staged_t (aliased s): the id, else the stored hash key."""
    return "s.hash_key" if table.key_sql else f"coalesce(s.{table.key}, s.hash_key)"


def _sql_type(col: Column) -> str:
    """The column's SQL type."""
    from ..schema import SQL_TYPES
    return SQL_TYPES[col.kind]


def _complete_places(con: duckdb.DuckDBPyConnection, table: Table, plans: list[ColumnPlan]) -> None:
    """Fill district (and street) of rows that name a community (or street) found once in the register."""
    present = {p.column.name for p in plans if p.present}
    if table.name == "communities" or not ({"community", "street"} & present) or not _register(con):
        return
    con.execute("""
        UPDATE staged_t SET district = m.district, street = coalesce(staged_t.street, m.street), place_fill = m.fill
        FROM (
            SELECT s.rowid AS rid,
                   coalesce(CASE WHEN rc.nd = 1 THEN rc.d END, CASE WHEN rs.nd = 1 THEN rs.d END) AS district,
                   CASE WHEN rc.nd = 1 THEN rc.s END AS street,
                   CASE WHEN rc.nd = 1 OR (rc.nd IS NULL AND rs.nd = 1) THEN 'filled'
                        WHEN rc.nd > 1 OR rs.nd > 1 THEN 'ambiguous' ELSE 'unknown' END AS fill
            FROM staged_t s
            LEFT JOIN gd_reg_community rc ON rc.community = s.community
            LEFT JOIN gd_reg_street rs ON rs.street = s.street AND s.community IS NULL
            WHERE s.district IS NULL AND NOT s.skip AND (s.community IS NOT NULL OR s.street IS NOT NULL)
        ) m
        WHERE staged_t.rowid = m.rid""")
    if table.key_sql is None:  # keys made from the content change with the completed places
        con.execute(f"UPDATE staged_t SET hash_key = {_hash_key_sql(table)} "
                    f"WHERE place_fill = 'filled' AND {table.key} IS NULL")


def _register(con: duckdb.DuckDBPyConnection) -> bool:
    """Build the register lookups (community and street → district); False when the register is empty."""
    n = con.execute("SELECT count(*) FROM communities").fetchall()[0][0]
    if not n:
        return False
    con.execute("""
        CREATE OR REPLACE TEMP TABLE gd_reg_community AS
        SELECT community, count(DISTINCT district) AS nd, min(district) AS d,
               CASE WHEN count(DISTINCT street) = 1 THEN min(street) END AS s
        FROM communities WHERE district IS NOT NULL GROUP BY community""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE gd_reg_street AS
        SELECT street, count(DISTINCT district) AS nd, min(district) AS d
        FROM communities WHERE district IS NOT NULL AND street IS NOT NULL GROUP BY street""")
    return True


def stage(con: duckdb.DuckDBPyConnection, match: TableMatch, options: ImportOptions, file_name: str,
          today: dt.date, ex: Export, b: Body) -> Staged:
    """Build `staged_t`, the view `staged` and `staged_rejects` from the records and return the summary.

    ImportFailure when the file would load nothing useful (no valid row, or one column rejecting most rows);
    reader.NeedsPythonReader (or DuckDB's CSV error) when DuckDB's reader cannot give true lines.
    """
    table = match.table
    plans = plan(match, options)
    params = {**b.params, **_word_params(table, plans, options),
              **{f"set_{p.column.name}": options.set_values[p.column.name] for p in plans if p.constant}}
    dated = [p for p in plans if p.cell and p.column.kind in ("timestamp", "date")]
    if b.lines_from_rowid and dated:
        cells = ", ".join(sorted({p.cell for p in dated}))  # only these: the others would be cleaned for nothing
        con.execute(f"CREATE OR REPLACE TEMP TABLE raw_sample AS SELECT {cells} FROM ({b.sql}) "
                    f"LIMIT {DATE_SAMPLE_ROWS}", b.params)
        where = Values("raw_sample", f"({b.sql})", b.params)
    else:
        where = Values("raw_rows", "raw_rows")
    for p in dated:
        p.date = infer(con, p.cell, p.header or p.column.zh, options.date_order, file_name, where)
    for _ in range(3):
        con.execute(f"CREATE OR REPLACE TEMP TABLE staged_t AS {_layers(table, plans, today, bool(ex.bad_bytes), b)}",
                    params)
        if not _more_formats(con, plans, dated, file_name, where):
            break
    records = con.execute("SELECT count(*) FROM staged_t").fetchall()[0][0]
    line, join = line_numbers(con, ex, b, records).split("|", 1) if b.lines_from_rowid else ("s.line", "")
    extra = f", CAST({line} AS BIGINT) AS line" if b.lines_from_rowid else ""
    con.execute(f"CREATE OR REPLACE TEMP VIEW staged AS SELECT {_unpacked(plans, 's')}{extra}, "
                f"{_row_key_sql(table)} AS row_key FROM staged_t s {join} WHERE NOT s.skip")
    _complete_places(con, table, plans)
    out = Staged()
    out.dates = _date_reports(con, dated)
    _rejects(con, plans)
    _summarise(con, table, plans, out)
    _diagnose(con, table, plans, out, file_name)
    return out


def _word_params(table: Table, plans: list[ColumnPlan], options: ImportOptions) -> dict[str, list]:
    """$vk_<column> (the words, in the letter cases exports use) and $vv_<column> (their canonical values,
    NO_VALUE for words that mean "none") for the word columns; a lookup needs no lower() per cell."""
    vocab = vz.vocabulary(table.status_vocab, options.values)
    out: dict[str, list] = {}
    for p in plans:
        if p.present and p.column.kind in ("status", "rating"):
            words: dict[str, str] = {}
            for word, value in vocab.get(p.column.name, {}).items():
                word = str(word).strip()
                for variant in (word, word.lower(), word.upper(), word.title(), word.capitalize()):
                    words.setdefault(variant, value or NO_VALUE)
            out[f"vk_{p.column.name}"] = list(words)
            out[f"vv_{p.column.name}"] = list(words.values())
    return out


def _more_formats(con: duckdb.DuckDBPyConnection, plans: list[ColumnPlan], dated: list[ColumnPlan], file_name: str,
                  where: Values) -> bool:
    """After staging: add date formats for values beyond the sample that no chosen format read; True when
    any was added (the records are then staged again)."""
    added = False
    for p in dated:
        if p.date is None:
            continue
        values = [r[0] for r in con.execute(
            f"SELECT DISTINCT t_{p.column.name} FROM (SELECT {_unpacked(plans, 's')} FROM staged_t s) "
            f"WHERE e_{p.column.name} = ? LIMIT 3000",
            [vz.MSG_NOT_DATE]).fetchall()]
        if values and extend(con, p.date, p.cell, p.header or p.column.zh, sorted(values), file_name, where):
            added = True
    return added


def _date_reports(con: duckdb.DuckDBPyConnection, dated: list[ColumnPlan]) -> list[DateReport]:
    """Per date column: its format in words and how many filled values it read."""
    reports = []
    for p in dated:
        name = p.column.name
        filled, failed = con.execute(
            f"SELECT count({name}) + count(t_{name}) + count(*) FILTER (WHERE p_{name} AND t_{name} IS NULL), "
            f"count(*) FILTER (WHERE e_{name} = ?) FROM staged", [vz.MSG_NOT_DATE]).fetchall()[0]
        if filled and p.date is not None:
            zh, en = p.date.label()
            reports.append(DateReport(p.header or p.column.zh, zh, en, filled - failed, filled, p.date.example))
    return reports


def _rejects(con: duckdb.DuckDBPyConnection, plans: list[ColumnPlan]) -> None:
    """staged_rejects(line, column_name, value, reason): one row per rejected cell, in file order."""
    row = vz._sql_str(vz.ROW_COLUMN)
    parts = [f"SELECT line, {row} AS column_name, NULL AS value, {vz._sql_str(vz.MSG_EXTRA_FIELDS)} AS reason "
             "FROM staged WHERE extra",
             f"SELECT line, {row}, NULL, row_error FROM staged WHERE row_error IS NOT NULL",
             f"SELECT line, {row}, NULL, {vz._sql_str(vz.MSG_BAD_BYTES)} FROM staged WHERE bad_bytes"]
    params: list[object] = []
    for p in (p for p in plans if p.checked):
        name = p.column.name
        text = name if p.column.kind == "text" or not p.present else f"t_{name}"
        parts.append(f"SELECT line, ?, CAST({text} AS VARCHAR), e_{name} FROM staged "
                     f"WHERE e_{name} IS NOT NULL AND row_error IS NULL")
        params.append(p.header or f"{p.column.zh} ({name})")
    con.execute(f"CREATE OR REPLACE TEMP TABLE staged_rejects AS {' UNION ALL '.join(parts)} "
                "ORDER BY line, column_name", params)


def _summarise(con: duckdb.DuckDBPyConnection, table: Table, plans: list[ColumnPlan], out: Staged) -> None:
    """Counts, warnings, unknown words and the first rejects, from staged."""
    dates = [p for p in plans if p.present and p.column.kind in ("timestamp", "date")]
    placeholder = ", ".join(f"count(*) FILTER (WHERE NOT bad AND p_{p.column.name})" for p in dates)
    district = "count(*) FILTER (WHERE NOT bad AND district IS NULL)" if "district" in table.names else "0"
    row = con.execute(
        f"SELECT (SELECT count(*) FROM staged_t), count(*), count(*) FILTER (WHERE bad), {district}, "
        f"count(*) FILTER (WHERE NOT bad AND place_fill = 'filled'){', ' + placeholder if placeholder else ''} "
        "FROM staged").fetchall()[0]
    out.rows_raw, out.rows_read, out.rows_rejected, out.no_district, out.places_filled = row[:5]
    out.rows_good = out.rows_read - out.rows_rejected
    ignored = out.rows_raw - out.rows_read
    if ignored:
        out.warnings.append(f"忽略 {ignored} 个空行或合计行 (ignored {ignored} empty or total rows)")
    for p, n in zip(dates, row[5:]):
        if n:
            out.warnings.append(f"{p.header}: {n} 个占位日期（如 1900-01-01）已置空 ({n} placeholder dates emptied)")
    for p in plans:
        if p.column.kind in ("status", "rating") and p.present:
            words = con.execute(
                f"SELECT t_{p.column.name}, count(*) FROM staged WHERE e_{p.column.name} IN (?, ?) "
                "GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20",
                [vz.MSG_UNKNOWN_STATUS, vz.MSG_UNKNOWN_RATING]).fetchall()
            header = p.header or p.column.name
            out.unknown_words += [(header, w, n) for w, n in words]
            kind_zh, kind_en = ("状态", "status") if p.column.kind == "status" else ("评价", "rating")
            for word, n in words:
                out.warnings.append(f"未知{kind_zh}值（{header}）：{word} ×{n:,} "
                                    f"(unknown {kind_en} word in {header}: {word} ×{n:,})")
    if out.places_filled:
        out.warnings.append(f"{out.places_filled:,} 行按社区档案补全了区县/街道 "
                            f"({out.places_filled:,} rows got their district/street from the community register)")
    fills = con.execute(
        "SELECT place_fill, coalesce(community, street) AS name, count(*) FROM staged "
        "WHERE NOT bad AND place_fill IN ('ambiguous', 'unknown') GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2").fetchall()
    for kind in ("ambiguous", "unknown"):
        names = [(n, c) for k, n, c in fills if k == kind]
        if names:
            shown = "、".join(f"{n}（{c}）" for n, c in names[:8]) + (" …" if len(names) > 8 else "")
            if kind == "ambiguous":
                out.warnings.append(f"社区档案中重名、无法确定区县：{shown} "
                                    f"(names in several districts of the register; district left empty)")
            else:
                out.warnings.append(f"社区档案中没有：{shown}，无法补全区县 (not in the register; district left empty)")
    if out.no_district:
        out.warnings.append(f"{out.no_district:,} 行没有区县，不会出现在任何区的统计中；可为整个文件指定区县，"
                            f"或先导入社区档案 ({out.no_district:,} rows have no district and will count in no "
                            "district; give the file a district, or import the community register first)")
    out.rejects = [tuple(r) for r in con.execute(
        "SELECT line, column_name, value, reason FROM staged_rejects LIMIT ?", [REJECT_SAMPLE]).fetchall()]


def _diagnose(con: duckdb.DuckDBPyConnection, table: Table, plans: list[ColumnPlan], out: Staged,
              file_name: str) -> None:
    """ImportFailure when no row is valid or one column rejects most rows: the column, the reason, examples
    and the exact fix."""
    if out.rows_read == 0:
        raise ImportFailure("文件没有数据行（只有表头、空行或合计行）", "the file has no data rows", file_name)
    worst = con.execute(
        "SELECT column_name, reason, count(DISTINCT line) AS n FROM staged_rejects GROUP BY 1, 2 "
        "ORDER BY n DESC, 1, 2 LIMIT 1").fetchall()
    if out.rows_good > 0 and (not worst or worst[0][2] <= MOST * out.rows_read):
        return
    if not worst:  # pragma: no cover - no valid row always has a reason
        raise ImportFailure("没有可导入的行", "no row can be imported", file_name)
    header, reason, n = worst[0]
    examples = [r[0] for r in con.execute(
        "SELECT value FROM staged_rejects WHERE column_name = ? AND reason = ? AND value IS NOT NULL "
        "GROUP BY value ORDER BY count(*) DESC, value LIMIT 3", [header, reason]).fetchall()]
    plan_of = next((p for p in plans if (p.header or f"{p.column.zh} ({p.column.name})") == header), None)
    fix, advice_zh, advice_en = _fix(table, plan_of, reason, header, examples, out)
    shown = "、".join(f"“{e[:30]}”" for e in examples)
    lead = ("没有一行可以导入" if out.rows_good == 0 else f"“{header}”列使 {n:,}/{out.rows_read:,} 行无法导入")
    raise ImportFailure(
        f"{lead}：{reason.split(' (')[0]}（列“{header}”{('，如 ' + shown) if shown else ''}）；{advice_zh}",
        f"{'no row can be imported' if out.rows_good == 0 else f'column {header!r} rejects {n:,} of {out.rows_read:,} rows'}"
        f": {reason.split(' (')[-1].rstrip(')')}; {advice_en}", file_name, fix)


def _fix(table: Table, p: ColumnPlan | None, reason: str, header: str, examples: list[str],
         out: Staged) -> tuple[Fix, str, str]:
    """The fix for the dominant reject reason: the Fix (with its command-line form) and advice in words."""
    column = p.column.name if p else None
    ex = tuple(examples)
    if reason in (vz.MSG_UNKNOWN_STATUS, vz.MSG_UNKNOWN_RATING) and column:
        words = tuple(w for h, w, _ in out.unknown_words if h == header)
        counts = tuple(n for h, w, n in out.unknown_words if h == header)
        allowed = vz.CANONICAL_WORDS.get(column, {}).get(table.name, ())
        first = words[0] if words else (examples[0] if examples else "词")
        cli = " ".join(f'--value "{column}:{w}={allowed[0] if allowed else "..."}"' for w in (words or (first,))[:3])
        return (Fix("value", column, header, words, ex, cli, counts),
                f"请说明这些词各表示什么（{'/'.join(allowed)}）", f"say what these words mean ({'/'.join(allowed)})")
    if reason == vz.MSG_MISSING and column:
        settable = p is not None and p.cell is not None and p.column.kind == "text"
        cli = f"--set {column}=值" if settable else f'--map "列名={column}"'
        return (Fix("set" if settable else "map", column, header, (), ex, cli),
                f"请指出哪一列是{p.column.zh if p else header}" + ("，或为整个文件给定一个值" if settable else ""),
                f"say which column holds {column}" + (", or give one value for the whole file" if settable else ""))
    if reason in (vz.MSG_NOT_DATE, vz.MSG_FUTURE, vz.MSG_FAR, vz.MSG_PLACEHOLDER):
        required = p is not None and p.column.required
        cli = f'--map "另一列={column}"' if required else f'--map "{header}="'
        if reason in (vz.MSG_FUTURE, vz.MSG_FAR):
            cli = "--date-order dmy|mdy|ymd"
        return (Fix("date_order" if reason in (vz.MSG_FUTURE, vz.MSG_FAR) else "map", column, header,
                    ("dmy", "mdy", "ymd"), ex, cli),
                "请确认这一列是日期、日月顺序正确；若不是日期，请改用正确的列" + ("" if required else "或不导入该列"),
                "check that this column holds dates in the right day/month order; if not, map the right column"
                + ("" if required else " or leave it out"))
    if reason == vz.MSG_EXTRA_FIELDS:
        return (Fix("map", column, header, (), ex, ""),
                "请检查分隔符或未加引号的逗号（另存为 CSV UTF-8 或 xlsx 通常可以解决）",
                "check the delimiter or unquoted commas (saving again as CSV UTF-8 or .xlsx usually fixes it)")
    if reason == vz.MSG_BAD_BYTES:
        return (Fix("map", column, header, (), ex, ""), "请把文件另存为 UTF-8 编码的 CSV 或 xlsx",
                "save the file again as UTF-8 CSV or .xlsx")
    return (Fix("map", column, header, (), ex, f'--map "{header}="'),
            "请确认这一列的内容；若不需要，可以不导入该列", "check this column; it can be left out")
