"""Scores under a scheme: each unit's indicator values, fair (shrunk) rates, points, composite score and rank.

The values come from the query layer (one statement); shrinkage, points, the composite and ranks are one
DuckDB statement over them. Fair rates: for a rate that counts cases (or wishes, tasks) the unit's rate is
pulled toward its parent's (a street's toward its district, a community's toward its street) by an
empirical-Bayes beta-binomial model: prior mean = the parent's pooled rate, prior strength M fitted from all
peers by the method of moments,

    ρ = (S − (k − G)) / (N − k − Σ_g Σ_i n_i² / N_g + G),   M = 1/ρ − 1,
    S = Σ_i n_i (p_i − μ_g)² / (μ_g (1 − μ_g)),

over k units in G parents (N cases in all, N_g per parent). The shrunk rate is (x + μ_g M) / (n + M), the
posterior mean of Beta(x + μ_g M, n − x + (1 − μ_g) M), whose quantiles give the interval. A unit with 3 of 3
closed therefore lands near its parent's rate, and 980 of 1,000 stays near 98%.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from ..periods import Period, add_months, month_end, quarter_bounds
from ..query import compute
from ..registry import REGISTRY
from ..views import Scope
from . import beta
from .scheme import Scheme
from .versions import in_force

# ρ (the share of variation that is real) is kept within these bounds before M is capped.
RHO_MIN, RHO_MAX = 1e-3, 0.999
PLACE_KEYS = {"street": ["district", "street"], "community": ["district", "street", "community"]}


@dataclass(frozen=True)
class Scored:
    """One period's assessment of one level: scores per unit, the breakdown per unit and indicator."""

    scores: pd.DataFrame
    breakdown: pd.DataFrame
    scheme: Scheme
    record: dict
    period: Period
    level: str


def binomial(metric: str) -> bool:
    """True when a rate counts rows over rows (closed of due, satisfied of rated): it can be shrunk."""
    m = REGISTRY[metric]
    return m.is_ratio and m.num_is_count and not m.per_1k and m.den is not None and m.den.startswith("count(")


def assessment_period(kind: str, start: dt.date, through: dt.date | None) -> Period:
    """The month or quarter holding start, as a Period knowing the last day with data."""
    if kind == "quarter":
        lo, hi = quarter_bounds(start.year, (start.month - 1) // 3 + 1)
    else:
        lo, hi = start.replace(day=1), month_end(start)
    return Period(kind, lo, hi, through)


def previous_period(period: Period) -> Period:
    """The month or quarter before (complete by construction when the period is)."""
    step = 3 if period.kind == "quarter" else 1
    start = add_months(period.start, -step)
    return assessment_period(period.kind, start, period.through)


def _values(con: duckdb.DuckDBPyConnection, scope: Scope, scheme: Scheme, level: str) -> pd.DataFrame:
    """Long table: one row per unit and indicator with value, numerator and denominator (one statement)."""
    keys = PLACE_KEYS[level]
    metrics = [i.metric for i in scheme.indicators]
    wide = compute(con, scope.query(metrics, keys))
    wide = wide[wide[level].notna()]
    rows = []
    for rec in wide.to_dict("records"):
        for ind in scheme.indicators:
            m = REGISTRY[ind.metric]
            value = rec[ind.metric]
            rows.append({**{k: rec[k] for k in keys}, "metric": ind.metric,
                         "value": None if pd.isna(value) else float(value),
                         "num": float(rec[f"{ind.metric}__num"]) if m.is_ratio and not pd.isna(
                             rec[f"{ind.metric}__num"]) else None,
                         "den": float(rec[f"{ind.metric}__den"]) if m.is_ratio and not pd.isna(
                             rec[f"{ind.metric}__den"]) else None})
    columns = [*keys, "metric", "value", "num", "den"]
    frame = pd.DataFrame(rows, columns=columns)
    for col in ("value", "num", "den"):
        frame[col] = frame[col].astype("float64")
    for col in keys:
        frame[col] = frame[col].astype("object")
    return frame


def _params(scheme: Scheme) -> pd.DataFrame:
    """The scheme's indicators as a table for SQL (signs folded so that higher is always better)."""
    rows = []
    for order, ind in enumerate(scheme.indicators):
        sign = 1.0 if ind.higher else -1.0
        rows.append({"metric": ind.metric, "ord": order, "weight": ind.weight, "scoring": ind.scoring,
                     "sign": sign, "z": sign * ind.zero_at if ind.scoring == "linear" else None,
                     "b": sign * ind.base if ind.base is not None else None,
                     "c": sign * ind.challenge if ind.challenge is not None else None,
                     "red": sign * ind.red_line if ind.red_line is not None else None,
                     "binomial": binomial(ind.metric), "small_base": REGISTRY[ind.metric].num_is_count})
    frame = pd.DataFrame(rows)
    for col in ("z", "b", "c", "red"):
        frame[col] = frame[col].astype("float64")
    return frame


_SCORE_SQL = """
WITH v AS (
    SELECT v.*, p.*, {parent} AS parent FROM assess_values v JOIN assess_params p USING (metric)
),
grp AS (  -- each parent's pooled rate per binomial indicator
    SELECT metric, parent, sum(num) / sum(den) AS mu, sum(den) AS n_g, sum(den * den) AS nn_g, count(*) AS k_g
    FROM v WHERE binomial AND den > 0 GROUP BY metric, parent
),
fit AS (  -- method-of-moments overdispersion over every parent whose rate is strictly between 0 and 1
    SELECT g.metric,
           sum(v.den * power(v.num / v.den - g.mu, 2) / (g.mu * (1 - g.mu))) AS s,
           count(*) AS k, count(DISTINCT g.parent) AS groups, sum(v.den) AS n
    FROM v JOIN grp g ON g.metric = v.metric AND g.parent IS NOT DISTINCT FROM v.parent
    WHERE v.binomial AND v.den > 0 AND g.mu > 0 AND g.mu < 1 GROUP BY g.metric
),
fit2 AS (
    SELECT f.metric, f.k, f.groups, (SELECT median(den) FROM v WHERE v.metric = f.metric AND den > 0) AS n_med,
           f.n - f.k - (SELECT sum(g.nn_g / g.n_g) FROM grp g WHERE g.metric = f.metric AND g.mu > 0 AND g.mu < 1)
             + f.groups AS dof,
           f.s
    FROM fit f
),
prior AS (
    SELECT metric, k, groups,
           CASE WHEN k - groups < 1 OR dof <= 0 THEN NULL
                ELSE least(1 / least(greatest((s - (k - groups)) / dof, ?), ?) - 1, n_med) END AS m
    FROM fit2
),
shrunk AS (
    SELECT v.*, g.mu AS parent_rate, pr.m,
           CASE WHEN v.binomial AND v.den > 0 AND pr.m IS NOT NULL
                THEN (v.num + g.mu * pr.m) / (v.den + pr.m) END AS shrunk_value
    FROM v LEFT JOIN grp g ON g.metric = v.metric AND g.parent IS NOT DISTINCT FROM v.parent
    LEFT JOIN prior pr ON pr.metric = v.metric
),
judged AS (
    SELECT *,
           CASE WHEN value IS NULL THEN 'none'
                WHEN small_base AND coalesce(den, 0) < ? THEN 'small' ELSE 'ok' END AS status,
           sign * CASE WHEN ? AND shrunk_value IS NOT NULL THEN shrunk_value ELSE value END AS s_used
    FROM shrunk
),
pointed AS (
    SELECT *,
           CASE WHEN status <> 'ok' THEN NULL
                WHEN scoring = 'redline' THEN CASE WHEN s_used >= red THEN 100.0 ELSE 0.0 END
                WHEN s_used >= c THEN 100.0
                WHEN s_used >= b THEN ? + (100.0 - ?) * (s_used - b) / (c - b)
                WHEN s_used > z THEN ? * (s_used - z) / (b - z)
                ELSE 0.0 END AS points
    FROM judged
),
unit AS (
    SELECT {keys}, coalesce(sum(weight) FILTER (WHERE status = 'ok'), 0) AS counted_weight,
           CASE WHEN coalesce(sum(weight) FILTER (WHERE status = 'ok'), 0) >= ?
                THEN sum(points * weight) FILTER (WHERE status = 'ok') / sum(weight) FILTER (WHERE status = 'ok')
           END AS score
    FROM pointed GROUP BY {keys}
),
ranked AS (
    SELECT *, score IS NOT NULL AS scored,
           CASE WHEN score IS NOT NULL THEN
                rank() OVER (PARTITION BY score IS NULL ORDER BY round(score, 2) DESC) END AS rank,
           CASE WHEN score IS NOT NULL THEN
                rank() OVER (PARTITION BY score IS NULL ORDER BY round(score, 2) ASC) END AS rank_from_bottom
    FROM unit
)
SELECT p.*, p.sign * p.s_used AS used_value,
       CASE WHEN p.status = 'ok' THEN p.weight / r.counted_weight * 100 END AS effective_weight,
       CASE WHEN p.status = 'ok' THEN p.points * p.weight / r.counted_weight END AS contribution,
       r.counted_weight, r.score, r.scored, r.rank, r.rank_from_bottom
FROM pointed p JOIN ranked r USING ({keys})
ORDER BY r.rank NULLS LAST, {keys}, p.ord
"""


def _score_frame(con: duckdb.DuckDBPyConnection, values: pd.DataFrame, scheme: Scheme, level: str) -> pd.DataFrame:
    """The scoring statement over the values: one row per unit and indicator."""
    keys = PLACE_KEYS[level]
    sql = _SCORE_SQL.format(keys=", ".join(keys), parent="district")
    bp = scheme.base_points
    params = [RHO_MIN, RHO_MAX, scheme.min_base, scheme.rank_on == "shrunk", bp, bp, bp, scheme.min_weight]
    cur = con.cursor()
    try:
        cur.register("assess_values", values)
        cur.register("assess_params", _params(scheme))
        return cur.execute(sql, params).df()
    finally:
        cur.close()


def _intervals(frame: pd.DataFrame, level: float) -> pd.DataFrame:
    """Interval bounds of each shrunk rate from its posterior Beta distribution."""
    lo_p, hi_p = (1 - level) / 2, (1 + level) / 2
    los, his = [], []
    for rec in frame[["shrunk_value", "num", "den", "parent_rate", "m"]].to_dict("records"):
        if pd.isna(rec["shrunk_value"]):
            los.append(None)
            his.append(None)
            continue
        a = rec["num"] + rec["parent_rate"] * rec["m"]
        b = rec["den"] - rec["num"] + (1 - rec["parent_rate"]) * rec["m"]
        los.append(beta.quantile(lo_p, a, b) if a > 0 and b > 0 else rec["shrunk_value"])
        his.append(beta.quantile(hi_p, a, b) if a > 0 and b > 0 else rec["shrunk_value"])
    return frame.assign(low=pd.array(los, dtype="Float64"), high=pd.array(his, dtype="Float64"))


def _units(long: pd.DataFrame, scheme: Scheme, level: str) -> pd.DataFrame:
    """One row per unit: score, rank, lists, from the long frame."""
    keys = PLACE_KEYS[level]
    cols = [*keys, "score", "counted_weight", "scored", "rank", "rank_from_bottom"]
    units = long[cols].drop_duplicates(keys).reset_index(drop=True)
    units["unit"] = units[level]
    ranked = units["rank"].notna()
    top = ranked & (units["rank"] <= scheme.top_n)
    bottom = ranked & (units["rank_from_bottom"] <= scheme.bottom_n) & ~top
    units["list"] = None
    units.loc[top, "list"] = "red"
    units.loc[bottom, "list"] = "black"
    units["rank"] = units["rank"].astype("Int64")
    units["peers"] = int(ranked.sum())
    return units


def score(con: duckdb.DuckDBPyConnection, scope: Scope, sid: str, level: str,
          with_previous: bool = True) -> Scored:
    """Scores of every unit at level within the scope's place for the scope's period, under the scheme in
    force then; with the previous period's ranks (under its own scheme version) for the rank change."""
    scheme, record = in_force(con, sid, scope.period.start)
    long = _score_frame(con, _values(con, scope, scheme, level), scheme, level)
    long = _intervals(long, scheme.interval)
    units = _units(long, scheme, level)
    keys = PLACE_KEYS[level]
    units["prev_rank"] = pd.array([None] * len(units), dtype="Int64")
    units["prev_score"] = pd.array([None] * len(units), dtype="Float64")
    if with_previous:
        before = previous_period(scope.period)
        prev = score(con, replace(scope, period=before, community=None), sid, level, False).scores
        if len(prev):
            merged = units[keys].merge(prev[[*keys, "rank", "score"]], how="left", on=keys)
            units["prev_rank"] = merged["rank"].astype("Int64").values
            units["prev_score"] = merged["score"].astype("Float64").values
    units["rank_change"] = (units["prev_rank"] - units["rank"]).astype("Int64")
    return Scored(units, long, scheme, record, scope.period, level)
