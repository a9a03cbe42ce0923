"""The canonical tables: columns, types, how headers name them, value vocabularies and per-table rules.

This is the contract between exports and everything downstream. Table and column names here are stable; the
importer (metrics/importer) maps any export onto them and reads every per-table rule from here: the key, the
required columns, how status is inferred when an export has none, data-quality flags and total-row words.

Headers are recognised two ways (metrics/importer/headers.py):
- `synonyms`: exact header texts (after folding: NFKC, lower case, no spaces or punctuation), confidence 1.0;
- `meanings`: regular expressions over the folded header built from its parts (place level + 名称/所属 affixes,
  event + 时间/日期 words, 一级/二级 levels ...), each with a confidence below 1.0.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One canonical column: SQL type, parse kind, how headers name it, and whether it is required."""

    name: str
    kind: str  # text | timestamp | date | int | number | status | rating
    zh: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    meanings: tuple[tuple[str, float], ...] = ()
    # Dates only: may a value lie in the future? Event times may not (by more than FUTURE_SLACK_DAYS).
    future_ok: bool = False
    # Columns that mark a table apart from the others weigh double when the table is guessed from headers.
    signature: bool = False


@dataclass(frozen=True)
class QualityFlag:
    """A data-quality check on a loaded row: the row is kept and flagged, and the summary counts it."""

    flag: str
    condition: str  # SQL over canonical columns
    zh: str
    en: str


@dataclass(frozen=True)
class Table:
    """One canonical table with the rules the importer applies to it."""

    name: str
    zh: str
    en: str
    key: str | None
    columns: tuple[Column, ...]
    time_column: str | None = None
    status_vocab: dict[str, str | None] = field(default_factory=dict)
    # SQL for the status when an export has no status column (or an empty cell): from the times a row has.
    status_inferred: str | None = None
    quality_flags: tuple[QualityFlag, ...] = ()
    # Words in a row's first filled cell that mark a total row (合计) to be skipped.
    total_words: tuple[str, ...] = ("合计", "总计", "小计", "total", "grandtotal", "sum")
    # Row key for tables without an id column of their own (SQL over canonical columns).
    key_sql: str | None = None
    # File-name words that hint at this table when headers alone leave two tables equally likely.
    name_hints: tuple[str, ...] = ()

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

    @property
    def required(self) -> list[str]:
        """Names of the columns every row must have."""
        return [c.name for c in self.columns if c.required]


SQL_TYPES = {
    "text": "VARCHAR",
    "status": "VARCHAR",
    "rating": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "date": "DATE",
    "int": "BIGINT",
    "number": "DOUBLE",
}

# Event times later than the import day plus this many days are implausible and rejected.
FUTURE_SLACK_DAYS = 31
# Deadlines and task periods may lie ahead, but not beyond this many years.
FAR_FUTURE_YEARS = 20
# Dates before this are placeholders (1900-01-01, Excel's day 0, 0001-01-01), emptied and counted.
PLACEHOLDER_BEFORE = "1901-01-01"

# Building blocks of header meanings (folded text: no spaces, brackets or punctuation).
_OWN = "(?:所属|所在|归属|隶属)?"
_NAME = "(?:名称|名字|名)?"
_TIME = "(?:时间|日期|时刻|日期时间|时间点|日)"
_EN_TIME = "(?:date|time|datetime|dt|on|at|timestamp)"


def _place(level: str, en: str | None = None) -> tuple[tuple[str, float], ...]:
    """Meanings of a place column: optional 所属-style prefix, the level words, optional 名称."""
    out = [(f"{_OWN}(?:{level}){_NAME}", 0.9), (f"(?:事件|诉求|问题|工单|案件|案卷|活动|心愿|任务)?{_OWN}(?:{level}){_NAME}", 0.8)]
    if en:
        out.append((f"(?:{en})(?:name)?", 0.85))
    return tuple(out)


def _event_time(events: str, en: str | None = None, weight: float = 0.9) -> tuple[tuple[str, float], ...]:
    """Meanings of a time column: an event word followed by a time/date word (or alone, a little weaker)."""
    out = [(f"(?:{events}){_TIME}", weight), (f"(?:{events})", weight - 0.15),
           (f"(?:事件|诉求|工单|案件|案卷|留言|来电|问题)(?:{events}){_TIME}", weight - 0.05)]
    if en:
        out.append((f"{_EN_TIME}?(?:{en}){_EN_TIME}?", weight - 0.05))
    return tuple(out)


_DISTRICT = _place("区县|县区|县市区|区市县|市辖区|区|县|县市|区域", "district|borough|county")
_STREET = _place("街道|镇街|街镇|乡镇街道|街道乡镇|乡镇|镇|乡|街道办|街道办事处|镇街道", "subdistrict|township|town")
_COMMUNITY = _place("社区|村社|社区村|村社区|村居|居村|社区居委会|居委会|村委会|村|社区居|嘎查", "community|neighbou?rhood|communityboard|communityarea")


def _places(required_community: bool = False) -> tuple[Column, ...]:
    """District, street and community columns shared by every table."""
    return (
        Column("district", "text", "区县", ("区县", "district", "borough"), meanings=_DISTRICT),
        Column("street", "text", "街道", ("街道", "街道/镇", "street"), meanings=_STREET),
        Column("community", "text", "社区", ("社区", "community"), meanings=_COMMUNITY,
               required=required_community),
    )


# Case status words → open / closed / cancelled / suspended. Suspended (缓办, 挂起, 暂缓) cases stay in 受理数 but
# leave the denominators of 办结率 (as scorecards exclude 缓办 cases); see metrics/registry.py.
CASE_STATUS: dict[str, str | None] = {
    **dict.fromkeys(("已办结", "办结", "已结案", "结案", "已完成", "完成", "已关闭", "关闭", "已解决", "解决",
                     "归档", "已归档", "已办理", "办理完毕", "已答复", "答复", "已回复", "已回访", "已评价",
                     "已处置", "处置完毕", "已处理", "处理完毕", "已反馈", "办毕", "结办", "已结办", "已销号",
                     "销号", "已核实办结",
                     "closed", "close", "completed", "complete", "resolved", "done", "finished", "answered"),
                    "closed"),
    **dict.fromkeys(("已撤销", "撤销", "作废", "已作废", "已取消", "取消", "无效", "无效件", "重复件", "重复",
                     "已合并", "不予受理", "不受理", "已退件",
                     "cancel", "cancelled", "canceled", "void", "duplicate", "invalid", "withdrawn"), "cancelled"),
    **dict.fromkeys(("缓办", "暂缓", "暂缓办理", "挂起", "已挂起", "挂账", "已挂账", "中止", "暂停", "缓办中",
                     "suspended", "on hold", "hold", "deferred"), "suspended"),
    **dict.fromkeys(("受理", "已受理", "待受理", "派发", "已派发", "待派发", "派单", "已派单", "签收", "已签收",
                     "待签收", "处置中", "办理中", "处理中", "待处理", "待办理", "未办结", "转办", "已转办",
                     "退回", "已退回", "延期", "已延期", "申请延期", "督办", "督办中", "待审核", "审核中", "待回访",
                     "待评价", "未处理", "进行中", "新建", "待核实", "核实中", "回退", "退单", "已退单",
                     "open", "in progress", "pending", "assigned", "started", "new", "received", "opened",
                     "reopened", "acknowledged", "in review"), "open"),
}

WISH_STATUS: dict[str, str | None] = {
    **dict.fromkeys(("待认领", "征集中", "未认领", "已发布", "待审核", "已征集", "征集", "open"), "open"),
    **dict.fromkeys(("已认领", "认领中", "待实现", "实现中", "claimed"), "claimed"),
    **dict.fromkeys(("已实现", "已点亮", "点亮", "实现", "已完成", "完成", "已兑现", "fulfilled"), "fulfilled"),
    **dict.fromkeys(("已撤销", "作废", "已取消", "撤销", "无效", "cancelled", "canceled"), "cancelled"),
}

# Ratings → satisfied / basic / neutral / dissatisfied. 满意率 counts satisfied + basic over every rated case;
# 一般 is rated but not satisfied. Words that mean "not rated" map to nothing (an empty rating).
RATINGS: dict[str, str | None] = {
    **dict.fromkeys(("满意", "非常满意", "很满意", "十分满意", "satisfied", "very satisfied"), "satisfied"),
    **dict.fromkeys(("基本满意", "比较满意", "较满意", "basic", "somewhat satisfied"), "basic"),
    **dict.fromkeys(("一般", "中立", "neutral"), "neutral"),
    **dict.fromkeys(("不满意", "非常不满意", "很不满意", "较不满意", "dissatisfied", "very dissatisfied",
                     "unsatisfied"), "dissatisfied"),
    **dict.fromkeys(("未评价", "未回访", "无法联系", "联系不上", "拒绝评价", "不评价", "未接通", "not rated"), None),
}

# A cell holding only one of these is empty. "nan" is not among them: in a number column it is rejected as
# not finite, never taken silently as a missing value.
EMPTY_MARKERS = ("", "—", "——", "-", "--", "－", "/", "无", "暂无", "n/a", "na", "null", "none", "#n/a")

COMMUNITIES = Table(
    name="communities", zh="社区档案", en="Community register",
    key=None,
    key_sql="concat_ws('|', coalesce(district, ''), coalesce(street, ''), community)",
    name_hints=("社区档案", "社区信息", "community", "register"),
    columns=(
        *_places(required_community=True),
        Column("brand", "text", "党建品牌", ("党建品牌", "品牌", "品牌名称", "brand"),
               meanings=(("(?:党建)?品牌(?:名称)?", 0.85),), signature=True),
        Column("brand_method", "text", "品牌工作法", ("品牌工作法", "工作法", "特色做法", "brand_method"),
               meanings=(("(?:品牌)?(?:工作法|特色做法|工作方法)", 0.85),), signature=True),
        Column("population", "int", "常住人口", ("常住人口", "人口", "人口数", "population"),
               meanings=(("常住人口(?:数|总数|数量)?(?:人)?", 0.9), ("(?:户籍|实有)?人口(?:数|总数|数量)?(?:人)?", 0.85)),
               signature=True),
        Column("households", "int", "户数", ("户数", "常住户数", "households"),
               meanings=(("(?:常住|户籍|居民)?(?:户数|总户数)(?:户)?", 0.85),), signature=True),
        Column("party_members", "int", "党员数", ("党员数", "党员人数", "党员", "party_members"),
               meanings=(("(?:在册|社区)?党员(?:数|人数|数量)?(?:人)?", 0.85),), signature=True),
        Column("grids", "int", "网格数", ("网格数", "网格数量", "grids"),
               meanings=(("网格(?:数|数量|个数)(?:个)?", 0.85),), signature=True),
        Column("grid_workers", "int", "网格员数", ("网格员数", "网格员", "网格员人数", "grid_workers"),
               meanings=(("(?:专职)?网格员(?:数|人数|数量)?(?:人)?", 0.85),), signature=True),
    ),
)

CASES = Table(
    name="cases", zh="诉求事件", en="Cases",
    key="case_id",
    time_column="reported_at",
    status_vocab=CASE_STATUS,
    status_inferred="CASE WHEN closed_at IS NOT NULL THEN 'closed' ELSE 'open' END",
    quality_flags=(
        QualityFlag("close_before_report", "closed_at < reported_at",
                    "办结时间早于上报时间", "closed before reported"),
        QualityFlag("closed_without_time", "status = 'closed' AND closed_at IS NULL",
                    "状态为办结但无办结时间", "closed with no close time"),
    ),
    name_hints=("事件", "工单", "诉求", "12345", "热线", "问政", "留言", "城管", "案件", "案卷", "311", "case", "request",
                "complaint", "ticket"),
    columns=(
        Column("case_id", "text", "事件编号",
               ("事件编号", "工单编号", "诉求编号", "案件编号", "工单号", "留言编号", "case_id", "caseid",
                "uniquekey", "requestid", "ticketid", "ticketnumber", "servicerequestid", "srnumber"),
               meanings=(("(?:事件|工单|诉求|案件|案卷|留言|投诉|来电|问题|受理|业务|服务)(?:编号|单号|编码|号|id|流水号|序列号)", 0.9),
                         ("(?:编号|单号|工单号|流水号)", 0.7),
                         ("(?:case|ticket|request|servicerequest|sr|incident|complaint|issue)(?:enquiry|inquiry)?(?:id|number|no|num|key)", 0.9),
                         ("任务号", 0.8),
                         ("(?:unique)?(?:id|key)", 0.5)), signature=True),
        *_places(),
        Column("grid", "text", "网格", ("网格", "所属网格", "网格名称", "grid"),
               meanings=((f"{_OWN}(?:网格|责任网格|网格单元){_NAME}(?:编号)?", 0.9),)),
        Column("category", "text", "事件类型",
               ("事件类型", "问题类别", "事件类别", "诉求类别", "类别", "分类", "category", "一级分类", "大类", "大类名称", "问题大类"),
               meanings=(("(?:事件|诉求|问题|案件|案卷|工单|投诉|业务|反映|留言|来电)?(?:一级)?(?:分类|类别|类型|大类|分类名称|类别名称)(?:名称)?", 0.85),
                         ("(?:问题|事件|诉求)?大类", 0.85),
                         ("(?:complaint|request|req|problem|case|service|issue|sr)?(?:type|category)(?:name|desc)?", 0.8),
                         ("typeof(?:service)?(?:request|complaint|problem)", 0.8),
                         ("(?:request|case|complaint)?reason", 0.85),
                         ("(?:problem|request|service)code", 0.7),
                         ("(?:problem|request|service)?code(?:desc|description)", 0.75),
                         ("group", 0.5))),
        Column("subcategory", "text", "二级分类",
               ("二级分类", "小类", "subcategory"),
               meanings=(("(?:事件|诉求|问题|案件|案卷|工单|投诉|业务)?(?:二级|三级)(?:分类|类别|类型)(?:名称)?", 0.9),
                         ("(?:事件|诉求|问题|案件|案卷)?(?:小类|子类|细类)(?:名称)?", 0.9),
                         ("(?:sub)(?:type|category)", 0.85), ("descriptor", 0.6),
                         ("(?:request|service|case|complaint|sr)?type", 0.65))),
        Column("channel", "text", "来源渠道", ("来源渠道", "来源", "渠道", "诉求来源", "事件来源", "channel"),
               meanings=(("(?:事件|诉求|问题|案件|案卷|工单|信息|受理|反映|来电)?(?:来源|渠道|来源渠道|来源方式|受理渠道|反映渠道|上报渠道|上报方式|来源类型)(?:名称|类型)?", 0.9),
                         ("(?:source|channel|opendatachanneltype|channeltype|origin|callertype|via|methodreceived|receivedvia|intakemethod)", 0.8))),
        Column("handler", "text", "承办单位",
               ("承办单位", "办理单位", "处置单位", "责任单位", "承办部门", "handler"),
               meanings=(("(?:承办|办理|处置|责任|主办|办结|执行|承接|处理|转办|派遣|答复|回复)(?:职能)?(?:单位|部门|科室|机构|科室部门|部门单位|单位部门|职能部门)(?:名称)?", 0.9),
                         ("(?:职能)?(?:单位|部门|科室)(?:名称)?", 0.6),
                         ("(?:responsible|owner|owning|assigned)?(?:agency|department|dept|division)", 0.75),
                         ("(?:responsible|owner|owning|assigned)?(?:agency|department|dept|division)name", 0.7),
                         ("(?:assignedto|handler|submitto|owner|responsibleagency|referredto)", 0.8))),
        Column("reported_at", "timestamp", "上报时间",
               ("上报时间", "受理时间", "登记时间", "反映时间", "留言时间", "创建时间", "reported_at"),
               meanings=_event_time("上报|受理|登记|来电|反映|留言|创建|提交|发起|立案|报送|接收|发现|诉求|投诉|报案|求助|接件|收件|派发|派单",
                                    "created|creation|opened|open|reported|received|submitted|requested|init|initiated|logged|start"),
               required=True),
        Column("due_at", "timestamp", "办理时限",
               ("办理时限", "截止时间", "应办结时间", "办结时限", "期限", "due_at"),
               meanings=(("(?:办理|办结|处置|处理|答复|回复|承诺|规定|要求)?(?:时限|期限)(?:时间|日期)?", 0.9),
                         (f"(?:办理|办结|处置|处理)?(?:截止|到期|应办结|应办|应结|要求办结|规定办结|承诺办结|要求完成|计划完成|限办){_TIME}?", 0.9),
                         ("(?:prj|project|projected|planned|plan)(?:complete|completion|end)(?:date)?", 0.8),
                         (f"{_EN_TIME}?(?:due|deadline|target|sla|expected|duedate){_EN_TIME}?", 0.85)),
               future_ok=True, signature=True),
        Column("closed_at", "timestamp", "办结时间",
               ("办结时间", "结案时间", "完成时间", "答复时间", "关闭时间", "closed_at"),
               # 实际办结日期 / 最终完成时间: the actual close, beside 要求办结日期 (the due time).
               meanings=_event_time("(?:实际|最终)?(?:办结|结案|完成|答复|回复|关闭|办理完成|处置完成|办毕|结办|归档|解决|销号|反馈|处理完成|办理完结)",
                                    "closed|close|resolved|completed|complete|completion|finished|done|answered"),
               signature=True),
        Column("status", "status", "办理状态", ("办理状态", "状态", "事件状态", "工单状态", "status"),
               meanings=(("(?:办理|事件|工单|诉求|案件|案卷|处置|当前|处理|流转|办件)?(?:状态|进度)(?:名称)?", 0.9),
                         ("(?:当前|办理|处置|流转|案件|案卷|事件|工单)(?:阶段|环节)(?:名称)?", 0.85),
                         ("(?:case|request|ticket|sr|service|current)?(?:status|state)(?:name|desc)?", 0.9))),
        Column("satisfaction", "rating", "群众评价",
               ("群众评价", "满意度", "评价结果", "回访评价", "满意度评价", "satisfaction"),
               meanings=(("(?:群众|公众|回访|市民|居民|来电人|诉求人|服务对象)?(?:评价|满意度|评价结果|回访结果|满意度评价|满意情况|评价情况|回访情况|回访满意度)", 0.9),
                         ("(?:群众|公众|回访|市民|居民|来电人|诉求人|服务对象)?是否满意", 0.75),
                         ("(?:satisfaction|rating|feedback)(?:score|level)?", 0.8)), signature=True),
    ),
)

VOLUNTEER_ACTIVITIES = Table(
    name="volunteer_activities", zh="志愿服务", en="Volunteer activities",
    key="activity_id",
    time_column="activity_date",
    name_hints=("志愿", "服务活动", "volunteer", "activit"),
    columns=(
        Column("activity_id", "text", "活动编号", ("活动编号", "活动id", "活动序号", "activity_id"),
               meanings=(("(?:活动|服务|项目)(?:编号|id|编码|号)", 0.9),
                         ("(?:activity|event|opportunity|project)(?:id|number|no)", 0.85),
                         ("(?:编号|id)", 0.5))),
        *_places(),
        Column("team", "text", "志愿服务队", ("志愿服务队", "服务队", "队伍名称", "志愿队伍", "团队", "team"),
               meanings=(("(?:志愿|志愿者|服务|志愿服务)?(?:队|队伍|团队|服务队|组织|社团|志愿队)(?:名称)?", 0.9),
                         ("(?:team|org|organization|orgtitle|organisation|group)(?:name|title)?", 0.75)),
               signature=True),
        Column("activity_type", "text", "活动类型", ("活动类型", "服务类型", "活动类别", "activity_type"),
               meanings=(("(?:活动|服务|项目)(?:类型|类别|分类|领域)(?:名称)?", 0.9),
                         ("(?:activity|service|event)?(?:type|category|categorydesc)", 0.7))),
        Column("activity_date", "date", "活动日期", ("活动日期", "活动时间", "服务日期", "activity_date"),
               meanings=(*_event_time("活动|服务|开展|举办|开始", None),
                         (f"(?:活动|服务|志愿服务)(?:开始|开展|举办){_TIME}", 0.9),
                         (f"(?:start|event|activity|service)(?:date){_EN_TIME}?", 0.85), ("date", 0.6)),
               required=True),
        Column("volunteers", "int", "参与人数", ("参与人数", "志愿者人数", "参加人数", "volunteers"),
               meanings=(("(?:参与|参加|出动|服务)?(?:志愿者)?(?:人数|人员数)(?:人)?", 0.85),
                         ("(?:num|number)?(?:of)?volunteers?(?:count|number)?", 0.85),
                         ("(?:num|number)?(?:of)?vols?(?:requests?|requested|needed|count)", 0.8)), signature=True),
        Column("hours", "number", "服务时长(小时)",
               ("服务时长(小时)", "服务时长", "志愿服务时长", "时长(小时)", "总时长", "hours"),
               meanings=(("(?:志愿|志愿者|服务|志愿服务|志愿者服务|活动)?(?:总)?(?:时长|时数|小时数|工时)(?:小时|h|人时)?", 0.9),
                         ("(?:volunteer|service|total)?hours", 0.9)), signature=True),
        Column("beneficiaries", "int", "服务人次", ("服务人次", "受益人数", "服务对象人数", "beneficiaries"),
               meanings=(("(?:服务|受益|惠及)(?:人次|人数|群众|对象人数|群众人次)(?:人)?", 0.9),
                         ("(?:beneficiaries|peopleserved|served)", 0.85)), signature=True),
    ),
)

WISHES = Table(
    name="wishes", zh="微心愿", en="Micro-wishes",
    key="wish_id",
    time_column="submitted_at",
    status_vocab=WISH_STATUS,
    status_inferred=("CASE WHEN fulfilled_at IS NOT NULL THEN 'fulfilled' "
                     "WHEN claimed_at IS NOT NULL THEN 'claimed' ELSE 'open' END"),
    quality_flags=(
        QualityFlag("fulfil_before_submit", "fulfilled_at < submitted_at", "实现时间早于提交时间",
                    "fulfilled before submitted"),
        QualityFlag("claim_before_submit", "claimed_at < submitted_at", "认领时间早于提交时间",
                    "claimed before submitted"),
    ),
    name_hints=("心愿", "wish"),
    columns=(
        Column("wish_id", "text", "心愿编号", ("心愿编号", "微心愿编号", "wish_id"),
               meanings=(("(?:微)?心愿(?:编号|id|编码|号)", 0.95), ("(?:wish)(?:id|number|no)", 0.9),
                         ("编号", 0.65), ("id", 0.5)), signature=True),
        *_places(),
        Column("category", "text", "心愿类别", ("心愿类别", "心愿类型", "类别", "category"),
               meanings=(("(?:微)?心愿(?:类别|类型|分类)(?:名称)?", 0.95), ("(?:类别|类型|分类)", 0.6),
                         ("(?:wish)?(?:type|category)", 0.6))),
        Column("submitted_at", "timestamp", "提交时间",
               ("提交时间", "征集时间", "发布时间", "登记时间", "submitted_at"),
               meanings=_event_time("提交|征集|发布|登记|许愿|上报|收集|创建", "submitted|created|posted"),
               required=True),
        Column("claimed_at", "timestamp", "认领时间", ("认领时间", "claimed_at"),
               meanings=_event_time("认领|领取|接单", "claimed"), signature=True),
        Column("fulfilled_at", "timestamp", "实现时间", ("实现时间", "点亮时间", "完成时间", "fulfilled_at"),
               meanings=_event_time("实现|点亮|完成|兑现|圆梦", "fulfilled|completed"), signature=True),
        Column("claimed_by", "text", "认领人", ("认领人", "认领单位", "认领人/单位", "claimed_by"),
               meanings=(("认领(?:人|单位|人单位|单位人|方|党员|者|组织|主体)(?:姓名|名称)?", 0.95),
                         ("claimedby", 0.9)), signature=True),
        Column("status", "status", "状态", ("状态", "心愿状态", "status"),
               meanings=(("(?:心愿|认领|实现|当前)?(?:状态|进度)", 0.9), ("(?:status|state)", 0.9))),
    ),
)

TASKS = Table(
    name="tasks", zh="任务指标", en="Tasks",
    key="task_id",
    time_column="period_start",
    quality_flags=(
        QualityFlag("end_before_start", "period_end < period_start", "结束日期早于开始日期",
                    "period ends before it starts"),
    ),
    name_hints=("任务", "指标", "台账", "task", "target"),
    columns=(
        Column("task_id", "text", "任务编号", ("任务编号", "task_id"),
               meanings=(("(?:任务|指标|项目)(?:编号|id|编码|号)", 0.95), ("(?:task|target)(?:id|number|no)", 0.9),
                         ("(?:编号|id)", 0.5))),
        *_places(),
        Column("task", "text", "任务名称", ("任务名称", "任务", "指标名称", "task"),
               meanings=(("(?:任务|指标|考核指标|工作任务|项目)(?:名称|内容|事项)?", 0.9), ("(?:task|indicator)(?:name)?", 0.85)),
               required=True, signature=True),
        Column("period_start", "date", "开始日期", ("开始日期", "起始日期", "period_start"),
               meanings=(*_event_time("开始|起始|考核开始|周期开始", "start|begin|from"),), required=True, future_ok=True),
        Column("period_end", "date", "结束日期", ("结束日期", "截止日期", "period_end"),
               meanings=(*_event_time("结束|截止|截至|考核截止|周期结束|完成期限|完成时限", "end|to|until|deadline"),),
               future_ok=True),
        Column("target", "number", "目标值", ("目标值", "目标任务", "任务目标", "target"),
               meanings=(("(?:年度|季度|计划)?(?:目标|任务|计划)(?:值|数|任务数|数量|任务量)", 0.9),
                         ("(?:目标任务|任务目标|目标)", 0.85), ("(?:target|goal|plan)(?:value)?", 0.85)),
               required=True, signature=True),
        Column("actual", "number", "完成值", ("完成值", "实际完成", "完成数", "actual"),
               meanings=(("(?:实际)?(?:完成|实际)(?:值|数|量|数量|情况|任务数)?", 0.85),
                         ("(?:截至|截止)(?:目前|当前|本月|本季度|本年)?(?:累计)?(?:实际)?完成(?:值|数|量|数量|情况|任务数)?", 0.85),
                         ("(?:actual|achieved|done)(?:value)?", 0.85)),
               required=True, signature=True),
        Column("unit", "text", "单位", ("单位", "计量单位", "unit"),
               meanings=(("(?:计量)?单位", 0.8), ("unit", 0.8))),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (COMMUNITIES, CASES, VOLUNTEER_ACTIVITIES, WISHES, TASKS)}

# Canonical columns that say where a row belongs; every table carries them.
PLACE_COLUMNS = ("district", "street", "community")
