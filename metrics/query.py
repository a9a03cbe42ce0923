"""The query layer: indicators × grouping × filters → a DataFrame, computed in DuckDB.

Identifiers come only from the registry's allow-lists; every value (dates,
filter values) is a bound parameter.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from .errors import UsageError
from .periods import compare_period
from .registry import PLACE_GROUPS, REGISTRY, SOURCES, TIME_GROUPS, Metric

GROUP_LABELS = {
    "district": ("区县", "District"), "street": ("街道", "Street"), "community": ("社区", "Community"),
    "brand": ("党建品牌", "Brand"), "grid": ("网格", "Grid"), "category": ("类别", "Category"),
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


@dataclass
class Query:
    """What to compute: indicators, grouping, date range (inclusive) and filters."""

    metrics: list[str]
    by: list[str] = field(default_factory=list)
    start: dt.date | None = None
    end: dt.date | None = None
    where: dict[str, list[str]] = field(default_factory=dict)
    today: dt.date | None = None


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


def _base_sql(source: str, q: Query) -> tuple[str, list[object]]:
    """CTE text for `base`: the source's rows with g_* grouping columns, derived columns and filters."""
    src = SOURCES[source]
    dims = ", ".join(f"f.{d} AS g_{d}" for d in src.dimensions)
    derived = ", ".join(f"{expr} AS {name}" for name, expr in src.derived.items())
    as_of = _as_of(q)
    conds, params = _filters(q, src.dimensions)
    sql = f"""
    comm AS (
        SELECT * FROM communities
        QUALIFY row_number() OVER (PARTITION BY district, community ORDER BY street NULLS LAST) = 1
    ),
    joined AS (
        SELECT f.*, f.district AS g_district, coalesce(f.street, c.street) AS g_street,
               f.community AS g_community, c.brand AS g_brand, c.population AS g_population,
               c.district AS r_district, c.street AS r_street, c.community AS r_community, c.brand AS r_brand,
               f.{src.time_column} AS g_time{', ' + dims if dims else ''}
        FROM {src.table} f
        LEFT JOIN comm c ON c.community = f.community AND c.district IS NOT DISTINCT FROM f.district
    ),
    base AS (
        SELECT *, {_as_of_expr(q.by)} AS as_of{', ' + derived if derived else ''}
        FROM joined WHERE {' AND '.join(conds) or 'TRUE'}
    )"""
    return sql, [as_of, *params]


def _filters(q: Query, dims: tuple[str, ...]) -> tuple[list[str], list[object]]:
    """WHERE conditions on the joined rows, with their parameters."""
    conds: list[str] = []
    params: list[object] = []
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
    return conds, params


def _as_of(q: Query) -> dt.datetime:
    """When 'overdue' is judged: the end of the period, or now if that is earlier."""
    now = dt.datetime.combine(q.today, dt.datetime.now().time()) if q.today else dt.datetime.now()
    if q.end is None:
        return now
    return min(dt.datetime.combine(q.end, dt.time()) + dt.timedelta(days=1), now)


def _as_of_expr(by: list[str]) -> str:
    """SQL for the overdue cut-off; grouped by month/quarter/year, each group's own end (if earlier)."""
    for g, unit in (("month", "month"), ("quarter", "quarter"), ("year", "year")):
        if g in by:
            return (f"least(CAST(? AS TIMESTAMP), "
                    f"date_trunc('{unit}', g_time) + INTERVAL 1 {unit.upper()})")
    return "CAST(? AS TIMESTAMP)"


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


def _source_frame(con: duckdb.DuckDBPyConnection, source: str, metrics: list[Metric], q: Query) -> pd.DataFrame:
    """Plain and ratio metrics of one source table, grouped."""
    base, params = _base_sql(source, q)
    groups = _group_exprs(q.by)
    positions = ", ".join(str(i + 1) for i in range(len(q.by)))
    group_by = f"GROUP BY {positions}" if q.by else ""
    order = f"ORDER BY {positions}" if q.by else ""
    sql = f"WITH {base} SELECT {', '.join(groups + _metric_selects(metrics))} FROM base {group_by} {order}"
    return con.execute(sql, params).df()


def _per_1k_frame(con: duckdb.DuckDBPyConnection, source: str, metrics: list[Metric], q: Query) -> pd.DataFrame:
    """Per-1,000-resident metrics: numerators from communities of known population over their population."""
    base, params = _base_sql(source, q)
    place_by = [g for g in q.by if g in PLACE_GROUPS]
    place_conds, place_params = [], []
    for col, values in q.where.items():
        if col in PLACE_GROUPS:
            place_conds.append(f"{col} IN ({', '.join('?' for _ in values)})")
            place_params.extend(values)
    nums = ", ".join(f"{m.num} AS {m.id}__num" for m in metrics)
    pop_groups = ", ".join(place_by)
    join = " AND ".join(f"a.{g} IS NOT DISTINCT FROM p.{g}" for g in place_by) or "TRUE"
    only_places = len(place_by) == len(q.by)
    # With only place groupings, start from the population so places with no activity show 0.
    frm = (f"pop p LEFT JOIN agg a ON {join}" if only_places else f"agg a LEFT JOIN pop p ON {join}")
    group_cols = ", ".join(f"{'p' if only_places and g in place_by else 'a'}.{g} AS {g}" for g in q.by)
    values = ", ".join(
        f"coalesce(a.{m.id}__num, 0) AS {m.id}__num, p.residents AS {m.id}__den, "
        f"1000.0 * coalesce(a.{m.id}__num, 0) / NULLIF(p.residents, 0) AS {m.id}" for m in metrics)
    sql = f"""
    WITH {base},
    agg AS (
        SELECT {', '.join(_group_exprs(q.by, register=True) + [nums])} FROM base WHERE g_population IS NOT NULL
        {'GROUP BY ' + ', '.join(str(i + 1) for i in range(len(q.by))) if q.by else ''}
    ),
    pop AS (
        SELECT {pop_groups + ',' if pop_groups else ''} sum(population) AS residents
        FROM (SELECT * FROM comm WHERE {' AND '.join(place_conds) or 'TRUE'})
        {'GROUP BY ' + pop_groups if pop_groups else ''}
    )
    SELECT {group_cols + ',' if group_cols else ''} {values} FROM {frm}
    {'ORDER BY ' + ', '.join(str(i + 1) for i in range(len(q.by))) if q.by else ''}
    """
    return con.execute(sql, params + place_params).df()


def compute(con: duckdb.DuckDBPyConnection, q: Query) -> pd.DataFrame:
    """One row per group: group columns, then each metric (and ID__num, ID__den for ratios)."""
    metrics = validate(q)
    frames = []
    for source in SOURCES:
        plain = [m for m in metrics if m.table == source and not m.per_1k]
        per_1k = [m for m in metrics if m.table == source and m.per_1k]
        if plain:
            frames.append(_source_frame(con, source, plain, q))
        if per_1k:
            frames.append(_per_1k_frame(con, source, per_1k, q))
    result = frames[0]
    for frame in frames[1:]:
        result = result.merge(frame, how="outer", on=q.by) if q.by else pd.concat([result, frame], axis=1)
    result = result[[*q.by, *_output_columns(metrics)]]
    if q.by:
        result = result.sort_values(q.by, kind="stable", na_position="last").reset_index(drop=True)
    return _typed(result, metrics)


def _output_columns(metrics: list[Metric]) -> list[str]:
    """Metric columns in request order: ID, then ID__num and ID__den for ratios."""
    cols = []
    for m in metrics:
        cols.append(m.id)
        if m.is_ratio:
            cols += [f"{m.id}__num", f"{m.id}__den"]
    return cols


def _typed(frame: pd.DataFrame, metrics: list[Metric]) -> pd.DataFrame:
    """Counts as nullable integers, everything else as floats."""
    for m in metrics:
        if m.unit == "count":
            frame[m.id] = frame[m.id].fillna(0).round().astype("Int64")
        else:
            frame[m.id] = frame[m.id].astype("Float64")
        if m.is_ratio:
            frame[f"{m.id}__num"] = frame[f"{m.id}__num"].astype("Int64" if m.num_is_count else "Float64")
            frame[f"{m.id}__den"] = frame[f"{m.id}__den"].astype("Int64")
    return frame


def compare(con: duckdb.DuckDBPyConnection, q: Query, kind: str) -> tuple[pd.DataFrame, tuple[dt.date, dt.date]]:
    """compute() for q and for its base period, with ID__base, ID__change and ID__change_rel per metric."""
    if kind not in ("previous", "year"):
        raise UsageError(f"未知的对比方式 {kind}", f"unknown comparison {kind}; previous or year")
    if not (q.start and q.end):
        raise UsageError("对比需要 --from 和 --to", "--compare needs --from and --to")
    if any(g in TIME_GROUPS for g in q.by):
        raise UsageError("对比时不能按时间分组", "--compare cannot be combined with month/quarter/year grouping")
    metrics = validate(q)
    current = compute(con, q)
    base_start, base_end = compare_period(kind, q.start, q.end)
    base_q = Query(q.metrics, q.by, base_start, base_end, q.where, q.today)
    base = compute(con, base_q)[[*q.by, *(m.id for m in metrics)]]
    base = base.rename(columns={m.id: f"{m.id}__base" for m in metrics})
    merged = current.merge(base, how="left", on=q.by) if q.by else pd.concat([current, base], axis=1)
    for m in metrics:
        now, then = merged[m.id].astype("Float64"), merged[f"{m.id}__base"].astype("Float64")
        merged[f"{m.id}__change"] = now - then
        # A zero or missing base gives an empty relative change, never infinity.
        merged[f"{m.id}__change_rel"] = (now - then) / then.where(then != 0)
    return merged, (base_start, base_end)
