"""Column mappings: recognised headers, explicit --map pairs and saved JSON profiles."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ImportFailure, UsageError
from .reader import normalise_header
from .schema import TABLES, Table


# A mapping target that means "do not import this column" (e.g. --map "备注=").
SKIP = ("", "-")


@dataclass
class Mapping:
    """An explicit mapping: source header -> canonical column, plus value maps per column."""

    table: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)

    def known_headers(self, table: str | None) -> set[str]:
        """Folded header texts that mark a header row: synonyms of the table(s) and mapped sources."""
        tables = [TABLES[table]] if table in TABLES else list(TABLES.values())
        known = {normalise_header(s) for t in tables for c in t.columns for s in (*c.synonyms, c.name)}
        return known | {normalise_header(s) for s in self.columns}

    def merged(self, other: "Mapping") -> "Mapping":
        """This mapping with other's entries added on top."""
        values = {k: dict(v) for k, v in self.values.items()}
        for col, vmap in other.values.items():
            values.setdefault(col, {}).update(vmap)
        return Mapping(other.table or self.table, {**self.columns, **other.columns}, values)

    def to_json(self) -> str:
        """The mapping as a profile file's text."""
        return json.dumps({"table": self.table, "columns": self.columns, "values": self.values},
                          ensure_ascii=False, indent=2)


def parse_pairs(pairs: list[str]) -> Mapping:
    """Mapping from --map "Source Header=canonical" pairs."""
    columns = {}
    for pair in pairs:
        src, sep, dst = pair.rpartition("=")
        if not sep or not src.strip():
            raise UsageError(f"--map 格式应为 源列名=目标列: {pair}", f"--map expects SOURCE=COLUMN: {pair}")
        columns[src.strip()] = dst.strip()
    return Mapping(columns=columns)


def parse_value_pairs(pairs: list[str]) -> Mapping:
    """Mapping from --value "column:source word=canonical word" pairs."""
    values: dict[str, dict[str, str]] = {}
    for pair in pairs:
        col, sep1, rest = pair.partition(":")
        src, sep2, dst = rest.rpartition("=")
        if not sep1 or not sep2 or not col.strip() or not src.strip():
            raise UsageError(f"--value 格式应为 列:原值=标准值: {pair}", f"--value expects COLUMN:WORD=VALUE: {pair}")
        values.setdefault(col.strip(), {})[src.strip()] = dst.strip()
    return Mapping(values=values)


def load_profile(path: str | Path) -> Mapping:
    """Mapping from a saved JSON profile {"table", "columns", "values"}."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError("映射文件不存在", "mapping file not found", str(path)) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError("映射文件不是有效的 JSON", f"mapping file is not valid JSON: {exc}", str(path)) from exc
    if not isinstance(data, dict) or not isinstance(data.get("columns", {}), dict):
        raise UsageError("映射文件格式不对", 'mapping file must be {"table":..., "columns": {...}}', str(path))
    return Mapping(data.get("table"), dict(data.get("columns", {})),
                   {k: dict(v) for k, v in (data.get("values") or {}).items()})


def _auto_map(headers: list[str], table: Table, explicit: dict[str, str]) -> dict[str, int]:
    """Canonical column -> header index: explicit pairs first, then recognised synonyms."""
    folded = [normalise_header(h) for h in headers]
    result: dict[str, int] = {}
    skipped: set[int] = set()
    for src, dst in explicit.items():
        if normalise_header(src) in folded:
            index = folded.index(normalise_header(src))
            if dst in SKIP:
                skipped.add(index)
            else:
                result[dst] = index
    taken = set(result.values()) | skipped
    for col in table.columns:
        if col.name in result:
            continue
        for synonym in (col.name, *col.synonyms):
            key = normalise_header(synonym)
            hits = [i for i, f in enumerate(folded) if f == key and i not in taken]
            if hits:
                result[col.name] = hits[0]
                taken.add(hits[0])
                break
    return result


def _missing_required(table: Table, colmap: dict[str, int]) -> list[str]:
    """Required columns of table that colmap does not provide."""
    return [c.name for c in table.columns if c.required and c.name not in colmap]


def resolve_mapping(headers: list[str], table: str | None, mapping: Mapping,
                    file_name: str) -> tuple[Table, dict[str, int]]:
    """Pick the table (given, or detected from headers) and map its columns to header indexes."""
    folded = {normalise_header(h) for h in headers}
    for src, dst in mapping.columns.items():
        if normalise_header(src) not in folded:
            raise ImportFailure(f"映射中的列“{src}”在文件中不存在", f"mapped column '{src}' not in file",
                                file_name)
    if table is not None:
        tbl = TABLES[table]
        _check_targets(tbl, mapping)
        colmap = _auto_map(headers, tbl, mapping.columns)
        missing = _missing_required(tbl, colmap)
        if missing:
            names = "、".join(f"{tbl.column(m).zh}" for m in missing)
            raise ImportFailure(f"缺少必需列：{names}", f"required column missing: {', '.join(missing)}",
                                file_name)
        return tbl, colmap
    candidates = []
    for tbl in TABLES.values():
        if any(dst not in tbl.names and dst not in SKIP for dst in mapping.columns.values()):
            continue
        colmap = _auto_map(headers, tbl, mapping.columns)
        if not _missing_required(tbl, colmap):
            candidates.append((len(colmap), tbl, colmap))
    candidates.sort(key=lambda c: -c[0])
    if not candidates or (len(candidates) > 1 and candidates[0][0] == candidates[1][0]):
        raise ImportFailure("无法判断文件属于哪张表，请用 --table 指定",
                            "cannot tell which table this file is for; use --table", file_name)
    return candidates[0][1], candidates[0][2]


def _check_targets(tbl: Table, mapping: Mapping) -> None:
    """Every mapped target and value-map column must be a column of tbl."""
    for dst in [d for d in mapping.columns.values() if d not in SKIP] + list(mapping.values):
        if dst not in tbl.names:
            raise UsageError(f"表 {tbl.name} 没有列 {dst}",
                             f"table {tbl.name} has no column {dst}; columns: {', '.join(tbl.names)}")
