"""The query layer: indicators × grouping × filters → a DataFrame, computed in DuckDB in one statement.

Each source table contributes a CTE of aggregates; the CTEs are joined on their group keys, so a view that
asks for indicators of several tables (and, for comparisons, of several periods at once, told apart by a
`tag`) costs one SQL statement. Identifiers come only from the registry's allow-lists; every value (dates,
filter values) is a bound parameter.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from .access import Access
from .errors import UsageError
from .periods import compare_period
from .registry import PLACE_GROUPS, REGISTRY, SOURCES, TIME_GROUPS, Metric

GROUP_LABELS = {
    "district": ("区县", "District"), "street": ("街道", "Street"), "community": ("社区", "Community"),
    "brand": ("党建品牌", "Brand"), "grid": ("网格", "Grid"), "category": ("类别", "Category"),
    "subcategory": ("二级分类", "Subcategory"),
    "channel": ("来源渠道", "Channel"), "handler": ("承办单位", "Handling unit"),
    "team": ("志愿服务队", "Team"), "activity_type": ("活动类型", "Activity type"),
    "task": ("任务", "Task"), "month": ("月份", "Month"), "quarter": ("季度", "Quarter"),
    "year": ("年度", "Year"),
}
DIMENSIONS = tuple(GROUP_LABELS)
_TIME_EXPR = {
    "month": "strftime(g_time, '%Y-%m')",
    "quarter": "strftime(g_time, '%Y') || '-Q' || CAST(quarter(g_time) AS VARCHAR)",
    "year": "CAST(year(g_time) AS INTEGER)",
}
Span = tuple[dt.date, dt.date]


@dataclass
class Query:
    """What to compute: indicators, grouping, date range (inclusive) and filters."""

    metrics: list[str]
    by: list[str] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    where: dict[str, list[str]] = field(default_factory=dict)
    today: dt.date | None = None
    # When deadlines are judged (overdue, due): the time the data describes; default now.
    as_of: dt.datetime | None = None
    # The places the asker may see (None: no restriction, for the command line run by the store's owner).
    access: Access | None = None


def validate(q: Query) -> list[Metric]:
    """The query's metrics, after checking every id, grouping and filter against the allow-lists."""
    if not q.metrics:
        raise UsageError("请至少指定一个指标", "at least one metric is required")
    metrics = []
    for mid in q.metrics:
        if mid not in REGISTRY:
            raise UsageError(f"未知指标 {mid}", f"unknown metric {mid}; see `python -m metrics list`")
        metrics.append(REGISTRY[mid])
    if len(set(q.by)) != len(q.by):
        raise UsageError("分组重复", f"grouping repeated: {','.join(q.by)}")
    for g in q.by:
        if g not in DIMENSIONS:
            raise UsageError(f"未知分组 {g}", f"unknown grouping {g}; one of {', '.join(DIMENSIONS)}")
        for m in metrics:
            if g not in m.groupings:
                raise UsageError(f"指标 {m.id} 不能按 {g} 分组", f"metric {m.id} cannot be grouped by {g}")
    for col in q.where:
        if col not in DIMENSIONS or col in TIME_GROUPS:
            raise UsageError(f"未知筛选列 {col}", f"unknown filter column {col}; one of "
                             f"{', '.join(d for d in DIMENSIONS if d not in TIME_GROUPS)}")
        for m in metrics:
            if col not in m.groupings:
                raise UsageError(f"筛选列 {col} 不适用于指标 {m.id}", f"filter {col} does not apply to {m.id}")
    if q.start and q.end and q.end < q.start:
        raise UsageError("结束日期早于开始日期", "--to is before --from")
    return metrics


def _as_of(q: Query) -> dt.datetime:
    """The moment deadlines are judged at: the query's as-of time, else now (on the query's today)."""
    if q.as_of is not None:
        return q.as_of
    return dt.datetime.combine(q.today, dt.datetime.now().time()) if q.today else dt.datetime.now()


class _Sql:
    """SQL text with its positional parameters, built in order."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[object] = []

    def add(self, text: str, *params: object) -> None:
        """Append text and the values of its ? placeholders."""
        self.parts.append(text)
        self.params.extend(params)

    def text(self) -> str:
        """The statement."""
        return "".join(self.parts)


def _tag_sql(spans: dict[str, Span] | None) -> tuple[str, list[object]]:
    """SQL naming the period tag of a row by its date, with parameters (a constant when untagged)."""
    if not spans:
        return "'all'", []
    whens, params = [], []
    for tag, (lo, hi) in spans.items():
        whens.append("WHEN g_time >= CAST(? AS TIMESTAMP) AND g_time < CAST(? AS TIMESTAMP) + INTERVAL 1 DAY "
                     "THEN ?")
        params += [lo, hi, tag]
    return f"CASE {' '.join(whens)} END", params


def _as_of_sql(q: Query) -> tuple[str, list[object]]:
    """SQL of the cut-off for overdue and due: the time the data describes (statuses are as of the latest
    export, so a deadline is judged at that time for every period alike)."""
    return "CAST(? AS TIMESTAMP)", [_as_of(q)]


def _base(sql: _Sql, p: str, source: str, q: Query, spans: dict[str, Span] | None) -> None:
    """CTEs {p}_comm, {p}_base: the source's rows with g_* grouping columns, derived columns and filters."""
    src = SOURCES[source]
    dims = "".join(f", f.{d} AS g_{d}" for d in src.dimensions)
    tag, tag_params = _tag_sql(spans)
    as_of, as_of_params = _as_of_sql(q)
    derived = "".join(f", {expr} AS {name}" for name, expr in src.derived.items())
    sql.add(f"""
    {p}_comm AS (
        SELECT * FROM communities
        QUALIFY row_number() OVER (PARTITION BY district, community ORDER BY street NULLS LAST) = 1
    ),
    {p}_joined AS (
        SELECT f.*, f.district AS g_district, coalesce(f.street, c.street) AS g_street,
               f.community AS g_community, c.brand AS g_brand, c.population AS g_population,
               c.district AS r_district, c.street AS r_street, c.community AS r_community, c.brand AS r_brand,
               f.{src.time_column} AS g_time{dims}
        FROM {src.table} f
        LEFT JOIN {p}_comm c ON c.community = f.community AND c.district IS NOT DISTINCT FROM f.district
    ),
    {p}_tagged AS (
        SELECT *, {tag} AS tag, """, *tag_params)
    sql.add(f"{as_of} AS as_of FROM {p}_joined WHERE ", *as_of_params)
    conds, params = _filters(q, src.dimensions, spans)
    sql.add(" AND ".join(conds) or "TRUE", *params)
    sql.add(f"),\n    {p}_base AS (SELECT *{derived} FROM {p}_tagged)")


def _filters(q: Query, dims: tuple[str, ...], spans: dict[str, Span] | None) -> tuple[list[str], list[object]]:
    """WHERE conditions on the joined rows, with their parameters."""
    conds: list[str] = []
    params: list[object] = []
    if spans:
        ors = []
        for lo, hi in spans.values():
            ors.append("(g_time >= CAST(? AS TIMESTAMP) AND g_time < CAST(? AS TIMESTAMP) + INTERVAL 1 DAY)")
            params += [lo, hi]
        conds.append("(" + " OR ".join(ors) + ")")
    else:
        if q.start:
            conds.append("g_time >= CAST(? AS TIMESTAMP)")
            params.append(q.start)
        if q.end:
            conds.append("g_time < CAST(? AS TIMESTAMP) + INTERVAL 1 DAY")
            params.append(q.end)
    for col, values in q.where.items():
        if col in PLACE_GROUPS or col in dims:
            conds.append(f"g_{col} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    if q.access is not None:
        cond, more = q.access.sql("g_district", "g_street")
        conds.append(cond)
        params.extend(more)
    return conds, params


def _group_exprs(by: list[str], register: bool = False) -> list[str]:
    """SELECT expressions for the groupings; register=True takes places from the community register.

    Per-1,000 figures divide by the register's population, so their numerators must be grouped by the
    register's place names too, or a fact row spelling its street differently would fall out.
    """
    prefix = {g: ("r_" if register and g in PLACE_GROUPS else "g_") for g in by}
    return [f"{_TIME_EXPR.get(g, prefix[g] + g)} AS {g}" for g in by]


def _metric_selects(metrics: list[Metric]) -> list[str]:
    """Aggregate expressions for plain and ratio metrics."""
    out = []
    for m in metrics:
        if m.is_ratio:
            out += [f"{m.num} AS {m.id}__num", f"{m.den} AS {m.id}__den",
                    f"CAST({m.num} AS DOUBLE) / NULLIF({m.den}, 0) AS {m.id}"]
        else:
            out.append(f"{m.expr} AS {m.id}")
    return out


def _plain_part(sql: _Sql, p: str, metrics: list[Metric], keys: list[str]) -> None:
    """CTE {p}: plain and ratio metrics of one source, grouped by keys (tag and the query's groupings)."""
    groups = ["tag"] + _group_exprs(keys[1:])
    positions = ", ".join(str(i + 1) for i in range(len(groups)))
    sql.add(f",\n    {p} AS (SELECT {', '.join(groups + _metric_selects(metrics))} FROM {p}_base GROUP BY {positions})")


def _per_1k_part(sql: _Sql, p: str, metrics: list[Metric], q: Query, keys: list[str],
                 spans: dict[str, Span] | None) -> None:
    """CTE {p}: per-1,000-resident metrics, numerators from communities of known population over it."""
    by = keys[1:]
    place_by = [g for g in by if g in PLACE_GROUPS]
    nums = ", ".join(f"{m.num} AS {m.id}__num" for m in metrics)
    agg_groups = ["tag"] + _group_exprs(by, register=True)
    positions = ", ".join(str(i + 1) for i in range(len(agg_groups)))
    sql.add(f",\n    {p}_agg AS (SELECT {', '.join(agg_groups)}, {nums} FROM {p}_base WHERE g_population IS NOT NULL "
            f"GROUP BY {positions})")
    place_conds, place_params = [], []
    for col, values in q.where.items():
        if col in PLACE_GROUPS:
            place_conds.append(f"{col} IN ({', '.join('?' for _ in values)})")
            place_params.extend(values)
    if q.access is not None:
        cond, more = q.access.sql("district", "street")
        place_conds.append(cond)
        place_params.extend(more)
    pop_groups = ", ".join(place_by)
    sql.add(f",\n    {p}_pop AS (SELECT {pop_groups + ',' if pop_groups else ''} sum(population) AS residents "
            f"FROM {p}_comm WHERE {' AND '.join(place_conds) or 'TRUE'} "
            f"{'GROUP BY ' + pop_groups if pop_groups else ''})", *place_params)
    tags = ", ".join(f"('{t}')" for t in (spans or {"all": None}))
    join = " AND ".join(f"a.{g} IS NOT DISTINCT FROM x.{g}" for g in place_by)
    values = ", ".join(f"coalesce(a.{m.id}__num, 0) AS {m.id}__num, x.residents AS {m.id}__den, "
                       f"1000.0 * coalesce(a.{m.id}__num, 0) / NULLIF(x.residents, 0) AS {m.id}" for m in metrics)
    if len(place_by) == len(by):
        # Only place groupings: start from the population so places with no activity show 0.
        cols = ", ".join(["t.tag"] + [f"x.{g}" for g in place_by])
        on = " AND ".join(["a.tag = t.tag"] + ([join] if join else []))
        sql.add(f",\n    {p} AS (SELECT {cols}, {values} FROM {p}_pop x CROSS JOIN (VALUES {tags}) t(tag) "
                f"LEFT JOIN {p}_agg a ON {on})")
    else:
        cols = ", ".join(["a.tag"] + [f"a.{g}" for g in by])
        sql.add(f",\n    {p} AS (SELECT {cols}, {values} FROM {p}_agg a LEFT JOIN {p}_pop x ON {join or 'TRUE'})")


def _statement(q: Query, metrics: list[Metric], spans: dict[str, Span] | None) -> _Sql:
    """One statement computing every metric by tag and the query's groupings."""
    keys = ["tag", *q.by]
    sql = _Sql()
    sql.add("WITH ")
    parts: list[tuple[str, list[Metric]]] = []
    first = True
    for i, source in enumerate(SOURCES):
        for kind, chosen in (("plain", [m for m in metrics if m.table == source and not m.per_1k]),
                             ("per1k", [m for m in metrics if m.table == source and m.per_1k])):
            if not chosen:
                continue
            p = f"q{i}_{kind}"
            if not first:
                sql.add(",\n")
            first = False
            _base(sql, p, source, q, spans)
            if kind == "plain":
                _plain_part(sql, p, chosen, keys)
            else:
                _per_1k_part(sql, p, chosen, q, keys, spans)
            parts.append((p, chosen))
    union = " UNION ".join(f"SELECT {', '.join(keys)} FROM {p}" for p, _ in parts)
    sql.add(f",\n    gd_keys AS ({union})\nSELECT {', '.join('k.' + k for k in keys)}")
    for p, chosen in parts:
        cols = []
        for m in chosen:
            cols.append(f"{p}.{m.id}")
            if m.is_ratio:
                cols += [f"{p}.{m.id}__num", f"{p}.{m.id}__den"]
        sql.add(", " + ", ".join(cols))
    sql.add(" FROM gd_keys k")
    for p, _ in parts:
        on = " AND ".join(f"k.{k} IS NOT DISTINCT FROM {p}.{k}" for k in keys)
        sql.add(f" LEFT JOIN {p} ON {on}")
    return sql


def _run(con: duckdb.DuckDBPyConnection, q: Query, spans: dict[str, Span] | None) -> pd.DataFrame:
    """Execute the one statement; metric columns in request order, typed."""
    metrics = validate(q)
    sql = _statement(q, metrics, spans)
    frame = con.execute(sql.text(), sql.params).df()
    cols = ["tag", *q.by, *_output_columns(metrics)]
    frame = frame[cols]
    return _typed(frame, metrics)


def compute(con: duckdb.DuckDBPyConnection, q: Query) -> pd.DataFrame:
    """One row per group: group columns, then each metric (and ID__num, ID__den for ratios)."""
    frame = _run(con, q, None).drop(columns="tag")
    if not q.by:
        if frame.empty:  # no source produced a row: the aggregates of nothing
            frame = _typed(pd.DataFrame([{c: None for c in frame.columns}]), validate(q))
        return frame.reset_index(drop=True)
    return frame.sort_values(q.by, kind="stable", na_position="last").reset_index(drop=True)


def compute_spans(con: duckdb.DuckDBPyConnection, q: Query, spans: dict[str, Span]) -> pd.DataFrame:
    """compute() for several periods at once (one statement): a `tag` column names each row's period.

    Periods with the same span are computed once; periods that overlap otherwise are computed apart.
    """
    unique: dict[Span, list[str]] = {}
    for tag, span in spans.items():
        unique.setdefault(span, []).append(tag)
    ordered = sorted(unique)
    overlapping = any(a[1] >= b[0] for a, b in zip(ordered, ordered[1:]))
    if overlapping:
        frames = [compute_spans(con, q, {tags[0]: span}) for span, tags in unique.items()]
        frame = pd.concat(frames, ignore_index=True)
    else:
        frame = _run(con, q, {tags[0]: span for span, tags in unique.items()})
    rows = []
    for span, tags in unique.items():
        part = frame[frame["tag"] == tags[0]]
        for tag in tags:
            rows.append(part.assign(tag=tag) if len(part) else _empty_row(part, tag, q))
    out = pd.concat(rows, ignore_index=True)
    return out.sort_values(["tag", *q.by], kind="stable", na_position="last").reset_index(drop=True)


def _empty_row(part: pd.DataFrame, tag: str, q: Query) -> pd.DataFrame:
    """The aggregates of no rows for an ungrouped period that had none; grouped periods stay empty."""
    if q.by:
        return part
    row = _typed(pd.DataFrame([{c: None for c in part.columns}]), validate(q))
    return row.assign(tag=tag)


def _output_columns(metrics: list[Metric]) -> list[str]:
    """Metric columns in request order: ID, then ID__num and ID__den for ratios."""
    cols = []
    for m in metrics:
        cols.append(m.id)
        if m.is_ratio:
            cols += [f"{m.id}__num", f"{m.id}__den"]
    return cols


def _typed(frame: pd.DataFrame, metrics: list[Metric]) -> pd.DataFrame:
    """Counts as nullable integers (a count of nothing is 0), everything else as floats."""
    for m in metrics:
        if m.unit == "count":
            frame[m.id] = pd.to_numeric(frame[m.id]).fillna(0).round().astype("Int64")
        else:
            frame[m.id] = pd.to_numeric(frame[m.id]).astype("Float64")
        if m.is_ratio:
            num = pd.to_numeric(frame[f"{m.id}__num"])
            den = pd.to_numeric(frame[f"{m.id}__den"])
            frame[f"{m.id}__num"] = (num.fillna(0).round() if m.num_is_count else num).astype(
                "Int64" if m.num_is_count else "Float64")
            frame[f"{m.id}__den"] = (den if m.per_1k else den.fillna(0)).round().astype("Int64")
    return frame


def compare(con: duckdb.DuckDBPyConnection, q: Query, kind: str) -> tuple[pd.DataFrame, Span]:
    """compute() for q and for its base period, with ID__base, ID__change and ID__change_rel per metric."""
    if kind not in ("previous", "year"):
        raise UsageError(f"未知的对比方式 {kind}", f"unknown comparison {kind}; previous or year")
    if not (q.start and q.end):
        raise UsageError("对比需要 --from 和 --to", "--compare needs --from and --to")
    if any(g in TIME_GROUPS for g in q.by):
        raise UsageError("对比时不能按时间分组", "--compare cannot be combined with month/quarter/year grouping")
    base_span = compare_period(kind, q.start, q.end)
    both = compute_spans(con, q, {"cur": (q.start, q.end), "base": base_span})
    return with_changes(both, q, validate(q)), base_span


def with_changes(both: pd.DataFrame, q: Query, metrics: list[Metric], base_tag: str = "base",
                 suffix: str = "") -> pd.DataFrame:
    """The 'cur' rows with ID__base{suffix}, ID__change{suffix} and ID__change_rel{suffix} from base_tag rows."""
    current = both[both["tag"] == "cur"].drop(columns="tag").reset_index(drop=True)
    base = both[both["tag"] == base_tag][[*q.by, *(m.id for m in metrics)]]
    base = base.rename(columns={m.id: f"{m.id}__base{suffix}" for m in metrics})
    merged = current.merge(base, how="left", on=q.by) if q.by else pd.concat(
        [current, base.reset_index(drop=True)], axis=1)
    for m in metrics:
        now, then = merged[m.id].astype("Float64"), merged[f"{m.id}__base{suffix}"].astype("Float64")
        merged[f"{m.id}__change{suffix}"] = now - then
        # A zero or missing base gives an empty relative change, never infinity.
        merged[f"{m.id}__change_rel{suffix}"] = (now - then) / then.where(then != 0)
    return merged
