"""Streamlit helpers shared by the pages: state, controls, charts, formatting, downloads."""
