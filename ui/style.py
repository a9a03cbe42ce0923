"""Page styling: a calm look, readable on a 390 px phone, and Streamlit's own English words in Chinese."""
from __future__ import annotations

import streamlit as st

from .i18n import lang

_BASE = """
<style>
/* Headings and captions: the place and period are the title; the page name sits small above it. */
h1 { font-size: 1.9rem !important; line-height: 1.25 !important; padding-bottom: 0.2rem !important; }
[data-testid="stCaptionContainer"] { color: #55606b; }
/* Tables: the downloads are our own buttons, so the hover toolbar (English) is not needed. */
[data-testid="stElementToolbar"] { display: none !important; }
[data-testid="InputInstructions"] { display: none !important; }
/* Plain tables: the first column names the row (a category, a unit): keep it on one line. */
[data-testid="stTableStyledTable"] tr > :first-child,
[data-testid="stTableStyledTable"] tr > :first-child p { white-space: nowrap !important; word-break: keep-all !important; }
/* Breadcrumb: links (st.page_link, taller than text) and the › separators centred on one line. */
.st-key-breadcrumb { align-items: center !important; }
/* A link to the page one is on (the district from a street's district page) is not the current place: no highlight. */
.st-key-breadcrumb a[data-testid="stPageLink-NavLink"]:not(:hover) { background-color: transparent !important; }
.st-key-breadcrumb a[data-testid="stPageLink-NavLink"] p { font-weight: 400 !important; color: #2f6db5; }
/* KPI labels wrap instead of ending in "…" ("Volunteer hours per 1,000 residents"). */
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"],
[data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
@media (max-width: 640px) {
  /* Streamlit's header is fixed and 3.75rem tall: start the page below it so the page name shows. */
  .block-container, [data-testid="stMainBlockContainer"] { padding-left: 0.6rem !important;
                                                           padding-right: 0.6rem !important; padding-top: 4.5rem !important; }
  h1 { font-size: 1.35rem !important; }
  h2, h3 { font-size: 1.1rem !important; }
  [data-testid="stMetricValue"] { font-size: 1.5rem !important; }
  [data-testid="stDataFrame"] { overflow-x: auto; }
}
</style>
"""
# The file uploader's own words, replaced (the widget takes no text for them).
_UPLOADER_ZH = """
<style>
[data-testid="stFileUploaderDropzoneInstructions"] > div > span { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::before { content: "把文件拖到这里"; }
[data-testid="stFileUploaderDropzoneInstructions"] > div > small { display: none; }
[data-testid="stFileUploaderDropzoneInstructions"] > div::after { content: "CSV 或 Excel (.xlsx)，每个文件不超过 200MB";
  display: block; font-size: 0.8rem; color: #6b7785; }
/* The button's word "Upload" sits in its own paragraph with its own size: shrink that too (the icon stays). */
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"],
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"],
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"] p {
  font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]::after {
  content: "选择文件"; font-size: 0.95rem; }
</style>
"""


def apply() -> None:
    """Inject the styles for this run (in the current language)."""
    st.html(_BASE + (_UPLOADER_ZH if lang() == "zh" else ""))
