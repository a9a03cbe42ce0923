"""Named mapping profiles: JSON files in a `profiles` folder beside the store."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import duckdb

from .errors import UsageError
from .mapping import Mapping, load_profile
from .reader import read_export

# Characters that would make a name a path or an invalid file name on some system.
FORBIDDEN = set('/\\:*?"<>|')
MAX_NAME = 64


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


def save_profile(folder: Path, name: str, mapping: Mapping) -> Path:
    """Write mapping as folder/<name>.json (replacing a profile of that name) and return the path."""
    path = folder / f"{check_name(name)}.json"
    folder.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.part")
    tmp.write_text(mapping.to_json(), encoding="utf-8")
    tmp.replace(path)
    return path


def load_named(folder: Path, name: str) -> Mapping:
    """The Mapping saved in folder under name."""
    return load_profile(folder / f"{check_name(name)}.json")


def duplicate_targets(columns: dict[str, str]) -> list[str]:
    """Canonical columns that more than one source header is mapped to."""
    counts = Counter(c for c in columns.values() if c)
    return sorted(c for c, n in counts.items() if n > 1)


def file_headers(con: duckdb.DuckDBPyConnection, data: bytes, file_name: str, mapping: Mapping,
                 table: str | None) -> list[str]:
    """The export's header cells as the importer reads them (ImportFailure when unreadable)."""
    return read_export(con, data, file_name, mapping.known_headers(table)).headers
