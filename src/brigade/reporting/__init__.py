"""Reporting: sales and product reports in the restaurant's time zone."""
