"""`python -m metrics report | assess | scheme`: the monthly assessment and its briefing on the command line."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from .errors import GovdashError, UsageError
from .periods import parse_period

EXIT_OK = 0


def add_parsers(sub, db_arg) -> None:
    """Add the report, assess and scheme subcommands to the CLI's subparsers."""
    p = sub.add_parser("report", help="生成通报 (write the briefing)")
    db_arg(p)
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--period", help="月份 YYYY-MM 或季度 YYYY-Qn (the month or quarter)")
    when.add_argument("--latest", action="store_true", help="最近一个已结束且有数据的月份 (the latest complete month)")
    p.add_argument("--district", help="区县；缺省为全市 (a district; default the whole city)")
    p.add_argument("--scheme", default="default", help="考核方案 id，缺省 default (scheme id)")
    p.add_argument("--format", choices=["docx", "pdf", "html", "xlsx"], default="docx")
    p.add_argument("--out", default=".", help="输出目录，缺省当前目录 (output folder)")

    p = sub.add_parser("assess", help="考核得分与排名 (scores and ranks under a scheme)")
    db_arg(p)
    p.add_argument("--period", required=True, help="月份 YYYY-MM 或季度 YYYY-Qn")
    p.add_argument("--district", help="区县；缺省为全市")
    p.add_argument("--scheme", default="default", help="考核方案 id，缺省 default")
    p.add_argument("--level", choices=["street", "community"], default="street", help="参评层级 (units)")
    p.add_argument("--format", choices=["csv", "json", "table"], default="table")

    p = sub.add_parser("scheme", help="考核方案：列表、查看、版本、保存 (assessment schemes)")
    db_arg(p)
    p.add_argument("action", choices=["list", "show", "history", "save"])
    p.add_argument("scheme_id", nargs="?", default="default", metavar="SCHEME", help="方案 id，缺省 default")
    p.add_argument("file", nargs="?", metavar="FILE", help="save：方案 TOML 文件")
    p.add_argument("--from", dest="effective", help="save：生效月份 YYYY-MM (first month in force)")
    p.add_argument("--note", default="", help="save：修改说明 (what changed and why)")
    p.add_argument("--at", help="show：查看某月执行的版本 YYYY-MM (the version in force then)")


def _store(args: argparse.Namespace):
    """A read-only connection to the newest snapshot of the store (republished first when stale)."""
    from .snapshots import reader
    from .store import db_path

    return reader(db_path(args.db), wait_s=30)


def _month(text: str) -> dt.date:
    """The first day of a YYYY-MM or YYYY-Qn period argument."""
    try:
        kind, start, _ = parse_period(text)
    except ValueError:
        kind = None
    if kind not in ("month", "quarter"):
        raise UsageError(f"期间应为 YYYY-MM 或 YYYY-Qn：{text}", f"period must be YYYY-MM or YYYY-Qn: {text}")
    return start


def cmd_report(args: argparse.Namespace) -> int:
    """Write the briefing file and print its path."""
    from . import briefing

    con = _store(args)
    try:
        _known_district(con, args.district)
        period = briefing.latest_period(con) if args.latest else args.period
        doc = briefing.build(con, _month(period), args.district, args.scheme)
    finally:
        con.close()
    data = briefing.renderer(args.format)(doc)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        target = out / briefing.file_name(doc, args.format)
        target.write_bytes(data)
    except OSError as exc:
        raise GovdashError("无法写入输出目录", f"cannot write the output folder: {exc.strerror}", str(out)) from exc
    from .accounts import audit
    from .assessment.versions import who
    from .store import db_path
    audit(db_path(args.db), who(), "export", f"通报 {target.name}（命令行）")
    print(f"已生成通报 (briefing written): {target}")
    return EXIT_OK


def _known_district(con, district: str | None) -> None:
    """UsageError when a district is named that the store does not know."""
    if district is None:
        return
    from .views import places

    known = set(places(con)["district"].dropna())
    if district not in known:
        raise UsageError(f"未知区县 {district}", f"unknown district {district}; known: {', '.join(sorted(known))}")


def cmd_assess(args: argparse.Namespace) -> int:
    """Print the scores of every unit."""
    from .assessment import words
    from .assessment.scores import assessment_period, score
    from .assessment.versions import in_force
    from .output import format_frame
    from .views import Scope, data_span

    con = _store(args)
    try:
        _known_district(con, args.district)
        start = _month(args.period)
        scheme, _ = in_force(con, args.scheme, start)
        period = assessment_period(scheme.period, start, data_span(con)[1])
        scored = score(con, Scope(period, args.district), args.scheme, args.level)
    finally:
        con.close()
    frame = scored.scores.copy()
    frame["reason"] = words.reasons(scored)
    cols = ["rank", "district", "street"] + (["community"] if args.level == "community" else []) + \
        ["score", "list", "prev_rank", "rank_change", "reason"]
    frame = frame[cols]
    if args.format == "table":
        frame["score"] = frame["score"].astype("Float64").round(1)
    print(format_frame(frame, None, args.format, None), end="")
    return EXIT_OK


def _save(args: argparse.Namespace, text: str) -> int:
    """Save a scheme version under the store's write lock, publishing it for readers."""
    from .accounts import audit
    from .assessment import versions
    from .snapshots import writing
    from .store import db_path

    path = db_path(args.db)
    with writing(path) as con:
        version = versions.save(con, args.scheme_id, text, _month(args.effective), versions.who(), args.note,
                                source="cli")
    audit(path, versions.who(), "scheme_save", f"{args.scheme_id} 第 {version} 版（命令行）")
    return version


def cmd_scheme(args: argparse.Namespace) -> int:
    """List schemes, show one (as TOML), print its versions, or save a file as a new version."""
    from .assessment import versions
    from .assessment.scheme import to_toml

    con = _store(args)
    try:
        if args.action == "list":
            for sid in versions.ids(con):
                scheme, record = versions.in_force(con, sid, dt.date.today())
                print(f"{sid}\t{scheme.name}\t第 {record['version']} 版 (version {record['version']})")
        elif args.action == "show":
            at = _month(args.at) if args.at else dt.date.today()
            scheme, record = versions.in_force(con, args.scheme_id, at)
            print(f"# {args.scheme_id} 第 {record['version']} 版，自 {record['effective_from']} 起，"
                  f"{record['saved_at']} {record['author']}")
            print(to_toml(scheme), end="")
        elif args.action == "history":
            frame = versions.history(con, args.scheme_id)
            for r in frame.to_dict("records"):
                print(f"第 {r['version']} 版\t自 {r['effective_from']}\t{r['saved_at']}\t{r['author']}\t{r['source']}\t"
                      f"{r['note'] or ''}\t{r['changes']}")
        else:
            if not args.file or not args.effective:
                raise UsageError("save 需要方案文件和 --from YYYY-MM", "save needs a FILE and --from YYYY-MM")
            try:
                text = Path(args.file).read_text(encoding="utf-8-sig")
            except (OSError, UnicodeDecodeError) as exc:
                raise UsageError("无法读取方案文件", f"cannot read the scheme file: {exc}", args.file) from exc
            version = _save(args, text)
            print(f"已保存 {args.scheme_id} 第 {version} 版，自 {args.effective} 起执行 "
                  f"(saved version {version}, in force from {args.effective})")
    finally:
        con.close()
    return EXIT_OK


HANDLERS = {"report": cmd_report, "assess": cmd_assess, "scheme": cmd_scheme}
