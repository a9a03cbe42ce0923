"""The assessment on a small hand-made store: scores, ties, rank changes, versions, alerts and the change split,
with every expected value worked out by hand in the comments."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from conftest import write
from helpers import load
from metrics.assessment import alerts, changes, versions
from metrics.assessment.scheme import parse
from metrics.assessment.scores import assessment_period, score
from metrics.errors import UsageError
from metrics.periods import Period
from metrics.views import Scope

# Each street has one community; all cases are due two days after the report, long before the as-of time.
# (month, street, cases, closed, rated, satisfied)
SPEC = [
    # October: S1 9/10 closed, 9/10 satisfied; S2 10/10, 8/10; S3 18/20, 18/20; S4 4/10, 10/10; S5 3/3, 3/3
    ("2026-10", "S1", 10, 9, 10, 9), ("2026-10", "S2", 10, 10, 10, 8), ("2026-10", "S3", 20, 18, 20, 18),
    ("2026-10", "S4", 10, 4, 10, 10), ("2026-10", "S5", 3, 3, 3, 3),
    # September: S1 10/10, 10/10; S2 9/10, 9/10; S3 12/20, 20/20; S4 8/10, 10/10
    ("2026-09", "S1", 10, 10, 10, 10), ("2026-09", "S2", 10, 9, 10, 9), ("2026-09", "S3", 20, 12, 20, 20),
    ("2026-09", "S4", 10, 8, 10, 10),
    # August: S2 10/10, 10/10 (its satisfaction then falls: 100% → 90% → 80%)
    ("2026-08", "S2", 10, 10, 10, 10),
]
SCHEME = """
name = "测试方案"
period = "month"
levels = ["street"]
min_base = 5
min_weight = 50
base_points = 60
rank_on = "raw"
top_n = 1
bottom_n = 1
alert_periods = 2

[[indicator]]
metric = "case_due_completion_rate"
weight = 60
scoring = "linear"
base = 0.8
challenge = 1.0
red_line = 0.85

[[indicator]]
metric = "case_satisfaction_rate"
weight = 40
scoring = "redline"
red_line = 0.85
"""


def cases_csv() -> str:
    """The SPEC as an export, plus one case in another district on 31 October so the month is complete."""
    lines = ["事件编号,区县,街道,社区,事件类型,承办单位,上报时间,办理时限,办结时间,办理状态,群众评价"]
    n = 0
    for month, street, total, closed, rated, satisfied in SPEC:
        for i in range(total):
            n += 1
            day = 1 + i % 20
            reported = f"{month}-{day:02d} 09:00"
            due = f"{month}-{day + 2:02d}"
            done = i < closed
            rating = "" if i >= rated else ("满意" if i < satisfied else "不满意")
            category = "卫生环保" if i % 2 else "民生服务"
            handler = "城管" if i % 2 else "社区"
            lines.append(f"k{n},甲区,{street},{street}社区,{category},{handler},{reported},{due},"
                         f"{(month + f'-{day:02d} 18:00') if done else ''},{'已办结' if done else '办理中'},{rating}")
    lines.append("z1,乙区,T1,T1社区,民生服务,社区,2026-10-31 08:00,2026-10-31,2026-10-31 12:00,已办结,满意")
    return "\n".join(lines) + "\n"


@pytest.fixture
def store(con, db_path, tmp_path):
    """The hand-made store with the test scheme saved as the default's version in force from 2000 on."""
    load(con, write(tmp_path, "cases.csv", cases_csv()), db_path)
    versions.sync_files(con, dt.date(2026, 11, 1))
    versions.save(con, "default", SCHEME, dt.date(2000, 1, 1), "tester", "hand-made")
    return con


def month(m: str) -> Period:
    """A month of 2026 as the page sees it (data through 31 October)."""
    start = dt.date.fromisoformat(m + "-01")
    return assessment_period("month", start, dt.date(2026, 10, 31))


def scores_of(con, m: str) -> dict:
    """street → (score, rank, list, rank change) for the month."""
    s = score(con, Scope(month(m), "甲区"), "default", "street")
    return {r["street"]: (None if r["score"] != r["score"] else round(r["score"], 6), r["rank"], r["list"],
                          r["rank_change"]) for r in s.scores.to_dict("records")}


def test_scores_ties_lists_and_rank_changes(store):
    out = scores_of(store, "2026-10")
    # S1: completion 0.9 → 60 + 40·(0.9−0.8)/(1.0−0.8) = 80; satisfaction 0.9 ≥ 0.85 → 100; 0.6·80 + 0.4·100 = 88
    # S3: 18/20 = 0.9 and 0.9 → the same 88: S1 and S3 share rank 1 (相同分数排名不分先后), both on the 红榜
    # S2: completion 1.0 → 100, satisfaction 0.8 < 0.85 → 0; 60          → rank 3
    # S4: 0.4 below the base → 60·0.4/0.8 = 30; satisfaction 1.0 → 100; 0.6·30 + 40 = 58 → rank 4, 黑榜
    # S5: 3 cases (< min_base 5) → no indicator counts → not scored
    assert out["S1"][:3] == (88.0, 1, "red")
    assert out["S3"][:3] == (88.0, 1, "red")
    assert out["S2"][:3] == (60.0, 3, None)
    assert out["S4"][:3] == (58.0, 4, "black")
    assert out["S5"][0] is None and pd.isna(out["S5"][1])
    # September: S1 100 (1st), S2 0.9 → 80·0.6 + 40 = 88 (2nd), S4 0.8 → 60·0.6 + 40 = 76 (3rd),
    # S3 0.6 → 60·0.6/0.8 = 45 → 45·0.6 + 40 = 67 (4th)
    sep = scores_of(store, "2026-09")
    assert [sep[s][:2] for s in ("S1", "S2", "S4", "S3")] == [(100.0, 1), (88.0, 2), (76.0, 3), (67.0, 4)]
    # Rank change = September's rank − October's: S1 0, S3 +3, S2 −1, S4 −1
    assert [out[s][3] for s in ("S1", "S3", "S2", "S4")] == [0, 3, -1, -1]


def test_breakdown_contributions_sum_to_the_score(store):
    s = score(store, Scope(month("2026-10"), "甲区"), "default", "street")
    rows = s.breakdown[s.breakdown["street"] == "S1"].set_index("metric")
    assert rows.loc["case_due_completion_rate", "points"] == pytest.approx(80)
    assert rows.loc["case_due_completion_rate", "contribution"] == pytest.approx(48)  # 80 × 60 / 100
    assert rows.loc["case_satisfaction_rate", "contribution"] == pytest.approx(40)
    assert rows["contribution"].sum() == pytest.approx(88)


def test_editing_the_scheme_rescoring_only_from_its_month(store):
    before_sep = scores_of(store, "2026-09")
    # From October on: completion weighs 40, satisfaction 60.
    edited = SCHEME.replace("weight = 60", "weight = 40").replace("weight = 40\nscoring = \"redline\"",
                                                                  "weight = 60\nscoring = \"redline\"")
    version = versions.save(store, "default", edited, dt.date(2026, 10, 1), "admin", "satisfaction first")
    oct_ = scores_of(store, "2026-10")
    # S1: 0.4·80 + 0.6·100 = 92; S2: 0.4·100 + 0 = 40; S4: 0.4·30 + 60 = 72
    assert (oct_["S1"][0], oct_["S2"][0], oct_["S4"][0]) == (92.0, 40.0, 72.0)
    assert scores_of(store, "2026-09") == before_sep  # September keeps the version in force then
    hist = versions.history(store, "default")
    assert hist["version"].iloc[0] == version and hist["author"].iloc[0] == "admin"
    assert "权重" not in hist["changes"].iloc[0] and "weight: 60 → 40" in hist["changes"].iloc[0]


def test_an_unchanged_or_invalid_scheme_is_refused(store):
    with pytest.raises(UsageError, match="没有变化"):
        versions.save(store, "default", SCHEME, dt.date(2000, 1, 1), "admin")
    with pytest.raises(UsageError, match="权重合计须为 100"):
        versions.save(store, "default", SCHEME.replace("weight = 60", "weight = 50"), dt.date(2026, 10, 1), "a")
    with pytest.raises(UsageError, match="未知指标"):
        versions.save(store, "default", SCHEME.replace("case_satisfaction_rate", "no_such"), dt.date(2026, 10, 1), "a")


@pytest.mark.parametrize("change, message", [
    ('base = 0.8', "须在 0 到 1 之间"),
    ('challenge = 1.0', "基准值"),
    ('name = "测试方案"', "缺少 name"),
    ('top_n = 1', "top_n"),
    ('period = "month"', "period"),
])
def test_scheme_validation_names_the_key(change, message):
    bad = {"base = 0.8": "base = 80", "challenge = 1.0": "challenge = 0.7", 'name = "测试方案"': "",
           "top_n = 1": "top_n = -1", 'period = "month"': 'period = "week"'}[change]
    with pytest.raises(UsageError, match=message):
        parse(SCHEME.replace(change, bad))


def test_alerts_need_consecutive_mature_periods(store):
    # S4's completion: September 0.8, October 0.4 — below the 0.85 red line two months running → alert since
    # September. S3: September 0.6 (bad), October 0.9 (fine) → none. S2's satisfaction: 100% → 90% → 80%, two
    # declines in a row → a falling alert since September (and its one month under the red line is not enough).
    frame = alerts.alerts(store, Scope(month("2026-10"), "甲区"), "default", "street")
    got = {(r["unit"], r["metric"], r["kind"]): (r["periods"], r["since_label"]) for r in frame.to_dict("records")}
    assert got == {("S4", "case_due_completion_rate", "red_line"): (2, "2026年9月"),
                   ("S2", "case_satisfaction_rate", "falling"): (2, "2026年9月")}
    row = frame[frame["kind"] == "red_line"].iloc[0]
    assert row["value"] == pytest.approx(0.4) and row["threshold"] == 0.85
    # In September nothing had lasted two periods yet.
    assert alerts.alerts(store, Scope(month("2026-09"), "甲区"), "default", "street").empty


def test_alerts_skip_a_period_still_running(store):
    running = Period("month", dt.date(2026, 10, 1), dt.date(2026, 10, 31), dt.date(2026, 10, 20))
    frame = alerts.alerts(store, Scope(running, "甲区"), "default", "street")
    assert frame.attrs["period"].start == dt.date(2026, 9, 1)  # October is not over: September is judged
    assert frame.empty


def test_a_gap_breaks_a_run(store, db_path, tmp_path):
    # S4 has no case in November and is below the red line again in December: the run restarts.
    extra = "\n".join(["事件编号,区县,街道,社区,上报时间,办理时限,办结时间,办理状态"] + [
        f"d{i},甲区,S4,S4社区,2026-12-{1 + i:02d} 09:00,2026-12-{3 + i:02d},,办理中" for i in range(6)]
        + ["z2,乙区,T1,T1社区,2026-12-31 08:00,2026-12-31,2026-12-31 10:00,已办结"]) + "\n"
    load(store, write(tmp_path, "dec.csv", extra), db_path)
    dec = assessment_period("month", dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    frame = alerts.alerts(store, Scope(dec, "甲区"), "default", "street")
    assert frame[frame["unit"] == "S4"].empty


def test_change_split_by_hand(store):
    # Completion of 甲区 by street, September → October (S5 is new in October):
    #   September: S1 10/10, S2 9/10, S3 12/20, S4 8/10 → 39/50 = 0.78
    #   October:   S1 9/10, S2 10/10, S3 18/20, S4 4/10, S5 3/3 → 44/53
    parts = changes.decompose(store, Scope(month("2026-10"), "甲区"), "case_due_completion_rate", "street")
    a = parts.attrs
    assert a["before"] == pytest.approx(39 / 50) and a["after"] == pytest.approx(44 / 53)
    assert parts["total"].sum() == pytest.approx(a["change"], abs=1e-12)
    assert parts["mix"].sum() + parts["rate"].sum() == pytest.approx(a["change"], abs=1e-12)
    s4 = parts.set_index("part").loc["S4"]
    # S4's rate effect: mean weight (10/50 + 10/53)/2 × (0.4 − 0.8)
    assert s4["rate"] == pytest.approx((10 / 50 + 10 / 53) / 2 * (0.4 - 0.8))
    # S5 exists only in October: no rate change, all mix: (3/53 − 0) × (1.0 − mean of the two overall rates)
    s5 = parts.set_index("part").loc["S5"]
    assert s5["rate"] == 0
    assert s5["mix"] == pytest.approx(3 / 53 * (1.0 - (39 / 50 + 44 / 53) / 2))
