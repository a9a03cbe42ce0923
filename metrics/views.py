"""Data for the dashboard views: KPIs, maturity, trends, rankings, hierarchy, red lines, brand comparison.

Every number comes from the query layer, one SQL statement per view where it can (three at most); this
module shapes it (ranks, normalises, joins labels) so that pages only render. A Scope carries the Period
as picked (month, quarter, year, custom) and the data it holds, so partial periods compare like for like.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import duckdb
import pandas as pd

from . import summary
from .access import Access
from .periods import Period, add_months, month_end
from .query import Query, compute, compute_spans, with_changes
from .registry import METRICS, REGISTRY

# Red lines: a unit below these in the period is listed (满意率 ≥ 85% as in hotline scorecards). Completion
# is judged on cases due only (应办结件办结率): cases still inside their deadline never put a unit on it.
THRESHOLDS = {"case_due_completion_rate": 0.90, "case_ontime_rate": 0.85, "case_satisfaction_rate": 0.85}
# Below this many cases (or wishes) in the denominator a unit is shown but not ranked.
MIN_DENOMINATOR = 10
SMALL_BASE_SOURCES = ("cases", "wishes")
HEADLINE = [m.id for m in METRICS if m.headline]
# Shown with the KPIs: how many of the period's cases are still inside their deadline.
MATURITY = "cases_not_yet_due"


@dataclass(frozen=True)
class Scope:
    """Where the view looks: a period and optional district, street and community."""

    period: Period
    district: str | None = None
    street: str | None = None
    community: str | None = None
    today: dt.date | None = None
    # What the viewer may see; every query of this scope is restricted to it (None: the store's owner).
    access: Access | None = None

    @property
    def start(self) -> dt.date:
        """First day the figures cover."""
        return self.period.start

    @property
    def end(self) -> dt.date:
        """Last day the figures cover (the last day with data in a partial period)."""
        return self.period.effective_end

    @property
    def as_of(self) -> dt.datetime:
        """When deadlines are judged: the end of the last day with data (statuses are as of then), or now."""
        now = dt.datetime.combine(self.today, dt.datetime.now().time()) if self.today else dt.datetime.now()
        if self.period.through is None:
            return now
        return min(now, dt.datetime.combine(self.period.through + dt.timedelta(days=1), dt.time()))

    def where(self) -> dict[str, list[str]]:
        """Place filters for the query layer."""
        out = {}
        for level in ("district", "street", "community"):
            value = getattr(self, level)
            if value:
                out[level] = [value]
        return out

    def query(self, metrics: list[str], by: list[str] | None = None, **changes) -> Query:
        """A Query over this scope."""
        q = Query(list(metrics), by or [], self.start, self.end, self.where(), self.today, self.as_of, self.access)
        for key, value in changes.items():
            setattr(q, key, value)
        return q

    def within(self, **places: str | None) -> "Scope":
        """The same period over other places."""
        return Scope(self.period, places.get("district"), places.get("street"), places.get("community"),
                     self.today, self.access)


def data_version(con: duckdb.DuckDBPyConnection) -> tuple:
    """Changes whenever an import, an undo or a scheme edit changes the store: the cache key of every view."""
    return tuple(con.execute("SELECT count(*), max(id), count(undone_at), (SELECT count(*) FROM assessment_schemes) "
                             "FROM import_batches").fetchall()[0])


def data_span(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    """First and last date that any fact row is dated by (from the summary)."""
    return summary.span(con)


def months_with_data(con: duckdb.DuckDBPyConnection, until: dt.date | None = None) -> list[str]:
    """Months (YYYY-MM) with data, newest first, none after until's month (from the summary)."""
    return summary.months(con, until)


def places(con: duckdb.DuckDBPyConnection, access: Access | None = None) -> pd.DataFrame:
    """Every known district/street/community with its brand (from the summary), within access."""
    frame = summary.places(con)
    if access is None or access.everything:
        return frame
    keep = [access.allows(d, s) for d, s in zip(frame["district"], frame["street"])]
    return frame[keep].reset_index(drop=True)


def community_profile(con: duckdb.DuckDBPyConnection, district: str | None, community: str,
                      access: Access | None = None) -> dict:
    """The register row of a community (brand, residents, ...), empty when it is not registered or not
    within access."""
    frame = con.execute(
        "SELECT district, street, community, brand, brand_method, population, households, party_members, grids, "
        "grid_workers FROM communities WHERE community = ? AND (? IS NULL OR district = ?) LIMIT 1",
        [community, district, district]).df()
    if frame.empty:
        return {}
    row = frame.iloc[0].to_dict()
    return row if access is None or access.allows(row["district"], row["street"]) else {}


def kpis(con: duckdb.DuckDBPyConnection, scope: Scope, metrics: list[str] | None = None) -> pd.DataFrame:
    """One row per headline metric: value, previous span and the span a year before, with changes.

    One statement for the three spans; attrs hold the spans and the maturity figure.
    """
    ids = list(metrics or HEADLINE)
    q = scope.query(ids + ([MATURITY] if MATURITY not in ids else []))
    spans = {"cur": (scope.start, scope.end), "prev": scope.period.previous(), "yoy": scope.period.year_before()}
    both = compute_spans(con, q, spans)
    measured = [REGISTRY[m] for m in q.metrics]
    prev = with_changes(both, q, measured, "prev")
    year = with_changes(both, q, measured, "yoy")
    rows = []
    for mid in ids:
        m = REGISTRY[mid]
        row = {"id": mid, "zh": m.zh, "en": m.en, "unit": m.unit, "direction": m.direction,
               "value": prev[mid].iloc[0], "previous": prev[f"{mid}__base"].iloc[0],
               "change": prev[f"{mid}__change"].iloc[0], "change_rel": prev[f"{mid}__change_rel"].iloc[0],
               "last_year": year[f"{mid}__base"].iloc[0], "yoy_change": year[f"{mid}__change"].iloc[0],
               "yoy_change_rel": year[f"{mid}__change_rel"].iloc[0]}
        if m.is_ratio:
            row.update(num=prev[f"{mid}__num"].iloc[0], den=prev[f"{mid}__den"].iloc[0])
        rows.append(row)
    frame = pd.DataFrame(rows)
    frame.attrs.update(previous_period=spans["prev"], year_period=spans["yoy"],
                       not_yet_due=int(prev[MATURITY].iloc[0] or 0))
    return frame


def trend(con: duckdb.DuckDBPyConnection, scope: Scope, metric: str, months: int = 12,
          by: str | None = None) -> pd.DataFrame:
    """Monthly values of metric for the months up to the scope's end (optionally one line per group)."""
    start = add_months(scope.end.replace(day=1), -(months - 1))
    end = month_end(scope.end)
    q = scope.query([metric], ["month"] + ([by] if by else []), start=start, end=end)
    return compute(con, q)


def ranking(con: duckdb.DuckDBPyConnection, scope: Scope, metric: str, level: str,
            min_denominator: int = MIN_DENOMINATOR) -> pd.DataFrame:
    """Units at level ranked on metric: ties share a rank; units with a small base are listed unranked."""
    m = REGISTRY[metric]
    # Streets and communities are named within their district: two 新村社区 are two units.
    by = [level] if level in ("district", "brand") else (["district", level] if level == "street"
                                                         else ["district", "street", level])
    q = scope.query([metric], by)
    both = compute_spans(con, q, {"cur": (scope.start, scope.end), "prev": scope.period.previous()})
    frame = with_changes(both, q, [m], "prev")
    frame = frame[frame[level].notna()].copy()
    if m.is_ratio and not m.per_1k and m.table in SMALL_BASE_SOURCES:
        frame["small"] = frame[f"{metric}__den"].fillna(0) < min_denominator
    else:
        frame["small"] = False
    ascending = m.direction == "lower"
    rankable = frame[~frame["small"] & frame[metric].notna()]
    # Equal values (to display precision) rank equally: 相同分数排名不分先后.
    keys = rankable[metric].astype("float64").round(6)
    frame["rank"] = keys.rank(method="min", ascending=ascending).astype("Int64")
    frame = frame.sort_values(["rank", metric], ascending=[True, ascending], na_position="last", kind="stable")
    frame = frame.reset_index(drop=True)
    # The scope as a whole: the reference the units are drawn against (a second statement).
    whole = compute(con, scope.query([metric]))
    frame.attrs["total"] = None if whole.empty or pd.isna(whole[metric].iloc[0]) else float(whole[metric].iloc[0])
    return frame


def hierarchy(con: duckdb.DuckDBPyConnection, scope: Scope, metric: str) -> pd.DataFrame:
    """Tiles for district → street → community: id, parent, label, size (cases received) and the metric.

    Every level's value is computed by the query layer for that level (sums of numerators and
    denominators), never averaged from the tiles below it. Three statements, one per level.
    """
    ids = [metric] if metric == "cases_received" else [metric, "cases_received"]
    levels = [["district"], ["district", "street"], ["district", "street", "community"]]
    rows = []
    for by in levels:
        frame = compute(con, scope.query(ids, by))
        for rec in frame.to_dict("records"):
            names = ["（未填）" if pd.isna(rec[g]) else str(rec[g]) for g in by]
            # Ids are the JSON of the path, so a name holding "/" can never collide with a deeper place.
            rows.append({"id": json.dumps(names, ensure_ascii=False),
                         "parent": json.dumps(names[:-1], ensure_ascii=False) if len(names) > 1 else "",
                         "label": names[-1],
                         "level": by[-1], "district": names[0], "street": names[1] if len(by) > 1 else None,
                         "community": names[2] if len(by) > 2 else None, "value": rec[metric],
                         "size": int(rec["cases_received"]) if len(by) == 3 else 0})
    return pd.DataFrame(rows, columns=["id", "parent", "label", "level", "district", "street", "community", "value",
                                       "size"])


def below_thresholds(con: duckdb.DuckDBPyConnection, scope: Scope,
                     thresholds: dict[str, float] | None = None) -> pd.DataFrame:
    """Communities whose rate is under a red line in the period, with the gap; small bases are not judged."""
    limits = thresholds or THRESHOLDS
    frame = compute(con, scope.query(list(limits), ["district", "street", "community"]))
    rows = []
    for rec in frame.to_dict("records"):
        for mid, limit in limits.items():
            value, den = rec[mid], rec[f"{mid}__den"]
            if value is None or pd.isna(value) or value >= limit or (den or 0) < MIN_DENOMINATOR:
                continue
            rows.append({"district": rec["district"], "street": rec["street"], "community": rec["community"],
                         "metric": mid, "zh": REGISTRY[mid].zh, "en": REGISTRY[mid].en, "value": value,
                         "threshold": limit, "gap": value - limit, "num": rec[f"{mid}__num"], "den": den})
    columns = ["district", "street", "community", "metric", "zh", "en", "value", "threshold", "gap", "num", "den"]
    return pd.DataFrame(rows, columns=columns).sort_values("gap", kind="stable").reset_index(drop=True)


def peer_ranks(con: duckdb.DuckDBPyConnection, scope: Scope, community: str, metrics: list[str]) -> pd.DataFrame:
    """For each metric: the community's value, its rank among the district's communities, and how many are
    ranked. One statement for every metric of every community in the district."""
    frame = compute(con, scope.within(district=scope.district).query(list(metrics), ["community"]))
    rows = []
    for mid in metrics:
        m = REGISTRY[mid]
        small = (frame[f"{mid}__den"].fillna(0) < MIN_DENOMINATOR) if (
            m.is_ratio and not m.per_1k and m.table in SMALL_BASE_SOURCES) else pd.Series(False, index=frame.index)
        ok = frame[mid].notna() & ~small & frame["community"].notna()
        ranks = frame.loc[ok, mid].astype("float64").round(6).rank(method="min", ascending=m.direction == "lower")
        mine = frame.index[frame["community"] == community]
        value = frame.loc[mine[0], mid] if len(mine) else None
        rank = ranks.get(mine[0]) if len(mine) else None
        rows.append({"id": mid, "zh": m.zh, "en": m.en, "unit": m.unit, "direction": m.direction, "value": value,
                     "rank": None if rank is None or pd.isna(rank) else int(rank), "peers": int(ok.sum())})
    return pd.DataFrame(rows)


def breakdown(con: duckdb.DuckDBPyConnection, scope: Scope, metrics: list[str], by: str) -> pd.DataFrame:
    """metrics grouped by one dimension within the scope, largest first by the first metric."""
    frame = compute(con, scope.query(list(metrics), [by]))
    return frame.sort_values(metrics[0], ascending=False, kind="stable", na_position="last").reset_index(drop=True)


def wish_funnel(con: duckdb.DuckDBPyConnection, scope: Scope) -> pd.DataFrame:
    """The wish stages 征集 → 认领 → 实现 with counts."""
    frame = compute(con, scope.query(["wishes_collected", "wishes_claimed", "wishes_fulfilled"]))
    row = frame.iloc[0]
    return pd.DataFrame({
        "stage": ["wishes_collected", "wishes_claimed", "wishes_fulfilled"],
        "zh": ["征集", "认领", "实现"], "en": ["Collected", "Claimed", "Fulfilled"],
        "count": [int(row["wishes_collected"]), int(row["wishes_claimed"]), int(row["wishes_fulfilled"])],
    })


def compare_units(con: duckdb.DuckDBPyConnection, scope: Scope, communities: tuple[tuple[str | None, str], ...],
                  metrics: tuple[str, ...]) -> pd.DataFrame:
    """Selected communities side by side, plus their districts as a whole, with their brands (three statements)."""
    metrics = list(metrics)
    districts = sorted({d for d, _ in communities if d})
    names = sorted({c for _, c in communities})
    whole = compute(con, scope.within().query(metrics, ["district", "community"], where={"community": names}))
    wanted = set(communities)
    mine = whole[[(d if not pd.isna(d) else None, c) in wanted
                  for d, c in zip(whole["district"], whole["community"])]].copy()
    mine["kind"] = "community"
    avg = compute(con, scope.within().query(metrics, ["district"], where={"district": districts})) \
        if districts else whole.iloc[0:0]
    avg = avg.assign(community=[f"{d}（全区）" for d in avg["district"]], kind="district")
    frame = pd.concat([mine, avg], ignore_index=True)
    return frame.merge(units(con, scope.access), how="left", on=["district", "community"])


def units(con: duckdb.DuckDBPyConnection, access: Access | None = None) -> pd.DataFrame:
    """One row per (district, community) with its brand: the units that can be compared (within access)."""
    return places(con, access).drop_duplicates(["district", "community"])[["district", "community", "brand"]] \
        .reset_index(drop=True)


def fair_metrics() -> list[str]:
    """Indicators that compare units of different size fairly: rates, per-1,000 figures, durations."""
    return [m.id for m in METRICS if m.unit in ("ratio", "per_1k", "days")]


def normalised(frame: pd.DataFrame, metrics: list[str], reference: pd.DataFrame) -> pd.DataFrame:
    """Scores 0–1 per metric against the reference units' min and max; lower-is-better metrics inverted."""
    out = frame[["community", "kind"]].copy()
    for mid in metrics:
        ref = reference[mid].astype("float64")
        lo, hi = ref.min(), ref.max()
        values = frame[mid].astype("float64")
        span = hi - lo
        score = (values - lo) / span if span and not pd.isna(span) else values * 0 + 0.5
        if REGISTRY[mid].direction == "lower":
            score = 1 - score
        out[mid] = score.clip(0, 1)
    return out


def peer_reference(con: duckdb.DuckDBPyConnection, scope: Scope, metrics: tuple[str, ...]) -> pd.DataFrame:
    """Every community's values in the period: the reference for normalising radar scores."""
    return compute(con, scope.within().query(list(metrics), ["district", "community"]))

