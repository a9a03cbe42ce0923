"""The indicator registry: every indicator declared once, with its exact rule.

Pages, the CLI, exports, briefings and the metric dictionary all read this module. An indicator is either
an aggregate (`expr`) or a ratio (`num` / `den`, each named in words), written as SQL aggregates over one
source table's rows (see `SOURCES` for the derived columns they may use). Ratios roll up by summing
numerators and denominators. A unit declares once how its values are written.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """How values of one unit are written: decimals, percent or not, the chart axis label, and its name.

    A percent unit is charted in percent (0.953 drawn as 95.3), so its axis label template can add the sign."""

    id: str
    zh: str
    en: str
    decimals: int
    percent: bool = False
    tick: str = "{value}"


UNITS: dict[str, Unit] = {
    "count": Unit("count", "件/个", "count", 0),
    "ratio": Unit("ratio", "%", "share", 1, percent=True, tick="{value}%"),
    "days": Unit("days", "天", "days", 1),
    "hours": Unit("hours", "小时", "hours", 0),
    "per_1k": Unit("per_1k", "每千人", "per 1,000 residents", 1),
}
DIRECTIONS = {"higher": ("越高越好", "higher is better"), "lower": ("越低越好", "lower is better"),
              "neither": ("无好坏方向", "neither")}
PLACE_GROUPS = ("district", "street", "community", "brand")
TIME_GROUPS = ("month", "quarter", "year")

# Handling deadlines (days after the report) standing in where an export has no due time: per category
# (hotline and grid-platform practice for these kinds of case), else one for all.
DEFAULT_DEADLINE_DAYS = {"矛盾纠纷": 7, "民生服务": 7, "城建物业": 15, "卫生环保": 7, "治安隐患": 3, "政策咨询": 3,
                         "急难愁盼": 3}
FALLBACK_DEADLINE_DAYS = 15
_DEADLINE = ("CASE category " + " ".join(f"WHEN '{c}' THEN {d}" for c, d in DEFAULT_DEADLINE_DAYS.items())
             + f" ELSE {FALLBACK_DEADLINE_DAYS} END")
# A due time at midnight (or a date with no time) means the end of that day.
_DUE_END = ("CASE WHEN due_at = date_trunc('day', due_at) THEN due_at + INTERVAL 1 DAY - INTERVAL 1 MICROSECOND "
            "ELSE due_at END")


@dataclass(frozen=True)
class Source:
    """A fact table as indicators see it: the time column that dates a row, derived columns, dimensions."""

    table: str
    time_column: str
    derived: dict[str, str]
    dimensions: tuple[str, ...]
    zh_time: str


SOURCES: dict[str, Source] = {
    "cases": Source(
        "cases", "reported_at",
        {
            "due_end": _DUE_END,
            # The deadline that counts: the export's due time, else the default for the category.
            "due_eff": f"coalesce({_DUE_END}, reported_at + to_days({_DEADLINE}))",
            # Durations only where the close is not before the report; the rest are data issues.
            "days_to_close": "CASE WHEN status = 'closed' AND closed_at >= reported_at "
                             "THEN date_diff('second', reported_at, closed_at) / 86400.0 END",
        },
        ("grid", "category", "channel", "handler"), "上报时间"),
    "volunteer_activities": Source("volunteer_activities", "activity_date", {},
                                   ("team", "activity_type"), "活动日期"),
    "wishes": Source(
        "wishes", "submitted_at",
        {"days_to_fulfil": "CASE WHEN status = 'fulfilled' AND fulfilled_at >= submitted_at "
                           "THEN date_diff('second', submitted_at, fulfilled_at) / 86400.0 END"},
        ("category",), "提交时间"),
    "tasks": Source(
        "tasks", "period_end",
        {"achievement": "CASE WHEN target > 0 THEN actual / target END"},
        ("task",), "考核期末（结束日期）"),
}


@dataclass(frozen=True)
class Metric:
    """One indicator: identity, labels, unit, direction, source and SQL rule."""

    id: str
    zh: str
    en: str
    unit: str
    direction: str
    table: str
    desc_zh: str
    desc_en: str
    expr: str | None = None
    num: str | None = None
    den: str | None = None
    per_1k: bool = False
    headline: bool = False
    # What is counted, as people say it (件, 场, 人次, 小时 …), for counts, sums and per-1,000 figures.
    noun: tuple[str, str] = ("", "")
    # Numerator and denominator of a ratio in words (已办结 / 应办结), never 分子/分母.
    num_label: tuple[str, str] = ("", "")
    den_label: tuple[str, str] = ("", "")

    @property
    def is_ratio(self) -> bool:
        """True when the value is a numerator over a denominator (per-1k figures included)."""
        return self.num is not None

    @property
    def num_is_count(self) -> bool:
        """True when the numerator counts rows (an integer), False when it sums values."""
        return bool(self.num) and self.num.startswith("count(")

    @property
    def groupings(self) -> tuple[str, ...]:
        """Every grouping this indicator can be computed by."""
        return ("none", *PLACE_GROUPS, *SOURCES[self.table].dimensions, *TIME_GROUPS)

    @property
    def sql(self) -> str:
        """The rule as SQL, for the metric dictionary."""
        if self.per_1k:
            return f"1000.0 * ({self.num}) / sum(communities.population)  -- 仅计人口已知的社区"
        if self.is_ratio:
            return f"({self.num}) / NULLIF({self.den}, 0)"
        return str(self.expr)


CASES, ACTIVITIES, TIMES, WISHES, HOURS = ("件", "cases"), ("场", "activities"), ("人次", "person-times"), \
    ("个", "wishes"), ("小时", "hours")
_NOT_CANCELLED = "count(*) FILTER (WHERE status <> 'cancelled')"
# Cases whose deadline has passed by the as-of date (the period's end, or now): 应办结件.
_DUE = "due_eff < as_of AND status NOT IN ('cancelled', 'suspended')"
# Suspended cases (缓办/挂起) stay in 受理数 but leave completion denominators, as hotline scorecards do.
_DUE_FOR_COMPLETION = "count(*) FILTER (WHERE status NOT IN ('cancelled', 'suspended'))"
_CLOSED = "count(*) FILTER (WHERE status = 'closed')"
_CLOSED_WITH_DUE = "count(*) FILTER (WHERE status = 'closed' AND due_at IS NOT NULL AND closed_at IS NOT NULL)"
_WISHES = "count(*) FILTER (WHERE status <> 'cancelled')"
_PER_1K_ZH = "按社区常住人口折算每千人；只计人口已知社区的记录，人口未知时为空。"
_PER_1K_EN = ("Per 1,000 residents of the communities in the group (communities.population); only rows of "
              "communities whose population is known count; empty when none is known.")

METRICS: tuple[Metric, ...] = (
    Metric("cases_received", "受理诉求数", "Cases received", "count", "neither", "cases",
           "期内上报（按上报时间归期）的诉求数，不含已撤销。",
           "Cases reported in the period (by report time), cancelled ones excluded.",
           expr=_NOT_CANCELLED, headline=True, noun=CASES),
    Metric("cases_closed", "办结数", "Cases closed", "count", "higher", "cases",
           "期内上报的诉求中已办结的件数（同一批次口径）。",
           "Cases reported in the period that are closed (cohort of the period's reports).",
           expr=_CLOSED, noun=CASES),
    Metric("case_completion_rate", "办结率", "Completion rate", "ratio", "higher", "cases",
           "期内上报的诉求中已办结的比例：办结数 ÷ (受理数 − 缓办/挂起数)。撤销件不计入受理数；缓办/挂起件计入受理数但不计入分母。"
           "刚上报、尚未到办理期限的诉求也在分母中，所以当期数字会随办理进度上升，评比请看“应办结件办结率”。",
           "Share of the period's reported cases that are closed: closed ÷ (received − suspended). Cancelled "
           "cases are not received; suspended (缓办/挂起) ones are received but leave the denominator. Cases still "
           "inside their deadline count too, so a recent period's figure rises as work goes on; for judging, use "
           "the completion rate of cases due.",
           num=_CLOSED, den=_DUE_FOR_COMPLETION, headline=True, noun=CASES,
           num_label=("已办结", "closed"), den_label=("受理（不含缓办）", "received (excl. suspended)")),
    Metric("case_due_completion_rate", "应办结件办结率", "Completion rate of cases due", "ratio", "higher", "cases",
           "期内上报、截至统计时点已过办理期限的诉求（应办结件）中已办结的比例：已办结 ÷ 应办结。未到期限的诉求不计入，"
           "所以数字不随办理进度虚低，红线、黑榜和预警都用它。没有办理时限的，按事件类型的默认期限（矛盾纠纷、民生服务、卫生环保 7 天，"
           "城建物业 15 天，治安隐患、政策咨询、急难愁盼 3 天，其他 15 天）计算。统计时点为最新数据的时点（数据截至日次日零点）。",
           "Of the period's reported cases whose deadline has passed by the as-of date (cases due), the share "
           "closed: closed ÷ due. Cases still inside their deadline are left out, so the figure does not sag "
           "while work goes on; red lines, the bottom list and alerts use it. Where an export has no due time, "
           "a default deadline per category stands in (7 days for disputes, services and sanitation, 15 for "
           "property, 3 for safety, policy and urgent needs, 15 otherwise). Judged at the time the data "
           "describes (the end of the last day with data).",
           num=f"count(*) FILTER (WHERE {_DUE} AND status = 'closed')", den=f"count(*) FILTER (WHERE {_DUE})",
           headline=True, noun=CASES, num_label=("已办结", "closed"), den_label=("应办结", "due")),
    Metric("cases_not_yet_due", "未到期在办数", "Open cases not yet due", "count", "neither", "cases",
           "期内上报、尚未办结、截至统计时点（最新数据的时点）还在办理期限内的诉求数：这些诉求办结与否还没有定论。",
           "Cases reported in the period, still open and still inside their deadline at the as-of date: "
           "whether they will be closed in time is not known yet.",
           expr="count(*) FILTER (WHERE status = 'open' AND due_eff >= as_of)", noun=CASES),
    Metric("case_ontime_rate", "按期办结率", "On-time rate", "ratio", "higher", "cases",
           "已办结且有办理时限的诉求中，在时限内办结的比例；时限为零点或只有日期时视为当天结束。",
           "Closed by the due time ÷ closed cases with a due time; a due time at midnight or date-only "
           "means the end of that day.",
           num="count(*) FILTER (WHERE status = 'closed' AND due_at IS NOT NULL AND closed_at <= due_end)",
           den=_CLOSED_WITH_DUE, headline=True, noun=CASES,
           num_label=("按期办结", "closed on time"), den_label=("已办结（有时限）", "closed with a deadline")),
    Metric("case_median_days", "办结时长中位数", "Median days to close", "days", "lower", "cases",
           "已办结诉求从上报到办结的天数中位数；办结早于上报的记录不计（计入数据问题）。",
           "Median days from report to close over closed cases; closes before the report are left out "
           "(they count as data issues).",
           expr="median(days_to_close)", headline=True),
    Metric("case_mean_days", "平均办结时长", "Mean days to close", "days", "lower", "cases",
           "已办结诉求从上报到办结的平均天数；办结早于上报的记录不计。",
           "Mean days from report to close over closed cases; closes before the report are left out.",
           expr="avg(days_to_close)"),
    Metric("case_satisfaction_rate", "满意率", "Satisfaction rate", "ratio", "higher", "cases",
           "(满意 + 基本满意) ÷ 已评价件数；“一般”计入已评价但不算满意；未评价、已撤销的不计入。",
           "(Satisfied + basically satisfied) ÷ rated cases; 一般 (neutral) is rated but not satisfied; unrated "
           "and cancelled cases are left out.",
           num="count(*) FILTER (WHERE satisfaction IN ('satisfied', 'basic') AND status <> 'cancelled')",
           den="count(*) FILTER (WHERE satisfaction IS NOT NULL AND status <> 'cancelled')", headline=True,
           noun=CASES, num_label=("满意", "satisfied"), den_label=("已评价", "rated")),
    Metric("cases_per_1k_residents", "每千人诉求数", "Cases per 1,000 residents", "per_1k", "neither",
           "cases", "受理诉求数 ÷ 常住人口 × 1000。" + _PER_1K_ZH,
           "Cases received per 1,000 residents. " + _PER_1K_EN, num=_NOT_CANCELLED, per_1k=True, noun=CASES,
           num_label=("受理诉求", "cases received"), den_label=("常住人口", "residents")),
    Metric("cases_open_overdue", "超期未办结数", "Open cases past due", "count", "lower", "cases",
           "期内上报、至今未办结且办理期限已过的诉求数（截至最新数据的时点；没有时限的按默认期限）。",
           "Cases reported in the period, still open, whose deadline has passed by the time the data describes "
           "(the default deadline where there is none).",
           expr="count(*) FILTER (WHERE status = 'open' AND due_eff < as_of)", noun=CASES),
    Metric("case_data_issues", "数据问题数", "Data-quality issues", "count", "lower", "cases",
           "带数据质量标记的诉求数，如办结时间早于上报时间、状态为办结却无办结时间。",
           "Cases with a data-quality flag, e.g. closed before reported, or closed with no close time.",
           expr="count(*) FILTER (WHERE quality_flag IS NOT NULL)", noun=CASES),
    Metric("volunteer_activities", "志愿服务活动数", "Volunteer activities", "count", "higher",
           "volunteer_activities", "期内（按活动日期）开展的志愿服务活动场次。",
           "Volunteer activities held in the period (by activity date).", expr="count(*)", noun=ACTIVITIES),
    Metric("volunteer_hours", "志愿服务时长", "Volunteer hours", "hours", "higher", "volunteer_activities",
           "各活动总服务时长（人·小时）之和。", "Sum of person-hours over activities.",
           expr="coalesce(sum(hours), 0)", headline=True, noun=HOURS),
    Metric("volunteer_person_times", "志愿者参与人次", "Volunteer person-times", "count", "higher",
           "volunteer_activities", "各活动参与志愿者人数之和（人次）。",
           "Sum of volunteers over activities (person-times).", expr="coalesce(sum(volunteers), 0)", noun=TIMES),
    Metric("volunteer_beneficiaries", "服务群众人次", "People served", "count", "higher",
           "volunteer_activities", "各活动服务人次之和。", "Sum of people served over activities.",
           expr="coalesce(sum(beneficiaries), 0)", noun=TIMES),
    Metric("volunteer_hours_per_1k_residents", "每千人志愿服务时长", "Volunteer hours per 1,000 residents",
           "per_1k", "higher", "volunteer_activities", "志愿服务时长 ÷ 常住人口 × 1000。" + _PER_1K_ZH,
           "Volunteer hours per 1,000 residents. " + _PER_1K_EN, num="coalesce(sum(hours), 0)",
           per_1k=True, headline=True, noun=HOURS,
           num_label=("志愿服务时长", "volunteer hours"), den_label=("常住人口", "residents")),
    Metric("wishes_collected", "征集微心愿数", "Wishes collected", "count", "neither", "wishes",
           "期内提交（按提交时间归期）的微心愿数，不含已撤销。",
           "Wishes submitted in the period (by submission time), cancelled ones excluded.", expr=_WISHES,
           noun=WISHES),
    Metric("wishes_claimed", "认领微心愿数", "Wishes claimed", "count", "higher", "wishes",
           "期内提交的微心愿中已被认领（含已实现）的数量。",
           "Wishes submitted in the period that were claimed (fulfilled ones included).",
           expr="count(*) FILTER (WHERE status IN ('claimed', 'fulfilled'))", noun=WISHES),
    Metric("wishes_fulfilled", "实现微心愿数", "Wishes fulfilled", "count", "higher", "wishes",
           "期内提交的微心愿中已实现（点亮）的数量。", "Wishes submitted in the period that were fulfilled.",
           expr="count(*) FILTER (WHERE status = 'fulfilled')", headline=True, noun=WISHES),
    Metric("wish_claim_rate", "微心愿认领率", "Wish claim rate", "ratio", "higher", "wishes",
           "认领数（含已实现）÷ 征集数（不含撤销）。", "Claimed (incl. fulfilled) ÷ collected (excl. cancelled).",
           num="count(*) FILTER (WHERE status IN ('claimed', 'fulfilled'))", den=_WISHES, noun=WISHES,
           num_label=("已认领", "claimed"), den_label=("征集", "collected")),
    Metric("wish_fulfilment_rate", "微心愿实现率", "Wish fulfilment rate", "ratio", "higher", "wishes",
           "实现数 ÷ 征集数（不含撤销）。", "Fulfilled ÷ collected (excl. cancelled).",
           num="count(*) FILTER (WHERE status = 'fulfilled')", den=_WISHES, noun=WISHES,
           num_label=("已实现", "fulfilled"), den_label=("征集", "collected")),
    Metric("wish_median_days", "心愿实现天数中位数", "Median days to fulfil", "days", "lower", "wishes",
           "已实现心愿从提交到实现的天数中位数；实现早于提交的记录不计。",
           "Median days from submission to fulfilment over fulfilled wishes; fulfilments before the "
           "submission are left out.", expr="median(days_to_fulfil)"),
    Metric("task_completion_rate", "任务完成率", "Task completion rate", "ratio", "higher", "tasks",
           "各任务 完成值 ÷ 目标值 的平均数（可超过 100%）；按结束日期归期；目标为 0 或空的任务不计。",
           "Mean over tasks of actual ÷ target (may exceed 100%), dated by period end; tasks without a "
           "positive target are left out.",
           num="coalesce(sum(achievement), 0)", den="count(achievement)", headline=True, noun=("项", "tasks"),
           num_label=("各任务完成率之和", "sum of task achievements"), den_label=("有目标的任务", "tasks with a target")),
    Metric("tasks_on_target_rate", "任务达标率", "Tasks on target", "ratio", "higher", "tasks",
           "完成值 ≥ 目标值 的任务占有目标任务的比例。", "Share of tasks with actual ≥ target.",
           num="count(*) FILTER (WHERE achievement >= 1)", den="count(achievement)", noun=("项", "tasks"),
           num_label=("达标任务", "tasks on target"), den_label=("有目标的任务", "tasks with a target")),
)

REGISTRY: dict[str, Metric] = {m.id: m for m in METRICS}


def get(metric_id: str) -> Metric:
    """The metric with this id; KeyError when unknown."""
    return REGISTRY[metric_id]
