"""The briefing's tables as an Excel workbook: one sheet per table, the text as a first sheet."""
from __future__ import annotations

import io

import pandas as pd

from ..export import neutralise, unique_sheet_title
from .content import Briefing, Chart, Table


def render(briefing: Briefing) -> bytes:
    """The briefing as .xlsx bytes: 通报 (the text), then one sheet per table with a unique safe name."""
    text = [briefing.title + briefing.subtitle, briefing.scheme_line, ""]
    tables: list[Table] = []
    for part in briefing.sections:
        text.append(part.heading)
        for block in part.blocks:
            if isinstance(block, Table):
                tables.append(block)
                text.append(f"（见工作表：{block.title}）")
            elif not isinstance(block, Chart):
                text.append(str(block))
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        neutralise(pd.DataFrame({"通报": text})).to_excel(writer, index=False,
                                                          sheet_name=unique_sheet_title("通报", used))
        for table in tables:
            frame = pd.DataFrame(table.rows, columns=table.columns)
            neutralise(frame).to_excel(writer, index=False, sheet_name=unique_sheet_title(table.title, used))
        for sheet in writer.sheets.values():
            for column in sheet.columns:
                width = max(len(str(c.value or "")) for c in column)
                sheet.column_dimensions[column[0].column_letter].width = min(60, max(8, width * 1.6))
    return buffer.getvalue()

