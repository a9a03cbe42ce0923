"""Values as people read them, from each unit's one declaration in the registry (metrics/registry.py)."""
from __future__ import annotations

from metrics import fmt as core
from metrics.fmt import count, missing, points  # noqa: F401  (pages and charts use them through this module)
from metrics.registry import REGISTRY, UNITS

from .i18n import lang, t


def number(metric_id: str, value: object) -> str:
    """The value alone in its unit's form: 95.3%, 1,195, 1.9, 13.8."""
    return core.number(metric_id, value)


def suffix(metric_id: str) -> str:
    """What the number counts in the page's language: 件, 小时, 天, 件/千人 ('' for rates)."""
    return core.suffix(metric_id, lang())


def fmt(metric_id: str, value: object) -> str:
    """The value with its unit in the page's language: 95.3%, 1,195 件, 13.8 小时/千人."""
    return core.fmt(metric_id, value, lang())


def change(metric_id: str, value: object) -> str | None:
    """A change as text in the page's language: percentage points for rates, 持平 when it rounds to 0."""
    return core.change(metric_id, value, lang())


def rank(value: object, peers: object) -> str:
    """'3 / 12', or — when the unit is not ranked."""
    return "—" if missing(value) else f"{int(value)} / {int(peers)}"


def tick(metric_id: str) -> str:
    """The chart axis label template of the metric's unit ('{value}%' for rates)."""
    return UNITS[REGISTRY[metric_id].unit].tick


def scale(metric_id: str) -> float:
    """What a value is multiplied by on a chart: 100 for a percent unit (drawn in percent), else 1."""
    return 100.0 if UNITS[REGISTRY[metric_id].unit].percent else 1.0


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
