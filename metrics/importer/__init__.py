"""The importer: exports in, canonical tables out.

encoding (bytes → UTF-8), reader (header, body → raw_rows), headers (recognition by meaning), dates (formats
per column), values (cleaning, numbers, words), staging (values and reasons), batches (commit, undo,
history), profiles (import options and saved profiles), pipeline (one import, start to end).
"""
from __future__ import annotations

from .batches import undo
from .pipeline import ImportResult, import_file, safe_import
from .profiles import ImportOptions

__all__ = ["ImportOptions", "ImportResult", "import_file", "safe_import", "undo"]
