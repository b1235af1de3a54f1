"""What one unit of work holds for its commit: typed state on the session.

A service records events (:func:`brigade.events.outbox.record_many`) and may leave a
write for the commit (:func:`defer`: the ``Idempotency-Key`` answer); the unit of work
(:mod:`brigade.events.unit_of_work`) writes them just before it commits and, after the
commit, hands the numbered events to the bus. They travel between those modules as one
:class:`Pending` object kept in ``session.info`` under the class itself, not as loose
string keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:
    from sqlalchemy.sql.expression import Executable

    from brigade.events.outbox import DomainEvent, NewEvent


@dataclass(slots=True)
class Pending:
    """The state of one unit of work's transaction.

    ``events``: ``(restaurant_id, event, recorded at UTC)`` queued by services, numbered
    at the commit. ``writes``: ``(Core statement, parameters)`` run at the commit, before the
    events are numbered. ``numbered``: the events written to the outbox, waiting to be
    published after the commit.
    """

    events: list[tuple[int, NewEvent, datetime]] = field(default_factory=list)
    writes: list[tuple[Executable, dict[str, Any]]] = field(default_factory=list)
    numbered: list[DomainEvent] = field(default_factory=list)

    def restaurants(self) -> list[int]:
        """The restaurants with queued events, ascending (the order their sequence
        locks are taken in)."""
        return sorted({restaurant_id for restaurant_id, _, _ in self.events})


def pending(session: AsyncSession) -> Pending:
    """The :class:`Pending` state of ``session``'s unit of work (made on first use)."""
    state = session.info.get(Pending)
    if state is None:
        state = session.info[Pending] = Pending()
    return state


def defer(session: AsyncSession, statement: Executable, params: dict[str, Any]) -> None:
    """Run ``statement`` with ``params`` at the commit of ``session``'s unit of work, in
    its transaction, before its events are numbered: for a write whose value is final
    when the service returns (the ``Idempotency-Key`` answer) and whose errors are bugs
    (it runs after the service returned)."""
    pending(session).writes.append((statement, params))
