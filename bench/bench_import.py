"""Benchmark: import a synthetic 1,000,000-row GB18030 case export and report timings.

Run: .venv/bin/python bench/bench_import.py [--rows N]. Writes nothing into the repo.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from metrics.ingest import import_bytes  # noqa: E402
from metrics.store import connect  # noqa: E402

HEADER = "事件编号,区县,街道,社区,网格,事件类型,来源渠道,承办单位,上报时间,办理时限,办结时间,办理状态,群众评价\r\n"
CATEGORIES = ["矛盾纠纷", "民生服务", "城建物业", "卫生环保", "治安隐患", "政策咨询", "急难愁盼"]
STATUS = ["已办结"] * 8 + ["处理中", "已撤销"]
RATING = ["满意", "满意", "基本满意", "不满意", ""]


def make_export(n: int, seed: int = 7) -> bytes:
    """A messy GB18030 export with a title row, n data rows and a total row."""
    rng = random.Random(seed)
    lines = ["网格事件导出（基准测试）\r\n", "导出时间：2026年10月31日\r\n", HEADER]
    for i in range(n):
        d, h = rng.randint(1, 28), rng.randint(0, 23)
        closed = f"2026/3/{min(d + rng.randint(0, 5), 28)} {h}:15:00"
        lines.append(f"SJ{i:08d},荔城区,拱辰街道,示例社区{i % 60:02d},第{i % 30}网格,{rng.choice(CATEGORIES)},"
                     f"12345热线,社区居委会,2026/3/{d} {h}:05:09,2026-03-{min(d + 7, 28):02d},{closed},"
                     f"{rng.choice(STATUS)},{rng.choice(RATING)}\r\n")
    lines.append(f"合计,{n},,,,,,,,,,,\r\n")
    return "".join(lines).encode("gb18030")


def main() -> None:
    """Time reading, staging and committing one large import, then a re-import of the same rows."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    data = make_export(args.rows)
    print(f"export: {args.rows:,} rows, {len(data) / 1e6:.1f} MB GB18030")
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "bench.duckdb"
        con = connect(store)
        for label, payload in (("first import", data), ("changed re-import", data.replace(b"SJ0", b"SJ0", 1)
                                                        + b"\r\n")):
            start = time.perf_counter()
            r = import_bytes(con, payload, "bench.csv", store_path=store)
            secs = time.perf_counter() - start
            print(f"{label}: {secs:.1f} s; read {r.rows_read:,}, loaded {r.rows_loaded:,}, "
                  f"unchanged {r.rows_unchanged:,}, rejected {r.rows_rejected:,}; "
                  f"{r.rows_read / secs:,.0f} rows/s")
        con.close()


if __name__ == "__main__":
    main()
