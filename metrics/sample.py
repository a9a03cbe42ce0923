"""The bundled sample exports and the order they load in."""
from __future__ import annotations

from pathlib import Path

from .store import PROJECT_ROOT

SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
EXPORT_SUFFIXES = (".csv", ".xlsx")


def sample_files(folder: Path = SAMPLE_DIR) -> list[Path]:
    """Sample export files, the community register first so later rows find their community."""
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() in EXPORT_SUFFIXES)
    return sorted(files, key=lambda p: (not p.name.startswith("communities"), p.name))
