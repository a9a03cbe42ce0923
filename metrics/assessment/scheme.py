"""The assessment scheme (考核方案): which indicators count, their weights and how each one is scored.

A scheme is a TOML file (data/assessment.toml, presets in data/schemes/) parsed and validated here; every key
is documented in SCHEME_KEYS and INDICATOR_KEYS (the README and the page show them). Scoring of one indicator:

- linear: 基准值 (base) earns `base_points` (60), 挑战值 (challenge) earns 100, straight lines between and from
  `floor` (0 points) up to the base; capped at 0 and 100. For "lower is better" indicators the order is reversed.
- redline: pass/fail, 100 points at or beyond the red line, 0 below it.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import tomli_w

from ..errors import UsageError
from ..registry import REGISTRY

SCHEME_DIR = Path(__file__).resolve().parent.parent.parent / "data"
DEFAULT_FILE = SCHEME_DIR / "assessment.toml"
PRESET_DIR = SCHEME_DIR / "schemes"
LEVELS = ("street", "community")
PERIODS = ("month", "quarter")
SCORINGS = ("linear", "redline")
RANK_ON = ("shrunk", "raw")

# key: (Chinese, English) description; the README and the page print these.
SCHEME_KEYS = {
    "name": ("方案名称", "the scheme's name"),
    "description": ("方案说明（可选）", "what the scheme is for (optional)"),
    "period": ("考核周期：month 月度 / quarter 季度", "assessment period: month or quarter"),
    "levels": ("参评单位层级：street 街道、community 社区", "units assessed: street, community"),
    "min_base": ("比率指标的最小基数：分母少于此数的指标不计分", "a rate counts only when its denominator reaches this"),
    "min_weight": ("计分指标权重合计低于此值的单位不评分（0–100）",
                   "a unit whose counted indicators weigh less than this is not scored (0–100)"),
    "base_points": ("达到基准值得分（0–100，常用 60）", "points at the base value (0–100, usually 60)"),
    "rank_on": ("排名依据：shrunk 修正后比率（小单位向上级水平收缩）/ raw 原始比率",
                "rank on shrunk rates (small units pulled toward their parent) or raw rates"),
    "interval": ("修正比率的区间概率（如 0.9）", "probability of the interval around a shrunk rate (e.g. 0.9)"),
    "top_n": ("红榜人数", "units on the 红榜 (top list)"),
    "bottom_n": ("黑榜人数", "units on the 黑榜 (bottom list)"),
    "alert_periods": ("连续几个周期低于红线或下降才预警", "consecutive periods below a red line or falling before an alert"),
    "effective_from": ("生效月份（YYYY-MM，可选；文件修改时使用）", "first month in force (YYYY-MM, optional; for file edits)"),
}
INDICATOR_KEYS = {
    "metric": ("指标 id（见指标字典）", "indicator id (see the dictionary)"),
    "label": ("方案内的叫法（可选，如 响应率）", "the scheme's own name for it (optional, e.g. 响应率)"),
    "weight": ("权重（各项合计 100）", "weight (all weights sum to 100)"),
    "scoring": ("计分方式：linear 线性 / redline 达标制", "scoring: linear or redline (pass/fail)"),
    "base": ("基准值（linear 必填）", "base value (linear)"),
    "challenge": ("挑战值（linear 必填）", "challenge value (linear)"),
    "floor": ("得 0 分的值（可选；越高越好时默认 0，越低越好时默认基准值的 2 倍）",
              "value earning 0 points (optional; default 0, or twice the base when lower is better)"),
    "red_line": ("红线（可选；redline 必填）：低于红线计入预警", "red line (optional; required for redline): alerts"),
}


@dataclass(frozen=True)
class Indicator:
    """One indicator of a scheme: the registry metric, its weight and how it earns points."""

    metric: str
    weight: float
    scoring: str = "linear"
    base: float | None = None
    challenge: float | None = None
    floor: float | None = None
    red_line: float | None = None
    label: str | None = None

    @property
    def higher(self) -> bool:
        """True when a higher value is better (from the registry)."""
        return REGISTRY[self.metric].direction != "lower"

    @property
    def zero_at(self) -> float:
        """The value that earns 0 points (linear scoring)."""
        if self.floor is not None:
            return self.floor
        return 0.0 if self.higher else 2 * float(self.base or 0)

    def name(self, lang: str = "zh") -> str:
        """The scheme's label, else the registry's name."""
        m = REGISTRY[self.metric]
        return self.label or (m.zh if lang == "zh" else m.en)


@dataclass(frozen=True)
class Scheme:
    """A whole assessment scheme."""

    name: str
    indicators: tuple[Indicator, ...]
    description: str = ""
    period: str = "month"
    levels: tuple[str, ...] = LEVELS
    min_base: int = 5
    min_weight: float = 50.0
    base_points: float = 60.0
    rank_on: str = "shrunk"
    interval: float = 0.9
    top_n: int = 5
    bottom_n: int = 5
    alert_periods: int = 2
    effective_from: str | None = None
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def total_weight(self) -> float:
        """Sum of the weights (100 when valid)."""
        return sum(i.weight for i in self.indicators)

    def red_lines(self) -> dict[str, float]:
        """metric → red line, for the indicators that have one."""
        return {i.metric: i.red_line for i in self.indicators if i.red_line is not None}


def _fail(where: str, zh: str, en: str) -> UsageError:
    """A validation error naming the scheme and the key at fault."""
    return UsageError(f"考核方案{zh}", f"assessment scheme: {en}", where)


def _number(value: object, where: str, key: str) -> float:
    """A TOML value that must be a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(where, f" {key} 必须是数字，现为 {value!r}", f"{key} must be a number, not {value!r}")
    if value != value or value in (float("inf"), float("-inf")):
        raise _fail(where, f" {key} 必须是有限数字", f"{key} must be a finite number")
    return float(value)


def _indicator(raw: object, where: str, n: int) -> Indicator:
    """One [[indicator]] table, checked."""
    at = f"{where} 第 {n} 个指标"
    if not isinstance(raw, dict):
        raise _fail(at, "：应为表 [[indicator]]", "each indicator must be an [[indicator]] table")
    unknown = sorted(set(raw) - set(INDICATOR_KEYS))
    if unknown:
        raise _fail(at, f"：未知的键 {', '.join(unknown)}", f"unknown keys {', '.join(unknown)}")
    metric = raw.get("metric")
    if metric not in REGISTRY:
        raise _fail(at, f"：未知指标 {metric!r}（见指标字典）", f"unknown indicator {metric!r} (see the dictionary)")
    at = f"{where} 指标 {metric}"
    weight = _number(raw.get("weight"), at, "weight")
    if not 0 < weight <= 100:
        raise _fail(at, "：权重须在 0 到 100 之间", "weight must be above 0 and at most 100")
    scoring = raw.get("scoring", "linear")
    if scoring not in SCORINGS:
        raise _fail(at, f"：计分方式须为 {' / '.join(SCORINGS)}", f"scoring must be one of {', '.join(SCORINGS)}")
    nums = {k: _number(raw[k], at, k) for k in ("base", "challenge", "floor", "red_line") if k in raw}
    label = raw.get("label")
    if label is not None and (not isinstance(label, str) or not label.strip() or len(label) > 40):
        raise _fail(at, "：label 须为 1–40 字的文字", "label must be text of 1–40 characters")
    ind = Indicator(metric, weight, scoring, nums.get("base"), nums.get("challenge"), nums.get("floor"),
                    nums.get("red_line"), label.strip() if label else None)
    _check_values(ind, at)
    return ind


def _check_values(ind: Indicator, at: str) -> None:
    """Anchors in the right order and within the indicator's range."""
    m = REGISTRY[ind.metric]
    values = {k: getattr(ind, k) for k in ("base", "challenge", "floor", "red_line") if getattr(ind, k) is not None}
    for key, value in values.items():
        if m.unit == "ratio" and m.id != "task_completion_rate" and not 0 <= value <= 1:
            raise _fail(at, f"：{key} 是比率，须在 0 到 1 之间（如 0.9 表示 90%）",
                        f"{key} is a share and must be between 0 and 1 (0.9 means 90%)")
        if value < 0:
            raise _fail(at, f"：{key} 不能为负", f"{key} cannot be negative")
    if ind.scoring == "redline":
        if ind.red_line is None:
            raise _fail(at, "：达标制（redline）须给出 red_line", "redline scoring needs red_line")
        return
    if ind.base is None or ind.challenge is None:
        raise _fail(at, "：线性计分须给出 base（基准值）和 challenge（挑战值）", "linear scoring needs base and challenge")
    order = (ind.zero_at, ind.base, ind.challenge)
    ok = order[0] < order[1] < order[2] if ind.higher else order[0] > order[1] > order[2]
    if not ok:
        word = "低于" if ind.higher else "高于"
        direction = "越高越好" if ind.higher else "越低越好"
        raise _fail(at, f"：须满足 得0分值 {word} 基准值 {word} 挑战值（{m.zh}{direction}）",
                    f"0-point value, base and challenge must be in {'increasing' if ind.higher else 'decreasing'} "
                    f"order ({'higher' if ind.higher else 'lower'} is better)")


def parse(text: str, where: str = "assessment.toml") -> Scheme:
    """A validated Scheme from TOML text; UsageError naming the key (or TOML line) at fault."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _fail(where, f"不是有效的 TOML：{exc}", f"not valid TOML: {exc}") from exc
    unknown = sorted(set(raw) - set(SCHEME_KEYS) - {"indicator"})
    if unknown:
        raise _fail(where, f"：未知的键 {', '.join(unknown)}", f"unknown keys {', '.join(unknown)}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _fail(where, "：缺少 name（方案名称）", "name is required")
    items = raw.get("indicator")
    if not isinstance(items, list) or not items:
        raise _fail(where, "：至少要有一个 [[indicator]]", "at least one [[indicator]] is required")
    indicators = tuple(_indicator(item, where, n) for n, item in enumerate(items, start=1))
    seen = [i.metric for i in indicators]
    dup = sorted({m for m in seen if seen.count(m) > 1})
    if dup:
        raise _fail(where, f"：指标重复 {', '.join(dup)}", f"indicator listed twice: {', '.join(dup)}")
    total = sum(i.weight for i in indicators)
    if abs(total - 100) > 1e-6:
        raise _fail(where, f"：权重合计须为 100，现为 {total:g}", f"weights must sum to 100, not {total:g}")
    scheme = Scheme(name.strip(), indicators, str(raw.get("description", "")).strip())
    return _settings(scheme, raw, where)


def _settings(scheme: Scheme, raw: dict, where: str) -> Scheme:
    """The scheme-level keys, checked."""
    changes: dict[str, object] = {}
    if "period" in raw:
        if raw["period"] not in PERIODS:
            raise _fail(where, "：period 须为 month 或 quarter", "period must be month or quarter")
        changes["period"] = raw["period"]
    if "levels" in raw:
        levels = raw["levels"]
        if not isinstance(levels, list) or not levels or any(v not in LEVELS for v in levels):
            raise _fail(where, "：levels 须为 street、community 的列表", "levels must list street and/or community")
        changes["levels"] = tuple(dict.fromkeys(levels))
    if "rank_on" in raw:
        if raw["rank_on"] not in RANK_ON:
            raise _fail(where, "：rank_on 须为 shrunk 或 raw", "rank_on must be shrunk or raw")
        changes["rank_on"] = raw["rank_on"]
    for key, lo, hi, integer in (("min_base", 0, 1_000_000, True), ("min_weight", 0, 100, False),
                                 ("base_points", 0, 100, False), ("interval", 0.5, 0.999, False),
                                 ("top_n", 0, 1000, True), ("bottom_n", 0, 1000, True),
                                 ("alert_periods", 1, 24, True)):
        if key in raw:
            value = _number(raw[key], where, key)
            if not lo <= value <= hi or (integer and value != int(value)):
                kind = "整数" if integer else "数"
                raise _fail(where, f"：{key} 须为 {lo}–{hi} 之间的{kind}", f"{key} must be a{'n integer' if integer else ' number'} "
                            f"from {lo} to {hi}")
            changes[key] = int(value) if integer else value
    if "effective_from" in raw:
        changes["effective_from"] = month_text(raw["effective_from"], where)
    return replace(scheme, **changes)  # type: ignore[arg-type]


def month_text(value: object, where: str) -> str:
    """A YYYY-MM month, checked."""
    text = str(value).strip()
    try:
        year, month = text.split("-")
        ok = len(year) == 4 and 1 <= int(month) <= 12 and len(month) == 2
    except ValueError:
        ok = False
    if not ok:
        raise _fail(where, f"：effective_from 须为 YYYY-MM，现为 {text!r}", f"effective_from must be YYYY-MM, not {text!r}")
    return text


def _tidy(value: object) -> object:
    """Whole numbers written without a decimal point (weight = 30, not 30.0)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def to_toml(scheme: Scheme) -> str:
    """The scheme as TOML text (the form stored with each version)."""
    doc: dict[str, object] = {"name": scheme.name}
    if scheme.description:
        doc["description"] = scheme.description
    doc.update(period=scheme.period, levels=list(scheme.levels), min_base=scheme.min_base,
               min_weight=_tidy(scheme.min_weight), base_points=_tidy(scheme.base_points), rank_on=scheme.rank_on,
               interval=scheme.interval, top_n=scheme.top_n, bottom_n=scheme.bottom_n,
               alert_periods=scheme.alert_periods)
    items = []
    for ind in scheme.indicators:
        item: dict[str, object] = {"metric": ind.metric}
        if ind.label:
            item["label"] = ind.label
        item.update(weight=_tidy(ind.weight), scoring=ind.scoring)
        for key in ("base", "challenge", "floor", "red_line"):
            if getattr(ind, key) is not None:
                item[key] = _tidy(getattr(ind, key))
        items.append(item)
    doc["indicator"] = items
    return tomli_w.dumps(doc, multiline_strings=False).replace('levels = [\n    "street",\n    "community",\n]',
                                                               'levels = ["street", "community"]')


def scheme_files() -> dict[str, Path]:
    """Every shipped scheme file by its id: 'default' (data/assessment.toml) and the presets by file name."""
    files = {"default": DEFAULT_FILE}
    if PRESET_DIR.is_dir():
        files.update({p.stem: p for p in sorted(PRESET_DIR.glob("*.toml"))})
    return files


def read_file(path: Path) -> tuple[str, Scheme]:
    """A scheme file's text and its parsed Scheme; UsageError when it cannot be read or is invalid."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(str(path), "无法读取", f"cannot read: {exc}") from exc
    return text, parse(text, str(path))
