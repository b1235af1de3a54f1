"""What the tables context asks of the orders context, which sits above it.

Deleting a table is refused while an open order sits at it, even one not seated through
:func:`brigade.tables.service.occupy_table` (an imported one). Whether there is one is
the orders context's knowledge: it registers :data:`OpenOrderProbe` at start
(:func:`brigade.wiring.wire`); unregistered, :func:`has_open_order` raises
:class:`HookNotWired` (a server bug, 500) rather than allowing the delete.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

#: ``(session, restaurant_id, table_id) -> bool``: whether an open order sits there.
OpenOrderProbe = Callable[[AsyncSession, int, int], Awaitable[bool]]


class HookNotWired(RuntimeError):
    """A step needed a hook that the composition root did not register."""


_probe: list[OpenOrderProbe] = []


def register_open_order_probe(probe: OpenOrderProbe) -> None:
    """Make ``probe`` the answer of :func:`has_open_order` (replaces an earlier one)."""
    _probe[:] = [probe]


async def has_open_order(session: AsyncSession, restaurant_id: int, table_id: int) -> bool:
    """Whether an open order sits at table ``table_id`` of ``restaurant_id``; raises
    :class:`HookNotWired` when no probe is registered."""
    if not _probe:
        raise HookNotWired("no open-order probe registered (brigade.wiring.wire)")
    return await _probe[0](session, restaurant_id, table_id)
