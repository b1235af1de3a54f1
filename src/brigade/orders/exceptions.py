"""Errors of the orders context (problem+json ``type`` slugs are stable)."""

from __future__ import annotations

from brigade.errors import Conflict


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
