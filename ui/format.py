"""Values as people read them, from each unit's one declaration in the registry (metrics/registry.py)."""
from __future__ import annotations

import pandas as pd

from metrics.registry import REGISTRY, UNITS

from .i18n import lang, t


def missing(value: object) -> bool:
    """True for None, NaN and pandas NA."""
    return value is None or bool(pd.isna(value))


def number(metric_id: str, value: object) -> str:
    """The value alone in its unit's form: 95.3%, 1,195, 1.9, 13.8."""
    if missing(value):
        return "—"
    unit = UNITS[REGISTRY[metric_id].unit]
    if unit.percent:
        return f"{float(value):.{unit.decimals}%}"
    return f"{float(value):,.{unit.decimals}f}"


def suffix(metric_id: str) -> str:
    """What the number counts, as people say it: 件, 小时, 天, 件/千人 ('' for rates)."""
    m = REGISTRY[metric_id]
    zh, en = m.noun
    if m.unit == "days":
        return t("天", "days")
    if m.unit == "per_1k":
        return t(f"{zh}/千人", f"{en} per 1,000")
    if m.unit == "ratio":
        return ""
    return t(zh, en) if zh else ""


def fmt(metric_id: str, value: object) -> str:
    """The value with its unit: 95.3%, 1,195 件, 8,777 小时, 1.9 天, 13.8 小时/千人."""
    text = number(metric_id, value)
    tail = suffix(metric_id)
    return text if text == "—" or not tail else f"{text} {tail}"


def change(metric_id: str, value: object) -> str | None:
    """A change as text: percentage points for rates, signed figures otherwise; 持平 when it rounds to 0."""
    if missing(value):
        return None
    unit = UNITS[REGISTRY[metric_id].unit]
    shown = float(value) * 100 if unit.percent else float(value)
    decimals = unit.decimals
    if round(shown, decimals) == 0:
        return t("level_even")
    text = f"{shown:+,.{decimals}f}"
    if unit.percent:
        return f"{text} {t('个百分点', 'pp')}"
    tail = suffix(metric_id)
    return f"{text} {tail}" if tail else text


def count(value: object) -> str:
    """A whole number with thousands separators, or — when missing."""
    return "—" if missing(value) else f"{int(value):,}"


def rank(value: object, peers: object) -> str:
    """'3 / 12', or — when the unit is not ranked."""
    return "—" if missing(value) else f"{int(value)} / {int(peers)}"


def tick(metric_id: str) -> str:
    """The chart axis tick format of the metric's unit."""
    return UNITS[REGISTRY[metric_id].unit].tick


def title(metric_id: str) -> str:
    """Indicator name with what it counts: 办结率, 受理诉求数（件）, 每千人志愿服务时长（小时/千人）."""
    m = REGISTRY[metric_id]
    name = t(m.zh, m.en)
    tail = suffix(metric_id) or ("%" if m.unit == "ratio" else "")
    if not tail:
        return name
    return f"{name}（{tail}）" if lang() == "zh" else f"{name} ({tail})"


def parts(metric_id: str, num: object, den: object) -> str:
    """A ratio's parts in words: '已办结 180 / 应办结 187'."""
    m = REGISTRY[metric_id]
    if not m.is_ratio or missing(den):
        return ""
    top = t(*m.num_label) if m.num_label[0] else ""
    bottom = t(*m.den_label) if m.den_label[0] else ""
    top_value = count(num) if m.num_is_count else (f"{float(num):,.1f}" if not missing(num) else "—")
    return f"{top} {top_value} / {bottom} {count(den)}"
