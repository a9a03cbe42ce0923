"""Every version of every scheme, kept in the store: who saved it, when, from which month it is in force.

A scheme's id is its file's ('default' for data/assessment.toml, else the preset's file name). The scheme in
force for a period is the most recently saved version whose first month is not after the period's start, so
a change made today from next month on leaves every earlier period scored as it was. Edits of the files are
picked up as new versions (in force from the file's `effective_from`, else from the current month); edits
on the page are saved here only and survive later file syncs.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from typing import TYPE_CHECKING

import duckdb

if TYPE_CHECKING:
    import pandas as pd

from ..errors import UsageError
from .scheme import Scheme, parse, read_file, scheme_files, to_toml

DDL = ("CREATE TABLE IF NOT EXISTS assessment_schemes (scheme VARCHAR, version INTEGER, effective_from DATE, "
       "saved_at TIMESTAMP, author VARCHAR, source VARCHAR, note VARCHAR, toml VARCHAR, file_sha VARCHAR)")
# The first version of each scheme covers all history.
BEGINNING = dt.date(2000, 1, 1)


def ensure(con: duckdb.DuckDBPyConnection) -> None:
    """Create the versions table."""
    con.execute(DDL)


def _sha(text: str) -> str:
    """Fingerprint of a file's text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def who() -> str:
    """The operating-system user, for versions saved from the command line or a file."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def sync_files(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> list[str]:
    """Register shipped scheme files that are new or changed since last seen; the ids that got a version."""
    ensure(con)
    today = today or dt.date.today()
    added = []
    for sid, path in scheme_files().items():
        if not path.exists():
            continue
        text, scheme = read_file(path)
        sha = _sha(text)
        rows = con.execute("SELECT file_sha FROM assessment_schemes WHERE scheme = ? AND source = 'file' "
                           "ORDER BY version DESC LIMIT 1", [sid]).fetchall()
        if rows and rows[0][0] == sha:
            continue
        first = not _count(con, sid)
        start = BEGINNING if first else (_month_start(scheme.effective_from) if scheme.effective_from
                                         else today.replace(day=1))
        note = "初始版本（来自文件）" if first else "文件已修改"
        _insert(con, sid, scheme, start, f"{who()}（文件 {path.name}）", "file", note, sha)
        added.append(sid)
    return added


def _count(con: duckdb.DuckDBPyConnection, sid: str) -> int:
    """How many versions a scheme has."""
    return int(con.execute("SELECT count(*) FROM assessment_schemes WHERE scheme = ?", [sid]).fetchall()[0][0])


def _month_start(text: str) -> dt.date:
    """First day of a YYYY-MM month."""
    return dt.date.fromisoformat(text + "-01")


def _insert(con: duckdb.DuckDBPyConnection, sid: str, scheme: Scheme, start: dt.date, author: str, source: str,
            note: str, sha: str | None = None) -> int:
    """Append a version; its number."""
    version = _count(con, sid) + 1
    con.execute("INSERT INTO assessment_schemes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [sid, version, start, dt.datetime.now().replace(microsecond=0), author, source, note,
                 to_toml(scheme), sha])
    return version


def save(con: duckdb.DuckDBPyConnection, sid: str, text: str, effective_from: dt.date, author: str,
         note: str = "", source: str = "page") -> int:
    """Validate TOML text and save it as the scheme's newest version from effective_from's month on."""
    ensure(con)
    if sid not in ids(con):
        raise UsageError(f"未知考核方案 {sid}", f"unknown scheme {sid}")
    scheme = parse(text, f"考核方案 {sid}")
    current = in_force(con, sid, effective_from.replace(day=1))
    if to_toml(current[0]) == to_toml(scheme) and current[1]["effective_from"] == effective_from.replace(day=1):
        raise UsageError("方案没有变化，未保存新版本", "the scheme is unchanged; no version saved")
    return _insert(con, sid, scheme, effective_from.replace(day=1), author, source, note.strip()[:500])


def ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Scheme ids known to the store, the default first."""
    found = [r[0] for r in con.execute("SELECT DISTINCT scheme FROM assessment_schemes").fetchall()]
    return sorted(found, key=lambda s: (s != "default", s))


def in_force(con: duckdb.DuckDBPyConnection, sid: str, start: dt.date) -> tuple[Scheme, dict]:
    """The scheme version in force for a period starting on start, with its version record."""
    rows = con.execute(
        "SELECT version, effective_from, saved_at, author, source, note, toml FROM assessment_schemes "
        "WHERE scheme = ? AND effective_from <= ? ORDER BY version DESC LIMIT 1",
        [sid, start]).fetchall()
    if not rows:
        rows = con.execute(
            "SELECT version, effective_from, saved_at, author, source, note, toml FROM assessment_schemes "
            "WHERE scheme = ? ORDER BY effective_from, version LIMIT 1", [sid]).fetchall()
    if not rows:
        raise UsageError(f"未知考核方案 {sid}", f"unknown scheme {sid}; known: {', '.join(ids(con)) or 'none'}")
    version, effective, saved, author, source, note, text = rows[0]
    record = {"scheme": sid, "version": version, "effective_from": effective, "saved_at": saved,
              "author": author, "source": source, "note": note}
    return parse(text, f"考核方案 {sid} 第 {version} 版"), record


def history(con: duckdb.DuckDBPyConnection, sid: str) -> pd.DataFrame:
    """Every version of a scheme, newest first, with what changed against the version before."""
    frame = con.execute(
        "SELECT version, effective_from, saved_at, author, source, note, toml FROM assessment_schemes "
        "WHERE scheme = ? ORDER BY version DESC", [sid]).df()
    import pandas as pd  # only the history needs it; the import command does not load pandas
    frame["effective_from"] = pd.to_datetime(frame["effective_from"]).dt.date
    changes = []
    texts = dict(zip(frame["version"], frame["toml"]))
    for version in frame["version"]:
        before = texts.get(version - 1)
        changes.append(describe_change(parse(before) if before else None, parse(texts[version])))
    frame["changes"] = changes
    return frame


def describe_change(old: Scheme | None, new: Scheme) -> str:
    """What differs between two versions, in a short Chinese line."""
    if old is None:
        return "初始版本"
    parts = []
    for key in ("name", "period", "levels", "min_base", "min_weight", "base_points", "rank_on", "interval", "top_n",
                "bottom_n", "alert_periods"):
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            parts.append(f"{key}: {_show(a)} → {_show(b)}")
    before = {i.metric: i for i in old.indicators}
    after = {i.metric: i for i in new.indicators}
    for metric in after.keys() - before.keys():
        parts.append(f"新增 {after[metric].name()}（权重 {after[metric].weight:g}）")
    for metric in before.keys() - after.keys():
        parts.append(f"删除 {before[metric].name()}")
    for metric in before.keys() & after.keys():
        for key in ("weight", "scoring", "base", "challenge", "floor", "red_line", "label"):
            a, b = getattr(before[metric], key), getattr(after[metric], key)
            if a != b:
                parts.append(f"{after[metric].name()} {key}: {_show(a)} → {_show(b)}")
    return "；".join(sorted(parts)) or "无内容变化"


def _show(value: object) -> str:
    """A value for a change line."""
    if value is None:
        return "无"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return "/".join(value)
    return str(value)
