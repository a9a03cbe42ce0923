"""Sentences generated from the assessment's numbers with fixed templates (no language model), in Chinese
or English: why a unit ranks where it does, what an alert says, what changed and why."""
from __future__ import annotations

import pandas as pd

from ..fmt import change, count, fmt, missing, number, pick, points
from ..registry import REGISTRY
from .scheme import Scheme

LEVEL_NAMES = {"street": ("街道", "streets"), "community": ("社区", "communities")}
# A shrunk rate is mentioned when it differs from the raw one by at least this much.
SHRINK_NOTE = 0.005


def _label(scheme: Scheme, metric: str, lang: str) -> str:
    """The scheme's name for an indicator."""
    ind = next(i for i in scheme.indicators if i.metric == metric)
    return ind.name(lang)


def unit_reason(unit: dict, rows: pd.DataFrame, scheme: Scheme, level: str, lang: str = "zh") -> str:
    """One sentence on why a unit ranks where it does: its score, the indicator that cost it most points, and
    the rate that was evened out because its base is small."""
    ok = rows[rows["status"] == "ok"]
    if not unit.get("scored"):
        small = rows[rows["status"] == "small"]
        why = "，".join(f"{_label(scheme, r['metric'], lang)}仅 {count(r['den'])}" for _, r in small.iterrows())
        why_en = ", ".join(f"{_label(scheme, r['metric'], lang)} has only {count(r['den'])}"
                           for _, r in small.iterrows())
        return pick(lang,
                    f"不评分：计分指标权重合计 {unit['counted_weight']:g}，不足 {scheme.min_weight:g}"
                    + (f"（{why}，少于最小基数 {scheme.min_base}）" if why else "（多数指标本期没有数据）") + "。",
                    f"Not scored: the indicators that count weigh {unit['counted_weight']:g}, under "
                    f"{scheme.min_weight:g}" + (f" ({why_en}, under the minimum base {scheme.min_base})" if why_en
                                                 else " (most indicators have no data this period)") + ".")
    loss = (100 - ok["points"]) * ok["effective_weight"] / 100
    worst = ok.loc[loss.idxmax()] if len(ok) and loss.max() > 0.05 else None
    head = pick(lang, f"第 {unit['rank']} 名（共 {unit['peers']} 个{LEVEL_NAMES[level][0]}），{points(unit['score'])} 分",
                f"Rank {unit['rank']} of {unit['peers']} {LEVEL_NAMES[level][1]}, {points(unit['score'])} points")
    if worst is None:
        body = pick(lang, "：各项指标均达到挑战值", ": every indicator reached its challenge value")
    else:
        name = _label(scheme, worst["metric"], lang)
        body = pick(lang,
                    f"：失分最多的是{name}（{fmt(worst['metric'], worst['used_value'], lang)}，得 "
                    f"{points(worst['points'])} 分，按权重少得 {points(loss.max())} 分）",
                    f": {name} cost most ({fmt(worst['metric'], worst['used_value'], lang)}, "
                    f"{points(worst['points'])} points, {points(loss.max())} lost by weight)")
    return head + body + _shrink_note(ok, scheme, lang) + pick(lang, "。", ".")


def _shrink_note(ok: pd.DataFrame, scheme: Scheme, lang: str) -> str:
    """The clause on the rate most evened out by shrinkage, when ranking on shrunk rates."""
    if scheme.rank_on != "shrunk":
        return ""
    shrunk = ok[ok["shrunk_value"].notna()]
    if shrunk.empty:
        return ""
    gap = (shrunk["shrunk_value"] - shrunk["value"]).abs()
    if gap.max() < SHRINK_NOTE:
        return ""
    r = shrunk.loc[gap.idxmax()]
    name = _label(scheme, r["metric"], lang)
    noun = REGISTRY[r["metric"]].noun
    return pick(lang,
                f"；{name}只有 {count(r['den'])} {noun[0]}，按全区水平修正为 {number(r['metric'], r['shrunk_value'])}"
                f"（原始 {number(r['metric'], r['value'])}）",
                f"; {name} rests on only {count(r['den'])} {noun[1]}, evened out toward the district to "
                f"{number(r['metric'], r['shrunk_value'])} (raw {number(r['metric'], r['value'])})")


def alert_sentence(row: dict, lang: str = "zh") -> str:
    """'北高社区 满意率 90.3%，自2026年8月起连续 3 个月下降。' and the red-line form."""
    value = fmt(row["metric"], row["value"], lang)
    if lang != "zh":
        row = {**row, "label": REGISTRY[row["metric"]].en}
    unit_word = pick(lang, "个季度" if "季度" in row["period"] else "个月", "quarters" if "季度" in row["period"] else "months")
    if row["kind"] == "red_line":
        return pick(lang,
                    f"{row['unit']} {row['label']} {value}，低于红线 {number(row['metric'], row['threshold'])}，"
                    f"自{row['since_label']}起已连续 {row['periods']} {unit_word}。",
                    f"{row['unit']}: {row['label']} {value}, under the {number(row['metric'], row['threshold'])} red "
                    f"line for {row['periods']} {unit_word} in a row (since {row['since_label_en']}).")
    first = row["history"][0] if row["history"] else None
    return pick(lang,
                f"{row['unit']} {row['label']} {value}，自{row['since_label']}起连续 {row['periods']} {unit_word}下降"
                + (f"（由 {number(row['metric'], first)} 降至 {number(row['metric'], row['value'])}）" if first is not None
                   else "") + "。",
                f"{row['unit']}: {row['label']} {value}, falling for {row['periods']} {unit_word} in a row "
                f"(since {row['since_label_en']}).")


def change_sentences(parts: pd.DataFrame, metric: str, by_name: tuple[str, str], lang: str = "zh",
                     top: int = 2) -> list[str]:
    """The total change, its split into mix and rate, and the parts that moved it most."""
    a = parts.attrs
    if parts.empty or missing(a.get("change")):
        return [pick(lang, "两个期间中有一个没有可比数据，无法分解变化。",
                     "One of the two periods has no comparable figures: the change cannot be split.")]
    m = REGISTRY[metric]
    name = pick(lang, m.zh, m.en)
    direction = pick(lang, "上升" if a["change"] > 0 else "下降", "rose" if a["change"] > 0 else "fell")
    if round(a["change"] * 1000) == 0:
        first = pick(lang, f"{name}与上期持平（{number(metric, a['after'])}）。",
                     f"{name} is level with the period before ({number(metric, a['after'])}).")
    else:
        first = pick(lang,
                     f"{name}由 {number(metric, a['before'])} {direction}至 {number(metric, a['after'])}"
                     f"（{change(metric, a['change'], lang)}）：各{by_name[0]}自身{name}变化贡献 {change(metric, a['rate'], lang)}，"
                     f"结构（{by_name[0]}构成）变化贡献 {change(metric, a['mix'], lang)}。",
                     f"{name} {direction} from {number(metric, a['before'])} to {number(metric, a['after'])} "
                     f"({change(metric, a['change'], lang)}): the {by_name[1]}' own rates moved it "
                     f"{change(metric, a['rate'], lang)}, the mix of {by_name[1]} {change(metric, a['mix'], lang)}.")
    movers = parts[parts["total"].abs() >= 0.0005].head(top)
    if movers.empty:
        return [first]
    items = []
    for _, r in movers.iterrows():
        items.append(pick(lang,
                          f"{r['part']}（{change(metric, r['total'], lang)}，其{name}由 {number(metric, r['rate0'])} "
                          f"到 {number(metric, r['rate1'])}，{m.den_label[0] or '基数'} {count(r['den1'])} {m.noun[0]}）",
                          f"{r['part']} ({change(metric, r['total'], lang)}; {number(metric, r['rate0'])} → "
                          f"{number(metric, r['rate1'])} on {count(r['den1'])} {m.noun[1]})"))
    second = pick(lang, "影响最大的是" + "、".join(items) + "。", "Largest effects: " + "; ".join(items) + ".")
    return [first, second]


def reasons(scored, lang: str = "zh") -> list[str]:
    """unit_reason for every unit of a Scored, in the order of its scores table."""
    keys = [k for k in ("district", "street", "community") if k in scored.scores.columns]
    groups = {key: rows for key, rows in scored.breakdown.groupby(keys, dropna=False, sort=False)}
    out = []
    for unit in scored.scores.to_dict("records"):
        rows = groups.get(tuple(unit[k] for k in keys), scored.breakdown.iloc[0:0])
        out.append(unit_reason(unit, rows, scored.scheme, scored.level, lang))
    return out
