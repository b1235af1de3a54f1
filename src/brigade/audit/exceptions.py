"""Errors of the audit trail."""

from brigade.infra.errors import InvalidInput


class InvalidDateRange(InvalidInput):
    """``start_date`` after ``end_date``."""

    type = "invalid-date-range"
    title = "The start date is after the end date"
