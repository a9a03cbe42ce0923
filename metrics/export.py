"""Table downloads: CSV as UTF-8 with BOM and .xlsx, with formula-like cells neutralised.

A text cell is made inert in two steps: control characters (CR, LF, tab, NUL ...) and Unicode line or
paragraph separators become spaces, so no cell can split a CSV record or carry bytes a workbook refuses; then a
cell whose first non-blank character starts a formula (= + - @) gets a leading apostrophe.
"""
from __future__ import annotations

import io
import unicodedata

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@")
# Excel refuses these sheet names (any letter case).
RESERVED_SHEETS = ("history",)


def inert(value: object) -> object:
    """A text value with control characters as spaces and a formula start neutralised; others unchanged."""
    if not isinstance(value, str):
        return value
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch for ch in value)
    return "'" + text if text.lstrip().startswith(FORMULA_STARTS) else text


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that could run as formulas or break a record made inert (see inert); numbers stay numbers."""
    out = frame.copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.CategoricalDtype):
            out[col] = out[col].astype(object)
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(inert)
    out.columns = [inert(c) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV that Excel opens correctly: UTF-8 with BOM, one line per record."""
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


def sheet_title(name: object) -> str:
    """A name Excel accepts for a sheet: no / \\ : * ? [ ], no control characters, neither starting nor ending
    with an apostrophe, not a reserved name, at most 31 characters."""
    cleaned = "".join(" " if ch in '/\\:*?[]' or not ch.isprintable() else ch for ch in str(name))
    cleaned = cleaned.strip(" '")[:31].strip(" '") or "data"
    return cleaned + "_" if cleaned.lower() in RESERVED_SHEETS else cleaned


def unique_sheet_title(name: object, used: set[str]) -> str:
    """sheet_title(name), numbered when a sheet of that name (in any letter case) is already in used; the
    result is added to used."""
    base = sheet_title(name)
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)].rstrip(" '") + suffix
        n += 1
    used.add(candidate.lower())
    return candidate


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """An .xlsx workbook with the frame on one sheet."""
    buffer = io.BytesIO()
    safe = neutralise(frame)
    for col in safe.columns:
        if isinstance(safe[col].dtype, pd.Float64Dtype):
            safe[col] = safe[col].astype("float64")
        elif isinstance(safe[col].dtype, pd.Int64Dtype):
            safe[col] = safe[col].astype("object").where(safe[col].notna(), None)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe.to_excel(writer, index=False, sheet_name=sheet_title(sheet))
    return buffer.getvalue()
