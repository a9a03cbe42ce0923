"""Alerts: a unit below a red line, or getting worse, for N consecutive periods (N = the scheme's
alert_periods), with the indicator, its value, the threshold and since when. Getting worse means worse than
the period before while short of the challenge value (a unit at or beyond it loses nothing).

Only mature figures are judged: the periods must be complete (a month still running is left out), rates
with fewer than min_base in the denominator are not judged (they break a run rather than extend it), and
completion is judged on cases due. One query-layer statement for the values, one DuckDB statement for runs.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import duckdb
import pandas as pd

from ..periods import Period, add_months
from ..query import compute
from ..registry import REGISTRY
from ..views import Scope
from .scheme import Scheme
from .scores import PLACE_KEYS, assessment_period, previous_period
from .versions import in_force

# How many periods back a run is traced to find when it began.
LOOKBACK = 12
COLUMNS = ["district", "street", "community", "unit", "metric", "label", "kind", "periods", "since", "since_label",
           "period", "since_label_en", "value", "threshold", "den", "history"]


def judged_period(period: Period) -> Period | None:
    """The latest complete period at or before period (a running month is not judged)."""
    p = period
    for _ in range(LOOKBACK):
        if p.through is not None and p.through >= p.end:
            return p
        p = previous_period(p)
    return None


_RUNS_SQL = """
WITH v AS (
    SELECT a.*, p.sign, p.red, p.challenge, p.small_base,
           CASE WHEN a.value IS NULL OR (p.small_base AND coalesce(a.den, 0) < ?) THEN NULL
                ELSE a.value END AS judged
    FROM alert_values a JOIN alert_params p USING (metric)
),
w AS (
    SELECT *, lag(judged) OVER (PARTITION BY {keys}, metric ORDER BY idx) AS before,
              lag(idx) OVER (PARTITION BY {keys}, metric ORDER BY idx) AS before_idx
    FROM v
),
flags AS (
    SELECT *, 'red_line' AS kind, judged IS NOT NULL AND red IS NOT NULL AND sign * judged < sign * red AS bad
    FROM w
    UNION ALL
    SELECT *, 'falling' AS kind,
           judged IS NOT NULL AND before IS NOT NULL AND before_idx = idx - 1 AND sign * judged < sign * before
           AND (challenge IS NULL OR sign * judged < sign * challenge) AS bad
    FROM w
),
runs AS (
    SELECT {keys}, metric, kind,
           -- the last period that breaks the run: one not bad, or a gap (no figures) before a bad one
           greatest(max(idx) FILTER (WHERE NOT bad),
                    max(idx - 1) FILTER (WHERE bad AND (before_idx IS NULL OR before_idx <> idx - 1))) AS last_ok,
           bool_or(bad AND idx = ?) AS bad_now
    FROM flags GROUP BY {keys}, metric, kind
)
SELECT r.{level_key} AS unit_name, r.*, ? - coalesce(r.last_ok, ? - 1) AS periods,
       coalesce(r.last_ok + 1, ?) AS since_idx
FROM runs r WHERE r.bad_now
"""


def _index(label: str, kind: str) -> int:
    """A period label as a running number: months or quarters since year 0."""
    if kind == "quarter":
        year, q = label.split("-Q")
        return int(year) * 4 + int(q) - 1
    year, month = label.split("-")
    return int(year) * 12 + int(month) - 1


def _label(index: int, kind: str, lang: str = "zh") -> str:
    """The period's label from its running number: 2026年8月 / Aug 2026, 2026年第三季度 / Q3 2026."""
    if kind == "quarter":
        year, q = divmod(index, 4)
        return f"{year}年第{'一二三四'[q]}季度" if lang == "zh" else f"Q{q + 1} {year}"
    year, month = divmod(index, 12)
    return f"{year}年{month + 1}月" if lang == "zh" else dt.date(year, month + 1, 1).strftime("%b %Y")


def alerts(con: duckdb.DuckDBPyConnection, scope: Scope, sid: str, level: str) -> pd.DataFrame:
    """Units at level within the scope's place on an alert at the latest complete period up to the scope's."""
    target = judged_period(assessment_period_of(con, scope, sid))
    if target is None:
        return pd.DataFrame(columns=COLUMNS)
    scheme, _ = in_force(con, sid, target.start)
    frame = _runs(con, scope, scheme, level, target)
    frame.attrs["period"] = target
    return frame


def assessment_period_of(con: duckdb.DuckDBPyConnection, scope: Scope, sid: str) -> Period:
    """The scope's period as the scheme's kind of period (month or quarter) holding its last day."""
    scheme, _ = in_force(con, sid, scope.period.start)
    return assessment_period(scheme.period, scope.end, scope.period.through)


def _runs(con: duckdb.DuckDBPyConnection, scope: Scope, scheme: Scheme, level: str, target: Period) -> pd.DataFrame:
    """The alert rows for the target period."""
    keys = PLACE_KEYS[level]
    kind = target.kind
    grouping = "quarter" if kind == "quarter" else "month"
    step = 3 if kind == "quarter" else 1
    start = add_months(target.start, -step * (LOOKBACK - 1))
    metrics = [i.metric for i in scheme.indicators]
    wide = compute(con, replace(scope, period=target, community=None)
                   .query(metrics, keys + [grouping], start=start, end=target.end))
    wide = wide[wide[level].notna()]
    rows = []
    for rec in wide.to_dict("records"):
        idx = _index(str(rec[grouping]), kind)
        for mid in metrics:
            m = REGISTRY[mid]
            value = rec[mid]
            den = rec.get(f"{mid}__den") if m.is_ratio else None
            rows.append({**{k: rec[k] for k in keys}, "metric": mid, "idx": idx,
                         "value": None if pd.isna(value) else float(value),
                         "den": None if den is None or pd.isna(den) else float(den)})
    values = pd.DataFrame(rows, columns=[*keys, "metric", "idx", "value", "den"]).astype(
        {"idx": "int64", "value": "float64", "den": "float64"})
    params = pd.DataFrame([{"metric": i.metric, "sign": 1.0 if i.higher else -1.0,
                            "red": float(i.red_line) if i.red_line is not None else None,
                            "challenge": float(i.challenge) if i.challenge is not None else None,
                            "small_base": REGISTRY[i.metric].num_is_count} for i in scheme.indicators])
    params = params.astype({"red": "float64", "challenge": "float64"})
    now = _index(_period_label(target), kind)
    first = _index(_period_label(Period(kind, start, start)), kind)
    sql = _RUNS_SQL.format(keys=", ".join(keys), level_key=level)
    cur = con.cursor()
    try:
        cur.register("alert_values", values)
        cur.register("alert_params", params)
        runs = cur.execute(sql, [scheme.min_base, now, now, first, first]).df()
    finally:
        cur.close()
    runs = runs[runs["periods"] >= scheme.alert_periods]
    return _rows(runs, values, scheme, level, kind, now)


def _period_label(period: Period) -> str:
    """'2026-10' or '2026-Q3' for a month or quarter."""
    if period.kind == "quarter":
        return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"
    return period.start.strftime("%Y-%m")


def _rows(runs: pd.DataFrame, values: pd.DataFrame, scheme: Scheme, level: str, kind: str, now: int) -> pd.DataFrame:
    """Alert rows with the current value, threshold and the run's values in order."""
    keys = PLACE_KEYS[level]
    by_metric = {i.metric: i for i in scheme.indicators}
    out = []
    for rec in runs.to_dict("records"):
        ind = by_metric[rec["metric"]]
        mask = (values["metric"] == rec["metric"]) & (values["idx"] >= rec["since_idx"] - (
            1 if rec["kind"] == "falling" else 0))
        for k in keys:
            mask &= values[k].astype("object") == rec[k]
        run = values[mask].sort_values("idx")
        current = run[run["idx"] == now]
        out.append({
            "district": rec["district"], "street": rec["street"], "community": rec.get("community"),
            "unit": rec[level], "metric": rec["metric"], "label": ind.name(), "kind": rec["kind"],
            "periods": int(rec["periods"]), "since": int(rec["since_idx"]),
            "since_label": _label(int(rec["since_idx"]), kind), "period": _label(now, kind),
            "since_label_en": _label(int(rec["since_idx"]), kind, "en"),
            "value": float(current["value"].iloc[0]) if len(current) else None,
            "threshold": ind.red_line if rec["kind"] == "red_line" else None,
            "den": float(current["den"].iloc[0]) if len(current) and not pd.isna(current["den"].iloc[0]) else None,
            "history": [float(x) for x in run["value"].tolist()],
        })
    frame = pd.DataFrame(out, columns=COLUMNS)
    return frame.sort_values(["periods", "unit", "metric", "kind"], ascending=[False, True, True, True],
                             kind="stable").reset_index(drop=True)

