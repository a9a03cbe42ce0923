"""A large synthetic store for benchmarks: the bundled sample plus N generated cases (default 1,000,000).

The cases are spread over 2025-01-01..2026-10-31 and over the communities of data/sample/communities.csv
(weighted by residents), so they join the register; categories, channels and handling units are the sample's.
Generation is deterministic (fixed seed) and takes a few seconds per million rows.

Run: .venv/bin/python bench/big_store.py --db PATH [--rows N]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMUNITIES = ROOT / "data" / "sample" / "communities.csv"
HEADER = ["事件编号", "区县", "街道", "社区", "网格", "事件类型", "来源渠道", "承办单位", "上报时间", "办理时限", "办结时间",
          "办理状态", "群众评价"]
CATEGORIES = ["城建物业", "卫生环保", "民生服务", "矛盾纠纷", "政策咨询", "治安隐患", "急难愁盼"]
CATEGORY_WEIGHTS = [32, 31, 30, 21, 19, 14, 12]
CHANNELS = ["网格上报", "12345热线", "群众点单", "议事会", "心愿墙"]
CHANNEL_WEIGHTS = [72, 39, 23, 15, 10]
HANDLERS = ["社区居委会", "物业公司", "街道城管办", "派出所", "区民政局", "区人社局", "区住建局", "区市场监管局", "区卫健局",
            "供电公司", "司法所", "区生态环境分局", "供水公司", "区医保局", "区消防救援大队", "供热公司"]
HANDLER_WEIGHTS = [49, 21, 21, 11, 9, 8, 7, 4, 4, 4, 4, 3, 3, 3, 3, 2]
RATINGS = ["满意", "基本满意", "", "不满意"]
RATING_WEIGHTS = [60, 18, 15, 7]
FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2026, 10, 31)  # also the export date: cases not closed by then are still open


def communities(path: Path = COMMUNITIES) -> list[tuple[str, str, str, int]]:
    """(district, street, community, residents) for every community of the register."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [(r["区县"], r["街道"], r["社区"], int(r["常住人口"] or 1)) for r in csv.DictReader(fh)]


def write_cases(path: Path, rows: int = 1_000_000, seed: int = 20261031) -> Path:
    """Write `rows` synthetic cases as a UTF-8 CSV with the grid system's export header; deterministic."""
    rng = random.Random(seed)
    places = communities()
    days = (LAST_DAY - FIRST_DAY).days + 1
    # Dates as the grid system exports them (2025/3/5, no zero padding); due dates ISO, like the sample.
    slash = [f"{d.year}/{d.month}/{d.day}" for d in (FIRST_DAY + dt.timedelta(i) for i in range(days + 40))]
    iso = [(FIRST_DAY + dt.timedelta(i)).isoformat() for i in range(days + 40)]
    place = rng.choices([f"{d},{s},{c}" for d, s, c, _ in places], weights=[p[3] for p in places], k=rows)
    category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS, k=rows)
    channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS, k=rows)
    handler = rng.choices(HANDLERS, HANDLER_WEIGHTS, k=rows)
    rating = rng.choices(RATINGS, RATING_WEIGHTS, k=rows)
    rand, randrange = rng.random, rng.randrange
    lines = [",".join(HEADER)]
    append = lines.append
    for i in range(rows):
        day = randrange(days)
        reported = f"{slash[day]} {randrange(7, 22)}:{randrange(60):02d}:{randrange(60):02d}"
        due = day + (7 if rand() < 0.7 else 15)
        roll = rand()
        if roll < 0.015:
            closed, status, rated = "", "已撤销", ""
        else:
            close_day = day + int(rand() * rand() * 20)
            if close_day > days - 1 or roll < 0.02:
                closed, status, rated = "", "处理中", ""
            else:
                closed = f"{slash[close_day]} {randrange(8, 20)}:{randrange(60):02d}:{randrange(60):02d}"
                status, rated = "已办结", rating[i]
        append(f"BG{i:08d},{place[i]},第{i % 24 + 1}网格,{category[i]},{channel[i]},{handler[i]},{reported},"
               f"{iso[due]},{closed},{status},{rated}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build(db: Path, rows: int = 1_000_000, work: Path | None = None, root: Path = ROOT) -> dict[str, float]:
    """Create db from the sample, then import `rows` generated cases; returns the phases' wall seconds."""
    timings: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="govdash-big-", dir=work) as tmp:
        csv_path = Path(tmp) / "big_cases.csv"
        start = time.perf_counter()
        write_cases(csv_path, rows)
        timings["generate"] = time.perf_counter() - start
        for name, cmd in (("init", ["init", "--sample", "--db", str(db)]),
                          ("import", ["import", "--db", str(db), str(csv_path)])):
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "metrics", *cmd], cwd=root, capture_output=True, text=True)
            if done.returncode != 0:
                raise RuntimeError(f"metrics {name} failed ({done.returncode}):\n{done.stdout[-2000:]}\n"
                                   f"{done.stderr[-2000:]}")
            timings[name] = time.perf_counter() - start
    return timings


def main() -> None:
    """Build a large store at --db."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    timings = build(args.db, args.rows)
    print(" · ".join(f"{k} {v:.1f} s" for k, v in timings.items()), "→", args.db)


if __name__ == "__main__":
    main()
