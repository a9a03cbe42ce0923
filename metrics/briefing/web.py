"""The briefing as one self-contained HTML file: styles inline, charts embedded as data URIs, nothing
fetched from the network; print styles make it the source of the PDF (A4, page numbers at the foot)."""
from __future__ import annotations

import base64
import html

from . import charts
from .content import Briefing, Chart, Table

FONTS_BODY = '"FangSong", "仿宋", "STFangsong", "Noto Serif CJK SC", "Source Han Serif SC", serif'
FONTS_HEAD = '"SimHei", "黑体", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
STYLE = f"""
@page {{ size: A4; margin: 30mm 24mm 28mm 26mm;
  @bottom-center {{ content: "— " counter(page) " —"; font-family: {FONTS_BODY}; font-size: 10pt; }} }}
body {{ font-family: {FONTS_BODY}; font-size: 15px; line-height: 1.75; color: #1f2329; max-width: 820px;
  margin: 24px auto; padding: 0 16px; }}
h1 {{ font-family: {FONTS_HEAD}; font-size: 26px; text-align: center; margin: 8px 0 4px; letter-spacing: 1px; }}
.sub, .date {{ text-align: center; margin: 0; }}
.date {{ color: #555; margin-bottom: 18px; }}
h2 {{ font-family: {FONTS_HEAD}; font-size: 18px; margin: 22px 0 6px; }}
p {{ text-indent: 2em; margin: 4px 0; text-align: justify; }}
table {{ border-collapse: collapse; width: 100%; margin: 6px 0 2px; font-size: 12.5px; line-height: 1.45;
  font-family: {FONTS_HEAD}; }}
caption {{ font-family: {FONTS_HEAD}; font-weight: bold; padding: 6px; font-size: 14px; }}
th, td {{ border: 1px solid #9aa4ae; padding: 4px 6px; text-align: center; vertical-align: middle; }}
th {{ background: #e7ebf0; white-space: nowrap; }}
td {{ white-space: nowrap; }} td.long {{ text-align: left; white-space: normal; }}
table.keep {{ break-inside: avoid; }}
tr.red td {{ background: #dce8f5; }} tr.black td {{ background: #f8d7d5; }}
thead {{ display: table-header-group; }} tr {{ page-break-inside: avoid; }}
.note {{ font-size: 12px; color: #555; text-indent: 0; margin-bottom: 12px; }}
figure {{ text-align: center; margin: 10px 0; page-break-inside: avoid; }} figure img {{ max-width: 100%; }}
.foot {{ font-size: 12px; color: #555; text-indent: 0; border-top: 1px solid #ccc; padding-top: 6px; margin-top: 24px; }}
"""


def _table(table: Table) -> str:
    """A table with a caption, header and shaded 红榜/黑榜 rows."""
    head = "".join(f"<th>{html.escape(c)}</th>" for c in table.columns)
    body = []
    for i, row in enumerate(table.rows):
        cells = "".join(f'<td class="long">{html.escape(str(v))}</td>' if len(str(v)) > 14 else
                        f"<td>{html.escape(str(v))}</td>" for v in row)
        mark = table.marks.get(i)
        body.append(f'<tr class="{mark}">{cells}</tr>' if mark else f"<tr>{cells}</tr>")
    note = f'<p class="note">{html.escape(table.note)}</p>' if table.note else ""
    keep = ' class="keep"' if len(table.rows) <= 12 else ""
    return (f"<table{keep}><caption>{html.escape(table.title)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>{note}")


def _chart(chart: Chart) -> str:
    """A chart as an embedded PNG, or a line saying why it is missing."""
    image = charts.png(chart)
    if image is None:
        return f'<p class="note">（图：{html.escape(chart.title)}。本机没有中文字体，图从略。）</p>'
    data = base64.b64encode(image).decode("ascii")
    return f'<figure><img alt="{html.escape(chart.title)}" src="data:image/png;base64,{data}"></figure>'


def render(briefing: Briefing) -> bytes:
    """The briefing as UTF-8 HTML bytes."""
    out = [f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">'
           f"<title>{html.escape(briefing.title + briefing.subtitle)}</title><style>{STYLE}</style></head><body>",
           f"<h1>{html.escape(briefing.title)}</h1><p class=\"sub\">{html.escape(briefing.subtitle)}</p>",
           f'<p class="date">{briefing.issued.year}年{briefing.issued.month}月{briefing.issued.day}日</p>']
    for part in briefing.sections:
        out.append(f"<h2>{html.escape(part.heading)}</h2>")
        for block in part.blocks:
            if isinstance(block, Table):
                out.append(_table(block))
            elif isinstance(block, Chart):
                out.append(_chart(block))
            else:
                out.append(f"<p>{html.escape(str(block))}</p>")
    through = briefing.period.through.isoformat() if briefing.period.through else "—"
    out.append(f'<p class="foot">{html.escape(briefing.scheme_line)}。数据截至 {through}；本通报由治理绩效看板按模板生成。</p>')
    out.append("</body></html>")
    return "".join(out).encode("utf-8")
