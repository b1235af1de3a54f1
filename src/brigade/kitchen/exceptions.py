"""Errors of the kitchen context."""

from __future__ import annotations

from typing import Any

from brigade.infra.errors import Conflict


class InvalidTicketTransition(Conflict):
    """A kitchen step that the ticket's (or ticket item's) current status does not allow,
    such as starting a ticket that is already ready, or recalling one that is not bumped.

    The problem body carries ``from_status`` and ``to_status`` besides the ``detail``.
    """

    type = "invalid-ticket-transition"
    title = "This kitchen step is not allowed from the current status"

    def __init__(self, what: str, from_status: str, to_status: str, **extensions: Any) -> None:
        super().__init__(
            f"cannot move {what} from {from_status!r} to {to_status!r}",
            from_status=from_status,
            to_status=to_status,
            **extensions,
        )
