"""Errors of the tills context (problem+json ``type`` slugs are stable)."""

from __future__ import annotations

from brigade.infra.errors import Conflict, InvalidInput


class TillNameTaken(Conflict):
    """Another till of the restaurant has this name (extension ``name``)."""

    type = "till-name-taken"
    title = "A till of this name exists"


class ShiftAlreadyOpen(Conflict):
    """The till has an open shift already (extension ``shift_id`` when known)."""

    type = "shift-already-open"
    title = "The till has an open shift"


class ShiftClosed(Conflict):
    """The shift is closed: its figures are final and it takes no more writes."""

    type = "shift-closed"
    title = "The shift is closed"


class DayClosed(Conflict):
    """A shift may not be opened on a business day whose Z report is taken (extension
    ``number``)."""

    type = "day-closed"
    title = "The business day is closed"


class TillNotOpen(Conflict):
    """A payment named a till that has no open shift to take it."""

    type = "till-not-open"
    title = "The till has no open shift"


class TillRequired(InvalidInput):
    """A cash payment named no till and its cashier has several open shifts: which
    drawer the cash went into must be said (``till_id``)."""

    type = "till-required"
    title = "Name the till of this cash payment"


class DayNotClosable(Conflict):
    """The Z report is refused while checks or shifts are open or card tips are left to
    adjust. Extensions: ``open_checks`` (``[{"check_id", "order_id", "table_id",
    "table_name"}]``), ``open_shifts`` (``[{"shift_id", "till_id", "till_name"}]``) and
    ``unadjusted_tips`` (``[{"payment_id", "check_id", "order_id"}]``)."""

    type = "day-not-closable"
    title = "The day cannot be closed yet"


class ZReportExists(Conflict):
    """A Z report was taken for this business day already (extension ``number``)."""

    type = "z-report-exists"
    title = "The day is closed already"


class InvalidBusinessDate(InvalidInput):
    """The business date is after the restaurant's local today."""

    type = "invalid-business-date"
    title = "The business date is in the future"


class ZReportInProgress(Conflict):
    """Another Z report took the next number at the same moment; retry."""

    type = "z-report-in-progress"
    title = "Another Z report is being taken"
