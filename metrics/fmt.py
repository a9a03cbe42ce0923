"""Values as people read them, in Chinese or English, from each unit's one declaration in the registry.

The pages (ui/format.py), the briefing and the assessment's sentences all write numbers through here.
"""
from __future__ import annotations

import pandas as pd

from .registry import REGISTRY, UNITS


def missing(value: object) -> bool:
    """True for None, NaN and pandas NA."""
    return value is None or bool(pd.isna(value))


def pick(lang: str, zh: str, en: str) -> str:
    """The text in the language asked for."""
    return zh if lang == "zh" else en


def number(metric_id: str, value: object) -> str:
    """The value alone in its unit's form: 95.3%, 1,195, 1.9, 13.8."""
    if missing(value):
        return "—"
    unit = UNITS[REGISTRY[metric_id].unit]
    if unit.percent:
        return f"{float(value):.{unit.decimals}%}"
    return f"{float(value):,.{unit.decimals}f}"


def suffix(metric_id: str, lang: str = "zh") -> str:
    """What the number counts, as people say it: 件, 小时, 天, 件/千人 ('' for rates)."""
    m = REGISTRY[metric_id]
    zh, en = m.noun
    if m.unit == "days":
        return pick(lang, "天", "days")
    if m.unit == "per_1k":
        return pick(lang, f"{zh}/千人", f"{en} per 1,000")
    if m.unit == "ratio":
        return ""
    return pick(lang, zh, en) if zh else ""


def fmt(metric_id: str, value: object, lang: str = "zh") -> str:
    """The value with its unit: 95.3%, 1,195 件, 8,777 小时, 1.9 天, 13.8 小时/千人."""
    text = number(metric_id, value)
    tail = suffix(metric_id, lang)
    return text if text == "—" or not tail else f"{text} {tail}"


def change(metric_id: str, value: object, lang: str = "zh") -> str | None:
    """A change as text: percentage points for rates, signed figures otherwise; 持平 when it rounds to 0."""
    if missing(value):
        return None
    unit = UNITS[REGISTRY[metric_id].unit]
    shown = float(value) * 100 if unit.percent else float(value)
    decimals = unit.decimals
    if round(shown, decimals) == 0:
        return pick(lang, "持平", "no change")
    text = f"{shown:+,.{decimals}f}"
    if unit.percent:
        return f"{text} {pick(lang, '个百分点', 'pp')}"
    tail = suffix(metric_id, lang)
    return f"{text} {tail}" if tail else text


def count(value: object) -> str:
    """A whole number with thousands separators, or — when missing."""
    return "—" if missing(value) else f"{int(value):,}"


def points(value: object) -> str:
    """A score or points on the 0–100 scale: 94.7."""
    return "—" if missing(value) else f"{float(value):.1f}"
