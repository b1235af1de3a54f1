"""What the orders context asks of the contexts above it, inside its own transaction.

The orders context sits below the kitchen and billing (they import orders, never the
other way round). Where an order's step needs them in the same transaction — firing
lines puts them on kitchen tickets, voiding a fired line flags it on its ticket, an
order with a check may not be cancelled — orders calls the hooks registered here, and
the composition root (:func:`brigade.app.create_app`, through
:func:`brigade.wiring.wire`) registers the kitchen's and billing's functions at start.

A hook that is needed and not registered raises :class:`HookNotWired` (a server bug,
500): a step never silently skips the kitchen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class FiredLine:
    """An order line being fired to the kitchen, as the order snapshotted it.

    ``modifiers`` is ``[{"id", "name", "price_delta"}]`` (minor units); ``station`` and
    ``course`` decide which ticket the line lands on. ``waiter_name`` is the full name of
    the staff member who opened the order (``None`` without one), printed on the ticket.
    """

    order_item_id: int
    name: str
    variation_name: str
    quantity: int
    modifiers: Sequence[Mapping[str, Any]]
    notes: str
    seat: int | None
    course: int
    station: str
    waiter_name: str | None = None


#: ``(session, restaurant_id, order_id, table_name, lines)``: put fired lines on tickets.
LinesFired = Callable[[AsyncSession, int, int, str | None, Sequence[FiredLine]], Awaitable[Any]]
#: ``(session, restaurant_id, order_item_id)``: a fired line was voided.
LineVoided = Callable[[AsyncSession, int, int], Awaitable[None]]
#: ``(session, restaurant_id, order_id)``: raise a ``BrigadeError`` when the order may
#: not be cancelled (billing: it has a check).
CancelGuard = Callable[[AsyncSession, int, int], Awaitable[None]]


class HookNotWired(RuntimeError):
    """A step needed a hook that the composition root did not register."""


@dataclass(slots=True)
class OrderHooks:
    """The registered hooks (one kitchen, any number of cancel guards)."""

    lines_fired: LinesFired | None = None
    line_voided: LineVoided | None = None
    cancel_guards: tuple[CancelGuard, ...] = ()


HOOKS = OrderHooks()


def register_kitchen(lines_fired: LinesFired, line_voided: LineVoided) -> None:
    """Make ``lines_fired`` and ``line_voided`` the kitchen of every order (idempotent:
    registering again replaces them)."""
    HOOKS.lines_fired = lines_fired
    HOOKS.line_voided = line_voided


def register_cancel_guard(guard: CancelGuard) -> None:
    """Add ``guard`` to what :func:`brigade.orders.service.cancel_order` asks (once)."""
    if guard not in HOOKS.cancel_guards:
        HOOKS.cancel_guards = (*HOOKS.cancel_guards, guard)


async def lines_fired(
    session: AsyncSession,
    restaurant_id: int,
    order_id: int,
    table_name: str | None,
    lines: Sequence[FiredLine],
) -> None:
    """Hand fired ``lines`` of ``order_id`` to the kitchen; raises :class:`HookNotWired`."""
    if HOOKS.lines_fired is None:
        raise HookNotWired("no kitchen registered (brigade.wiring.wire)")
    await HOOKS.lines_fired(session, restaurant_id, order_id, table_name, lines)


async def line_voided(session: AsyncSession, restaurant_id: int, order_item_id: int) -> None:
    """Tell the kitchen that fired line ``order_item_id`` was voided; raises
    :class:`HookNotWired`."""
    if HOOKS.line_voided is None:
        raise HookNotWired("no kitchen registered (brigade.wiring.wire)")
    await HOOKS.line_voided(session, restaurant_id, order_item_id)


async def before_cancel(session: AsyncSession, restaurant_id: int, order_id: int) -> None:
    """Run every cancel guard; the first that refuses raises its error. Raises
    :class:`HookNotWired` when none is registered (billing's always is)."""
    if not HOOKS.cancel_guards:
        raise HookNotWired("no cancel guard registered (brigade.wiring.wire)")
    for guard in HOOKS.cancel_guards:
        await guard(session, restaurant_id, order_id)
