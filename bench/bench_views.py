"""Benchmark: time each dashboard view's computation on the bundled sample (cold, uncached).

Run: .venv/bin/python bench/bench_views.py. Builds a temporary store from data/sample/.
"""
from __future__ import annotations

import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics import views  # noqa: E402
from metrics.importer import import_file  # noqa: E402
from metrics.registry import METRICS  # noqa: E402
from metrics.sample import sample_files  # noqa: E402
from metrics.store import connect  # noqa: E402

OCT = views.Scope(dt.date(2026, 10, 1), dt.date(2026, 10, 31), today=dt.date(2026, 11, 21))
LICHENG = views.Scope(OCT.start, OCT.end, "荔城区", today=OCT.today)
GONGCHEN = views.Scope(OCT.start, OCT.end, "荔城区", None, "拱辰社区", OCT.today)
ALL_IDS = [m.id for m in METRICS]
CASES = [("荔城区", "拱辰社区"), ("荔城区", "渭阳社区")]

VIEWS = {
    "overview: kpis": lambda con: views.kpis(con, OCT),
    "overview: trend by district": lambda con: views.trend(con, OCT, "case_completion_rate", 12, "district"),
    "overview: ranking communities": lambda con: views.ranking(con, OCT, "case_completion_rate", "community"),
    "overview: hierarchy": lambda con: views.hierarchy(con, OCT, "case_completion_rate"),
    "overview: below thresholds": lambda con: views.below_thresholds(con, OCT),
    "district: handlers": lambda con: views.breakdown(con, LICHENG, ["cases_received", "case_completion_rate"],
                                                      "handler"),
    "community: peer ranks (all indicators)": lambda con: views.peer_ranks(con, GONGCHEN, "拱辰社区", ALL_IDS),
    "brands: compare two": lambda con: views.compare_units(con, OCT, CASES, ALL_IDS[:8]),
}


def main() -> None:
    """Load the sample into a temp store and report median and max of 5 runs per view."""
    with tempfile.TemporaryDirectory() as tmp:
        con = connect(Path(tmp) / "bench.duckdb")
        for path in sample_files():
            import_file(con, path, path.name)
        for name, fn in VIEWS.items():
            times = []
            for _ in range(5):
                start = time.perf_counter()
                fn(con)
                times.append(time.perf_counter() - start)
            print(f"{name:42s} median {statistics.median(times) * 1000:7.1f} ms   max {max(times) * 1000:7.1f} ms")
        con.close()


if __name__ == "__main__":
    main()
