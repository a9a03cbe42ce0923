"""Formatting, KPI cards, tables with downloads."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from metrics.export import csv_bytes, xlsx_bytes
from metrics.query import GROUP_LABELS
from metrics.registry import REGISTRY

from .i18n import label, lang, t


_MARKDOWN_SPECIAL = "\\`*_{}[]()<>#+-.!|~"


def plain(text: object) -> str:
    """Data text made safe for Markdown elements: every formatting character escaped."""
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in str(text))


def _missing(value: object) -> bool:
    """True for None, NaN and pandas NA."""
    return value is None or bool(pd.isna(value))


def fmt(metric_id: str, value: object) -> str:
    """A metric value as text in its unit: 95.3%, 2.1 天, 1,234."""
    if _missing(value):
        return "—"
    unit = REGISTRY[metric_id].unit
    if unit == "ratio":
        return f"{float(value):.1%}"
    if unit == "days":
        return f"{float(value):.1f} {'天' if lang() == 'zh' else 'd'}"
    if unit == "count":
        return f"{int(value):,}"
    return f"{float(value):,.1f}"


def fmt_count(value: object) -> str:
    """A whole number with thousands separators, or — when missing."""
    return "—" if _missing(value) else f"{int(value):,}"


def fmt_rank(rank: object, peers: object) -> str:
    """'3 / 12', or — when the unit is not ranked."""
    return "—" if _missing(rank) else f"{int(rank)} / {int(peers)}"


def fmt_change(metric_id: str, change: object) -> str | None:
    """A change as text: percentage points for rates, signed numbers otherwise."""
    if _missing(change):
        return None
    unit = REGISTRY[metric_id].unit
    if unit == "ratio":
        return f"{float(change) * 100:+.1f} {'个百分点' if lang() == 'zh' else 'pp'}"
    if unit == "count":
        return f"{int(round(float(change))):+,}"
    return f"{float(change):+,.1f}"


def delta_colour(metric_id: str) -> str:
    """st.metric delta colour from the indicator's direction."""
    return {"higher": "normal", "lower": "inverse"}.get(REGISTRY[metric_id].direction, "off")


def kpi_cards(frame: pd.DataFrame, per_row: int = 4) -> None:
    """One st.metric per row of a views.kpis frame, with 环比 as delta and 同比 beneath."""
    records = frame.to_dict("records")
    for start in range(0, len(records), per_row):
        cols = st.columns(per_row)
        for col, rec in zip(cols, records[start:start + per_row]):
            mid = rec["id"]
            yoy = fmt_change(mid, rec["yoy_change"])
            with col:
                st.metric(label(rec["zh"], rec["en"]), fmt(mid, rec["value"]),
                          delta=fmt_change(mid, rec["change"]), delta_color=delta_colour(mid),
                          help=label(REGISTRY[mid].desc_zh, REGISTRY[mid].desc_en), border=True)
                st.caption(f"{t('vs_prev')} {fmt_change(mid, rec['change']) or '—'} · "
                           f"{t('vs_year')} {yoy or '—'}")


def display_frame(frame: pd.DataFrame, metrics: list[str]) -> pd.DataFrame:
    """A copy with metric values formatted for reading (numbers stay in downloads)."""
    out = frame.copy()
    if "rank" in out.columns:
        out["rank"] = ["—" if _missing(r) else str(int(r)) for r in out["rank"]]
    for mid in metrics:
        if mid in out.columns:
            out[mid] = [fmt(mid, v) for v in out[mid]]
        if f"{mid}__change" in out.columns:
            out[f"{mid}__change"] = [fmt_change(mid, v) or "—" for v in out[f"{mid}__change"]]
    return out


def rename_for_display(frame: pd.DataFrame) -> pd.DataFrame:
    """Column headers in the current language (metric ids become their labels)."""
    names = {}
    for col in frame.columns:
        mid, _, suffix = col.partition("__")
        if mid in REGISTRY:
            base = label(REGISTRY[mid].zh, REGISTRY[mid].en)
            names[col] = base if not suffix else f"{base}·{t({'num': 'numerator', 'den': 'denominator', 'change': 'change', 'base': 'vs_prev', 'change_rel': 'change'}.get(suffix, 'value'))}"
        elif col in ("district", "street", "community", "brand", "rank"):
            names[col] = t(col)
        elif col in GROUP_LABELS:
            names[col] = label(*GROUP_LABELS[col])
    return frame.rename(columns=names)


def table(frame: pd.DataFrame, metrics: list[str], name: str, height: int | None = None) -> None:
    """A readable table with CSV (UTF-8 BOM) and Excel downloads of the raw numbers."""
    shown = rename_for_display(display_frame(frame, metrics))
    st.dataframe(shown, hide_index=True, width="stretch", height=height or "auto")
    downloads(rename_for_display(frame), name)


def downloads(raw: pd.DataFrame, name: str) -> None:
    """CSV (UTF-8 with BOM) and Excel download buttons for a table's raw values."""
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button(t("download_csv"), csv_bytes(raw), f"{name}.csv", "text/csv", key=f"csv_{name}")
    c2.download_button(t("download_xlsx"), xlsx_bytes(raw, name), f"{name}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"xlsx_{name}")


def metric_picker(title: str, options: list[str], key: str, default: str | None = None, where=st) -> str:
    """A selectbox of indicators shown by label, kept in the URL."""
    from .state import page_choice
    return page_choice(title, options, key, default,
                       format_func=lambda m: label(REGISTRY[m].zh, REGISTRY[m].en), where=where)
