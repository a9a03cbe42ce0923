"""`python -m metrics`: the command-line face of the importer and the indicators."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from pathlib import Path
from typing import Callable

from . import cli_assess, cli_users, sample
from .errors import GovdashError, ImportFailure, UsageError
from .importer import ImportOptions, ImportResult, safe_import, undo
from .importer.profiles import DATE_ORDERS, load_profile, parse_pairs, parse_set_pairs, parse_value_pairs
from .importer.reader import file_source
from .schema import TABLES
from .accounts import audit
from .assessment.versions import who
from .snapshots import reader, writing
from .store import db_path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in one line and exits 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        """Print the usage error and exit with 2."""
        self.print_usage(sys.stderr)
        print(f"用法错误 (usage error): {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(prog="python -m metrics", description="治理绩效看板 数据与指标命令 (governance dashboard data CLI)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("init", help="建库 (create the store)")
    _db_arg(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--sample", action="store_true", help="导入内置示例数据 (load the bundled sample; default)")
    group.add_argument("--empty", action="store_true", help="只建空表 (empty tables only)")

    p = sub.add_parser("import", help="导入导出文件 (import CSV/xlsx exports)")
    _db_arg(p)
    p.add_argument("--table", choices=sorted(TABLES), help="目标表；缺省时按表头识别 (target table)")
    p.add_argument("--map", action="append", default=[], metavar="SRC=COLUMN",
                   help='列映射，可重复，如 --map "Created Date=reported_at"；--map "备注=" 不导入该列')
    p.add_argument("--value", action="append", default=[], metavar="COLUMN:WORD=VALUE",
                   help='取值映射，可重复，如 --value "status:已答复=closed"')
    p.add_argument("--set", action="append", default=[], metavar="COLUMN=VALUE",
                   help="整个文件的固定值（只填空缺），如 --set district=荔城区 (a constant for rows without one)")
    p.add_argument("--date-order", choices=sorted(DATE_ORDERS),
                   help="日期顺序：dmy 日/月/年，mdy 月/日/年，ymd 年/月/日 (order of ambiguous dates)")
    p.add_argument("--sheet", help="xlsx 工作表名称或序号（从 1 起）(sheet name or number)")
    p.add_argument("--mapping", help="JSON 映射配置文件 (saved import profile)")
    p.add_argument("--strict", action="store_true", help="有任何坏行则不导入 (load nothing if any row is bad)")
    p.add_argument("--dry-run", action="store_true", help="只校验不写入 (validate only)")
    p.add_argument("files", nargs="+", metavar="FILE")

    p = sub.add_parser("batches", help="导入批次 (list import batches)")
    _db_arg(p)

    p = sub.add_parser("undo", help="撤销批次 (undo an import batch)")
    _db_arg(p)
    p.add_argument("batch_id", type=int, metavar="BATCH_ID")

    p = sub.add_parser("compute", help="计算指标 (compute indicators)")
    _db_arg(p)
    p.add_argument("--metric", required=True, help="指标 id，逗号分隔 (metric ids, comma-separated)")
    p.add_argument("--by", default="", help="分组，逗号分隔 (groupings, comma-separated)")
    p.add_argument("--from", dest="start", type=_date, help="开始日期 YYYY-MM-DD（含）")
    p.add_argument("--to", dest="end", type=_date, help="结束日期 YYYY-MM-DD（含）")
    p.add_argument("--where", action="append", default=[], metavar="COLUMN=VALUE",
                   help="筛选，可重复；同一列多次即“或” (filter; repeat a column for several values)")
    p.add_argument("--compare", choices=["previous", "year"], help="环比 previous / 同比 year")
    p.add_argument("--format", choices=["csv", "json", "table"], default="csv")

    p = sub.add_parser("list", help="指标清单 (list the indicator registry)")
    p.add_argument("--format", choices=["csv", "json", "table"], default="table")
    cli_assess.add_parsers(sub, _db_arg)
    cli_users.add_parsers(sub, _db_arg)
    return parser


def _date(text: str) -> dt.date:
    """A YYYY-MM-DD argument."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD (date must be YYYY-MM-DD): {text}") from exc


def _db_arg(p: argparse.ArgumentParser) -> None:
    """Add the shared --db option."""
    p.add_argument("--db", help="数据库路径 (store path; default $GOVDASH_DB or data/governance.duckdb)")


def main(argv: list[str] | None = None) -> int:
    """Run one CLI command and return its exit code; every failure is one line, never a traceback."""
    args = build_parser().parse_args(argv)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "init": cmd_init, "import": cmd_import, "batches": cmd_batches, "undo": cmd_undo,
        "compute": cmd_compute, "list": cmd_list, **cli_assess.HANDLERS, **cli_users.HANDLERS,
    }
    try:
        return handlers[args.command](args)
    except UsageError as exc:
        print(f"错误 (error): {exc.line()}", file=sys.stderr)
        return EXIT_USAGE
    except GovdashError as exc:
        print(f"错误 (error): {exc.line()}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("已中断，未做任何更改 (interrupted; nothing changed)", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # the last line of defence: one line, not a traceback
        if os.environ.get("GOVDASH_DEBUG"):
            raise
        print(f"错误 (error): 意外错误，未做任何更改 (unexpected error: {type(exc).__name__}: "
              f"{str(exc).splitlines()[0][:200] if str(exc) else ''})", file=sys.stderr)
        return EXIT_FAILED


def cmd_init(args: argparse.Namespace) -> int:
    """Create the store; load the bundled sample unless --empty."""
    path = db_path(args.db)
    with writing(path, publish_after=False) as con:
        if args.empty:
            print(f"已建库 (store ready): {path}")
            return EXIT_OK
        failed = 0
        for file in sample.sample_files():
            failed += _import_one(con, file, ImportOptions(), path, dry_run=False)
    print(f"已建库并导入示例数据 (store ready with sample data): {path}")
    return EXIT_FAILED if failed else EXIT_OK


def import_options(args: argparse.Namespace) -> ImportOptions:
    """The import options given on the command line (a profile first, then the explicit options on top)."""
    options = load_profile(args.mapping) if args.mapping else ImportOptions()
    options = options.merged(parse_pairs(args.map)).merged(parse_value_pairs(args.value)) \
        .merged(parse_set_pairs(args.set))
    explicit = ImportOptions(table=args.table, date_order=args.date_order, sheet=args.sheet, strict=args.strict)
    options = options.merged(explicit)
    options.check()
    return options


def cmd_import(args: argparse.Namespace) -> int:
    """Import each file and print its summary; 1 if any file could not be imported."""
    options = import_options(args)
    path = db_path(args.db)
    failed = 0
    # Waits while another program writes the store; readers (the dashboard) keep working from a snapshot.
    with writing(path, publish_after=False) as con:
        for file in args.files:
            failed += _import_one(con, Path(file), options, path, args.dry_run)
    return EXIT_FAILED if failed else EXIT_OK


def _import_one(con, file: Path, options: ImportOptions, path: Path, dry_run: bool) -> int:
    """Import one file and print its summary; return 1 when it could not be imported."""
    try:
        result = safe_import(con, file_source(file), file.name, options, dry_run=dry_run, store_path=path)
    except ImportFailure as exc:
        fix = f"；修正 (fix): {exc.fix.cli}" if exc.fix and exc.fix.cli else ""
        print(f"失败 (failed): {exc.located(file.name).line()}，未做任何更改 (nothing changed){fix}")
        return 1
    print(format_result(result, dry_run))
    if result.committed:
        audit(path, who(), "import", f"{file.name}: {result.rows_loaded} 行导入，批次 {result.batch_id}（命令行）")
    return 0 if (result.committed or result.skipped_as_batch or dry_run) else 1


def format_result(r: ImportResult, dry_run: bool = False) -> str:
    """The human summary of one import."""
    if r.skipped_as_batch is not None:
        return f"{r.file_name}\n  {r.message}"
    tbl = TABLES[r.table]
    where = f"工作表 {r.sheet} " if r.sheet else ""
    lines = [f"{r.file_name} → {r.table}（{tbl.zh}）  编码 encoding: {r.encoding}  {where}表头第 {r.header_line} 行 "
             f"(header at line {r.header_line})"]
    shown = " · ".join(f"{m.header}→{m.column} {m.confidence}" for m in sorted(r.columns, key=lambda m: m.index))
    lines.append(f"  列 columns: {shown}")
    if r.unmapped:
        more = " …" if len(r.unmapped) > 15 else ""
        lines.append(f"  未使用的列 (unused columns): {', '.join(r.unmapped[:15])}{more}")
    for d in r.dates:
        lines.append(f"  日期 dates: {d.line()}")
    lines.append(f"  读取 read {r.rows_read} · 导入 loaded {r.rows_loaded} · 拒绝 rejected {r.rows_rejected} · "
                 f"重复 duplicate {r.rows_duplicate} · 未变 unchanged {r.rows_unchanged}")
    if dry_run:
        lines.append("  试运行，未写入 (dry run: nothing written)")
    elif r.committed:
        lines.append(f"  批次 batch {r.batch_id}")
    if r.message:
        lines.append(f"  {r.message}")
    lines += [f"  警告 warning: {w}" for w in r.warnings]
    if r.no_district and "district" not in r.mapping.values():
        lines.append("  提示 hint: --set district=区县名 为整个文件指定区县 (gives the whole file a district)")
    if r.rejects:
        lines.append(f"  拒绝的行（前 {len(r.rejects)} 条）(first rejects):")
        for line, column, value, reason in r.rejects:
            value_text = "" if value is None else f" “{value[:40]}”"
            lines.append(f"    第 {line} 行 line {line}, 列 column {column}{value_text}: {reason}")
    return "\n".join(lines)


def cmd_batches(args: argparse.Namespace) -> int:
    """Print the import batches, newest first."""
    con = reader(db_path(args.db), wait_s=30)
    try:
        rows = con.execute(
            "SELECT id, strftime(imported_at, '%Y-%m-%d %H:%M:%S'), status, table_name, file_name, encoding, "
            "rows_read, rows_loaded, rows_rejected, rows_duplicate, rows_unchanged "
            "FROM import_batches ORDER BY id DESC").fetchall()
    finally:
        con.close()
    if not rows:
        print("还没有导入批次 (no batches yet)")
        return EXIT_OK
    print("批次\t导入时间\t状态\t表\t文件\t编码\t读取\t导入\t拒绝\t重复\t未变")
    print("id\timported_at\tstatus\ttable\tfile\tencoding\tread\tloaded\trejected\tduplicate\tunchanged")
    for row in rows:
        print("\t".join("" if v is None else str(v) for v in row))
    return EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    """Undo one batch and say what changed."""
    path = db_path(args.db)
    with writing(path, publish_after=False) as con:
        counts = undo(con, args.batch_id)
    audit(path, who(), "undo", f"批次 {args.batch_id}：删除 {counts['removed']} 行，恢复 {counts['restored']} 行（命令行）")
    print(f"已撤销批次 {args.batch_id}：删除 {counts['removed']} 行，恢复 {counts['restored']} 行 "
          f"(batch {args.batch_id} undone: {counts['removed']} rows removed, {counts['restored']} restored)")
    return EXIT_OK


def _where(pairs: list[str]) -> dict[str, list[str]]:
    """--where COLUMN=VALUE pairs as {column: [values]}."""
    where: dict[str, list[str]] = {}
    for pair in pairs:
        col, sep, value = pair.partition("=")
        if not sep or not col.strip():
            raise UsageError(f"--where 格式应为 列=值: {pair}", f"--where expects COLUMN=VALUE: {pair}")
        where.setdefault(col.strip(), []).append(value.strip())
    return where


def cmd_compute(args: argparse.Namespace) -> int:
    """Compute indicators and print them as csv, json or a table."""
    from .output import format_frame
    from .query import Query, compare, compute

    q = Query(metrics=[m.strip() for m in args.metric.split(",") if m.strip()],
              by=[g.strip() for g in args.by.split(",") if g.strip() and g.strip() != "none"],
              start=args.start, end=args.end, where=_where(args.where))
    con = reader(db_path(args.db), wait_s=30)
    try:
        if args.compare:
            frame, base = compare(con, q, args.compare)
        else:
            frame, base = compute(con, q), None
    finally:
        con.close()
    print(format_frame(frame, q, args.format, base), end="")
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    """Print the indicator registry."""
    from .output import format_frame, registry_frame

    frame = registry_frame()
    if args.format == "table":
        frame = frame[["id", "zh", "en", "unit", "direction", "table", "kind"]]
    print(format_frame(frame, None, args.format, None), end="")
    return EXIT_OK
