"""Errors of the reporting context."""

from brigade.infra.errors import InvalidInput


class InvalidDateRange(InvalidInput):
    """``end_date`` is before ``start_date``."""

    type = "invalid-date-range"
    title = "The end date is before the start date"
