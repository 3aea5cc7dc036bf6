"""Plan texts in, candidate targets out: reading a plan's file (reading), finding its targets (extract)."""
