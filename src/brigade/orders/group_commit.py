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

One request at a time leads: it lets the requests that are ready in this turn of the
event loop join (``asyncio.sleep(0)``), writes the batch, then hands the lead to the
oldest order still waiting, or stops leading. Two orders with the same
``Idempotency-Key`` never share a transaction (the second would find the first's claim
unanswered): the second waits for the next one, then gets the first's answer.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Any, cast

from brigade.auth.dependencies import access_for_token, bearer_of
from brigade.db import driver_unit_of_work
from brigade.events.outbox import forget_since, queued_mark
from brigade.menu.cache import get_menu_cache
from brigade.orders import service
from brigade.orders.schemas import OrderCreate
from brigade.restaurants.service import get_profile_cache
from brigade.runtime import Runtime

#: Orders written by one transaction at most.
MAX_BATCH = 32
#: What a waiting order's future is set to when its request is to lead.
_LEAD = object()
_SAVEPOINT = "brigade_order"


@dataclass(slots=True)
class _Order:
    """One order waiting to be placed, as the request sent it."""

    authorization: str | None
    restaurant_id: int
    data: OrderCreate
    key: str | None
    done: asyncio.Future[Any]


class SqliteGroupCommit:
    """Group commit of order placements on SQLite (see the module docstring); one per
    runtime (:func:`group_commit`)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.queue: deque[_Order] = deque()
        self.leading = False

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
        self.queue.append(order)
        if not self.leading:
            self.leading = True
            await asyncio.sleep(0)  # the requests ready in this turn of the loop join
        else:
            try:
                outcome = await order.done
            except asyncio.CancelledError:
                if order.done.done() and not order.done.cancelled():
                    self._hand_off()  # it was this request's turn to lead
                raise
            if outcome is not _LEAD:
                return cast(service.CreateResult, outcome)  # errors were raised
            order.done = asyncio.get_running_loop().create_future()
        await self._lead()
        return cast(service.CreateResult, order.done.result())  # raises its error

    async def _lead(self) -> None:
        """Write the next batch, then hand the lead on."""
        batch = self._take()
        try:
            await self._write(batch)
        finally:
            for left in batch:  # interrupted (cancelled): never leave one waiting
                if not left.done.done():
                    left.done.set_exception(RuntimeError("order placement interrupted"))
            self._hand_off()

    def _take(self) -> list[_Order]:
        """The next batch, oldest first, leaving an order whose ``Idempotency-Key`` (per
        token) is already in it for a later one, dropping cancelled ones."""
        batch: list[_Order] = []
        keys: set[tuple[str | None, str]] = set()
        later: list[_Order] = []
        while self.queue and len(batch) < MAX_BATCH:
            order = self.queue.popleft()
            if order.done.done():
                continue
            if order.key is not None:
                key = (order.authorization, order.key)
                if key in keys:
                    later.append(order)
                    continue
                keys.add(key)
            batch.append(order)
        self.queue.extendleft(reversed(later))
        return batch

    def _hand_off(self) -> None:
        """Give the lead to the oldest waiting order, or stop leading."""
        while self.queue:
            waiting = self.queue[0]
            if not waiting.done.done():
                waiting.done.set_result(_LEAD)
                return
            self.queue.popleft()
        self.leading = False

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
