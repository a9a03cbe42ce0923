"""Benchmark: importing large exports, as ratios against DuckDB's bare read_csv measured in the same run.

Run: .venv/bin/python bench/bench_import.py [--rows N] [--repeat 3] [--write docs/benchmarks.md]

Every figure is the CPU time (user + system) or peak memory of a child process, read with os.wait4:
- floor: `python -c "import duckdb; duckdb.connect().execute('CREATE TABLE t AS SELECT * FROM read_csv(FILE)')"`
  (for the GB18030 file DuckDB reads the same bytes as latin-1, the only way it can read them here);
- ours: `python -m metrics import --db NEW_STORE FILE`, the command analysts run.
Each pair runs --repeat times, interleaved; the table shows medians. Files are generated into a temp folder by
a separate process (a child starts from its parent's peak memory, so the bench itself stays small).
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = ["事件编号", "区县", "街道", "社区", "网格", "事件类型", "来源渠道", "承办单位", "上报时间", "办理时限", "办结时间",
          "办理状态", "群众评价"]
CATEGORIES = ["矛盾纠纷", "民生服务", "城建物业", "卫生环保", "治安隐患", "政策咨询", "急难愁盼"]
STATUS = ["已办结"] * 8 + ["处理中", "已撤销"]
RATING = ["满意", "满意", "基本满意", "不满意", ""]


def make_export(n: int, extra_columns: int = 0, seed: int = 7) -> str:
    """A messy case export: two title rows, n data rows, a total row; extra_columns of unmapped text."""
    rng = random.Random(seed)
    extras = [f"备注{i}" for i in range(extra_columns)]
    lines = ["网格事件导出（基准测试）", "导出时间：2026年10月31日", ",".join(HEADER + extras)]
    filler = "," + ",".join(f"说明文字{i}" for i in range(extra_columns)) if extra_columns else ""
    for i in range(n):
        d, h = rng.randint(1, 28), rng.randint(0, 23)
        closed = f"2026/3/{min(d + rng.randint(0, 5), 28)} {h}:15:00"
        lines.append(f"SJ{i:08d},荔城区,拱辰街道,示例社区{i % 60:02d},第{i % 30}网格,{rng.choice(CATEGORIES)},"
                     f"12345热线,社区居委会,2026/3/{d} {h}:05:09,2026-03-{min(d + 7, 28):02d},{closed},"
                     f"{rng.choice(STATUS)},{rng.choice(RATING)}{filler}")
    lines.append(f"合计,{n}" + "," * (len(HEADER) + extra_columns - 2))
    return "\r\n".join(lines) + "\r\n"


def _write(n: int, extra_columns: int, targets: list[tuple[Path, str]]) -> None:
    """make_export(n, extra_columns) written to each (path, encoding)."""
    text = make_export(n, extra_columns)
    for path, encoding in targets:
        path.write_bytes(text.encode(encoding))


def write_exports(n: int, targets: list[tuple[Path, str]], extra_columns: int = 0) -> None:
    """Write the exports in a child process: this process stays small, since a child it starts begins with its
    peak memory (ru_maxrss counts the pages of the parent at fork), which would hide the import's own peak."""
    proc = multiprocessing.get_context("spawn").Process(target=_write, args=(n, extra_columns, targets))
    proc.start()
    proc.join()
    if proc.exitcode != 0:
        raise SystemExit(f"writing the exports failed ({proc.exitcode})")


def child(cmd: list[str]) -> tuple[float, float, float]:
    """Run cmd; return (CPU seconds of the child, its peak memory in MB, wall seconds). Fails loudly."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own resource usage
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            out.seek(0)
            raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{out.read()[-1600:].decode()}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, wall


def floor(path: Path, encoding: str = "utf-8") -> tuple[float, float, float]:
    """DuckDB's bare read_csv of path into an in-memory table."""
    code = ("import duckdb; duckdb.connect().execute(\"CREATE TABLE t AS SELECT * FROM read_csv("
            f"'{path}', encoding='{encoding}')\")")
    return child([sys.executable, "-c", code])


def ours(path: Path, store: Path) -> tuple[float, float, float]:
    """`python -m metrics import` of path into a new store."""
    for f in (store, Path(str(store) + ".wal")):
        f.unlink(missing_ok=True)
    return child([sys.executable, "-m", "metrics", "import", "--db", str(store), str(path)])


def again(path: Path, store: Path) -> tuple[float, float, float]:
    """The same import once more into the same store (recognised by sha256, nothing parsed)."""
    return child([sys.executable, "-m", "metrics", "import", "--db", str(store), str(path)])


def pairs(label: str, path: Path, store: Path, repeat: int, floor_encoding: str = "utf-8") -> dict:
    """Interleaved floor/ours runs of one file; medians."""
    f_runs, o_runs = [], []
    for _ in range(repeat):
        f_runs.append(floor(path, floor_encoding))
        o_runs.append(ours(path, store))
    ratios = [o[0] / f[0] for o, f in zip(o_runs, f_runs)]
    return {"label": label, "size_mb": path.stat().st_size / 1e6,
            "floor_cpu": statistics.median(r[0] for r in f_runs), "ours_cpu": statistics.median(r[0] for r in o_runs),
            "ratio": statistics.median(ratios), "ours_rss": max(r[1] for r in o_runs),
            "ours_wall": statistics.median(r[2] for r in o_runs)}


def machine() -> str:
    """CPU, cores, memory and versions, for the table's heading."""
    import duckdb
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) // 1024 // 1024 for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    return (f"{cpu}, {os.cpu_count()} cores, {mem} GiB; Python {platform.python_version()}, "
            f"DuckDB {duckdb.__version__}, {platform.system()} {platform.release()}")


def main() -> None:
    """Generate the files, measure, print the table and optionally write it into docs/benchmarks.md."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--width-rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", help="markdown file to replace the import section of")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="govdash-bench-") as tmp:
        folder = Path(tmp)
        utf8, gbk = folder / "export_utf8.csv", folder / "export_gb18030.csv"
        write_exports(args.rows, [(utf8, "utf-8"), (gbk, "gb18030")])
        store = folder / "bench.duckdb"
        results.append(pairs(f"{args.rows:,} rows, UTF-8", utf8, store, args.repeat))
        results.append(pairs(f"{args.rows:,} rows, GB18030", gbk, store, args.repeat, "latin-1"))
        ours(utf8, store)
        reimport = statistics.median(again(utf8, store)[0] for _ in range(args.repeat))
        widths = []
        for extra in (10, 87):
            path = folder / f"wide_{extra}.csv"
            write_exports(args.width_rows, [(path, "utf-8")], extra)
            cols = len(HEADER) + extra
            cpu = statistics.median(ours(path, store)[0] for _ in range(args.repeat))
            widths.append((cols, cpu, cpu / (args.width_rows * cols) * 1e9))
    table = render(results, reimport, widths, args)
    print(table)
    if args.write:
        write_section(Path(args.write), table)


def render(results: list[dict], reimport: float, widths: list[tuple[int, float, float]],
           args: argparse.Namespace) -> str:
    """The markdown section."""
    lines = ["## Import (`make bench`: bench/bench_import.py)", "",
             f"Measured {dt.date.today().isoformat()} on {machine()}.",
             f"Command: `.venv/bin/python bench/bench_import.py --rows {args.rows} --repeat {args.repeat}`. "
             "CPU is user + system time of the child process; medians of the runs; the ratio is ours ÷ floor, "
             "per run, then the median. Floor: DuckDB's bare `CREATE TABLE t AS SELECT * FROM read_csv(file)` "
             "in a fresh process (for GB18030 it reads the same bytes as latin-1, the only way it can here). "
             "Ours: `python -m metrics import --db NEW file`, everything included (start-up, sha256, header "
             "and date recognition, validation, the commit to disk). Peak memory is the import process's own maximum "
             "resident size (the exports are written by another process, whose memory a child would otherwise "
             "start from).", "",
             "| file | size | floor CPU | import CPU | ratio | target | import wall | peak memory |",
             "|---|---|---|---|---|---|---|---|"]
    targets = ["≤ 3×", "≤ 3.5×"]
    for r, target in zip(results, targets):
        lines.append(f"| {r['label']} | {r['size_mb']:.0f} MB | {r['floor_cpu']:.2f} s | {r['ours_cpu']:.2f} s | "
                     f"{r['ratio']:.2f}× | {target} | {r['ours_wall']:.2f} s | {r['ours_rss']:.0f} MB |")
    lines += ["", f"Re-importing the identical UTF-8 file (recognised by sha256 before parsing): "
                  f"{reimport:.2f} s CPU for the whole command.", "",
              f"Width ({args.width_rows:,} rows, 13 mapped columns plus unmapped ones):", "",
              "| columns | import CPU | per cell |", "|---|---|---|"]
    for cols, cpu, per_cell in widths:
        lines.append(f"| {cols} | {cpu:.2f} s | {per_cell:.0f} ns |")
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    """Replace the import section of a markdown file (or create the file)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    start = text.find("## Import (")
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1:] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
