"""Governance dashboard core: import exports into DuckDB and compute indicators.

This package never imports streamlit; the pages and the CLI both call it.
"""
