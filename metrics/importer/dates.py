"""Dates inferred per column, from all its values.

A sample of the column's distinct values proposes candidate formats (each value is classified by its shape:
separators, number widths, a time part, AM/PM, month names, Excel serial numbers). DuckDB then counts over
the whole column how many values each candidate parses. Day-first against month-first is settled by the
column: values that only one order can read (a first part above 12) decide; when every value reads both
ways, or each order has values only it can read, the order is not guessed: it must be given (--date-order,
a profile's date_order, a choice on the import page), else the import stops and shows examples.
The column is then parsed with its chosen formats only, most frequent first.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import duckdb

from ..errors import Fix, ImportFailure

SAMPLE = 3000
MAX_CANDIDATES = 16
_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
_MON = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_NUMERIC = re.compile(r"^(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})")
_CHINESE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")
_NAMED = re.compile(rf"^(?:(?P<m1>{_MONTHS}|{_MON})\.? (?P<d1>\d{{1,2}}),? (?P<y1>\d{{4}})"
                    rf"|(?P<d2>\d{{1,2}})[- ](?P<m2>{_MONTHS}|{_MON})\.?[- ](?P<y2>\d{{4}}|\d{{2}}))", re.I)
_TIME = re.compile(r"^(?P<sep>[ T]+|)(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?P<f>\.\d{1,9})?)?"
                   r"(?P<ampm> ?[AaPp]\.?[Mm]\.?)?(?P<z>Z)?$")
_CN_TIME = re.compile(r"^(?P<sep> *)(?P<h>\d{1,2})[时点](?:(?P<m>\d{1,2})分)?(?:(?P<s>\d{1,2})秒)?$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
EXCEL = "excel-serial"
ORDER_WORDS = {"ymd": ("年/月/日", "year/month/day"), "dmy": ("日/月/年", "day/month/year"),
               "mdy": ("月/日/年", "month/day/year"), None: ("", "")}


@dataclass(frozen=True)
class Candidate:
    """One strptime format DuckDB can parse, with the day/month order it implies (None: unambiguous)."""

    fmt: str
    order: str | None


@dataclass
class DateChoice:
    """What a date column will be parsed with, and how well it fits."""

    formats: list[str]
    order: str | None
    parsed: int = 0
    filled: int = 0
    example: str = ""
    excel: bool = False
    counts: dict[str, int] = field(default_factory=dict)
    examples: dict = field(default_factory=dict)  # Candidate -> an example value
    given: bool = False  # the order was given by the user, not settled from the values

    def label(self) -> tuple[str, str]:
        """The dominant format for people: ("日/月/年 时:分", "day/month/year hh:mm")."""
        if not self.formats:
            return ("Excel 日期序列号", "Excel serial day") if self.excel else ("无日期", "no dates")
        return describe(self.formats[0])


def describe(fmt: str) -> tuple[str, str]:
    """A strptime format in words."""
    if fmt == EXCEL:
        return "Excel 日期序列号", "Excel serial day"
    positions = {"%Y": fmt.find("%Y"), "%y": fmt.find("%y"), "%m": fmt.find("%m"), "%d": fmt.find("%d"),
                 "%B": fmt.find("%B"), "%b": fmt.find("%b")}
    year = max(positions["%Y"], positions["%y"])
    month = max(positions["%m"], positions["%B"], positions["%b"])
    day = positions["%d"]
    parts = sorted([(year, "年", "year"), (month, "月", "month"), (day, "日", "day")])
    zh = "/".join(p[1] for p in parts)
    en = "/".join(p[2] for p in parts)
    if "%y" in fmt:
        zh, en = zh + "（两位年份）", en + " (2-digit year)"
    if "%B" in fmt or "%b" in fmt:
        zh, en = zh + "（英文月份）", en + " (month name)"
    if "%H" in fmt or "%I" in fmt:
        seconds = "%S" in fmt
        zh += " 时:分" + (":秒" if seconds else "") + ("（上午/下午）" if "%p" in fmt else "")
        en += " hh:mm" + (":ss" if seconds else "") + (" AM/PM" if "%p" in fmt else "")
    return zh, en


def _time_format(rest: str) -> str | None:
    """The strptime text for the time part after a date ('' when there is none), or None when unreadable."""
    if not rest:
        return ""
    m = _TIME.match(rest)
    if m:
        out = m["sep"] + ("%I" if m["ampm"] else "%H") + ":%M"
        if m["s"]:
            out += ":%S" + (".%f" if m["f"] else "")
        if m["ampm"]:
            out += (" " if m["ampm"].startswith(" ") else "") + "%p"
            if "." in m["ampm"]:
                return None
        if m["z"]:
            out += "Z"
        return out
    m = _CN_TIME.match(rest)
    if m:
        return m["sep"] + "%H时" + ("%M分" if m["m"] else "") + ("%S秒" if m["s"] else "")
    return None


def classify(value: str) -> list[Candidate]:
    """Every format that could have written value."""
    v = value.strip()
    if _SERIAL.match(v) and 20000 <= float(v) <= 80000:
        return [Candidate(EXCEL, None)]
    m = _COMPACT.match(v)
    if m:
        if 1 <= int(m[2]) <= 12 and 1 <= int(m[3]) <= 31:
            return [Candidate("%Y%m%d" + ("%H%M" + ("%S" if m[6] else "") if m[4] else ""), None)]
        return []
    m = _CHINESE.match(v)
    if m:
        date = "%Y年%m月%d" + ("日" if v[m.end() - 1] == "日" else "")
        time = _time_format(v[m.end():])
        return [] if time is None else [Candidate(date + time, "ymd")]
    m = _NAMED.match(v)
    if m:
        time = _time_format(v[m.end():])
        if time is None:
            return []
        text = v[:m.end()]
        if m["m1"]:
            month = "%B" if len(m["m1"]) > 3 and m["m1"].lower() != "sept" else "%b"
            comma = "," if "," in text else ""
            dot = "." if text[len(m["m1"])] == "." else ""
            return [Candidate(f"{month}{dot} %d{comma} %Y" + time, None)]
        month = "%B" if len(m["m2"]) > 3 else "%b"
        sep = text[len(m["d2"])]
        year = "%Y" if len(m["y2"]) == 4 else "%y"
        return [Candidate(f"%d{sep}{month}{sep}{year}" + time, None)]
    m = _NUMERIC.match(v)
    if not m:
        return []
    time = _time_format(v[m.end():])
    if time is None:
        return []
    a, sep, b, c = m[1], m[2], m[3], m[4]
    if len(a) == 4:
        return [Candidate(f"%Y{sep}%m{sep}%d" + time, "ymd")] if int(b) <= 12 and int(c) <= 31 else []
    if len(c) not in (2, 4) or len(a) > 2:
        return []
    year = "%Y" if len(c) == 4 else "%y"
    out = []
    if int(b) <= 12 and int(a) <= 31:
        out.append(Candidate(f"%d{sep}%m{sep}{year}" + time, "dmy"))
    if int(a) <= 12 and int(b) <= 31:
        out.append(Candidate(f"%m{sep}%d{sep}{year}" + time, "mdy"))
    if year == "%y" and int(a) <= 99:
        out.append(Candidate(f"%y{sep}%m{sep}%d" + time, "ymd"))
    return out


def parse_sql(v: str, formats: list[str], excel: bool) -> str:
    """SQL parsing the text expression v with the chosen formats (formats are literals from this module)."""
    parts = []
    if excel:
        parts.append(f"CASE WHEN regexp_full_match({v}, '[0-9]{{5}}(\\.[0-9]+)?') "
                     f"AND TRY_CAST({v} AS DOUBLE) BETWEEN 20000 AND 80000 "
                     f"THEN TIMESTAMP '1899-12-30' + to_microseconds(CAST(round(CAST({v} AS DOUBLE) * 86400000000) "
                     f"AS BIGINT)) END")
    if formats:
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in formats)
        parts.append(f"try_strptime({v}, {'[' + listed + ']' if len(formats) > 1 else listed})")
    if not parts:
        return "NULL::TIMESTAMP"
    return parts[0] if len(parts) == 1 else f"coalesce({', '.join(parts)})"


@dataclass(frozen=True)
class Values:
    """Where a date column's values are read: a table to sample, and the whole column (a relation and its
    query parameters) for the counts that decide day/month order."""

    sample: str
    full: str
    params: dict = field(default_factory=dict)


def _sample(con: duckdb.DuckDBPyConnection, column: str, rel: str, where: str = "TRUE") -> list[str]:
    """Up to SAMPLE distinct filled values of rel.<column> (a spread over it)."""
    rows = con.execute(
        f"SELECT DISTINCT v FROM (SELECT {column} AS v FROM {rel} WHERE {column} IS NOT NULL AND {where}) "
        f"USING SAMPLE reservoir({SAMPLE * 5} ROWS) REPEATABLE (7) LIMIT {SAMPLE}").fetchall()
    return sorted(r[0] for r in rows)


def _candidates(values: list[str]) -> tuple[list[Candidate], dict[Candidate, str]]:
    """Candidate formats for the values, most common first, each with an example value."""
    seen: dict[Candidate, int] = {}
    example: dict[Candidate, str] = {}
    for value in values:
        for cand in classify(value):
            seen[cand] = seen.get(cand, 0) + 1
            example.setdefault(cand, value)
    ranked = sorted(seen, key=lambda c: (-seen[c], c.fmt))[:MAX_CANDIDATES]
    return ranked, example


def infer(con: duckdb.DuckDBPyConnection, column: str, header: str, order: str | None, file_name: str,
          where: Values) -> DateChoice:
    """The formats of a date column, from its sample; the order from the whole column when the sample leaves
    it open. ImportFailure when the order is unclear."""
    choice = DateChoice([], order, given=order is not None)
    values = _sample(con, column, where.sample)
    if not values:
        return choice
    for _ in range(3):
        cands, found = _candidates(values)
        choice.examples = {**found, **choice.examples}
        new = [c for c in cands if c.fmt not in choice.formats and (c.fmt != EXCEL or not choice.excel)]
        if new:
            _decide(con, column, header, choice, new, order, file_name, where)
        parse = parse_sql(column, choice.formats, choice.excel)
        if not new:
            break
        values = _sample(con, column, where.sample, f"{parse} IS NULL")
        if not values:
            break
    first = choice.formats[0] if choice.formats else EXCEL
    choice.example = next((e for c, e in choice.examples.items() if c.fmt == first), "")
    return choice


def extend(con: duckdb.DuckDBPyConnection, choice: DateChoice, column: str, header: str, values: list[str],
           file_name: str, where: Values) -> bool:
    """Add the formats of values the chosen formats did not read (seen beyond the sample); True when any was
    added. ImportFailure when they need the other day/month order."""
    cands, found = _candidates(values)
    choice.examples = {**found, **choice.examples}
    new = [c for c in cands if c.fmt not in choice.formats and (c.fmt != EXCEL or not choice.excel)]
    if choice.order in ("dmy", "mdy") and new and all(c.order not in (None, "ymd", choice.order) for c in new):
        if choice.given:
            return False  # the user's order stands; these values are rejected as not dates of that order
        raise _order_failure(header, file_name, choice.examples, len(values), choice.order)
    before = (len(choice.formats), choice.excel)
    if new:
        _decide(con, column, header, choice, new, choice.order, file_name, where, counted=False)
    return (len(choice.formats), choice.excel) != before


def _decide(con: duckdb.DuckDBPyConnection, column: str, header: str, choice: DateChoice, cands: list[Candidate],
            order: str | None, file_name: str, where: Values, counted: bool = True) -> None:
    """Add the new candidates that fit the column's order to choice (settling the order when needed).

    counted: keep only candidates that parse some sampled value (else trust that values needed them)."""
    plain = [c for c in cands if c.fmt != EXCEL]
    if any(c.fmt == EXCEL for c in cands):
        choice.excel = True
    if not plain:
        return
    counts = _count(con, column, plain, where.sample) if counted else {c.fmt: 1 for c in plain}
    orders = {c.order for c in plain if c.order in ("dmy", "mdy")}
    if choice.order is None and orders:
        choice.order = order or _settle_order(con, column, header, plain, choice.examples, file_name, where)
    keep = [c for c in plain if c.order in (None, "ymd", choice.order) and counts[c.fmt] > 0]
    if choice.order in ("dmy", "mdy"):
        # Two-digit years read year-first only when asked to.
        keep = [c for c in keep if not (c.order == "ymd" and c.fmt.startswith("%y"))]
    elif choice.order is None or choice.order == "ymd":
        keep = [c for c in keep if c.order in (None, "ymd")]
    keep.sort(key=lambda c: -counts[c.fmt])
    for c in keep:
        if c.fmt not in choice.formats:
            choice.formats.append(c.fmt)
            choice.counts[c.fmt] = counts[c.fmt]


def _count(con: duckdb.DuckDBPyConnection, column: str, cands: list[Candidate], rel: str) -> dict[str, int]:
    """How many values of rel.<column> each candidate parses, in one pass."""
    items = ", ".join(f"count({parse_sql(column, [c.fmt], False)})" for c in cands)
    row = con.execute(f"SELECT {items} FROM {rel}").fetchall()[0]
    return {c.fmt: n for c, n in zip(cands, row)}


def _settle_order(con: duckdb.DuckDBPyConnection, column: str, header: str, cands: list[Candidate],
                  examples: dict[Candidate, str], file_name: str, where: Values) -> str:
    """dmy or mdy from the values only one order can read, over the whole column; ImportFailure when they do
    not decide."""
    dmy = [c.fmt for c in cands if c.order == "dmy"]
    mdy = [c.fmt for c in cands if c.order == "mdy"]
    if not dmy:
        return "mdy"
    if not mdy:
        return "dmy"
    p_dmy, p_mdy = parse_sql(column, dmy, False), parse_sql(column, mdy, False)
    only_dmy, only_mdy = con.execute(
        f"SELECT count(*) FILTER (WHERE {p_dmy} IS NOT NULL AND {p_mdy} IS NULL), "
        f"count(*) FILTER (WHERE {p_mdy} IS NOT NULL AND {p_dmy} IS NULL) FROM {where.full}",
        where.params).fetchall()[0]
    if only_dmy and not only_mdy:
        return "dmy"
    if only_mdy and not only_dmy:
        return "mdy"
    if only_dmy and only_mdy:
        raise _order_failure(header, file_name, examples, only_mdy, "dmy", only_dmy)
    shown = "、".join(sorted({e for c, e in examples.items() if c.order in ("dmy", "mdy")})[:4])
    zh = f"“{header}”列的日期既可读作日/月/年也可读作月/日/年（如 {shown}），不能猜，请指定日期顺序"
    en = (f"column {header!r} has dates that read both day-first and month-first (e.g. {shown}); "
          "they are not guessed: say which order they use")
    raise ImportFailure(zh, en, file_name, _order_fix(header, examples, (only_dmy, only_mdy)))


def _order_fix(header: str, examples: dict[Candidate, str], counts: tuple[int, ...]) -> Fix:
    """The fix asking for the day/month order of a column."""
    return Fix("date_order", header=header, choices=("dmy", "mdy"),
               examples=tuple(sorted({e for c, e in examples.items() if c.order})[:4]),
               cli="--date-order dmy  或/or  --date-order mdy", counts=counts)


def _order_failure(header: str, file_name: str, examples: dict[Candidate, str], other: int, order: str,
                   same: int | None = None) -> ImportFailure:
    """The failure for a column whose values need both day/month orders."""
    shown = "、".join(sorted({e for c, e in examples.items() if c.order in ("dmy", "mdy")})[:4])
    first, second = ("日/月/年", "月/日/年") if order == "dmy" else ("月/日/年", "日/月/年")
    count = f"{same} 个只能读作{first}，" if same else ""
    zh = f"“{header}”列的日期顺序前后矛盾：{count}{other} 个只能读作{second}（如 {shown}），请指定日期顺序"
    en = (f"column {header!r} mixes date orders: {other} values read only "
          f"{'month-first' if order == 'dmy' else 'day-first'} (e.g. {shown}); say which order to use")
    return ImportFailure(zh, en, file_name, _order_fix(header, examples, (same or 0, other)))
