"""Servers the benchmark starts next to Brigade (the raw-SQL baseline)."""
