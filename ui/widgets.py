"""KPI cards, tables with downloads built on demand, pickers."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.export import csv_bytes, xlsx_bytes
from metrics.query import GROUP_LABELS
from metrics.registry import REGISTRY

from . import auth
from . import format as fmt
from .i18n import pair, t

# A table to read (no row to pick) of at most this many rows is a plain table: a page draws it at once, where a
# grid (st.dataframe) costs its script and canvas on every first paint.
PLAIN_ROWS = 30
_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~$"


def plain(text: object) -> str:
    """Data text made safe for Markdown elements: every formatting character escaped, control chars removed."""
    cleaned = "".join(ch if ch.isprintable() else " " for ch in str(text))
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in cleaned)


def file_stem(name: object) -> str:
    """A download's file name without characters file systems refuse (/ \\ : * ? " < > |) or control
    characters; at most 120 characters."""
    cleaned = "".join("_" if ch in '/\\:*?"<>|' or not ch.isprintable() else ch for ch in str(name)).strip(" .")
    return cleaned[:120] or "data"


def delta_colour(metric_id: str, maturing: bool = False) -> str:
    """st.metric delta colour from the indicator's direction; grey while the figure is still maturing."""
    if maturing:
        return "off"
    return {"higher": "normal", "lower": "inverse"}.get(REGISTRY[metric_id].direction, "off")


def kpi_cards(frame: pd.DataFrame, maturing: set[str] = frozenset(), per_row: int = 4) -> None:
    """One card per row of a views.kpis frame: the value, 环比 as delta, 同比 and the parts beneath."""
    records = frame.to_dict("records")
    for start in range(0, len(records), per_row):
        cols = st.columns(per_row)
        for col, rec in zip(cols, records[start:start + per_row]):
            mid = rec["id"]
            m = REGISTRY[mid]
            with col:
                # A per-1,000 figure's unit is in its name; on the card the number stands alone.
                shown = fmt.number(mid, rec["value"]) if m.per_1k else fmt.fmt(mid, rec["value"])
                st.metric(pair((m.zh, m.en)), shown, delta=fmt.change(mid, rec["change"]),
                          delta_color=delta_colour(mid, mid in maturing),
                          help=pair((m.desc_zh, m.desc_en)), border=True)
                lines = [f"{t('vs_prev')} {fmt.change(mid, rec['change']) or '—'} · "
                         f"{t('vs_year')} {fmt.change(mid, rec['yoy_change']) or '—'}"]
                if m.is_ratio and not m.per_1k:
                    lines.append(fmt.parts(mid, rec.get("num"), rec.get("den")))
                st.caption("  \n".join(x for x in lines if x))


def display_frame(frame: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """A copy with values formatted for reading, ratio parts named in words (numbers stay in downloads)."""
    out = frame.copy()
    if "rank" in out.columns:
        out["rank"] = ["—" if fmt.missing(r) else str(int(r)) for r in out["rank"]]
    for mid in metrics:
        if mid in out.columns:
            out[mid] = [fmt.number(mid, v) for v in out[mid]]
        if f"{mid}__change" in out.columns:
            out[f"{mid}__change"] = [fmt.change(mid, v) or "—" for v in out[f"{mid}__change"]]
        for part in ("num", "den"):
            if f"{mid}__{part}" in out.columns:
                out[f"{mid}__{part}"] = [fmt.count(v) if REGISTRY[mid].num_is_count or part == "den" else
                                         ("—" if fmt.missing(v) else f"{float(v):,.1f}") for v in out[f"{mid}__{part}"]]
    return out


def rename_for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Column headers in the current language: labels with units, ratio parts in words (已办结, 应办结)."""
    names = {}
    for col in frame.columns:
        mid, _, tail = col.partition("__")
        if mid in REGISTRY:
            m = REGISTRY[mid]
            if not tail:
                names[col] = fmt.title(mid)
            elif tail in ("num", "den"):
                names[col] = pair(m.num_label if tail == "num" else m.den_label) or pair((m.zh, m.en))
            elif tail == "change":
                names[col] = t("change")
            else:
                names[col] = f"{pair((m.zh, m.en))}·{t('vs_prev')}"
        elif col in ("district", "street", "community", "brand", "rank"):
            names[col] = t(col)
        elif col in GROUP_LABELS:
            names[col] = pair(GROUP_LABELS[col])
    # Two ratios may share a part's words (常住人口): name such columns with their indicator too.
    seen = [names.get(c, c) for c in frame.columns]
    for col in frame.columns:
        mid, _, tail = col.partition("__")
        if tail in ("num", "den") and seen.count(names.get(col, col)) > 1:
            names[col] = f"{pair((REGISTRY[mid].zh, REGISTRY[mid].en))}·{names[col]}"
    return frame.rename(columns=names)


def table(frame: pd.DataFrame, metrics: list[str], name: str, height: int | None = None,
          select: bool = False) -> object:
    """A readable table with CSV and Excel downloads of the raw numbers; select=True lets a row be picked."""
    shown = rename_for_display(display_frame(frame, metrics))
    if select:
        event = st.dataframe(shown, hide_index=True, width="stretch", height=height or "auto", on_select="rerun",
                             selection_mode="single-row", key=f"tbl_{name}")
    else:
        event = plain_table(shown)
    downloads(frame, name)
    return event


def plain_table(shown: pd.DataFrame) -> object:
    """A table only to read: up to PLAIN_ROWS rows as a plain table (drawn at once, scrolls sideways on a phone),
    longer ones as a grid that scrolls within its box. st.table reads every cell and header as Markdown, so text
    goes in through plain()."""
    if len(shown) > PLAIN_ROWS:
        return st.dataframe(shown, hide_index=True, width="stretch")
    return st.table(markdown_safe(shown), hide_index=True)


def markdown_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and headers go through plain(), for st.table (which reads them as Markdown)."""
    safe = frame.map(lambda v: plain(v) if isinstance(v, str) else v)
    safe.columns = [plain(c) for c in frame.columns]
    return safe


def downloads(raw: pd.DataFrame, name: str) -> None:
    """CSV (UTF-8 with BOM) and Excel buttons; the files are built only when a button is pressed."""
    data = rename_for_display(raw)
    stem = file_stem(name)
    record = auth.export_recorder()

    def as_csv() -> bytes:
        record(f"{stem}.csv")
        return csv_bytes(data)

    def as_xlsx() -> bytes:
        record(f"{stem}.xlsx")
        return xlsx_bytes(data, name)

    with st.container(horizontal=True, gap="small"):
        st.download_button(t("download_csv"), as_csv, f"{stem}.csv", "text/csv", key=f"csv_{name}",
                           on_click="ignore", icon=":material/download:")
        st.download_button(t("download_xlsx"), as_xlsx, f"{stem}.xlsx",
                           "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"xlsx_{name}",
                           on_click="ignore", icon=":material/download:")


def metric_picker(title: str, options: list[str], key: str, default: str | None = None, where=st) -> str:
    """A selectbox of indicators shown by label, kept in the URL."""
    from .state import page_choice
    return page_choice(title, options, key, default, format_func=lambda m: pair((REGISTRY[m].zh, REGISTRY[m].en)),
                       where=where)
