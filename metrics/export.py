"""Table downloads: CSV as UTF-8 with BOM and .xlsx, with formula-like cells neutralised."""
from __future__ import annotations

import io

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that Excel would run as formulas get a leading apostrophe; numbers stay numbers."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    out.columns = [("'" + c) if isinstance(c, str) and c.startswith(FORMULA_STARTS) else c for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV that Excel opens correctly: UTF-8 with BOM."""
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")


def sheet_title(name: str) -> str:
    """A name Excel accepts for a sheet: no / \\ : * ? [ ], no control characters, at most 31 characters."""
    cleaned = "".join(" " if ch in '/\\:*?[]' or not ch.isprintable() else ch for ch in str(name)).strip(" '")
    return (cleaned or "data")[:31]


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
