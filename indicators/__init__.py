"""Domain of the Green Target Monitor: catalogue, progress engine, store (no Streamlit)."""
