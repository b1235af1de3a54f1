"""Errors of the orders context (problem+json ``type`` slugs are stable)."""

from __future__ import annotations

from brigade.infra.errors import Conflict, InvalidInput, PermissionDenied


class InvalidDateRange(InvalidInput):
    """``end_date`` is before ``start_date`` (an order list's or a report's range)."""

    type = "invalid-date-range"
    title = "The end date is before the start date"


class NoSignedInWaiter(InvalidInput):
    """``waiter=me`` from a caller that is not a user (a restaurant API token)."""

    type = "no-signed-in-waiter"
    title = "waiter=me needs a signed-in user"


class OrderClosed(Conflict):
    """The order is closed (its check was paid) or cancelled; it takes no more writes."""

    type = "order-closed"
    title = "The order is closed"


class NothingToFire(Conflict):
    """Send or fire found no pending line to send to the kitchen."""

    type = "nothing-to-fire"
    title = "There is nothing to fire"


class ItemAlreadyVoided(Conflict):
    """The line was voided already."""

    type = "item-already-voided"
    title = "The line is already voided"


class NothingToServe(Conflict):
    """Serve found no ``ready`` line to mark served."""

    type = "nothing-to-serve"
    title = "There is nothing ready to serve"


class ItemNotReady(Conflict):
    """A line chosen to be served is not ``ready`` (still in the kitchen, pending,
    served already or voided); extension ``item_ids`` lists them."""

    type = "item-not-ready"
    title = "The line is not ready"


class OrderAlreadyFired(Conflict):
    """The order cannot be cancelled: a line was fired to the kitchen already
    (extension ``item_ids``); void its lines and settle it instead."""

    type = "order-already-fired"
    title = "The order has lines fired to the kitchen"


class OrderHasCheck(Conflict):
    """The order cannot be cancelled: a check was opened for it (extension
    ``check_id``)."""

    type = "order-has-check"
    title = "The order has a check"


class CannotMergeOrder(Conflict):
    """The orders cannot be merged (an order into itself)."""

    type = "cannot-merge-order"
    title = "The orders cannot be merged"


class VoidApprovalRequired(PermissionDenied):
    """The line is being prepared, ready or served: its void needs a manager (the
    caller's ``billing:approve`` or a manager's ``approval``); extension ``line_status``
    (the line's status; not ``status``, which problem details keep for the HTTP code)."""

    type = "void-approval-required"
    title = "Voiding this line needs a manager's approval"


class UnknownVoidReason(InvalidInput):
    """The reason is none of the restaurant's ``void_reasons`` (extension
    ``void_reasons`` lists them)."""

    type = "unknown-void-reason"
    title = "Pick one of the restaurant's void reasons"


class EarlierCourseNotReady(Conflict):
    """A course was fired while an earlier course of the order is not ready yet (still
    held, fired or being prepared); the request may confirm it (``confirm: true``).

    Extensions: ``course`` (the course asked for), ``earlier_course`` (the first course
    before it that is not ready), ``earlier_state`` (``held``, ``fired`` or
    ``preparing``: the least advanced of its lines) and ``item_ids`` (its lines not
    ready)."""

    type = "earlier-course-not-ready"
    title = "An earlier course is not ready"
