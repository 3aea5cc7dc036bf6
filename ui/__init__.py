"""Streamlit-side helpers shared by app.py and the pages: texts, cached queries, common elements."""
