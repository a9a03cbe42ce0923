"""What changed and why: a rate's change between two periods split into the contributions of its parts.

A rate is a weighted mean of its parts' rates, R = Σ w_i r_i with w_i = den_i / Σ den. Between periods 0 and 1

    ΔR = Σ_i (w1_i − w0_i)(r̄_i − R̄)  +  Σ_i w̄_i (r1_i − r0_i)        (bars: midpoints of the two periods)
         └──── mix: more or less weight on parts above/below the average ┘   └── rate: the parts' own change ┘

which holds exactly, part by part; a part present in only one period has no rate change (all its effect is
mix). The parts' contributions therefore sum to the total change.
"""
from __future__ import annotations

import duckdb
import pandas as pd

from ..query import compute_spans
from ..registry import REGISTRY
from ..views import Scope

DIMENSIONS = ("street", "community", "category", "handler")
UNNAMED = "（未填）"
COLUMNS = ["part", "den0", "num0", "den1", "num1", "rate0", "rate1", "w0", "w1", "mix", "rate", "total"]


def decomposable(metric: str) -> bool:
    """Rates with a numerator and denominator of rows (not per-1,000 figures)."""
    m = REGISTRY[metric]
    return m.is_ratio and not m.per_1k


def decompose(con: duckdb.DuckDBPyConnection, scope: Scope, metric: str, by: str) -> pd.DataFrame:
    """Parts of the change in metric from the previous period to the scope's, by one dimension (one
    statement); attrs hold before, after, change, mix and rate totals and both spans."""
    if not decomposable(metric) or by not in DIMENSIONS:
        raise ValueError(f"cannot decompose {metric} by {by}")
    spans = {"now": (scope.start, scope.end), "before": scope.period.previous()}
    frame = compute_spans(con, scope.query([metric], [by]), spans)
    frame[by] = frame[by].astype("object").where(frame[by].notna(), UNNAMED)
    wide = frame.pivot_table(index=by, columns="tag", values=[f"{metric}__num", f"{metric}__den"], aggfunc="sum",
                             dropna=False).fillna(0)
    out = pd.DataFrame({
        "part": wide.index.astype(str),
        "den0": _col(wide, metric, "den", "before"), "num0": _col(wide, metric, "num", "before"),
        "den1": _col(wide, metric, "den", "now"), "num1": _col(wide, metric, "num", "now"),
    })
    out = out[(out["den0"] > 0) | (out["den1"] > 0)].reset_index(drop=True)
    return _effects(out, spans)


def _col(wide: pd.DataFrame, metric: str, part: str, tag: str) -> list[float]:
    """One numerator or denominator column of the pivot (zeros when the period has no rows)."""
    key = (f"{metric}__{part}", tag)
    return wide[key].astype("float64").tolist() if key in wide.columns else [0.0] * len(wide)


def _effects(out: pd.DataFrame, spans: dict) -> pd.DataFrame:
    """Mix, rate and total effects per part, and the totals in attrs."""
    d0, d1 = out["den0"].sum(), out["den1"].sum()
    before = out["num0"].sum() / d0 if d0 else None
    after = out["num1"].sum() / d1 if d1 else None
    if before is None or after is None:
        empty = pd.DataFrame(columns=COLUMNS)
        empty.attrs.update(before=before, after=after, change=None, mix=None, rate=None, spans=spans)
        return empty
    r0 = (out["num0"] / out["den0"]).where(out["den0"] > 0)
    r1 = (out["num1"] / out["den1"]).where(out["den1"] > 0)
    r0, r1 = r0.fillna(r1), r1.fillna(r0)  # a part in one period only: no rate change
    w0, w1 = out["den0"] / d0, out["den1"] / d1
    mean = (before + after) / 2
    out = out.assign(rate0=r0, rate1=r1, w0=w0, w1=w1,
                     mix=(w1 - w0) * ((r0 + r1) / 2 - mean), rate=(w0 + w1) / 2 * (r1 - r0))
    out["total"] = out["mix"] + out["rate"]
    out = out.sort_values("total", key=lambda s: s.abs(), ascending=False, kind="stable")[COLUMNS]
    out = out.reset_index(drop=True)
    out.attrs.update(before=before, after=after, change=after - before, mix=float(out["mix"].sum()),
                     rate=float(out["rate"].sum()), spans=spans)
    return out


def waterfall(parts: pd.DataFrame, top: int = 8) -> pd.DataFrame:
    """Bars for a waterfall: the period before, the largest parts, the rest together, the period after."""
    if parts.empty:
        return pd.DataFrame(columns=["label", "value", "measure"])
    head = parts.head(top)
    rows = [{"label": "上期", "value": parts.attrs["before"], "measure": "absolute"}]
    rows += [{"label": p, "value": v, "measure": "relative"} for p, v in zip(head["part"], head["total"])]
    rest = parts["total"].iloc[top:].sum()
    if len(parts) > top:
        rows.append({"label": f"其他 {len(parts) - top} 项", "value": rest, "measure": "relative"})
    rows.append({"label": "本期", "value": parts.attrs["after"], "measure": "total"})
    return pd.DataFrame(rows)
