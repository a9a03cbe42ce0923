"""Headers recognised by meaning: which table a file is for and which header holds which column.

Every header is folded (NFKC, lower case, no spaces or punctuation) and scored against each canonical column:
1.0 for an exact synonym, else the weight of the best meaning pattern it matches (metrics/schema.py). Columns
are then assigned greedily, best score first; ties go to the column listed first in the schema, then to the
leftmost header, so the same file always maps the same way. The table is the one whose recognised columns
weigh most (columns that mark a table apart weigh double, place columns half); when two tables come out
equally likely the file name may decide, otherwise the user is asked.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import Fix, ImportFailure, UsageError
from ..schema import PLACE_COLUMNS, TABLES, Table
from .profiles import SKIP, ImportOptions

# Below this a header is not taken for a column without being told.
MIN_SCORE = 0.6
# Two tables whose scores are closer than this are "equally likely".
TABLE_MARGIN = 1.0
_PUNCT = re.compile(r"[\s\*\(\)\[\]【】（）〔〕<>《》/\\|\-_.,，、:：;；#'\"“”‘’·~～?？!！]+")


def fold(text: object) -> str:
    """Header text folded for matching: NFKC, lower case, no spaces or punctuation."""
    folded = unicodedata.normalize("NFKC", str(text or "")).lower()
    return _PUNCT.sub("", folded)


@lru_cache(maxsize=None)
def _compiled(table: str) -> tuple[tuple[str, frozenset[str], tuple[tuple[re.Pattern, float], ...]], ...]:
    """Per column of table: its name, folded synonyms and compiled meaning patterns."""
    out = []
    for col in TABLES[table].columns:
        synonyms = frozenset(fold(s) for s in (*col.synonyms, col.name))
        patterns = tuple((re.compile(p), w) for p, w in col.meanings)
        out.append((col.name, synonyms, patterns))
    return tuple(out)


@lru_cache(maxsize=65536)
def scores(folded: str, table: str) -> dict[str, float]:
    """Score of a folded header against every column of table (only scores above zero)."""
    result: dict[str, float] = {}
    if not folded or len(folded) > 80:
        return result
    for name, synonyms, patterns in _compiled(table):
        best = 1.0 if folded in synonyms else 0.0
        if best < 1.0:
            for pattern, weight in patterns:
                if weight > best and pattern.fullmatch(folded):
                    best = weight
        if best > 0:
            result[name] = best
    return result


def header_strength(cell: object) -> float:
    """How surely a cell is a column header of some table: its best score anywhere (0 when none)."""
    folded = fold(cell)
    return max((s for t in TABLES for s in scores(folded, t).values()), default=0.0)


@dataclass(frozen=True)
class ColumnMatch:
    """One header taken for one canonical column, with how sure that is."""

    index: int
    header: str
    column: str
    score: float
    how: str  # given | exact | meaning

    @property
    def confidence(self) -> str:
        """The score as a percentage for people."""
        return f"{self.score:.0%}"


@dataclass
class TableMatch:
    """The table a file is for and its column assignments."""

    table: Table
    columns: list[ColumnMatch]
    unmapped: list[str]
    score: float = 0.0
    runner_up: tuple[str, float] | None = None
    skipped: list[str] = field(default_factory=list)

    def index_of(self, column: str) -> int | None:
        """The header index mapped to a canonical column, or None."""
        for m in self.columns:
            if m.column == column:
                return m.index
        return None

    @property
    def mapping(self) -> dict[str, str]:
        """Header → canonical column, in header order."""
        return {m.header: m.column for m in sorted(self.columns, key=lambda m: m.index)}


def _assign(headers: list[str], table: Table, options: ImportOptions) -> tuple[list[ColumnMatch], list[int]]:
    """Greedy best-first assignment of headers to the table's columns; explicit pairs first."""
    folded = [fold(h) for h in headers]
    by_folded: dict[str, int] = {}
    for i, f in enumerate(folded):
        by_folded.setdefault(f, i)
    matches: list[ColumnMatch] = []
    taken: set[int] = set()
    skipped: list[int] = []
    for src, dst in options.columns.items():
        index = headers.index(src) if src in headers else by_folded.get(fold(src))
        if index is None:
            continue
        if dst in SKIP:
            skipped.append(index)
            taken.add(index)
        elif dst in table.names and dst not in {m.column for m in matches}:
            matches.append(ColumnMatch(index, headers[index], dst, 1.0, "given"))
            taken.add(index)
    done = {m.column for m in matches}
    order = {name: i for i, name in enumerate(table.names)}
    candidates = []
    for i, f in enumerate(folded):
        if i in taken:
            continue
        for column, score in scores(f, table.name).items():
            if score >= MIN_SCORE and column not in done:
                candidates.append((-score, order[column], i, column, score))
    for _, _, i, column, score in sorted(candidates):
        if column in done or i in taken:
            continue
        how = "exact" if score >= 1.0 else "meaning"
        matches.append(ColumnMatch(i, headers[i], column, score, how))
        done.add(column)
        taken.add(i)
    return sorted(matches, key=lambda m: order[m.column]), skipped


def _weight(table: Table, column: str) -> float:
    """How much a recognised column says about the table: signature columns double, places half."""
    if column in PLACE_COLUMNS:
        return 0.5
    return 2.0 if table.column(column).signature else 1.0


def _table_score(table: Table, matches: list[ColumnMatch], file_name: str) -> float:
    """A table's evidence: weighted column scores plus one point when the file name hints at it."""
    score = sum(m.score * _weight(table, m.column) for m in matches)
    name = file_name.lower()
    if any(h.lower() in name for h in table.name_hints):
        score += TABLE_MARGIN
    return score


def _check_targets(table: Table, options: ImportOptions) -> None:
    """Every mapped target, value-map column and constant must be a column of table."""
    targets = [d for d in options.columns.values() if d not in SKIP] + list(options.values) + list(options.set_values)
    for dst in targets:
        if dst not in table.names:
            raise UsageError(f"表 {table.name}（{table.zh}）没有列 {dst}",
                             f"table {table.name} has no column {dst}; columns: {', '.join(table.names)}")


def _missing(table: Table, matches: list[ColumnMatch], options: ImportOptions) -> list[str]:
    """Required columns neither mapped nor given as a constant."""
    have = {m.column for m in matches} | set(options.set_values)
    return [c for c in table.required if c not in have]


def resolve(headers: list[str], options: ImportOptions, file_name: str) -> TableMatch:
    """The table and column assignment for a file's headers; ImportFailure (with a Fix) when unsure."""
    present = set(headers) | {fold(h) for h in headers}
    for src in options.columns:
        if src not in present and fold(src) not in present:
            raise ImportFailure(f"映射中的列“{src}”在文件中不存在", f"mapped column '{src}' not in file", file_name,
                                Fix("map", header=src, choices=tuple(headers[:50])))
    if options.table is not None:
        table = TABLES[options.table]
        _check_targets(table, options)
        matches, skipped = _assign(headers, table, options)
        missing = _missing(table, matches, options)
        if missing:
            raise _missing_failure(table, missing, headers, matches, file_name)
        return _result(headers, table, matches, skipped, _table_score(table, matches, file_name), None)
    ranked = []
    for table in TABLES.values():
        targets = [d for d in options.columns.values() if d not in SKIP] + list(options.values) \
            + list(options.set_values)
        if any(d not in table.names for d in targets):
            continue
        matches, skipped = _assign(headers, table, options)
        ranked.append((_table_score(table, matches, file_name), table, matches, skipped))
    ranked.sort(key=lambda r: -r[0])
    complete = [r for r in ranked if not _missing(r[1], r[2], options)]
    if not complete:
        best = ranked[0] if ranked else None
        if best is None or best[0] <= 0:
            raise ImportFailure(
                "无法判断这是哪类数据：没有认出任何列名（诉求事件、志愿服务、微心愿、任务、社区档案）",
                "cannot tell which table this file is for: no header was recognised", file_name,
                Fix("table", choices=tuple(TABLES), cli="--table cases|volunteer_activities|wishes|tasks|communities"))
        raise _missing_failure(best[1], _missing(best[1], best[2], options), headers, best[2], file_name)
    top = complete[0]
    second = complete[1] if len(complete) > 1 else None
    if second is not None and top[0] - second[0] < TABLE_MARGIN:
        a, b = top[1], second[1]
        raise ImportFailure(
            f"无法确定这是哪类数据：既像{a.zh}也像{b.zh}，请指定",
            f"cannot tell whether this file is {a.name} or {b.name}; say which", file_name,
            Fix("table", choices=(a.name, b.name), cli=f"--table {a.name}  或/or  --table {b.name}"))
    return _result(headers, top[1], top[2], top[3], top[0], (second[1].name, second[0]) if second else None)


def _result(headers: list[str], table: Table, matches: list[ColumnMatch], skipped: list[int], score: float,
            runner_up: tuple[str, float] | None) -> TableMatch:
    """A TableMatch with the unmapped headers listed."""
    used = {m.index for m in matches}
    unmapped = [h for i, h in enumerate(headers) if i not in used and i not in skipped]
    return TableMatch(table, matches, unmapped, score, runner_up, [headers[i] for i in skipped])


def _missing_failure(table: Table, missing: list[str], headers: list[str], matches: list[ColumnMatch],
                     file_name: str) -> ImportFailure:
    """The failure for a table whose required columns were not found, naming them and the fix."""
    names = "、".join(table.column(m).zh for m in missing)
    used = {m.index for m in matches}
    free = tuple(h for i, h in enumerate(headers) if i not in used)[:50]
    first = missing[0]
    example = free[0] if free else "列名"
    return ImportFailure(
        f"按{table.zh}导入缺少必需列：{names}；请指出文件中哪一列是{table.column(first).zh}",
        f"importing as {table.name}, required column missing: {', '.join(missing)}", file_name,
        Fix("map", column=first, choices=free, cli=f'--table {table.name} --map "{example}={first}"'))
