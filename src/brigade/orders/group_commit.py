"""SQLite order placement by group commit: the orders that arrive together share one
transaction.

On SQLite every write goes through one connection in the event loop
(:mod:`brigade.sqlite_inline`), so the orders of a busy service are written one
transaction after another, and each transaction pays for its own pool checkout, event
sequence update and ``COMMIT`` (the WAL frames of every page it touched: the same last
pages of ``orders``, ``order_items``, the outbox and their indexes, again and again).

:class:`SqliteGroupCommit` writes the orders waiting at a moment in ONE transaction
(:func:`brigade.db.driver_unit_of_work`), each in a SAVEPOINT of its own, with exactly
the route's code: the caller's access (:func:`brigade.auth.dependencies.access_for_token`)
and :func:`brigade.orders.service.create_order_once`. An order that fails (any error:
401, 403, 404, 409, 422, or a bug) is rolled back to its SAVEPOINT with the events and
deferred writes it queued (:func:`brigade.events.outbox.forget_since`) and fails alone;
the others commit together, their events numbered at the commit in order and handed to
the bus after it, as for any transaction. An answer is sent only after its commit.

The batches are formed by :class:`brigade.orders.batching.GroupCommit` (one leader at
a time, a lane per restaurant; a new leader first lets the requests ready in this turn
of the event loop join); two orders with the same ``Idempotency-Key`` never share a
transaction (the second would find the first's claim unanswered): the second waits
for the next one, then gets the first's answer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, cast

from brigade.auth.dependencies import access_for_token, bearer_of
from brigade.db import driver_unit_of_work
from brigade.events.outbox import DomainEvent, forget_since, queued_mark
from brigade.menu.cache import get_menu_cache
from brigade.orders import service
from brigade.orders.batching import GroupCommit
from brigade.orders.schemas import OrderCreate
from brigade.restaurants.service import get_profile_cache
from brigade.runtime import Runtime

_SAVEPOINT = "brigade_order"


@dataclass(slots=True)
class _Order:
    """One order waiting to be placed, as the request sent it."""

    authorization: str | None
    restaurant_id: int
    data: OrderCreate
    key: str | None
    done: asyncio.Future[Any]

    @property
    def dedupe(self) -> tuple[str | None, str] | None:
        """``(credentials, Idempotency-Key)``, or ``None`` without a key."""
        return None if self.key is None else (self.authorization, self.key)


class SqliteGroupCommit(GroupCommit[_Order]):
    """Group commit of order placements on SQLite (see the module docstring and
    :class:`~brigade.orders.batching.GroupCommit`); one per runtime
    (:func:`group_commit`)."""

    gather = True

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(None)  # driver_unit_of_work hands the events to the bus
        self.runtime = runtime

    async def place(
        self, authorization: str | None, restaurant_id: int, data: OrderCreate, key: str | None
    ) -> service.CreateResult:
        """Place ``data`` in ``restaurant_id`` for the bearer of ``authorization`` with
        ``key`` (or none), alone or with others; its :class:`CreateResult`. Raises what
        the route raises (:class:`~brigade.errors.BrigadeError`), or any other error its
        own order met."""
        order = _Order(
            authorization, restaurant_id, data, key, asyncio.get_running_loop().create_future()
        )
        return cast(service.CreateResult, await self.join(restaurant_id, order))

    async def write_batch(
        self, lane: int, leader: _Order, batch: list[_Order]
    ) -> list[DomainEvent]:
        await self._write(batch)
        return []

    async def _write(self, batch: list[_Order]) -> None:
        """Place ``batch`` in one transaction, each order in its own SAVEPOINT; settle
        every order's future once the transaction is committed (or failed)."""
        runtime = self.runtime
        profiles, menus = get_profile_cache(runtime), get_menu_cache(runtime)
        outcomes: list[service.CreateResult | BaseException] = []
        try:
            async with driver_unit_of_work(runtime.db, runtime.bus) as tx:
                lite = tx.driver
                if not lite.in_transaction:
                    lite.execute("BEGIN IMMEDIATE")
                for order in batch:
                    mark = queued_mark(tx)
                    lite.execute(f"SAVEPOINT {_SAVEPOINT}")
                    try:
                        access = await access_for_token(
                            tx, runtime, bearer_of(order.authorization), order.restaurant_id
                        )
                        outcomes.append(
                            await service.create_order_once(
                                tx,
                                access,
                                order.data,
                                idempotency_key=order.key,
                                profiles=profiles,
                                menus=menus,
                            )
                        )
                    except Exception as error:  # its own order's: undone, the others go on
                        lite.execute(f"ROLLBACK TO SAVEPOINT {_SAVEPOINT}")
                        forget_since(tx, mark)
                        outcomes.append(error)
                    lite.execute(f"RELEASE SAVEPOINT {_SAVEPOINT}")
        except Exception as error:  # the commit (or the transaction) failed: all fail
            for order in batch:
                order.done.set_exception(error)
            return
        for order, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, BaseException):
                order.done.set_exception(outcome)
            else:
                order.done.set_result(outcome)


_KEY = "orders.sqlite_group_commit"


def group_commit(runtime: Runtime) -> SqliteGroupCommit:
    """The runtime's :class:`SqliteGroupCommit`, made on first use."""
    made = runtime.extras.get(_KEY)
    if not isinstance(made, SqliteGroupCommit):
        made = runtime.extras[_KEY] = SqliteGroupCommit(runtime)
    return made
