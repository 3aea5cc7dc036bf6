"""Briefings on one plan × region: gathered once (collect), laid out as a PowerPoint deck (deck), drawn as
PNG images through one export browser (images), and written as files or bytes (files).

Used by `python -m indicators brief` and the pages' export buttons (ui/exports.py); plotly, python-pptx and
kaleido load only when a briefing is made.
"""
