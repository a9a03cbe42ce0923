"""What the assessment page shows, shaped here so the page only renders: scores with reasons, one
indicator's fair rates, alerts in sentences, a change split with its waterfall and words, the schemes."""
from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb
import pandas as pd

from ..views import Scope
from . import alerts, changes, words
from .scheme import Scheme
from .scores import PLACE_KEYS, Scored, binomial, score
from .versions import history, ids, in_force, sync_files

CHANGE_DIMENSIONS = {"street": ("街道", "streets"), "community": ("社区", "communities"),
                     "category": ("类别", "categories"), "handler": ("承办单位", "handling units")}


def period_scope(con: duckdb.DuckDBPyConnection, scope: Scope, sid: str) -> Scope:
    """The scope narrowed to the scheme's period (month or quarter) that holds the scope's last day."""
    return replace(scope, period=alerts.assessment_period_of(con, scope, sid))


def scores(con: duckdb.DuckDBPyConnection, scope: Scope, sid: str, level: str) -> Scored:
    """Scores of the level's units, with the one-sentence reason in both languages."""
    scored = score(con, period_scope(con, scope, sid), sid, level)
    frame = scored.scores.copy()
    frame["reason_zh"] = words.reasons(scored, "zh")
    frame["reason_en"] = words.reasons(scored, "en")
    return replace(scored, scores=frame)


def fair_rates(scored: Scored, metric: str) -> pd.DataFrame:
    """One rate of every unit: raw, shrunk, interval, base and the parent's rate, best shrunk rate first."""
    rows = scored.breakdown[(scored.breakdown["metric"] == metric) & scored.breakdown["den"].fillna(0).gt(0)].copy()
    rows["unit"] = rows[scored.level]
    cols = [*PLACE_KEYS[scored.level], "unit", "value", "num", "den", "shrunk_value", "low", "high", "parent_rate",
            "status"]
    return rows[cols].sort_values("shrunk_value", ascending=False, kind="stable").reset_index(drop=True)


def shrinkable(scored: Scored) -> list[str]:
    """The scheme's indicators that have shrunk rates."""
    return [i.metric for i in scored.scheme.indicators if binomial(i.metric)]


def unit_rows(scored: Scored, unit: dict) -> pd.DataFrame:
    """One unit's breakdown: each indicator's raw and used value, interval, points, weight and contribution."""
    keys = PLACE_KEYS[scored.level]
    mask = pd.Series(True, index=scored.breakdown.index)
    for k in keys:
        mask &= scored.breakdown[k].astype("object") == unit[k]
    rows = scored.breakdown[mask].copy()
    labels = {i.metric: i for i in scored.scheme.indicators}
    rows["label_zh"] = [labels[m].name("zh") for m in rows["metric"]]
    rows["label_en"] = [labels[m].name("en") for m in rows["metric"]]
    return rows.reset_index(drop=True)


def alert_list(con: duckdb.DuckDBPyConnection, scope: Scope, sid: str, levels: tuple[str, ...]) -> pd.DataFrame:
    """Alerts at every level of the scheme, with their sentences; attrs['period'] is the period judged."""
    frames = []
    judged = None
    for level in levels:
        frame = alerts.alerts(con, scope, sid, level)
        judged = frame.attrs.get("period", judged)
        frame = frame.assign(level=level)
        frame["zh"] = [words.alert_sentence(r, "zh") for r in frame.to_dict("records")]
        frame["en"] = [words.alert_sentence(r, "en") for r in frame.to_dict("records")]
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=[*alerts.COLUMNS, "level"])
    out.attrs["period"] = judged
    return out


@dataclass(frozen=True)
class Change:
    """A rate's change split by one dimension: parts, waterfall bars and sentences in both languages."""

    parts: pd.DataFrame
    bars: pd.DataFrame
    zh: list[str]
    en: list[str]
    totals: dict


def change(con: duckdb.DuckDBPyConnection, scope: Scope, metric: str, by: str) -> Change:
    """The split of metric's change from the previous period by `by`."""
    parts = changes.decompose(con, scope, metric, by)
    names = CHANGE_DIMENSIONS[by]
    return Change(parts, changes.waterfall(parts), words.change_sentences(parts, metric, names, "zh"),
                  words.change_sentences(parts, metric, names, "en"), dict(parts.attrs))


def scheme_for(con: duckdb.DuckDBPyConnection, scope: Scope, sid: str) -> Scheme:
    """The scheme in force for the scope's period."""
    return in_force(con, sid, scope.period.start)[0]


def schemes(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(id, name) of every scheme, the default first (names as in force today)."""
    import datetime as dt
    return [(sid, in_force(con, sid, dt.date.today())[0].name) for sid in ids(con)]


def scheme_history(con: duckdb.DuckDBPyConnection, sid: str) -> pd.DataFrame:
    """Every version of the scheme, newest first."""
    return history(con, sid)


__all__ = ["Change", "alert_list", "change", "fair_rates", "period_scope", "scheme_for", "scheme_history", "schemes",
           "scores", "shrinkable", "sync_files", "unit_rows"]
