"""Importers of public data sets (the pizza place)."""
