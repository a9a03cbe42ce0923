"""Data for the dashboard views: KPIs, trends, rankings, hierarchy, thresholds, brand comparison.

Every number here comes from the query layer; this module shapes it (ranks,
normalises, joins labels) so that pages only render.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from .periods import add_months, month_end
from .query import Query, compare, compute
from .registry import METRICS, REGISTRY, SOURCES

# Red lines: a community below these in the period is listed (满意率 ≥ 85% as in hotline scorecards).
THRESHOLDS = {"case_completion_rate": 0.90, "case_ontime_rate": 0.85, "case_satisfaction_rate": 0.85}
# Below this many cases (or wishes) in the denominator a unit is shown but not ranked.
MIN_DENOMINATOR = 10
SMALL_BASE_SOURCES = ("cases", "wishes")
HEADLINE = [m.id for m in METRICS if m.headline]


@dataclass(frozen=True)
class Scope:
    """Where the view looks: a date range and optional district, street and community."""

    start: dt.date
    end: dt.date
    district: str | None = None
    street: str | None = None
    community: str | None = None
    today: dt.date | None = None

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
        q = Query(metrics, by or [], self.start, self.end, self.where(), self.today)
        for key, value in changes.items():
            setattr(q, key, value)
        return q


def data_version(con: duckdb.DuckDBPyConnection) -> tuple:
    """Changes whenever an import or undo changes the store: the cache key of every view."""
    return tuple(con.execute("SELECT count(*), max(id), count(undone_at) FROM import_batches").fetchall()[0])


def data_span(con: duckdb.DuckDBPyConnection) -> tuple[dt.date | None, dt.date | None]:
    """First and last date that any fact row is dated by."""
    parts = " UNION ALL ".join(f"SELECT min({s.time_column}) AS lo, max({s.time_column}) AS hi FROM {s.table}"
                               for s in SOURCES.values())
    lo, hi = con.execute(f"SELECT CAST(min(lo) AS DATE), CAST(max(hi) AS DATE) FROM ({parts})").fetchall()[0]
    return lo, hi


def months_with_data(con: duckdb.DuckDBPyConnection, until: dt.date | None = None) -> list[str]:
    """Months (YYYY-MM) in which any fact row is dated, newest first; none after `until`'s month."""
    parts = " UNION ".join(f"SELECT DISTINCT strftime({s.time_column}, '%Y-%m') AS m FROM {s.table} "
                           f"WHERE {s.time_column} IS NOT NULL" for s in SOURCES.values())
    last = (until or dt.date.max).strftime("%Y-%m")
    return [r[0] for r in con.execute(f"SELECT m FROM ({parts}) WHERE m <= ? ORDER BY m DESC", [last]).fetchall()]


def places(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every known district/street/community with its brand: the register plus places seen in facts."""
    facts = " UNION ".join(f"SELECT district, street, community FROM {s.table}" for s in SOURCES.values())
    return con.execute(
        f"""
        WITH seen AS ({facts} UNION SELECT district, street, community FROM communities)
        SELECT s.district, s.street, s.community, c.brand, c.brand_method
        FROM (SELECT DISTINCT * FROM seen WHERE community IS NOT NULL OR district IS NOT NULL) s
        LEFT JOIN communities c ON c.community = s.community AND c.district IS NOT DISTINCT FROM s.district
        ORDER BY s.district NULLS LAST, s.street NULLS LAST, s.community NULLS LAST
        """).df()


def community_profile(con: duckdb.DuckDBPyConnection, district: str | None, community: str) -> dict:
    """The register row of a community (brand, residents, ...), empty when it is not registered."""
    frame = con.execute(
        "SELECT district, street, community, brand, brand_method, population, households, party_members, grids, "
        "grid_workers FROM communities WHERE community = ? AND (? IS NULL OR district = ?) LIMIT 1",
        [community, district, district]).df()
    return {} if frame.empty else frame.iloc[0].to_dict()


def kpis(con: duckdb.DuckDBPyConnection, scope: Scope, metrics: list[str] | None = None) -> pd.DataFrame:
    """One row per headline metric: value, previous period and last year with their changes."""
    ids = metrics or HEADLINE
    q = scope.query(ids)
    prev, prev_period = compare(con, q, "previous")
    year, year_period = compare(con, q, "year")
    rows = []
    for mid in ids:
        m = REGISTRY[mid]
        rows.append({
            "id": mid, "zh": m.zh, "en": m.en, "unit": m.unit, "direction": m.direction,
            "value": prev[mid].iloc[0], "previous": prev[f"{mid}__base"].iloc[0],
            "change": prev[f"{mid}__change"].iloc[0], "change_rel": prev[f"{mid}__change_rel"].iloc[0],
            "last_year": year[f"{mid}__base"].iloc[0], "yoy_change": year[f"{mid}__change"].iloc[0],
            "yoy_change_rel": year[f"{mid}__change_rel"].iloc[0],
        })
    frame = pd.DataFrame(rows)
    frame.attrs["previous_period"] = prev_period
    frame.attrs["year_period"] = year_period
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
    by = [level] if level in ("district", "brand") else ["district", level]
    frame, _ = compare(con, scope.query([metric], by), "previous")
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
    return frame.reset_index(drop=True)


def hierarchy(con: duckdb.DuckDBPyConnection, scope: Scope, metric: str) -> pd.DataFrame:
    """Tiles for district → street → community: id, parent, label, size (cases received) and the metric.

    Every level's value is computed by the query layer for that level (sums of numerators and
    denominators), never averaged from the tiles below it.
    """
    ids = [metric] if metric == "cases_received" else [metric, "cases_received"]
    levels = [["district"], ["district", "street"], ["district", "street", "community"]]
    rows = []
    for by in levels:
        frame = compute(con, scope.query(ids, by))
        for rec in frame.to_dict("records"):
            names = ["（未填）" if pd.isna(rec[g]) else str(rec[g]) for g in by]
            rows.append({"id": "/".join(names), "parent": "/".join(names[:-1]), "label": names[-1],
                         "level": by[-1], "value": rec[metric],
                         "size": int(rec["cases_received"]) if len(by) == 3 else 0})
    return pd.DataFrame(rows, columns=["id", "parent", "label", "level", "value", "size"])


def below_thresholds(con: duckdb.DuckDBPyConnection, scope: Scope,
                     thresholds: dict[str, float] | None = None) -> pd.DataFrame:
    """Communities whose rate is under a red line in the period, with the gap."""
    limits = thresholds or THRESHOLDS
    frame = compute(con, scope.query(list(limits), ["district", "street", "community"]))
    rows = []
    for rec in frame.to_dict("records"):
        for mid, limit in limits.items():
            value = rec[mid]
            if value is not None and not pd.isna(value) and value < limit:
                rows.append({"district": rec["district"], "street": rec["street"], "community": rec["community"],
                             "metric": mid, "zh": REGISTRY[mid].zh, "en": REGISTRY[mid].en, "value": value,
                             "threshold": limit, "gap": value - limit, "num": rec[f"{mid}__num"],
                             "den": rec[f"{mid}__den"]})
    columns = ["district", "street", "community", "metric", "zh", "en", "value", "threshold", "gap", "num", "den"]
    return pd.DataFrame(rows, columns=columns).sort_values("gap", kind="stable").reset_index(drop=True)


def peer_ranks(con: duckdb.DuckDBPyConnection, scope: Scope, community: str, metrics: list[str]) -> pd.DataFrame:
    """For each metric: the community's value, its rank among the district's communities, and the peers' count."""
    peers = Scope(scope.start, scope.end, scope.district, None, None, scope.today)
    rows = []
    for mid in metrics:
        ranked = ranking(con, peers, mid, "community")
        mine = ranked[ranked["community"] == community]
        value = mine[mid].iloc[0] if not mine.empty else None
        rank = mine["rank"].iloc[0] if not mine.empty else None
        rows.append({"id": mid, "zh": REGISTRY[mid].zh, "en": REGISTRY[mid].en, "unit": REGISTRY[mid].unit,
                     "direction": REGISTRY[mid].direction, "value": value, "rank": rank,
                     "peers": int(ranked["rank"].notna().sum())})
    return pd.DataFrame(rows)


def breakdown(con: duckdb.DuckDBPyConnection, scope: Scope, metrics: list[str], by: str) -> pd.DataFrame:
    """metrics grouped by one dimension within the scope, largest first by the first metric."""
    frame = compute(con, scope.query(metrics, [by]))
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


def compare_units(con: duckdb.DuckDBPyConnection, scope: Scope, communities: list[tuple[str | None, str]],
                  metrics: list[str]) -> pd.DataFrame:
    """Selected communities side by side, plus their districts' averages (whole-district figures)."""
    metrics = list(metrics)
    whole = compute(con, Query(metrics, ["district", "community"], scope.start, scope.end, {}, scope.today))
    wanted = set(communities)
    mine = whole[[(d if not pd.isna(d) else None, c) in wanted for d, c in zip(whole["district"],
                                                                             whole["community"])]].copy()
    mine["kind"] = "community"
    districts = sorted({d for d, _ in communities if d})
    avg = compute(con, Query(metrics, ["district"], scope.start, scope.end, {"district": districts}, scope.today)) \
        if districts else whole.iloc[0:0]
    avg = avg.assign(community=[f"{d}（全区）" for d in avg["district"]], kind="district")
    frame = pd.concat([mine, avg], ignore_index=True)
    return frame.merge(units(con), how="left", on=["district", "community"])


def units(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per (district, community) with its brand: the units that can be compared."""
    return places(con).drop_duplicates(["district", "community"])[["district", "community", "brand"]] \
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


def peer_reference(con: duckdb.DuckDBPyConnection, scope: Scope, metrics: list[str]) -> pd.DataFrame:
    """Every community's values in the period: the reference for normalising radar scores."""
    metrics = list(metrics)
    return compute(con, Query(metrics, ["district", "community"], scope.start, scope.end, {}, scope.today))

