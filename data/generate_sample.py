"""Generate the bundled, synthetic sample exports in data/sample/ (deterministic).

Run: python data/generate_sample.py [--out DIR]

Districts, streets, communities, brands and headline figures come from the five
seed articles (荔城区, 东风区, 南芬区, 谢家集区, 孝南区); where an article gives only a
count the names are plainly synthetic (示例街道N, 示例社区NN, 示例品牌NN). Every row is
made up. The same code always writes the same bytes: one fixed seed, fixed dates,
no use of the clock, locale, or set ordering.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import random
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

SEED = 20261031
PERIOD_START = dt.date(2025, 1, 1)
PERIOD_END = dt.date(2026, 10, 31)
CUTOFF = dt.datetime(2026, 11, 1)  # export taken at the end of 2026-10-31
PERIOD_MONTHS = 22
FIXED_STAMP = dt.datetime(2026, 10, 31, 18, 0, 0)
DEFAULT_OUT = Path(__file__).resolve().parent / "sample"

COMMUNITY_HEADERS = ["区县", "街道", "社区", "党建品牌", "品牌工作法", "常住人口", "户数", "党员数", "网格数", "网格员数"]
CASE_HEADERS = ["事件编号", "区县", "街道", "社区", "网格", "事件类型", "来源渠道", "承办单位",
                "上报时间", "办理时限", "办结时间", "办理状态", "群众评价"]
ACTIVITY_HEADERS = ["活动编号", "区县", "街道", "社区", "志愿服务队", "活动类型", "活动日期",
                    "参与人数", "服务时长(小时)", "服务人次"]
WISH_HEADERS = ["心愿编号", "区县", "街道", "社区", "心愿类别", "提交时间", "认领时间", "实现时间", "认领人", "状态"]
TASK_HEADERS = ["任务编号", "区县", "街道", "社区", "任务名称", "开始日期", "结束日期", "目标值", "完成值", "单位"]

# Case categories with their weight and handling limit in days (办理时限).
CATEGORIES = {"矛盾纠纷": (14, 7), "民生服务": (20, 7), "城建物业": (19, 15), "卫生环保": (17, 7),
              "治安隐患": (9, 3), "政策咨询": (13, 3), "急难愁盼": (8, 3)}
HANDLERS = {
    "矛盾纠纷": {"社区居委会": 5, "派出所": 2, "司法所": 2, "物业公司": 1},
    "民生服务": {"社区居委会": 5, "区民政局": 1.5, "区人社局": 1.5, "区市场监管局": 1, "区卫健局": 1},
    "城建物业": {"物业公司": 4, "街道城管办": 2, "区住建局": 1.5, "供电公司": 1, "供水公司": 1},
    "卫生环保": {"街道城管办": 4, "物业公司": 2, "社区居委会": 2, "区生态环境分局": 1, "区市场监管局": 0.5},
    "治安隐患": {"派出所": 4, "社区居委会": 2, "区消防救援大队": 1.5, "街道城管办": 1},
    "政策咨询": {"社区居委会": 5, "区人社局": 2, "区医保局": 1.5, "区民政局": 1.5},
    "急难愁盼": {"社区居委会": 3, "区住建局": 1.5, "区民政局": 1.5, "区卫健局": 1, "供电公司": 1},
}
CHANNELS = {"网格上报": 45, "群众点单": 15, "12345热线": 25, "心愿墙": 5, "议事会": 10}
REPORT_HOURS = [0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.2, 2.5, 3.2, 3.0, 2.4,
                1.6, 1.8, 2.6, 2.8, 2.5, 2.0, 1.4, 1.2, 1.0, 0.8, 0.5, 0.3]
MONTH_VOLUME = {1: 0.9, 2: 0.85, 3: 1.0, 4: 1.0, 5: 1.05, 6: 1.1, 7: 1.15, 8: 1.15,
                9: 1.0, 10: 0.95, 11: 1.0, 12: 1.0}
SPRING_FESTIVAL = (dt.date(2025, 1, 29), dt.date(2026, 2, 17))
CASES_PER_1000_A_YEAR = 26.0


@dataclass(frozen=True)
class Weakness:
    """Why a community lags: which categories pile up at which handling unit."""

    categories: tuple[str, ...]
    handler: str
    boost: float
    season: str  # "all" or "heating": when the extra cases arrive
    story: str


@dataclass(frozen=True)
class Named:
    """A community the seeds name, with its figures (0 = not given, fill in)."""

    name: str
    brand: str
    method: str
    population: int
    households: int = 0
    members: int = 0
    grids: int = 0
    workers: int = 0


@dataclass(frozen=True)
class Street:
    """A street or town: its named communities, synthetic fill and deliberately weak ones."""

    name: str
    named: tuple[Named, ...] = ()
    synthetic: int = 0
    weak: tuple[tuple[Weakness, int], ...] = ()  # (weakness, population) per weak community


@dataclass(frozen=True)
class District:
    """A district with its streets, shared brands and performance profile."""

    name: str
    streets: tuple[Street, ...]
    brands: tuple[tuple[str, str], ...]
    north: bool          # central heating season (Oct 15 - Apr 15) drives 城建物业
    pop_range: tuple[int, int]
    on_time: float       # typical on-time rate
    unsatisfied: float   # base share of 不满意 among rated cases
    stuck: float         # share of cases never closed
    activity_factor: float
    wishes: int          # wishes collected over the period
    claim_rate: float
    channels: dict[str, float] = field(default_factory=lambda: dict(CHANNELS))
    grid_total: int = 0    # force the district's grids to sum to this (seed figure)
    worker_total: int = 0  # force the district's grid workers to sum to this


@dataclass
class Community:
    """One community row plus the hidden profile that drives its generated activity."""

    district: District
    street: str
    name: str
    brand: str
    method: str
    population: int
    households: int
    members: int
    grids: int
    workers: int
    on_time: float = 0.9
    unsatisfied: float = 0.04
    stuck: float = 0.005
    volume: float = 1.0
    weak: Weakness | None = None
    teams: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


@dataclass
class Case:
    """One generated case (事件) before formatting."""

    community: Community
    grid: int
    category: str
    channel: str
    handler: str
    reported: dt.datetime
    due: dt.date
    closed: dt.datetime | None
    status: str
    rating: str
    case_id: str = ""


LICHENG_BRANDS = (("红色管家", "建强红色管家队伍，小事不出网格、大事共商共解"),)
WEAK_PROPERTY = Weakness(("城建物业",), "物业公司", 2.6, "all",
                         "开放式老旧小区，停车、飞线充电、电梯维修诉求大多派给物业公司，长期拖办、超期多")
WEAK_SANITATION = Weakness(("卫生环保",), "街道城管办", 3.4, "all",
                           "垃圾清运不及时、污水横流，派街道城管办处置超期积压，夏季尤甚")
WEAK_HEATING = Weakness(("城建物业",), "供热公司", 14.0, "heating",
                        "供暖季室温不达标投诉集中派给供热公司，超期、不满意多，非供暖季正常")
WEAK_HOUSING = Weakness(("城建物业", "急难愁盼"), "区住建局", 2.4, "all",
                        "老旧房屋漏水、危房修缮转区住建局，办理周期30-90天，大量超期未结")

DISTRICTS = (
    District(
        "荔城区",
        (
            Street("拱辰街道", (
                Named("拱辰社区", "共享+135", "一条主线引领，阵地、治理、服务三大共享，凝聚五类合伙人",
                      58000, 19300, 629, 42, 56),
                Named("南郊社区", "红色管家", "小区党支部普法宣讲，民警、律师协同调解邻里纠纷",
                      19000, 6400, 310, 16, 21),
            ), weak=((WEAK_PROPERTY, 3400),)),
            Street("西天尾镇", (
                Named("渭阳社区", "红管家暖万家", "红色物业吸纳居民就业，社区、物业、居民三方共议，校地协同治理",
                      1427, 468, 92, 3, 4),
            ), synthetic=1),
            Street("镇海街道", (
                Named("镇海社区", "四心工作法", "红心引领、齐心共建、精心赋能、暖心服务，“五个到家”",
                      11600, 4300, 268, 12, 15),
            ), weak=((WEAK_SANITATION, 2900),)),
            Street("北高镇", (
                Named("北高社区", "红色管家", "支部建在网格、党员融入邻里，10个党员先锋岗，小事不出网格",
                      26000, 7900, 410, 33, 38),
            ), synthetic=1),
            Street("黄石镇", (
                Named("黄石社区", "银雁领航", "老党员工作室常态化宣讲政策、调解矛盾、组织志愿服务",
                      16500, 5200, 335, 18, 22),
            )),
        ),
        LICHENG_BRANDS, north=False, pop_range=(4500, 11000), on_time=0.95, unsatisfied=0.025,
        stuck=0.001, activity_factor=1.2, wishes=425, claim_rate=0.93,
        channels={"网格上报": 52, "群众点单": 14, "12345热线": 22, "心愿墙": 5, "议事会": 7},
    ),
    District(
        "东风区",
        (
            Street("示例街道1", (Named("东安社区", "佳门口", "社区食堂“三个一点”：老人支付一点、政府投入一点、社区奉献一点",
                                      9200),), synthetic=5),
            Street("示例街道2", (Named("南兴社区", "佳家驿站", "为快递员、外卖小哥等新业态群体提供歇脚、饮水、热饭",
                                      8100),), synthetic=4, weak=((WEAK_HEATING, 6800),)),
            Street("示例街道3", (Named("水源社区", "红色议事厅", "居民吹哨—社区转哨—部门办哨，议事厅协商解决消防通道等难题",
                                      7600),), synthetic=5),
            Street("示例街道4", synthetic=6),
        ),
        (("佳门口", "一社区一品牌一特色，“一老一小”服务送到家门口"),
         ("红色圆桌会", "党员、居民、物业围坐圆桌，小事共商、难事共解")),
        north=True, pop_range=(3500, 11000), on_time=0.89, unsatisfied=0.05, stuck=0.003,
        activity_factor=1.0, wishes=205, claim_rate=0.88, worker_total=559,
        channels={"网格上报": 42, "群众点单": 14, "12345热线": 24, "心愿墙": 8, "议事会": 12},
    ),
    District(
        "南芬区",
        (
            Street("示例街道5", (
                Named("郭家社区", "小红帽", "老党员义务巡逻队二十年风雨无阻：巡逻值守、安全宣传、矛盾调解", 6800),
                Named("三十六户社区", "老年大学", "手机课堂、健康讲座、书法绘画，帮老年人跨越数字鸿沟", 2600),
            ), synthetic=1),
            Street("示例街道6", (
                Named("细河社区", "社区公益合伙人", "联动企业、社会组织开设四点半课堂，破解课后看管难题", 5200),
            ), synthetic=2),
        ),
        (("百事帮", "“百事帮”互助小组+“百宝箱”共享工具站，党员上门维修代办"),),
        north=True, pop_range=(1800, 6000), on_time=0.92, unsatisfied=0.04, stuck=0.002,
        activity_factor=1.1, wishes=175, claim_rate=0.9,
    ),
    District(
        "谢家集区",
        (
            Street("示例街道7", (Named("靠山社区", "481工作法", "社区党组织贴心服务品牌，为民服务全程代理、一站式办理",
                                      8800),), synthetic=7),
            Street("示例街道8", (Named("红轮社区", "七彩之家", "“七彩之家”贴心服务居民，错时、延时、上门、预约服务",
                                      7400),), synthetic=7),
            Street("示例街道9", (Named("河西社区", "四位一体联席工作法", "“四位一体”党建引领小区物业管理联动，联席会议协商物业难题",
                                      6900),), synthetic=6),
            Street("示例街道10", synthetic=6, weak=((WEAK_HOUSING, 5600),)),
            Street("示例街道11", synthetic=7),
        ),
        (("谢家集先锋", "党群议事站+联席会议，每季度研究修订共建服务清单"),
         ("三员服务", "退休党员争当政策宣传员、民情速递员、矛盾调解员")),
        north=False, pop_range=(2000, 10500), on_time=0.90, unsatisfied=0.05, stuck=0.0025,
        activity_factor=0.6, wishes=830, claim_rate=0.86, grid_total=286,
    ),
    District(
        "孝南区",
        (
            Street("广场街道", (
                Named("文化路社区", "红色驿站+12345工作法", "三类小区建红色驿站，“群众点单、社区派单、单位（党员）接单”",
                      12250, 3430, 112, 6, 6),
            ), synthetic=2),
            Street("示例街道12", synthetic=2),
        ),
        (("三单服务", "群众点单、社区派单、单位（党员）接单"),
         ("五民工程", "爱心亲民、服务便民、和谐惠民、宣传育民、文化乐民")),
        north=False, pop_range=(5000, 13000), on_time=0.91, unsatisfied=0.045, stuck=0.002,
        activity_factor=1.0, wishes=230, claim_rate=0.8,
        channels={"网格上报": 38, "群众点单": 24, "12345热线": 24, "心愿墙": 6, "议事会": 8},
    ),
)

SYNTHETIC_METHODS = (
    "网格员包片走访，民情日志日清周结", "党员中心户联系十户，小事不出楼栋", "楼栋党小组+业委会+物业三方议事",
    "“一老一小”关爱服务，长者食堂+四点半课堂", "共建单位认领服务清单，按季度评议", "退役军人党员巡逻队守护平安",
    "在职党员双报到，认领为民服务岗位", "积分超市：志愿服务1小时积1分兑换物品",
)


# ---------------------------------------------------------------- communities

def build_communities(rng: random.Random) -> list[Community]:
    """Every community of every district, in a fixed order."""
    out: list[Community] = []
    serial = iter(range(1, 1000))
    for district in DISTRICTS:
        members: list[Community] = []
        for street in district.streets:
            members += [from_named(rng, district, street.name, n) for n in street.named]
            for weak, population in street.weak:
                members.append(synthetic(rng, district, street.name, next(serial), population, weak))
            for _ in range(street.synthetic):
                population = rng.randint(*district.pop_range)
                members.append(synthetic(rng, district, street.name, next(serial), population, None))
        fix_totals(rng, district, members)
        out += members
    for community in out:
        set_profile(rng, community)
        community.teams = volunteer_teams(rng, community)
    return out


def from_named(rng: random.Random, district: District, street: str, n: Named) -> Community:
    """A seed-named community, missing figures filled in plausibly."""
    households = n.households or round(n.population / rng.uniform(2.6, 3.1))
    members = n.members or round(n.population * rng.uniform(0.025, 0.04))
    grids = n.grids or max(2, round(n.population / rng.uniform(550, 800)))
    workers = n.workers or round(grids * rng.uniform(1.1, 1.5))
    return Community(district, street, n.name, n.brand, n.method, n.population, households, members, grids, workers)


def synthetic(rng: random.Random, district: District, street: str, number: int, population: int,
              weak: Weakness | None) -> Community:
    """A clearly synthetic community 示例社区NN with its own or the district's brand."""
    if weak is None and rng.random() < 0.5:
        brand, method = rng.choice(district.brands)
    else:
        brand, method = f"示例品牌{number:02d}", "示例工作法：" + rng.choice(SYNTHETIC_METHODS)
    households = round(population / rng.uniform(2.6, 3.1))
    members = round(population * rng.uniform(0.022, 0.038))
    grids = max(2, round(population / rng.uniform(550, 850)))
    workers = round(grids * rng.uniform(1.0, 1.5))
    community = Community(district, street, f"示例社区{number:02d}", brand, method, population,
                          households, members, grids, workers)
    community.weak = weak
    return community


def fix_totals(rng: random.Random, district: District, members: list[Community]) -> None:
    """Make grid and grid-worker totals match the district's seed figures."""
    if district.grid_total:
        spread(rng, members, "grids", district.grid_total, 2)
        for c in members:
            c.workers = max(c.grids, round(c.grids * rng.uniform(1.0, 1.4)))
    if district.worker_total:
        spread(rng, members, "workers", district.worker_total, 3)


def spread(rng: random.Random, members: list[Community], attr: str, total: int, floor: int) -> None:
    """Rescale one integer attribute so it sums to total, keeping each at least floor."""
    weights = [c.population for c in members]
    scale = total / sum(weights)
    for c in members:
        setattr(c, attr, max(floor, round(c.population * scale)))
    diff = total - sum(getattr(c, attr) for c in members)
    order = sorted(range(len(members)), key=lambda i: -members[i].population)
    i = 0
    while diff:
        c = members[order[i % len(order)]]
        step = 1 if diff > 0 else -1
        if getattr(c, attr) + step >= floor:
            setattr(c, attr, getattr(c, attr) + step)
            diff -= step
        i += 1


def set_profile(rng: random.Random, c: Community) -> None:
    """Hidden performance profile: on-time, dissatisfaction, stuck share and case volume."""
    d = c.district
    c.on_time = min(0.975, max(0.84, rng.gauss(d.on_time, 0.025)))
    c.unsatisfied = min(0.08, max(0.01, rng.gauss(d.unsatisfied, 0.012)))
    c.stuck = d.stuck * rng.uniform(0.1, 1.5) * (6 if rng.random() < 0.08 else 1)  # a few slow ones
    c.volume = rng.uniform(0.8, 1.2)
    if c.weak:
        c.on_time -= 0.08
        c.stuck *= 1.5


# ---------------------------------------------------------------- calendar

def days_in_period() -> list[dt.date]:
    """Every date from PERIOD_START to PERIOD_END."""
    n = (PERIOD_END - PERIOD_START).days + 1
    return [PERIOD_START + dt.timedelta(days=i) for i in range(n)]


def case_day_weight(day: dt.date) -> float:
    """Relative case volume on a day: season, weekend, 春节 and 国庆 dips, 2026 growth."""
    w = MONTH_VOLUME[day.month] * (0.75 if day.weekday() >= 5 else 1.0)
    if any(-2 <= (day - sf).days <= 6 for sf in SPRING_FESTIVAL):
        w *= 0.3
    if day.month == 10 and day.day <= 7:
        w *= 0.55
    return w * (1.06 if day.year == 2026 else 1.0)


def in_heating(day: dt.date) -> bool:
    """Northern central-heating season, 15 Oct to 15 Apr."""
    return (day.month, day.day) >= (10, 15) or (day.month, day.day) <= (4, 15)


def category_weights(c: Community, day: dt.date) -> list[float]:
    """Category weights for a community on a day, with seasonality and its weakness."""
    weights = []
    for name, (base, _) in CATEGORIES.items():
        w = float(base)
        if name == "卫生环保" and day.month in (6, 7, 8):
            w *= 1.7
        if name == "城建物业" and in_heating(day):
            w *= 1.6 if c.district.north else 1.1
        if c.weak and name in c.weak.categories and (c.weak.season == "all" or in_heating(day)):
            w *= c.weak.boost
        weights.append(w)
    return weights


def fmt_excel_time(t: dt.datetime) -> str:
    """Excel-on-Windows style: 2025/3/5 9:32:09 (no zero padding on date and hour)."""
    return f"{t.year}/{t.month}/{t.day} {t.hour}:{t.minute:02d}:{t.second:02d}"


# ---------------------------------------------------------------- cases

def build_cases(rng: random.Random, communities: list[Community]) -> list[Case]:
    """All cases of the period, sorted by report time and numbered per year."""
    days = days_in_period()
    cum = cumulative([case_day_weight(d) for d in days])
    years = len(days) / 365
    cases: list[Case] = []
    for c in communities:
        n = round(c.population / 1000 * CASES_PER_1000_A_YEAR * years * c.volume)
        for day in sorted(rng.choices(days, cum_weights=cum, k=n)):
            cases.append(make_case(rng, c, day))
    cases.sort(key=lambda k: (k.reported, k.community.name))
    counters = {2025: 0, 2026: 0}
    for k in cases:
        counters[k.reported.year] += 1
        k.case_id = f"SJ{k.reported.year}{counters[k.reported.year]:06d}"
    return cases


def cumulative(weights: list[float]) -> list[float]:
    """Running sums, for random.choices(cum_weights=...)."""
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


def make_case(rng: random.Random, c: Community, day: dt.date) -> Case:
    """One case on a given day: what, who handles it, and how it ended."""
    category = rng.choices(list(CATEGORIES), weights=category_weights(c, day))[0]
    handler = pick_handler(rng, c, category, day)
    problem = bool(c.weak and category in c.weak.categories and handler == c.weak.handler)
    hour = rng.choices(range(24), weights=REPORT_HOURS)[0]
    reported = dt.datetime.combine(day, dt.time(hour, rng.randrange(60), rng.randrange(60)))
    due = day + dt.timedelta(days=CATEGORIES[category][1])
    channel = rng.choices(list(c.district.channels), weights=list(c.district.channels.values()))[0]
    case = Case(c, rng.randint(1, c.grids), category, channel, handler, reported, due, None, "处理中", "")
    settle(rng, case, problem)
    return case


def pick_handler(rng: random.Random, c: Community, category: str, day: dt.date) -> str:
    """The unit a case is dispatched to (北方供暖季的城建物业多派供热公司)."""
    if c.weak and category in c.weak.categories and (c.weak.season == "all" or in_heating(day)):
        if rng.random() < 0.9:
            return c.weak.handler
    options = dict(HANDLERS[category])
    if category == "城建物业" and c.district.north and in_heating(day):
        options["供热公司"] = 4
    return rng.choices(list(options), weights=list(options.values()))[0]


def settle(rng: random.Random, case: Case, problem: bool) -> None:
    """Decide status, close time and rating as seen at the export cutoff."""
    c = case.community
    if rng.random() < 0.015:
        case.status = "已撤销"
        return
    if rng.random() < (0.5 if problem else c.stuck):
        return  # never closed: open and, once the due date passes, overdue
    on_time = rng.random() < (0.3 if problem else c.on_time)
    closed = close_time(rng, case.reported, case.due, on_time, 0.35 if problem else 0.1)
    if closed >= CUTOFF:
        return  # still being handled when the export was taken
    if rng.random() < 0.003:
        closed = case.reported - dt.timedelta(minutes=rng.randint(30, 72 * 60))  # data-quality row
    case.closed, case.status = closed, "已办结"
    case.rating = rate(rng, c, late=closed.date() > case.due, problem=problem)


def close_time(rng: random.Random, reported: dt.datetime, due: dt.date, on_time: bool,
               tail: float) -> dt.datetime:
    """A close time: within the due date when on time, else days late with a long tail."""
    window = (due - reported.date()).days
    if on_time:
        days = min(window, int(rng.betavariate(1.4, 2.2) * (window + 1)))
    elif rng.random() < tail:
        days = max(window + 1, rng.randint(30, 90))
    else:
        days = window + 1 + int(rng.expovariate(1 / 4))
    start = reported + dt.timedelta(minutes=20) if days == 0 else None
    if start is not None and start.hour >= 21:
        days, start = 1, None
    day = reported.date() + dt.timedelta(days=days)
    low = start or dt.datetime.combine(day, dt.time(8, 0))
    high = dt.datetime.combine(day, dt.time(21, 0)) if start else dt.datetime.combine(day, dt.time(19, 30))
    seconds = max(60, int((high - low).total_seconds()))
    return low + dt.timedelta(seconds=rng.randrange(seconds))


def rate(rng: random.Random, c: Community, late: bool, problem: bool) -> str:
    """The resident's rating: ~15% unrated, 不满意 likelier when late or a weak-spot case."""
    if rng.random() < 0.15:
        return ""
    unsatisfied = c.unsatisfied + (0.15 if late else 0) + (0.3 if problem else 0)
    r = rng.random()
    if r < unsatisfied:
        return "不满意"
    return "基本满意" if r < unsatisfied + 0.22 else "满意"


def case_row(k: Case) -> list[str]:
    """A case as the text cells of a CSV export."""
    c = k.community
    return [k.case_id, c.district.name, c.street, c.name, f"第{k.grid}网格", k.category, k.channel,
            k.handler, fmt_excel_time(k.reported), k.due.isoformat(),
            fmt_excel_time(k.closed) if k.closed else "", k.status, k.rating]


# ---------------------------------------------------------------- volunteers

ACTIVITY_TYPES = {  # (volunteers range, hours each choices, people served range)
    "宣讲": ((5, 20), (2, 2.5, 3), (30, 200)),
    "环境整治": ((10, 60), (2, 3, 4), (50, 400)),
    "助老": ((4, 15), (2, 3, 4), (8, 60)),
    "义诊": ((4, 12), (3, 3.5, 4), (20, 150)),
    "四点半课堂": ((3, 8), (2, 2.5), (10, 45)),
    "小红帽巡逻": ((6, 14), (2, 2.5, 3), (40, 150)),
    "文明实践": ((8, 30), (2, 3), (30, 250)),
    "法治宣传": ((4, 12), (2, 3), (20, 120)),
    "清雪除冰": ((15, 80), (2, 3, 4), (100, 800)),
    "防汛防台风": ((8, 30), (3, 4), (50, 300)),
}
GENERAL_TYPES = ("宣讲", "环境整治", "助老", "义诊", "文明实践", "法治宣传")
SPECIAL_TEAMS = {
    "拱辰社区": [("拱辰社区网格哨兵志愿服务队", ("文明实践", "环境整治", "宣讲"))],
    "渭阳社区": [("渭阳社区红管家志愿服务队", ("环境整治", "助老", "文明实践"))],
    "北高社区": [("北高社区党员志愿服务队", ("宣讲", "义诊", "环境整治", "防汛防台风"))],
    "黄石社区": [("黄石社区银雁领航志愿服务队", ("宣讲", "法治宣传", "助老"))],
    "郭家社区": [("小红帽志愿服务队", ("小红帽巡逻",))],
    "三十六户社区": [("三十六户社区老年大学志愿讲师团", ("宣讲", "助老"))],
    "细河社区": [("细河社区四点半课堂志愿服务队", ("四点半课堂",))],
    "东安社区": [("暖阳服务队", ("助老", "义诊"))],
    "文化路社区": [("文化路社区清洁家园志愿服务队", ("环境整治",)),
                 ("文化路社区好邻里志愿服务队", ("助老", "法治宣传")),
                 ("文化路社区小区治安服务队", ("小红帽巡逻",))],
}


def volunteer_teams(rng: random.Random, c: Community) -> list[tuple[str, tuple[str, ...]]]:
    """A community's volunteer teams and the activity types each runs."""
    teams = [(f"{c.name}红色志愿服务队", GENERAL_TYPES)]
    teams += SPECIAL_TEAMS.get(c.name, [])
    if c.name not in SPECIAL_TEAMS and rng.random() < 0.5:
        kind = rng.choice(("巾帼", "青年", "银龄", "党团"))
        teams.append((f"{c.name}{kind}志愿服务队", ("助老", "环境整治", "四点半课堂", "文明实践")))
    return teams


def activity_allowed(kind: str, day: dt.date, c: Community) -> bool:
    """Whether an activity type can take place on a day (school terms, snow, flood season)."""
    if kind == "四点半课堂":
        on_break = (day.month == 7 and day.day > 10) or day.month == 8 or \
            any(-14 <= (day - sf).days <= 10 for sf in SPRING_FESTIVAL)
        return day.weekday() < 5 and not on_break
    if kind == "清雪除冰":
        return c.district.north and day.month in (11, 12, 1, 2, 3)
    if kind == "防汛防台风":
        return c.district.name == "荔城区" and day.month in (6, 7, 8, 9)
    return True


def build_activities(rng: random.Random, communities: list[Community]) -> list[list[object]]:
    """Volunteer activities for every team, sorted by date and numbered per year."""
    days = days_in_period()
    rows: list[tuple[dt.date, int, list[object]]] = []
    for c in communities:
        per_month = (1.2 + c.population / 5000) * c.district.activity_factor
        teams = c.teams + ([(f"{c.name}红色志愿服务队", ("清雪除冰",))] if c.district.north else [])
        for team, kinds in teams:
            share = routine_share(kinds, per_month, len(c.teams))
            for day in sorted(rng.sample(days, k=min(len(days), round(share * PERIOD_MONTHS)))):
                kind = rng.choice(kinds)
                if activity_allowed(kind, day, c):
                    rows.append((day, len(rows), activity_row(rng, c, team, kind, day)))
    rows.sort(key=lambda r: (r[0], r[1]))
    counters = {2025: 0, 2026: 0}
    for day, _, row in rows:
        counters[day.year] += 1
        row[0] = f"HD{day.year}{counters[day.year]:05d}"
    return [row for _, _, row in rows]


def routine_share(kinds: tuple[str, ...], per_month: float, n_teams: int) -> float:
    """Activities a month for one team: patrols and after-school classes run weekly."""
    if kinds in (("小红帽巡逻",), ("四点半课堂",)):
        return 5.0
    if kinds == ("清雪除冰",):
        return 1.5
    return per_month / n_teams


def activity_row(rng: random.Random, c: Community, team: str, kind: str, day: dt.date) -> list[object]:
    """One activity: volunteers, total person-hours and people served."""
    (lo, hi), each, (s_lo, s_hi) = ACTIVITY_TYPES[kind]
    volunteers = rng.randint(lo, hi)
    hours = volunteers * rng.choice(each)
    served = rng.randint(s_lo, s_hi)
    return ["", c.district.name, c.street, c.name, team, kind, day, volunteers, hours, served]


# ---------------------------------------------------------------- wishes

WISH_CATEGORIES = {"生活物资": 5, "助老助残": 4, "助学圆梦": 4, "医疗健康": 2, "家居维修": 3, "文体用品": 2, "就业帮扶": 1}
WISH_MONTHS = {1: 1.8, 2: 0.8, 3: 0.9, 4: 0.9, 5: 1.4, 6: 1.0, 7: 0.8, 8: 1.0, 9: 1.3, 10: 1.2, 11: 0.9, 12: 1.3}
CLAIM_UNITS = ("区税务局党支部", "区人民医院党总支", "区教育局机关党支部", "供电公司党支部", "区司法局党支部",
               "区人社局党支部", "区住建局机关党支部", "区市场监管局党支部", "区邮政公司党支部", "区农商银行党支部")
EXTRA_UNITS = {"孝南区": ("市妇幼保健院党支部", "市董永公园党支部"), "荔城区": ("物业行业党委",)}
SURNAMES = "张王李刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许邓冯韩曹彭曾"


def build_wishes(rng: random.Random, communities: list[Community]) -> list[list[str]]:
    """Micro-wishes per district, spread over communities, numbered by submission."""
    days = days_in_period()
    cum = cumulative([WISH_MONTHS[d.month] for d in days])
    rows: list[tuple[dt.date, int, list[str]]] = []
    for district in DISTRICTS:
        members = [c for c in communities if c.district is district]
        fixed = {"文化路社区": 150}  # seed: 150 demands collected, 112 taken up
        rest = district.wishes - sum(fixed.get(c.name, 0) for c in members)
        free = [c for c in members if c.name not in fixed]
        weights = cumulative([c.population ** 0.6 for c in free])
        picks = [c.name for c in members if c.name in fixed for _ in range(fixed[c.name])]
        picks += [c.name for c in rng.choices(free, cum_weights=weights, k=rest)]
        by_name = {c.name: c for c in members}
        for name in picks:
            submitted = rng.choices(days, cum_weights=cum)[0]
            rows.append((submitted, len(rows), wish_row(rng, by_name[name], submitted)))
    rows.sort(key=lambda r: (r[0], r[1]))
    counters = {2025: 0, 2026: 0}
    for day, _, row in rows:
        counters[day.year] += 1
        row[0] = f"XY{day.year}{counters[day.year]:05d}"
    return [row for _, _, row in rows]


def wish_row(rng: random.Random, c: Community, submitted: dt.date) -> list[str]:
    """One wish with its claim and fulfilment dates as of the export cutoff."""
    category = rng.choices(list(WISH_CATEGORIES), weights=list(WISH_CATEGORIES.values()))[0]
    claimed = fulfilled = None
    status, claimer = "待认领", ""
    claim_rate = 0.75 if c.name == "文化路社区" else c.district.claim_rate  # seed: 112 of 150 taken
    if rng.random() < 0.012:
        status = "已撤销"
    elif rng.random() < claim_rate:
        claimed = submitted + dt.timedelta(days=min(20, int(rng.expovariate(1 / 5))))
        if rng.random() < 0.96:
            fulfilled = claimed + dt.timedelta(days=rng.randint(1, 30))
    if claimed and claimed > PERIOD_END:
        claimed = None  # claimed only after the export: still 待认领
    if fulfilled and (not claimed or fulfilled > PERIOD_END):
        fulfilled = None
    if claimed:
        claimer = claimant(rng, c)
        status = "已实现" if fulfilled else "已认领"
    return ["", c.district.name, c.street, c.name, category, submitted.isoformat(),
            iso_or_blank(claimed), iso_or_blank(fulfilled), claimer, status]


def iso_or_blank(day: dt.date | None) -> str:
    """2026-03-05, or an empty cell."""
    return day.isoformat() if day else ""


def claimant(rng: random.Random, c: Community) -> str:
    """Who claimed a wish: a unit's party branch or a party member (党员张某)."""
    if rng.random() < 0.45:
        return f"党员{rng.choice(SURNAMES)}某"
    return rng.choice(CLAIM_UNITS + EXTRA_UNITS.get(c.district.name, ()))


# ---------------------------------------------------------------- tasks

TASKS = (  # name, unit, annual?, target per community
    ("转移就业", "人", True, lambda c, r: c.population / 1000 * r.uniform(2.5, 4.0)),
    ("新增就业", "人", True, lambda c, r: c.population / 1000 * r.uniform(1.0, 2.0)),
    ("党员报到", "名", True, lambda c, r: c.members * r.uniform(0.15, 0.3) + 5),
    ("垃圾分类入户", "户", False, lambda c, r: c.households * r.uniform(0.08, 0.15)),
    ("微心愿认领", "个", False, lambda c, r: 2 + c.population / 4000 * r.uniform(0.8, 1.5)),
    ("志愿服务时长", "小时", False, lambda c, r: c.population * r.uniform(0.04, 0.07)),
    ("入户走访", "户", False, lambda c, r: c.households * r.uniform(0.15, 0.3)),
)
QUARTERS = [(y, q) for y in (2025, 2026) for q in (1, 2, 3, 4)][:7]  # 2026Q4 ends after the export


def build_tasks(rng: random.Random, communities: list[Community]) -> list[list[str]]:
    """Annual (2025, 2026 in progress) and quarterly (2025Q1-2026Q3) tasks per community."""
    rows: list[list[str]] = []
    for c in communities:
        for name, unit, annual, target_of in TASKS:
            base = target_of(c, rng)
            for start, end in task_periods(annual):
                target = max(2, round(base * rng.uniform(0.9, 1.1)))
                actual = task_actual(rng, c, name, target, end)
                rows.append([c.district.name, c.street, c.name, name, start.isoformat(), end.isoformat(),
                             str(target), fmt_actual(rng, actual), unit])
    rows.sort(key=lambda r: (r[4], r[0], r[1], r[2]))
    counters = {2025: 0, 2026: 0}
    out = []
    for row in rows:
        year = int(row[4][:4])
        counters[year] += 1
        out.append([f"RW{year}-{counters[year]:04d}"] + row)
    pin_seed_rate(out)
    return out


def task_periods(annual: bool) -> list[tuple[dt.date, dt.date]]:
    """Start and end dates of the years or quarters a task is set for."""
    if annual:
        return [(dt.date(y, 1, 1), dt.date(y, 12, 31)) for y in (2025, 2026)]
    return [(dt.date(y, 3 * q - 2, 1), quarter_end(y, q)) for y, q in QUARTERS]


def quarter_end(year: int, q: int) -> dt.date:
    """Last day of a quarter."""
    return dt.date(year, 3 * q, 31 if q in (1, 4) else 30)


def task_actual(rng: random.Random, c: Community, name: str, target: int, end: dt.date) -> int:
    """Completed amount: mostly near target, some short, some over; partial for 2026 annual."""
    r = rng.random()
    ratio = rng.uniform(0.6, 0.9) if r < 0.1 else rng.uniform(1.15, 1.35) if r > 0.95 else rng.gauss(1.02, 0.07)
    if c.weak and name in ("垃圾分类入户", "入户走访"):
        ratio *= 0.8
    if end > PERIOD_END:
        ratio *= rng.uniform(0.7, 0.9)  # 2026 annual task, as of 2026-10-31
    return max(0, round(target * ratio))


def fmt_actual(rng: random.Random, value: int) -> str:
    """Some exports write thousands separators (1,234)."""
    return f"{value:,}" if value >= 1000 and rng.random() < 0.5 else str(value)


def pin_seed_rate(rows: list[list[str]]) -> None:
    """拱辰社区 2025 转移就业 at the seed's 110.10% (218 of 198)."""
    for row in rows:
        if row[3] == "拱辰社区" and row[4] == "转移就业" and row[5] == "2025-01-01":
            row[7], row[8] = "198", "218"


# ---------------------------------------------------------------- writers

def write_csv(path: Path, rows: list[list[object]], encoding: str, newline: str) -> None:
    """Write rows with the given encoding (utf-8-sig adds the BOM) and line ending."""
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh, lineterminator=newline).writerows(rows)


def write_communities(out: Path, communities: list[Community]) -> int:
    """communities.csv: UTF-8 with BOM, CRLF."""
    rows = [[c.district.name, c.street, c.name, c.brand, c.method, c.population, c.households,
             c.members, c.grids, c.workers] for c in communities]
    write_csv(out / "communities.csv", [COMMUNITY_HEADERS] + rows, "utf-8-sig", "\r\n")
    return len(rows)


def write_cases_2025(out: Path, cases: list[Case]) -> int:
    """cases_2025.csv: GB18030, CRLF, title and export-time lines, a 合计 row at the bottom."""
    rows = [case_row(k) for k in cases if k.reported.year == 2025]
    pad = [""] * (len(CASE_HEADERS) - 1)
    total = ["合计", str(len(rows))] + pad[1:]  # 事件编号 holds the label, so the count sits beside it
    lines = [["网格事件导出（2025年度）"] + pad, ["导出时间：2026年10月31日"] + pad, CASE_HEADERS, *rows, total]
    write_csv(out / "cases_2025.csv", lines, "gb18030", "\r\n")
    return len(rows)


def write_cases_2026(out: Path, cases: list[Case]) -> int:
    """cases_2026.xlsx: merged title row, headers in row 2, real datetime and date cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "事件台账"
    ws.append(["网格事件导出（2026年1-10月）"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(CASE_HEADERS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(CASE_HEADERS)
    n = 0
    for k in cases:
        if k.reported.year != 2026:
            continue
        c = k.community
        ws.append([k.case_id, c.district.name, c.street, c.name, f"第{k.grid}网格", k.category, k.channel,
                   k.handler, k.reported, k.due, k.closed, k.status, k.rating or None])
        n += 1
    for col, fmt in ((9, "yyyy/m/d h:mm:ss"), (10, "yyyy-mm-dd"), (11, "yyyy/m/d h:mm:ss")):
        for (cell,) in ws.iter_rows(min_row=3, min_col=col, max_col=col):
            cell.number_format = fmt
    set_widths(ws, [14, 9, 11, 13, 9, 10, 10, 14, 19, 12, 19, 9, 9])
    save_xlsx(wb, out / "cases_2026.xlsx")
    return n


def write_activities(out: Path, rows: list[list[object]]) -> int:
    """volunteer_activities.xlsx: header in row 1, 活动日期 as real date cells."""
    wb = Workbook()
    ws = wb.active
    ws.title = "志愿服务活动"
    ws.append(ACTIVITY_HEADERS)
    for row in rows:
        ws.append(row)
    for (cell,) in ws.iter_rows(min_row=2, min_col=7, max_col=7):
        cell.number_format = "yyyy-mm-dd"
    set_widths(ws, [13, 9, 11, 13, 30, 11, 12, 9, 14, 9])
    save_xlsx(wb, out / "volunteer_activities.xlsx")
    return len(rows)


def set_widths(ws, widths: list[int]) -> None:
    """Column widths so the sheet opens readable."""
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width


def save_xlsx(wb: Workbook, path: Path) -> None:
    """Save with fixed document properties and fixed zip timestamps (byte-stable output)."""
    wb.properties.creator = "网格化服务管理平台"
    wb.properties.lastModifiedBy = "网格化服务管理平台"
    wb.properties.created = wb.properties.modified = FIXED_STAMP
    buffer = io.BytesIO()
    # ExcelWriter directly: openpyxl's save() would overwrite `modified` with the clock.
    ExcelWriter(wb, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED)).save()
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            stable = zipfile.ZipInfo(info.filename, date_time=FIXED_STAMP.timetuple()[:6])
            stable.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(stable, src.read(info.filename))


README = """# 示例数据 / Sample data

本目录中的全部数据均为**合成数据**，由 `python data/generate_sample.py` 生成（固定随机种子，可重复生成、逐字节一致）。
区县、街道、社区、党建品牌及部分数字取自五篇种子报道（荔城区、东风区、南芬区、谢家集区、孝南区）；
报道只给出数量时使用明显的示例名称（示例街道N、示例社区NN、示例品牌NN）。所有事件、活动、心愿、任务记录均为虚构。
期间：2025-01-01 至 2026-10-31；导出时点：2026-10-31。

| 文件 | 编码 / 格式 | 特点 |
|---|---|---|
| `communities.csv` | UTF-8 带 BOM，CRLF | 社区档案：区县、街道、社区、党建品牌、品牌工作法、常住人口、户数、党员数、网格数、网格员数 |
| `cases_2025.csv` | **GB18030 无 BOM**，CRLF | 模拟中文 Windows 版 Excel 另存的 CSV：第1行标题“网格事件导出（2025年度）”，第2行“导出时间：2026年10月31日”，第3行表头；末行为合计行（首格“合计”，第2格为记录数）。标题行与合计行以逗号补齐列数。时间形如 `2025/3/5 9:32:09`（不补零），办理时限为日期 `2025-03-12`（当天结束前办结即为按期） |
| `cases_2026.xlsx` | Excel，工作表“事件台账” | 第1行为合并单元格标题“网格事件导出（2026年1-10月）”，第2行表头，第3行起数据；上报时间、办结时间为日期时间单元格，办理时限为日期单元格 |
| `volunteer_activities.xlsx` | Excel，工作表“志愿服务活动” | 第1行表头；活动日期为日期单元格；服务时长(小时)为总人时（参与人数 × 人均时长） |
| `wishes.csv` | UTF-8 无 BOM，LF | 微心愿：日期为 ISO `2026-03-05`；未认领/未实现时相应日期与认领人为空 |
| `tasks.csv` | UTF-8 带 BOM，CRLF | 任务指标：年度任务（2025年；2026年度截至10月31日仍在进行中）与季度任务（2025Q1–2026Q3）；部分完成值带千分位（如 `"1,234"`），完成值可超过目标值 |

数据中刻意保留的“真实导出”问题：事件约1.5%已撤销；约0.3%的已办结事件办结时间早于上报时间（数据质量问题）；
部分事件至导出时仍在办理且已超期；群众评价约15%为空（未评价），只有已办结事件有评价。
几个示例社区被刻意设定为薄弱（办结率约75–85%、超期多、不满意多），问题集中在一两类事件和一个承办单位，便于演示“为什么落后”。

---

All data here is **synthetic**, generated by `python data/generate_sample.py` (fixed seed; re-running gives byte-identical files).
Place names, brands and headline figures follow the five seed articles; where they give only a count, names are
plainly synthetic (示例街道N / 示例社区NN / 示例品牌NN). Period 2025-01-01 to 2026-10-31, exported 2026-10-31.

- `communities.csv` — UTF-8 with BOM, CRLF. One row per community.
- `cases_2025.csv` — GB18030, no BOM, CRLF, like Excel on Chinese Windows: title line, export-time line, header on
  line 3, a `合计` total row at the end (count in the second cell); title/total rows padded with commas.
  Times `2025/3/5 9:32:09` (no zero padding); due dates date-only (`2025-03-12`, end of that day).
- `cases_2026.xlsx` — sheet `事件台账`; merged title in row 1, headers in row 2, data from row 3; real datetime/date cells.
- `volunteer_activities.xlsx` — sheet `志愿服务活动`; header in row 1; real date cells; hours are person-hours.
- `wishes.csv` — UTF-8 without BOM, LF; ISO dates; empty cells for stages not reached.
- `tasks.csv` — UTF-8 with BOM, CRLF; annual (2026 still in progress) and quarterly tasks; some actuals use thousands
  separators (`"1,234"`); actual may exceed target.

Deliberate quirks: ~1.5% cancelled cases, ~0.3% closed cases whose close time precedes the report time, some open
cases past due, ~15% closed cases unrated, and a few deliberately weak communities whose problems concentrate in one or
two categories and one handling unit.
"""


def generate(out: Path) -> dict[str, int]:
    """Write every sample file into out and return row counts per file."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    communities = build_communities(rng)
    cases = build_cases(rng, communities)
    counts = {
        "communities.csv": write_communities(out, communities),
        "cases_2025.csv": write_cases_2025(out, cases),
        "cases_2026.xlsx": write_cases_2026(out, cases),
        "volunteer_activities.xlsx": write_activities(out, build_activities(rng, communities)),
    }
    wishes = build_wishes(rng, communities)
    write_csv(out / "wishes.csv", [WISH_HEADERS] + wishes, "utf-8", "\n")
    counts["wishes.csv"] = len(wishes)
    tasks = build_tasks(rng, communities)
    write_csv(out / "tasks.csv", [TASK_HEADERS] + tasks, "utf-8-sig", "\r\n")
    counts["tasks.csv"] = len(tasks)
    (out / "README.md").write_text(README, encoding="utf-8", newline="\n")
    return counts


def main() -> None:
    """Command line: python data/generate_sample.py [--out DIR]."""
    parser = argparse.ArgumentParser(description="Generate the synthetic sample exports.")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: data/sample)")
    args = parser.parse_args()
    for name, n in generate(args.out).items():
        print(f"{name}: {n} rows")


if __name__ == "__main__":
    main()
