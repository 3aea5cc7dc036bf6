"""The read guards: each container checked, and every sheet's area bounded, before python-calamine sees the bytes.

One module per container: `zip` (xlsx, xlsm and ods archives: which kind, zip bombs, members read in chunks and
as safe XML), `xlsx` and `ods` (sheet bounds inside those archives), `ole2` (.xls compound files and their BIFF
records). Each guard returns the limits.Extents the reader checks before it lets calamine allocate a sheet.
"""
