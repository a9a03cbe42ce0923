"""Every indicator on a small hand-made store, with expected values worked out by hand.

The store is built through the real importer from the CSV texts below. Comments
next to each expectation show the arithmetic.
"""
from __future__ import annotations

import datetime as dt
import pandas as pd
import pytest

from conftest import write
from helpers import load
from metrics.errors import UsageError
from metrics.query import Query, compare, compute
from metrics.registry import METRICS

COMMUNITIES = """区县,街道,社区,党建品牌,常住人口
甲区,一街道,A社区,红管家,2000
甲区,一街道,B社区,共享,1000
乙区,二街道,C社区,小红帽,
"""
# c1 on time (date-only due = end of day), 4.5 days   c2 late, 2 days       c3 no due, 1 day
# c4 open, overdue by 31 March                        c5 cancelled          c6 closed before report (data issue)
# c7 on time (midnight due = end of day), 5.25 days   c8 late, 7 days       c9 February   c10 April
CASES = """事件编号,区县,街道,社区,事件类型,来源渠道,承办单位,上报时间,办理时限,办结时间,办理状态,群众评价
c1,甲区,一街道,A社区,矛盾纠纷,网格上报,社区,2026-03-01 08:00,2026-03-05,2026-03-05 20:00,已办结,满意
c2,甲区,一街道,A社区,民生服务,12345热线,城管,2026-03-02 10:00,2026-03-03 12:00,2026-03-04 10:00,已办结,不满意
c3,甲区,一街道,A社区,矛盾纠纷,网格上报,社区,2026-03-10 00:00,,2026-03-11 00:00,已办结,基本满意
c4,甲区,一街道,A社区,民生服务,12345热线,城管,2026-03-15 09:00,2026-03-20,,处理中,
c5,甲区,一街道,A社区,矛盾纠纷,网格上报,社区,2026-03-16 09:00,,,已撤销,
c6,甲区,一街道,B社区,民生服务,网格上报,社区,2026-03-03 09:00,2026-03-10,2026-03-02 09:00,已办结,满意
c7,甲区,一街道,B社区,矛盾纠纷,网格上报,社区,2026-03-20 12:00,2026-03-25 00:00:00,2026-03-25 18:00,已办结,
c8,乙区,二街道,C社区,民生服务,12345热线,城管,2026-03-05 00:00,2026-03-08,2026-03-12 00:00,已办结,满意
c9,甲区,一街道,A社区,矛盾纠纷,网格上报,社区,2026-02-27 00:00,2026-03-01,2026-02-28 00:00,已办结,满意
c10,乙区,二街道,C社区,民生服务,12345热线,城管,2026-04-02 00:00,2026-04-05,,处理中,
"""
VOLUNTEERS = """活动编号,区县,街道,社区,志愿服务队,活动类型,活动日期,参与人数,服务时长(小时),服务人次
v1,甲区,一街道,A社区,红色先锋队,助老,2026-03-03,5,10,20
v2,甲区,一街道,A社区,红色先锋队,宣讲,2026-03-10,3,4.5,50
v3,乙区,二街道,C社区,小红帽队,巡逻,2026-03-12,6,12,0
v4,甲区,一街道,B社区,共享服务队,助老,2026-04-01,2,3,5
"""
WISHES = """心愿编号,区县,街道,社区,提交时间,认领时间,实现时间,状态
w1,甲区,一街道,A社区,2026-03-01,2026-03-03,2026-03-11,已实现
w2,甲区,一街道,A社区,2026-03-05,2026-03-06,,已认领
w3,甲区,一街道,B社区,2026-03-07,,,待认领
w4,甲区,一街道,B社区,2026-03-08,,,已撤销
w5,乙区,二街道,C社区,2026-03-09 00:00,2026-03-10,2026-03-13 12:00,已点亮
"""
TASKS = """任务编号,区县,街道,社区,任务名称,开始日期,结束日期,目标值,完成值
t1,甲区,一街道,A社区,转移就业,2026-01-01,2026-03-31,100,110
t2,甲区,一街道,A社区,垃圾分类,2026-01-01,2026-03-31,50,40
t3,甲区,一街道,B社区,转移就业,2026-01-01,2026-03-31,200,200
t4,乙区,二街道,C社区,新增就业,2026-01-01,2026-03-31,0,5
t5,甲区,一街道,A社区,年度任务,2026-01-01,2026-12-31,10,3
"""
MARCH = dict(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31), today=dt.date(2026, 11, 21))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The hand-made store, imported through the real importer."""
    from metrics.store import connect
    tmp = tmp_path_factory.mktemp("indicators")
    con = connect(tmp / "ind.duckdb")
    for name, text in (("communities.csv", COMMUNITIES), ("cases.csv", CASES), ("vol.csv", VOLUNTEERS),
                       ("wishes.csv", WISHES), ("tasks.csv", TASKS)):
        result = load(con, write(tmp, name, text))
        assert result.rows_rejected == 0, result.rejects
    yield con
    con.close()


def one(store, metric: str, **kw) -> object:
    """The single value of metric with no grouping."""
    return compute(store, Query([metric], **{**MARCH, **kw}))[metric].iloc[0]


def by(store, metrics: list[str], groups: list[str], **kw) -> dict:
    """{group tuple: {column: value}} for a grouped query."""
    frame = compute(store, Query(metrics, groups, **{**MARCH, **kw}))
    return {tuple(r[g] for g in groups): {c: r[c] for c in frame.columns if c not in groups}
            for r in frame.to_dict("records")}


@pytest.mark.parametrize("metric,expected", [
    ("cases_received", 7),              # c1..c8 in March, minus cancelled c5
    ("cases_closed", 6),                # c1 c2 c3 c6 c7 c8
    ("case_completion_rate", 6 / 7),
    ("case_ontime_rate", 3 / 5),        # closed with due: c1 on, c2 late, c6 on, c7 on, c8 late
    ("case_median_days", 4.5),          # 1, 2, 4.5, 5.25, 7 (c6 left out)
    ("case_mean_days", 19.75 / 5),
    ("case_satisfaction_rate", 4 / 5),  # rated c1 c2 c3 c6 c8; satisfied/basic c1 c3 c6 c8
    ("cases_per_1k_residents", 2.0),    # 6 cases in A and B (known population 3000); C unknown
    ("cases_open_overdue", 1),          # c4: due 20 March, still open at 31 March
    ("case_data_issues", 1),            # c6
    ("volunteer_activities", 3),
    ("volunteer_hours", 26.5),
    ("volunteer_person_times", 14),
    ("volunteer_beneficiaries", 70),
    ("volunteer_hours_per_1k_residents", 14.5 / 3),  # A's 14.5 h over A+B's 3000 residents
    ("wishes_collected", 4),            # w4 cancelled
    ("wishes_claimed", 3),              # w1 w2 w5
    ("wishes_fulfilled", 2),            # w1 w5
    ("wish_claim_rate", 3 / 4),
    ("wish_fulfilment_rate", 2 / 4),
    ("wish_median_days", 7.25),         # w1 10 days, w5 4.5 days
    ("task_completion_rate", (1.1 + 0.8 + 1.0) / 3),  # t4 has no positive target, t5 ends in December
    ("tasks_on_target_rate", 2 / 3),
])
def test_every_indicator_in_march(store, metric, expected):
    assert one(store, metric) == pytest.approx(expected)


def test_ratio_numerators_and_denominators_are_returned(store):
    frame = compute(store, Query(["case_completion_rate", "cases_per_1k_residents"], **MARCH))
    row = frame.iloc[0]
    assert (row["case_completion_rate__num"], row["case_completion_rate__den"]) == (6, 7)
    assert (row["cases_per_1k_residents__num"], row["cases_per_1k_residents__den"]) == (6, 3000)


def test_rates_roll_up_as_sums_not_averages(store):
    got = by(store, ["case_completion_rate"], ["district"])
    assert got[("甲区",)]["case_completion_rate"] == pytest.approx(5 / 6)  # c1 c2 c3 c6 c7 of c1-c4 c6 c7
    assert got[("乙区",)]["case_completion_rate"] == pytest.approx(1.0)
    tasks = by(store, ["task_completion_rate"], ["district"])
    # 甲区 averages its three tasks, not its two communities' rates (0.95 and 1.0).
    assert tasks[("甲区",)]["task_completion_rate"] == pytest.approx((1.1 + 0.8 + 1.0) / 3)
    assert pd.isna(tasks[("乙区",)]["task_completion_rate"])  # its only task has no positive target


def test_by_community_brand_and_category(store):
    got = by(store, ["case_completion_rate", "cases_received"], ["community"])
    assert {k[0]: (v["cases_received"], v["case_completion_rate"]) for k, v in got.items()} == {
        "A社区": (4, 0.75), "B社区": (2, 1.0), "C社区": (1, 1.0)}
    brands = by(store, ["case_completion_rate"], ["brand"])
    assert {k[0]: v["case_completion_rate"] for k, v in brands.items()} == {"红管家": 0.75, "共享": 1.0, "小红帽": 1.0}
    cats = by(store, ["case_ontime_rate"], ["category"])
    assert cats[("矛盾纠纷",)]["case_ontime_rate"] == pytest.approx(1.0)     # c1, c7 (c3 has no due)
    assert cats[("民生服务",)]["case_ontime_rate"] == pytest.approx(1 / 3)   # c2 late, c6 on, c8 late


def test_per_1k_by_community_shows_zero_and_unknown(store):
    got = by(store, ["volunteer_hours_per_1k_residents"], ["community"])
    values = {k[0]: v["volunteer_hours_per_1k_residents"] for k, v in got.items()}
    assert values["A社区"] == pytest.approx(7.25)   # 14.5 h / 2000 residents × 1000
    assert values["B社区"] == pytest.approx(0.0)    # no activity in March, population known
    assert pd.isna(values["C社区"])                  # population unknown: empty


def test_month_quarter_year_groupings(store):
    months = by(store, ["cases_received", "case_completion_rate"], ["month"], start=None, end=None)
    assert {k[0]: (v["cases_received"], v["case_completion_rate"]) for k, v in months.items()} == {
        "2026-02": (1, 1.0), "2026-03": (7, 6 / 7), "2026-04": (1, 0.0)}
    quarters = by(store, ["cases_received"], ["quarter"], start=None, end=None)
    assert {k[0]: v["cases_received"] for k, v in quarters.items()} == {"2026-Q1": 8, "2026-Q2": 1}
    years = by(store, ["tasks_on_target_rate"], ["year"], start=None, end=None)
    assert {k[0]: v["tasks_on_target_rate"] for k, v in years.items()} == {2026: pytest.approx(2 / 4)}


def test_combined_groupings_and_filters(store):
    got = by(store, ["cases_received"], ["district", "channel"])
    assert {k: v["cases_received"] for k, v in got.items()} == {
        ("甲区", "12345热线"): 2, ("甲区", "网格上报"): 4, ("乙区", "12345热线"): 1}
    filtered = one(store, "case_completion_rate", where={"channel": ["12345热线"]})
    assert filtered == pytest.approx(2 / 3)   # c2 c4 c8; closed c2 c8
    two = one(store, "cases_received", where={"community": ["A社区", "C社区"]})
    assert two == 5                            # A: c1-c4, C: c8
    assert one(store, "volunteer_hours", where={"brand": ["小红帽"]}) == pytest.approx(12.0)


def test_compare_previous_and_year(store):
    frame, base = compare(store, Query(["case_completion_rate", "cases_received"], **MARCH), "previous")
    assert base == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    row = frame.iloc[0]
    assert row["case_completion_rate__base"] == pytest.approx(1.0)
    assert row["case_completion_rate__change"] == pytest.approx(6 / 7 - 1)
    assert row["cases_received__change_rel"] == pytest.approx((7 - 1) / 1)
    frame, base = compare(store, Query(["case_completion_rate", "cases_received"], **MARCH), "year")
    assert base == (dt.date(2025, 3, 1), dt.date(2025, 3, 31))
    row = frame.iloc[0]
    assert row["cases_received__base"] == 0
    assert pd.isna(row["cases_received__change_rel"])        # zero base: empty, not infinity
    assert pd.isna(row["case_completion_rate__change"])      # missing base rate


@pytest.mark.parametrize("q,message", [
    (Query(["nope"]), "unknown metric nope"),
    (Query(["volunteer_hours"], ["channel"]), "cannot be grouped by channel"),
    (Query(["cases_received"], ["planet"]), "unknown grouping planet"),
    (Query(["cases_received"], where={"planet": ["x"]}), "unknown filter column planet"),
    (Query(["wishes_collected"], where={"handler": ["x"]}), "filter handler does not apply"),
    (Query(["cases_received"], start=dt.date(2026, 3, 2), end=dt.date(2026, 3, 1)), "--to is before --from"),
])
def test_unknown_metric_grouping_or_filter(store, q, message):
    with pytest.raises(UsageError, match=message):
        compute(store, q)


def test_filter_values_are_parameters_not_sql(store):
    assert one(store, "cases_received", where={"community": ["A社区' OR '1'='1"]}) == 0


@pytest.mark.parametrize("metric", [m.id for m in METRICS])
def test_every_indicator_computes_under_every_grouping_it_allows(store, metric):
    m = next(x for x in METRICS if x.id == metric)
    for grouping in m.groupings:
        groups = [] if grouping == "none" else [grouping]
        frame = compute(store, Query([metric], groups, **MARCH))
        assert list(frame.columns[:len(groups)]) == groups
        assert metric in frame.columns
    frame = compute(store, Query([metric], ["district", "month"]))
    assert len(frame) >= 1


def test_a_second_register_row_for_a_community_changes_no_per_1k_figure(tmp_path):
    from metrics.store import connect
    con = connect(tmp_path / "dup.duckdb")
    for name, text in (("communities.csv", COMMUNITIES), ("vol.csv", VOLUNTEERS)):
        load(con, write(tmp_path, name, text))
    load(con, write(tmp_path, "again.csv", "区县,街道,社区,常住人口\n甲区,,A社区,2000\n"))
    frame = compute(con, Query(["volunteer_hours_per_1k_residents"], ["community"], **MARCH))
    values = dict(zip(frame["community"], frame["volunteer_hours_per_1k_residents"]))
    assert values["A社区"] == pytest.approx(7.25)          # still 14.5 h over 2000 residents
    by_street = compute(con, Query(["volunteer_hours_per_1k_residents"], ["street"], **MARCH))
    assert by_street["volunteer_hours_per_1k_residents__num"].sum() == pytest.approx(26.5 - 12)  # C unknown
    con.close()


def test_same_named_communities_in_two_districts_rank_as_two_units(tmp_path):
    from metrics import views
    from metrics.store import connect
    con = connect(tmp_path / "names.duckdb")
    rows_ = "".join(f"{d}{i},{d},新村社区,2026-03-0{i % 9 + 1},{'已办结' if i % 2 else '处理中'}\n"
                    for d in ("甲区", "乙区") for i in range(1, 13))
    load(con, write(tmp_path, "c.csv", "事件编号,区县,社区,上报时间,办理状态\n" + rows_))
    from metrics.periods import Period
    scope = views.Scope(Period("month", dt.date(2026, 3, 1), dt.date(2026, 3, 31)), today=dt.date(2026, 11, 21))
    ranked = views.ranking(con, scope, "cases_received", "community")
    assert sorted(zip(ranked["district"], ranked["cases_received"])) == [("乙区", 12), ("甲区", 12)]
    assert list(ranked["rank"]) == [1, 1]               # equal values share a rank
    con.close()


def test_satisfaction_leaves_out_cancelled_cases(tmp_path):
    from metrics.store import connect
    con = connect(tmp_path / "sat.duckdb")
    load(con, write(tmp_path, "c.csv", "事件编号,上报时间,办理状态,群众评价\n"
                                       "a,2026-03-01,已办结,满意\nb,2026-03-02,已撤销,不满意\n"))
    assert compute(con, Query(["case_satisfaction_rate"], **MARCH))["case_satisfaction_rate"][0] == 1.0
    con.close()
