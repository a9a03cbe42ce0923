"""The canonical tables: columns, types, header synonyms and value vocabularies.

This is the contract between exports and everything downstream. Table and
column names here are stable; the importer maps any export onto them.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One canonical column: its SQL type, parse kind and recognised headers."""

    name: str
    kind: str  # text | timestamp | date | int | number | status | rating
    zh: str
    synonyms: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class Table:
    """One canonical table: key column, columns, and the time column that dates a row."""

    name: str
    zh: str
    key: str | None
    columns: tuple[Column, ...]
    time_column: str | None = None
    status_vocab: dict[str, str] = field(default_factory=dict)

    def column(self, name: str) -> Column:
        """Return the column called name."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Column names in table order."""
        return [c.name for c in self.columns]


SQL_TYPES = {
    "text": "VARCHAR",
    "status": "VARCHAR",
    "rating": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "int": "BIGINT",
    "number": "DOUBLE",
}

_DISTRICT = ("区县", "所属区县", "区", "县区", "区/县", "district", "borough")
_STREET = ("街道", "所属街道", "街道/镇", "街镇", "镇街", "乡镇街道", "street", "town")
_COMMUNITY = ("社区", "所属社区", "社区名称", "社区（村）", "村社区", "community", "neighborhood")


def _place_columns() -> tuple[Column, ...]:
    """District, street and community columns shared by every fact table."""
    return (
        Column("district", "text", "区县", _DISTRICT),
        Column("street", "text", "街道", _STREET),
        Column("community", "text", "社区", _COMMUNITY),
    )


CASE_STATUS = {
    "已办结": "closed", "办结": "closed", "已结案": "closed", "结案": "closed", "已完成": "closed",
    "已关闭": "closed", "已解决": "closed", "closed": "closed", "completed": "closed",
    "resolved": "closed",
    "已撤销": "cancelled", "撤销": "cancelled", "作废": "cancelled", "已作废": "cancelled",
    "已取消": "cancelled", "取消": "cancelled", "cancel": "cancelled", "cancelled": "cancelled",
    "canceled": "cancelled",
    "处理中": "open", "办理中": "open", "待受理": "open", "已受理": "open", "待处理": "open",
    "未办结": "open", "已派单": "open", "open": "open", "in progress": "open",
    "pending": "open", "assigned": "open", "started": "open", "new": "open",
}

WISH_STATUS = {
    "待认领": "open", "征集中": "open", "未认领": "open", "open": "open",
    "已认领": "claimed", "认领中": "claimed", "claimed": "claimed",
    "已实现": "fulfilled", "已点亮": "fulfilled", "已完成": "fulfilled", "fulfilled": "fulfilled",
    "已撤销": "cancelled", "作废": "cancelled", "已取消": "cancelled", "cancelled": "cancelled",
}

RATINGS = {
    "满意": "satisfied", "非常满意": "satisfied", "satisfied": "satisfied",
    "基本满意": "basic", "比较满意": "basic", "basic": "basic",
    "不满意": "dissatisfied", "非常不满意": "dissatisfied", "dissatisfied": "dissatisfied",
    "未评价": None, "未回访": None, "无法联系": None,
}

EMPTY_MARKERS = ("", "—", "——", "-", "--", "－", "/", "无", "n/a", "na", "null", "none", "#n/a")

COMMUNITIES = Table(
    name="communities",
    zh="社区档案",
    key="community",
    columns=(
        *_place_columns()[:2],
        Column("community", "text", "社区", _COMMUNITY, required=True),
        Column("brand", "text", "党建品牌", ("党建品牌", "品牌", "品牌名称", "brand")),
        Column("brand_method", "text", "品牌工作法", ("品牌工作法", "工作法", "特色做法", "brand_method")),
        Column("population", "int", "常住人口", ("常住人口", "人口", "人口数", "population")),
        Column("households", "int", "户数", ("户数", "常住户数", "households")),
        Column("party_members", "int", "党员数", ("党员数", "党员人数", "党员", "party_members")),
        Column("grids", "int", "网格数", ("网格数", "网格数量", "grids")),
        Column("grid_workers", "int", "网格员数", ("网格员数", "网格员", "网格员人数", "grid_workers")),
    ),
)

CASES = Table(
    name="cases",
    zh="诉求事件",
    key="case_id",
    time_column="reported_at",
    status_vocab=CASE_STATUS,
    columns=(
        Column("case_id", "text", "事件编号",
               ("事件编号", "工单编号", "诉求编号", "案件编号", "编号", "工单号", "留言编号", "case_id")),
        *_place_columns(),
        Column("grid", "text", "网格", ("网格", "所属网格", "网格名称", "grid")),
        Column("category", "text", "事件类型",
               ("事件类型", "诉求类型", "问题类别", "事件类别", "诉求类别", "问题类型", "类别", "category")),
        Column("channel", "text", "来源渠道", ("来源渠道", "来源", "渠道", "诉求来源", "事件来源", "channel")),
        Column("handler", "text", "承办单位",
               ("承办单位", "办理单位", "处置单位", "责任单位", "承办部门", "handler")),
        Column("reported_at", "timestamp", "上报时间",
               ("上报时间", "受理时间", "登记时间", "反映时间", "留言时间", "创建时间", "reported_at"),
               required=True),
        Column("due_at", "timestamp", "办理时限",
               ("办理时限", "截止时间", "应办结时间", "办结时限", "期限", "due_at")),
        Column("closed_at", "timestamp", "办结时间",
               ("办结时间", "结案时间", "完成时间", "答复时间", "关闭时间", "closed_at")),
        Column("status", "status", "办理状态", ("办理状态", "状态", "事件状态", "工单状态", "status")),
        Column("satisfaction", "rating", "群众评价",
               ("群众评价", "满意度", "评价结果", "回访评价", "满意度评价", "satisfaction")),
    ),
)

VOLUNTEER_ACTIVITIES = Table(
    name="volunteer_activities",
    zh="志愿服务",
    key="activity_id",
    time_column="activity_date",
    columns=(
        Column("activity_id", "text", "活动编号", ("活动编号", "活动id", "活动序号", "activity_id")),
        *_place_columns(),
        Column("team", "text", "志愿服务队", ("志愿服务队", "服务队", "队伍名称", "志愿队伍", "团队", "team")),
        Column("activity_type", "text", "活动类型", ("活动类型", "服务类型", "活动类别", "activity_type")),
        Column("activity_date", "date", "活动日期", ("活动日期", "活动时间", "服务日期", "activity_date"),
               required=True),
        Column("volunteers", "int", "参与人数", ("参与人数", "志愿者人数", "参加人数", "volunteers")),
        Column("hours", "number", "服务时长(小时)",
               ("服务时长(小时)", "服务时长", "志愿服务时长", "时长(小时)", "总时长", "hours")),
        Column("beneficiaries", "int", "服务人次", ("服务人次", "受益人数", "服务对象人数", "beneficiaries")),
    ),
)

WISHES = Table(
    name="wishes",
    zh="微心愿",
    key="wish_id",
    time_column="submitted_at",
    status_vocab=WISH_STATUS,
    columns=(
        Column("wish_id", "text", "心愿编号", ("心愿编号", "微心愿编号", "编号", "wish_id")),
        *_place_columns(),
        Column("category", "text", "心愿类别", ("心愿类别", "心愿类型", "类别", "category")),
        Column("submitted_at", "timestamp", "提交时间",
               ("提交时间", "征集时间", "发布时间", "登记时间", "submitted_at"), required=True),
        Column("claimed_at", "timestamp", "认领时间", ("认领时间", "claimed_at")),
        Column("fulfilled_at", "timestamp", "实现时间", ("实现时间", "点亮时间", "完成时间", "fulfilled_at")),
        Column("claimed_by", "text", "认领人", ("认领人", "认领单位", "认领人/单位", "claimed_by")),
        Column("status", "status", "状态", ("状态", "心愿状态", "status")),
    ),
)

TASKS = Table(
    name="tasks",
    zh="任务指标",
    key="task_id",
    time_column="period_start",
    columns=(
        Column("task_id", "text", "任务编号", ("任务编号", "编号", "task_id")),
        *_place_columns(),
        Column("task", "text", "任务名称", ("任务名称", "任务", "指标名称", "task"), required=True),
        Column("period_start", "date", "开始日期", ("开始日期", "起始日期", "period_start"), required=True),
        Column("period_end", "date", "结束日期", ("结束日期", "截止日期", "period_end")),
        Column("target", "number", "目标值", ("目标值", "目标任务", "任务目标", "target"), required=True),
        Column("actual", "number", "完成值", ("完成值", "实际完成", "完成数", "actual"), required=True),
        Column("unit", "text", "单位", ("单位", "计量单位", "unit")),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (COMMUNITIES, CASES, VOLUNTEER_ACTIVITIES, WISHES, TASKS)}

# Canonical columns that say where a row belongs; every fact table carries them.
PLACE_COLUMNS = ("district", "street", "community")
