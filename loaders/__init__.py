"""Spreadsheet loaders: file → cells (read), cell normalisation, layouts, matching, validation and publishing."""
