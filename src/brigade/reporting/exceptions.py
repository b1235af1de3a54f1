"""Errors of the reporting context (the date range's is the orders context's)."""

from brigade.orders.exceptions import InvalidDateRange

__all__ = ["InvalidDateRange"]
