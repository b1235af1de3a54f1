"""Group commit's protocol, shared by SQLite's and PostgreSQL's order placement.

Requests that each want one write join a lane (a restaurant). One request at a time
leads its lane: it takes the writes waiting there (oldest first, up to ``max_batch``),
writes them together (:meth:`GroupCommit.write_batch`, the database's own way), settles
every one's future, and then hands the lead to the oldest write still waiting, whose
request writes the next batch, or stops leading when none is left. The other requests
only wait for their own outcome, so the lead changes hands in one step of the event
loop and a leader's answer never waits for later batches. Two writes with the same
:attr:`Waiting.dedupe` (an ``Idempotency-Key`` per caller) never share a batch: the
second would find the first's claim unanswered; it waits for the next one.

Used by :mod:`brigade.orders.group_commit` (SQLite, one transaction per batch) and
:mod:`brigade.orders.placement` (PostgreSQL, one statement per batch).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Hashable, Sequence
from typing import Any, Generic, Protocol, TypeVar

from brigade.events.bus import EventBus
from brigade.events.outbox import DomainEvent

#: What a waiting write's future is set to when its request is to lead.
_LEAD = object()


class Waiting(Protocol):
    """A write waiting in a lane: the future of its outcome, and what keeps two writes
    out of one batch (``None``: nothing)."""

    done: asyncio.Future[Any]

    @property
    def dedupe(self) -> Hashable | None: ...


W = TypeVar("W", bound=Waiting)


class GroupCommit(Generic[W]):
    """The lanes of one database (see the module docstring). A subclass writes a batch
    in :meth:`write_batch`; events it returns go to ``bus`` after the lead is handed on
    (in ``seq`` order, as a unit of work publishes after its commit)."""

    #: Writes in one batch at most.
    max_batch = 32
    #: Whether a new leader first lets the requests ready in this turn of the event loop
    #: join its batch (``asyncio.sleep(0)``).
    gather = False

    def __init__(self, bus: EventBus | None) -> None:
        self.bus = bus
        self.queues: dict[int, deque[W]] = {}
        self.leading: set[int] = set()

    async def join(self, lane: int, waiting: W) -> Any:
        """Write ``waiting`` in ``lane``, alone or with others; its outcome (the value
        :meth:`write_batch` set on its future; raises the error set there)."""
        queue = self.queues.setdefault(lane, deque())
        queue.append(waiting)
        if lane not in self.leading:
            self.leading.add(lane)
            if self.gather:
                await asyncio.sleep(0)
        else:
            try:
                outcome = await waiting.done
            except asyncio.CancelledError:
                if waiting.done.done() and not waiting.done.cancelled():
                    self._hand_off(lane)  # it was this request's turn to lead
                raise
            if outcome is not _LEAD:
                return outcome
            waiting.done = asyncio.get_running_loop().create_future()
        batch = self._take(queue)
        events: Sequence[DomainEvent] = ()
        try:
            events = await self.write_batch(lane, waiting, batch)
        finally:
            for left in batch:  # interrupted (cancelled): never leave one waiting
                if not left.done.done():
                    left.done.set_exception(RuntimeError("order placement interrupted"))
            self._hand_off(lane)
        if events and self.bus is not None:
            await self.bus.publish(events)
        return waiting.done.result()

    async def write_batch(self, lane: int, leader: W, batch: list[W]) -> Sequence[DomainEvent]:
        """Write ``batch`` (``leader``'s own write first) and settle each future with its
        outcome or error; return the events to publish (those not published already)."""
        raise NotImplementedError

    def _take(self, queue: deque[W]) -> list[W]:
        """The next batch, oldest first, leaving a write whose :attr:`Waiting.dedupe` is
        already in it for a later one, dropping those whose request was cancelled."""
        batch: list[W] = []
        seen: set[Hashable] = set()
        later: list[W] = []
        while queue and len(batch) < self.max_batch:
            waiting = queue.popleft()
            if waiting.done.done():
                continue
            dedupe = waiting.dedupe
            if dedupe is not None:
                if dedupe in seen:
                    later.append(waiting)
                    continue
                seen.add(dedupe)
            batch.append(waiting)
        queue.extendleft(reversed(later))
        return batch

    def _hand_off(self, lane: int) -> None:
        """Give the lane's lead to its oldest waiting write, or stop leading it."""
        queue = self.queues[lane]
        while queue:
            waiting = queue[0]
            if not waiting.done.done():
                waiting.done.set_result(_LEAD)
                return
            queue.popleft()  # its request was cancelled
        self.leading.discard(lane)
