"""What people see, shared by the pages and the exports: the words (labels), the plotly charts drawn from
plain data (charts) and the figures a target and a plan are shown with (figures).

One room, so a slide, an exported PNG and the dashboard say and draw exactly the same thing; no Streamlit,
no database here.
"""
