"""The "why" in words: two or three sentences, generated from the numbers, on what pulls a unit's completion
down (or lifts it), naming the category, handling unit or street with counts.

Completion is judged on cases due (应办结件办结率), so a unit is never blamed for cases still in time.
"""
from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from .query import compute
from .views import MIN_DENOMINATOR, THRESHOLDS, Scope

RATE = "case_due_completion_rate"
# A part is named only when it holds at least this many open cases due.
MIN_OPEN = 2


@dataclass(frozen=True)
class Sentence:
    """One generated sentence in both languages, with the figures it states (for tests and briefings)."""

    zh: str
    en: str
    facts: tuple = ()


def _pct(value: float) -> str:
    """A rate as people read it: 53.8%."""
    return f"{value:.1%}"


def _totals(frame: pd.DataFrame) -> tuple[float | None, int, int]:
    """(rate, closed due, due) summed over the rows of a grouped result: rates roll up by their parts."""
    closed = int(frame[f"{RATE}__num"].fillna(0).sum()) if len(frame) else 0
    due = int(frame[f"{RATE}__den"].fillna(0).sum()) if len(frame) else 0
    return (closed / due if due else None), closed, due


def explain(con: duckdb.DuckDBPyConnection, scope: Scope, level: str) -> list[Sentence]:
    """Sentences on the unit at level (community, street or district) of scope against its parent.

    The parent's figures come grouped by unit (every row of the parent falls in one group, an empty place
    too), so one statement gives both the unit and its parent; at most three statements in all.
    """
    unit_name = getattr(scope, level)
    if not unit_name:
        return []
    parent = scope.within() if level == "district" else scope.within(district=scope.district)
    where_zh, where_en = ("全市", "the city") if level == "district" else ("区内", "the district")
    if level == "district" and scope.access is not None and not scope.access.everything:
        where_zh = where_en = scope.access.label()  # a viewer's parent is their own area, never the city
    groups = compute(con, parent.query([RATE], [level]))
    rate, closed, due = _totals(groups[groups[level] == unit_name])
    # When the viewer's scope holds this unit alone, its "parent" is itself: no comparison.
    alone = groups[level].dropna().nunique() <= 1
    parent_rate = None if alone else _totals(groups)[0]
    if rate is None:
        return [Sentence("本期没有已到办理期限的诉求，办结情况还无法评价。",
                         "No case of this period has reached its deadline yet: completion cannot be judged.")]
    out: list[Sentence] = []
    if parent_rate is not None:
        if rate < parent_rate - 0.005:
            cmp_zh, cmp_en = f"低于{where_zh} {_pct(parent_rate)}", f"below {where_en}'s {_pct(parent_rate)}"
        elif rate > parent_rate + 0.005:
            cmp_zh, cmp_en = f"高于{where_zh} {_pct(parent_rate)}", f"above {where_en}'s {_pct(parent_rate)}"
        else:
            cmp_zh, cmp_en = f"与{where_zh}持平（{_pct(parent_rate)}）", f"level with {where_en} ({_pct(parent_rate)})"
    else:
        cmp_zh, cmp_en = "", ""
    line = THRESHOLDS[RATE]
    red = rate < line and due >= MIN_DENOMINATOR
    out.append(Sentence(
        f"应办结件办结率 {_pct(rate)}（应办结 {due:,} 件，已办结 {closed:,} 件）" + (f"，{cmp_zh}" if cmp_zh else "")
        + (f"，低于红线 {_pct(line)}" if red else "") + "。",
        f"Completion of cases due {_pct(rate)} ({closed:,} of {due:,} closed)" + (f", {cmp_en}" if cmp_en else "")
        + (f", under the {_pct(line)} red line" if red else "") + ".",
        (rate, closed, due, parent_rate)))
    out += _drivers(con, scope, level, rate, parent_rate)
    return out[:3]


def _drivers(con: duckdb.DuckDBPyConnection, scope: Scope, level: str, rate: float,
             parent_rate: float | None) -> list[Sentence]:
    """What pulls the rate down: the category (and its handling unit) or street with most open cases due."""
    below = parent_rate is not None and rate < parent_rate
    by = ["category", "handler"]
    parts = compute(con, scope.query([RATE], by))
    parts = parts.assign(open=parts[f"{RATE}__den"].fillna(0) - parts[f"{RATE}__num"].fillna(0))
    out: list[Sentence] = []
    if level == "district":
        streets = compute(con, scope.query([RATE], ["street"]))
        streets = streets[streets["street"].notna() & (streets[f"{RATE}__den"] >= MIN_DENOMINATOR)]
        if len(streets) > 1:
            low = streets.sort_values(RATE, kind="stable").iloc[0]
            out.append(Sentence(
                f"街道中{low['street']}最低：{_pct(low[RATE])}，应办结 {int(low[f'{RATE}__den']):,} 件中"
                f"有 {int(low[f'{RATE}__den'] - low[f'{RATE}__num']):,} 件未办结。",
                f"Among streets {low['street']} is lowest: {_pct(low[RATE])}, "
                f"{int(low[f'{RATE}__den'] - low[f'{RATE}__num']):,} of {int(low[f'{RATE}__den']):,} due still open.",
                (low["street"], float(low[RATE]))))
    by_category = parts.groupby("category", dropna=False)[["open", f"{RATE}__den", f"{RATE}__num"]].sum()
    by_category = by_category[by_category["open"] >= MIN_OPEN].sort_values("open", ascending=False, kind="stable")
    if not by_category.empty:
        category = by_category.index[0]
        row = by_category.iloc[0]
        open_, due, closed = int(row["open"]), int(row[f"{RATE}__den"]), int(row[f"{RATE}__num"])
        handlers = parts[(parts["category"] == category) & (parts["open"] > 0)].sort_values("open", ascending=False,
                                                                                             kind="stable")
        name = "（未分类）" if pd.isna(category) else str(category)
        whole = "均未办结" if closed == 0 else f"未办结 {open_:,} 件（该类办结率 {_pct(closed / due)}）"
        whole_en = "none closed" if closed == 0 else f"{open_:,} open ({_pct(closed / due)} closed)"
        if not handlers.empty and not pd.isna(handlers.iloc[0]["handler"]):
            handler = str(handlers.iloc[0]["handler"])
            h_open = int(handlers.iloc[0]["open"])
            who = (f"，承办单位为{handler}" if h_open == open_ else f"，其中{handler}承办的 {h_open:,} 件未办结")
            who_en = (f", handled by {handler}" if h_open == open_ else f"; {h_open:,} of them at {handler}")
        else:
            handler, who, who_en = None, "", ""
        lead = "主要拖累在" if below else "未办结最多的是"
        out.append(Sentence(f"{lead}{name}：应办结 {due:,} 件{whole}{who}。",
                            f"{'Most of the gap is' if below else 'Most open cases are'} {name}: {due:,} due, "
                            f"{whole_en}{who_en}.", (name, due, closed, handler)))
    return out
