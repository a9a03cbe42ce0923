"""Text forms of query results and of the registry: csv, json and plain tables."""
from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from .query import Query
from .registry import DIRECTIONS, METRICS, REGISTRY, UNITS

def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """Values rounded for the plain-text table: one place more than the pages show (rates as fractions to 4
    places, days to 2, hours to 1); counts stay integers."""
    out = frame.copy()
    for col in out.columns:
        mid, _, suffix = col.partition("__")
        metric = REGISTRY.get(mid)
        if metric is None or suffix in ("num", "den"):
            continue
        unit = UNITS[metric.unit]
        places = 4 if suffix == "change_rel" else unit.decimals + (3 if unit.percent else 1)
        if metric.unit != "count":
            out[col] = out[col].astype("Float64").round(places)
    return out


def format_frame(frame: pd.DataFrame, q: Query | None, fmt: str, base: tuple[dt.date, dt.date] | None) -> str:
    """The frame as csv or json at full precision (for machines), or as an aligned, rounded table (for people)."""
    if fmt == "csv":
        return frame.to_csv(index=False)
    if fmt == "json":
        payload: dict[str, object] = {}
        if q is not None:
            payload.update({"metrics": q.metrics, "by": q.by,
                            "from": q.start.isoformat() if q.start else None,
                            "to": q.end.isoformat() if q.end else None, "where": q.where})
        if base is not None:
            payload["base_period"] = [base[0].isoformat(), base[1].isoformat()]
        rows = [{k: _plain(v) for k, v in rec.items()} for rec in frame.to_dict("records")]
        payload["rows"] = rows
        return json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    return rounded(frame).to_string(index=False, na_rep="") + "\n"


def _plain(value: object) -> object:
    """A cell as a JSON value at full precision (None for missing, ISO text for dates)."""
    if value is None or (not isinstance(value, (list, dict, str)) and pd.isna(value)):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def registry_frame() -> pd.DataFrame:
    """The registry as a table: one row per indicator with labels, unit, direction, rule and SQL."""
    return pd.DataFrame([{
        "id": m.id, "zh": m.zh, "en": m.en, "unit": m.unit, "unit_zh": UNITS[m.unit].zh,
        "direction": m.direction, "direction_zh": DIRECTIONS[m.direction][0],
        "direction_en": DIRECTIONS[m.direction][1], "table": m.table,
        "kind": "per_1k" if m.per_1k else ("ratio" if m.is_ratio else "aggregate"),
        "numerator": m.num or "", "denominator": m.den or "", "numerator_zh": m.num_label[0],
        "denominator_zh": m.den_label[0], "description_zh": m.desc_zh,
        "description_en": m.desc_en, "sql": m.sql, "groupings": ",".join(m.groupings),
    } for m in METRICS])
