"""Import options: what the user says about a file (table, column map, value words, constants, date order,
sheet), from command-line pairs or a saved JSON profile; and named profiles kept beside the store."""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError
from ..schema import TABLES

# A mapping target that means "do not import this column" (e.g. --map "备注=").
SKIP = ("", "-")
DATE_ORDERS = {"dmy": ("日/月/年", "day/month/year"), "mdy": ("月/日/年", "month/day/year"),
               "ymd": ("年/月/日", "year/month/day")}
PROFILE_KEYS = ("table", "columns", "values", "set", "date_order", "sheet")
# Characters that would make a profile name a path or an invalid file name on some system.
FORBIDDEN = set('/\\:*?"<>|')
MAX_NAME = 64


@dataclass
class ImportOptions:
    """Everything the user may say about one import; empty means "recognise it"."""

    table: str | None = None
    columns: dict[str, str] = field(default_factory=dict)          # source header -> canonical column ('' = skip)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column -> {source word: canonical word}
    set_values: dict[str, str] = field(default_factory=dict)         # column -> constant for rows without one
    date_order: str | None = None                                     # dmy | mdy | ymd, for ambiguous dates
    sheet: str | None = None                                          # xlsx sheet name or 1-based number
    strict: bool = False

    def merged(self, other: "ImportOptions") -> "ImportOptions":
        """These options with other's entries on top."""
        values = {k: dict(v) for k, v in self.values.items()}
        for col, words in other.values.items():
            values.setdefault(col, {}).update(words)
        return ImportOptions(other.table or self.table, {**self.columns, **other.columns}, values,
                             {**self.set_values, **other.set_values}, other.date_order or self.date_order,
                             other.sheet or self.sheet, self.strict or other.strict)

    def signature(self) -> str:
        """A stable text of the options that change what an import loads (for spotting re-imports)."""
        return json.dumps({"table": self.table, "columns": self.columns, "values": self.values,
                           "set": self.set_values, "date_order": self.date_order, "sheet": self.sheet},
                          ensure_ascii=False, sort_keys=True)

    def to_json(self) -> str:
        """The options as a profile file's text."""
        return json.dumps({"table": self.table, "columns": self.columns, "values": self.values,
                           "set": self.set_values, "date_order": self.date_order, "sheet": self.sheet},
                          ensure_ascii=False, indent=2)

    def check(self) -> None:
        """UsageError when a table, column, date order or constant is unknown."""
        if self.table is not None and self.table not in TABLES:
            raise UsageError(f"未知的表 {self.table}", f"unknown table {self.table}; one of {', '.join(TABLES)}")
        if self.date_order is not None and self.date_order not in DATE_ORDERS:
            raise UsageError(f"日期顺序应为 {'/'.join(DATE_ORDERS)}: {self.date_order}",
                             f"date order must be one of {', '.join(DATE_ORDERS)}: {self.date_order}")
        known = {c for t in TABLES.values() for c in t.names}
        for col in list(self.set_values):
            if col not in known:
                raise UsageError(f"--set 的列 {col} 不存在", f"--set names an unknown column {col}")


def parse_pairs(pairs: list[str]) -> ImportOptions:
    """Options from --map "Source Header=canonical" pairs."""
    columns = {}
    for pair in pairs:
        src, sep, dst = pair.rpartition("=")
        if not sep or not src.strip():
            raise UsageError(f"--map 格式应为 源列名=目标列: {pair}", f"--map expects SOURCE=COLUMN: {pair}")
        columns[src.strip()] = dst.strip()
    return ImportOptions(columns=columns)


def parse_value_pairs(pairs: list[str]) -> ImportOptions:
    """Options from --value "column:source word=canonical word" pairs."""
    values: dict[str, dict[str, str]] = {}
    for pair in pairs:
        col, sep1, rest = pair.partition(":")
        src, sep2, dst = rest.rpartition("=")
        if not sep1 or not sep2 or not col.strip() or not src.strip():
            raise UsageError(f"--value 格式应为 列:原值=标准值: {pair}", f"--value expects COLUMN:WORD=VALUE: {pair}")
        values.setdefault(col.strip(), {})[src.strip()] = dst.strip()
    return ImportOptions(values=values)


def parse_set_pairs(pairs: list[str]) -> ImportOptions:
    """Options from --set "column=value" pairs: a constant for rows that have no value of their own."""
    values = {}
    for pair in pairs:
        col, sep, value = pair.partition("=")
        if not sep or not col.strip() or not value.strip():
            raise UsageError(f"--set 格式应为 列=值: {pair}", f"--set expects COLUMN=VALUE: {pair}")
        values[col.strip()] = value.strip()
    return ImportOptions(set_values=values)


def _text_map(data: object, what: str, where: str) -> dict[str, str]:
    """A {text: text} object from a profile, or UsageError."""
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise UsageError(f"映射文件的 {what} 应为 {{文本: 文本}}", f"the profile's {what} must map text to text", where)
    return dict(data)


def options_from_dict(data: object, where: str = "") -> ImportOptions:
    """ImportOptions from a profile's parsed JSON, checking every key and type."""
    if not isinstance(data, dict):
        raise UsageError("映射文件应为一个 JSON 对象", "a profile must be a JSON object", where)
    unknown = sorted(set(data) - set(PROFILE_KEYS))
    if unknown:
        raise UsageError(f"映射文件有未知的键：{', '.join(unknown)}",
                         f"unknown profile keys: {', '.join(unknown)}; allowed: {', '.join(PROFILE_KEYS)}", where)
    for key in ("table", "date_order", "sheet"):
        value = data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (str, int))):
            raise UsageError(f"映射文件的 {key} 应为文本", f"the profile's {key} must be text", where)
    values = data.get("values") or {}
    if not isinstance(values, dict):
        raise UsageError("映射文件的 values 应为 {列: {原值: 标准值}}", "the profile's values must be {column: {word: value}}",
                         where)
    options = ImportOptions(
        table=data.get("table"), columns=_text_map(data.get("columns"), "columns", where),
        values={str(k): _text_map(v, f"values.{k}", where) for k, v in values.items()},
        set_values=_text_map(data.get("set"), "set", where), date_order=data.get("date_order"),
        sheet=None if data.get("sheet") is None else str(data["sheet"]))
    try:
        options.check()
    except UsageError as exc:
        raise UsageError(exc.zh, exc.en, where) from exc
    return options


def load_profile(path: str | Path) -> ImportOptions:
    """Options from a saved JSON profile file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageError("映射文件不存在", "mapping file not found", str(path)) from exc
    except IsADirectoryError as exc:
        raise UsageError("映射文件是一个目录", "mapping file is a directory", str(path)) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError("无法读取映射文件", f"cannot read mapping file: {type(exc).__name__}", str(path)) from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"映射文件不是有效的 JSON（第 {exc.lineno} 行）",
                         f"mapping file is not valid JSON at line {exc.lineno}: {exc.msg}", str(path)) from exc
    return options_from_dict(data, str(path))


def profiles_dir(store_path: str | Path) -> Path:
    """The folder of saved profiles for the store at store_path."""
    return Path(store_path).parent / "profiles"


def check_name(name: str) -> str:
    """The name stripped, or UsageError when it cannot be a profile file name."""
    name = (name or "").strip()
    if not name:
        raise UsageError("请填写方案名称", "give the profile a name")
    if (len(name) > MAX_NAME or name.startswith(".") or any(c in FORBIDDEN for c in name)
            or any(ord(c) < 32 for c in name)):
        raise UsageError(f"方案名称不可用：{name}（不能含 / \\ : * ? \" < > |，不能以 . 开头，最多 {MAX_NAME} 字）",
                         f"unusable profile name: {name} (no / \\ : * ? \" < > |, no leading dot, "
                         f"at most {MAX_NAME} characters)")
    return name


def list_profiles(folder: Path) -> list[str]:
    """Names of the saved profiles in folder, sorted."""
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob("*.json") if p.is_file())


def save_profile(folder: Path, name: str, options: ImportOptions) -> Path:
    """Write options as folder/<name>.json (replacing a profile of that name) and return the path."""
    path = folder / f"{check_name(name)}.json"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.part")
    tmp.write_text(options.to_json(), encoding="utf-8")
    tmp.replace(path)
    return path


def load_named(folder: Path, name: str) -> ImportOptions:
    """The options saved in folder under name."""
    return load_profile(folder / f"{check_name(name)}.json")


def duplicate_targets(columns: dict[str, str]) -> list[str]:
    """Canonical columns that more than one source header is mapped to."""
    counts = Counter(c for c in columns.values() if c)
    return sorted(c for c, n in counts.items() if n > 1)
