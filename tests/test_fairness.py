"""Fair ranking of small units: shrunk rates checked against an independent computation (numpy + SciPy on
rows read with plain SQL), and a unit with 3 of 3 closed does not top one with 980 of 1,000."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import numpy as np
import pytest
from scipy import stats

from conftest import ROOT, write
from helpers import load
from metrics.assessment import versions
from metrics.assessment.scores import assessment_period, score
from metrics.store import connect
from metrics.views import Scope

ONE_RATE = """
name = "只看办结"
levels = ["street"]
min_base = 1
rank_on = "{rank_on}"
top_n = 1
bottom_n = 1

[[indicator]]
metric = "case_due_completion_rate"
weight = 100
scoring = "linear"
base = 0.5
challenge = 1.0
"""
# street: (cases, closed) — A has 3 of 3, B 980 of 1,000.
UNITS = {"A": (3, 3), "B": (1000, 980), "C": (1000, 850), "D": (100, 90), "E": (50, 40), "F": (40, 30)}


def _store(con, db_path, tmp_path, rank_on: str):
    """A district whose streets have the UNITS' cases in October 2026 (all due long before the as-of time)."""
    lines = ["事件编号,区县,街道,社区,上报时间,办理时限,办结时间,办理状态"]
    for street, (total, closed) in UNITS.items():
        for i in range(total):
            day = 1 + i % 20
            done = i < closed
            lines.append(f"{street}{i},甲区,{street},{street}社区,2026-10-{day:02d} 09:00,2026-10-{day + 2:02d},"
                         f"{f'2026-10-{day:02d} 18:00' if done else ''},{'已办结' if done else '办理中'}")
    lines.append("z,乙区,T,T社区,2026-10-31 08:00,2026-10-31,2026-10-31 09:00,已办结")
    load(con, write(tmp_path, "cases.csv", "\n".join(lines) + "\n"), db_path)
    versions.sync_files(con, dt.date(2026, 11, 1))
    versions.save(con, "default", ONE_RATE.format(rank_on=rank_on), dt.date(2000, 1, 1), "tester")


def _ranks(con) -> dict:
    """street → rank in October."""
    period = assessment_period("month", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    s = score(con, Scope(period, "甲区"), "default", "street")
    return {r["street"]: r["rank"] for r in s.scores.to_dict("records")}


def test_three_of_three_does_not_beat_980_of_1000(con, db_path, tmp_path):
    _store(con, db_path, tmp_path, "shrunk")
    ranks = _ranks(con)
    assert ranks["B"] == 1
    assert ranks["A"] > ranks["B"]
    # ... while on raw rates luck wins: 3 of 3 is 100%.
    versions.save(con, "default", ONE_RATE.format(rank_on="raw"), dt.date(2000, 1, 1), "tester")
    assert _ranks(con)["A"] == 1


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The bundled sample loaded through the CLI."""
    path = tmp_path_factory.mktemp("fair") / "gov.duckdb"
    subprocess.run([sys.executable, "-m", "metrics", "init", "--sample", "--db", str(path)], cwd=ROOT, check=True,
                   capture_output=True, timeout=600)
    con = connect(path)
    versions.sync_files(con, dt.date(2026, 11, 1))
    yield con
    con.close()


def _independent(con, level: str) -> dict:
    """Satisfaction per unit of 荔城区 in October 2026 read with plain SQL, shrunk by the method of moments
    (written out here with numpy) and given 90% intervals by SciPy's Beta quantiles."""
    key = "street" if level == "street" else "community"
    rows = con.execute(
        f"SELECT {key}, count(*) FILTER (WHERE satisfaction IN ('satisfied', 'basic')), count(*) FROM cases "
        "WHERE district = '荔城区' AND status <> 'cancelled' AND satisfaction IS NOT NULL "
        "AND reported_at >= '2026-10-01' AND reported_at < '2026-11-01' GROUP BY 1").fetchall()
    names = [r[0] for r in rows]
    x = np.array([r[1] for r in rows], dtype=float)
    n = np.array([r[2] for r in rows], dtype=float)
    mu = x.sum() / n.sum()
    k, big_n = len(n), n.sum()
    s = np.sum(n * (x / n - mu) ** 2) / (mu * (1 - mu))
    rho = (s - (k - 1)) / (big_n - k - np.sum(n ** 2) / big_n + 1)
    rho = min(max(rho, 1e-3), 0.999)
    m = min(1 / rho - 1, float(np.median(n)))
    a, b = x + mu * m, n - x + (1 - mu) * m
    shrunk = a / (a + b)
    lo, hi = stats.beta.ppf(0.05, a, b), stats.beta.ppf(0.95, a, b)
    return {name: (shrunk[i], lo[i], hi[i]) for i, name in enumerate(names)}


@pytest.mark.parametrize("level", ["street", "community"])
def test_shrinkage_matches_an_independent_computation(sample, level):
    expected = _independent(sample, level)
    period = assessment_period("month", dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    s = score(sample, Scope(period, "荔城区"), "default", level)
    got = s.breakdown[(s.breakdown["metric"] == "case_satisfaction_rate") & (s.breakdown["den"] > 0)]
    assert len(got) == len(expected) >= 5
    for r in got.to_dict("records"):
        shrunk, lo, hi = expected[r[level]]
        assert r["shrunk_value"] == pytest.approx(shrunk, abs=1e-9)
        assert r["low"] == pytest.approx(lo, abs=1e-6)
        assert r["high"] == pytest.approx(hi, abs=1e-6)
        assert r["low"] <= r["shrunk_value"] <= r["high"]
