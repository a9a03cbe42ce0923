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
@media (max-width: 640px) {
  .block-container, [data-testid="stMainBlockContainer"] { padding-left: 0.6rem !important;
                                                           padding-right: 0.6rem !important; padding-top: 2.4rem !important; }
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
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"] { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button[data-testid="stBaseButton-secondary"]::after {
  content: "选择文件"; font-size: 0.95rem; }
</style>
"""


def apply() -> None:
    """Inject the styles for this run (in the current language)."""
    st.html(_BASE + (_UPLOADER_ZH if lang() == "zh" else ""))
