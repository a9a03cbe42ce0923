"""The briefing (通报): content built from the numbers, rendered as Word, HTML, PDF or Excel."""
from __future__ import annotations

from typing import Callable

from .content import Briefing, build, latest_period

FORMATS = ("docx", "pdf", "html", "xlsx")
MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf", "html": "text/html",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def renderer(fmt: str) -> Callable[[Briefing], bytes]:
    """The function that writes a briefing in a format."""
    if fmt == "docx":
        from .word import render
    elif fmt == "pdf":
        from .pdf import render
    elif fmt == "html":
        from .web import render
    elif fmt == "xlsx":
        from .workbook import render
    else:
        raise ValueError(fmt)
    return render


def file_name(briefing: Briefing, fmt: str) -> str:
    """'荔城区-2026-10-通报.docx': the area, the period and the format."""
    p = briefing.period
    label = p.start.strftime("%Y-%m") if p.kind == "month" else f"{p.start.year}-Q{(p.start.month - 1) // 3 + 1}"
    safe = "".join(ch for ch in briefing.area if ch.isalnum() or ch in "-_") or "briefing"
    return f"{safe}-{label}-通报.{fmt}"


__all__ = ["Briefing", "FORMATS", "MEDIA_TYPES", "build", "file_name", "latest_period", "renderer"]
