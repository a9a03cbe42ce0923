"""Detect a text export's encoding and decode it in Python.

DuckDB cannot read GBK/GB18030 without an extension that is not available
offline, so every CSV is decoded here and handed to DuckDB as UTF-8.
"""
from __future__ import annotations

import codecs

from .errors import ImportFailure

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 (BOM)"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (BOM)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (BOM)"),
)


def detect_and_decode(data: bytes, where: str = "") -> tuple[str, str]:
    """Return (text, encoding label): BOM first, then strict UTF-8, else GB18030."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), label
            except UnicodeDecodeError as exc:
                raise _unknown(where, exc) from exc
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:4096]:
        raise ImportFailure("不是 CSV 或 xlsx 文件（含二进制内容）", "not a CSV or xlsx file: binary content", where)
    try:
        return data.decode("gb18030"), "GB18030"
    except UnicodeDecodeError as exc:
        raise _unknown(where, exc) from exc


def _unknown(where: str, exc: UnicodeDecodeError) -> ImportFailure:
    """An ImportFailure naming the byte offset where decoding failed."""
    return ImportFailure(
        f"文件编码无法识别（第 {exc.start} 字节处）",
        f"unknown encoding at byte {exc.start}",
        where,
    )
