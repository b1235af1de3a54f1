"""Getting committed events to clients: live fan-out, replay, and the race between them.

Live events leave through :class:`EventFanout`, a subscriber of the runtime's event bus:
the process that committed a transaction emits its events once, to their rooms
(:func:`brigade.realtime.rooms.event_rooms`); with Redis the Socket.IO manager carries
them to the clients of every other worker.

A client that reconnects with ``last_seq`` is replayed what it missed from the outbox.
While that replay runs, live events addressed to it are held back by the client manager
(:class:`BufferingManager`): they are buffered for that client, then sent after the
replay, in ``seq`` order, without those the replay already sent. So a client receives
every event once and in order, the replayed ones before the live ones.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import socketio
from sqlalchemy import select

from brigade.events.models import EventSequence
from brigade.events.outbox import DomainEvent, events_since
from brigade.events.unit_of_work import unit_of_work
from brigade.infra.db import Database
from brigade.realtime.rooms import ROOM_PREFIX, Subscription, event_rooms
from brigade.tenancy import scoped

logger = logging.getLogger(__name__)

NAMESPACE = "/realtime/v1"
#: Events read from the outbox per query during a replay.
REPLAY_PAGE = 500
#: How long a replay waits for the connection it serves to be accepted (seconds).
CONNECT_WAIT_SECONDS = 5.0

Buffered = tuple[str, dict[str, Any]]


class BufferingManager(socketio.AsyncManager):  # type: ignore[misc]
    """The Socket.IO client manager of one process, able to hold back live events.

    ``buffers`` maps a sid being replayed to the live events held for it. Local delivery
    of an event envelope (a dict with ``seq``) to fan-out rooms skips those sids and
    appends the event to their buffers instead. Emits to a single sid (replays) are never
    held. With Redis, :class:`BufferingRedisManager` puts this class under the pub/sub
    layer, so events coming from other workers are held back too.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.buffers: dict[str, list[Buffered]] = {}

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str | None,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        """Deliver to the local clients of ``room`` (see the class docstring)."""
        room = to or room
        if self.buffers and namespace == NAMESPACE and isinstance(data, dict) and "seq" in data:
            rooms = [room] if isinstance(room, str) else list(room or [])
            if rooms and all(isinstance(r, str) and r.startswith(ROOM_PREFIX) for r in rooms):
                held = [
                    sid for sid, _ in self.get_participants(namespace, rooms) if sid in self.buffers
                ]
                if held:
                    for sid in held:
                        self.buffers[sid].append((event, data))
                    skips = skip_sid if isinstance(skip_sid, list) else [skip_sid]
                    skip_sid = [s for s in skips if s is not None] + held
        await super().emit(
            event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, **kwargs
        )


class BufferingRedisManager(socketio.AsyncRedisManager, BufferingManager):  # type: ignore[misc]
    """Redis fan-out between workers, with :class:`BufferingManager` for local delivery.

    The method order puts :class:`BufferingManager` between the pub/sub manager and the
    plain manager: whatever reaches this worker's clients, from here or from another
    worker, passes through the buffering.
    """


class EventFanout:
    """Bus subscriber emitting committed events to their rooms.

    Inactive until :meth:`start` (the app's lifespan), so apps driven in-process by tests
    without a server emit nothing.

    With the in-memory manager (one process) it also keeps each restaurant's events in
    ``seq`` order: a restaurant's seqs are dense and taken under a row lock, so when
    ``seq`` *n* has committed every earlier one has too; if a batch arrives before an
    earlier one (two requests finishing in the other order) or events were committed by
    another process (a CLI job), the missing ones are read from the outbox and sent
    first, and late arrivals already sent are dropped. With Redis (several workers) the
    order between workers is the order of their publishes; clients can ``sync``.
    """

    def __init__(self, sio: socketio.AsyncServer, db: Database, *, ordered: bool) -> None:
        self.sio = sio
        self.db = db
        self.ordered = ordered
        self.running = False
        self._last: dict[int, int] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def start(self) -> None:
        """Begin emitting."""
        self.running = True

    def stop(self) -> None:
        """Stop emitting and forget the per-restaurant positions."""
        self.running = False
        self._last.clear()

    async def __call__(self, events: Sequence[DomainEvent]) -> None:
        """Emit ``events`` (one committed transaction's) to their rooms."""
        if not self.running:
            return
        by_restaurant: dict[int, list[DomainEvent]] = {}
        for event in events:
            by_restaurant.setdefault(event.restaurant_id, []).append(event)
        for restaurant_id, batch in by_restaurant.items():
            lock = self._locks.setdefault(restaurant_id, asyncio.Lock())
            async with lock:
                await self._deliver(restaurant_id, sorted(batch, key=lambda e: e.seq))

    async def _deliver(self, restaurant_id: int, batch: list[DomainEvent]) -> None:
        if self.ordered:
            last = self._last.get(restaurant_id)
            if last is not None:
                batch = [e for e in batch if e.seq > last]
                if not batch:
                    return
                if batch[0].seq > last + 1:
                    batch = await self._missing(restaurant_id, last, batch[0].seq) + batch
            self._last[restaurant_id] = batch[-1].seq
        for event in batch:
            await self.sio.emit(
                event.type, event.to_wire(), to=event_rooms(event), namespace=NAMESPACE
            )

    async def _missing(self, restaurant_id: int, after: int, before: int) -> list[DomainEvent]:
        """Committed events with ``after < seq < before``, oldest first."""
        found: list[DomainEvent] = []
        cursor = after
        while cursor < before - 1:
            async with unit_of_work(self.db, None) as session:
                page = await events_since(session, restaurant_id, cursor, limit=REPLAY_PAGE)
            page = [e for e in page if e.seq < before]
            if not page:
                break
            found.extend(page)
            cursor = page[-1].seq
        return found


async def current_seq(db: Database, restaurant_id: int) -> int:
    """The restaurant's last committed ``seq`` (0 before its first event)."""
    async with unit_of_work(db, None) as session:
        value = await session.scalar(scoped(select(EventSequence.last_seq), restaurant_id))
    return int(value or 0)


class Replayer:
    """Sends one client the events it missed, then lets live delivery resume.

    One replay at a time per client (a ``sync`` during the connect replay waits).
    """

    def __init__(self, sio: socketio.AsyncServer, manager: BufferingManager, db: Database):
        self.sio = sio
        self.manager = manager
        self.db = db
        self._locks: dict[str, asyncio.Lock] = {}

    def hold(self, sid: str) -> None:
        """Start holding back live events for ``sid`` (before it joins its rooms)."""
        self.manager.buffers.setdefault(sid, [])

    def forget(self, sid: str) -> None:
        """Drop the state of a disconnected client."""
        self.manager.buffers.pop(sid, None)
        self._locks.pop(sid, None)

    async def replay(
        self,
        sid: str,
        subscription: Subscription,
        after_seq: int | None,
        *,
        ready: bool = False,
    ) -> tuple[int, int]:
        """Send ``sid`` the events with ``seq > after_seq`` it may see, then the held live
        events it has not been sent, all in ``seq`` order; then resume live delivery.

        ``after_seq`` ``None`` means "from now": nothing is replayed, but live events
        that arrived while connecting are still sent. With ``ready`` a ``ready`` event
        ``{"last_seq", "replayed"}`` is sent after the replay, before any live event.
        Returns ``(replayed, last_seq)``: how many events were sent and the last ``seq``
        the client is now up to date with (scanned, visible to it or not).
        """
        lock = self._locks.setdefault(sid, asyncio.Lock())
        async with lock:
            self.hold(sid)
            try:
                return await self._replay(sid, subscription, after_seq, ready)
            finally:
                self.manager.buffers.pop(sid, None)

    async def _replay(
        self, sid: str, subscription: Subscription, after_seq: int | None, ready: bool
    ) -> tuple[int, int]:
        restaurant_id = subscription.restaurant_id
        cursor = after_seq if after_seq is not None else await current_seq(self.db, restaurant_id)
        await self._wait_connected(sid)
        sent = 0
        while True:
            async with unit_of_work(self.db, None) as session:
                page = await events_since(session, restaurant_id, cursor, limit=REPLAY_PAGE)
            for event in page:
                if subscription.sees(event):
                    await self._send(sid, event.type, event.to_wire())
                    sent += 1
                cursor = event.seq
            if len(page) < REPLAY_PAGE:
                break
        ready_sent = not ready
        while True:
            held = self.manager.buffers.get(sid)
            if held:
                self.manager.buffers[sid] = []
                for name, data in sorted(held, key=lambda item: int(item[1]["seq"])):
                    if int(data["seq"]) > cursor:
                        await self._send(sid, name, data)
                        sent += 1
                        cursor = int(data["seq"])
                continue
            if not ready_sent:
                ready_sent = True
                await self._send(sid, "ready", {"last_seq": cursor, "replayed": sent})
                continue
            # Nothing held and no await since the check: live delivery resumes here.
            return sent, cursor

    async def _send(self, sid: str, name: str, data: dict[str, Any]) -> None:
        await self.sio.emit(name, data, to=sid, namespace=NAMESPACE, ignore_queue=True)

    async def _wait_connected(self, sid: str) -> None:
        """Wait until the connect handshake of ``sid`` has completed (bounded)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + CONNECT_WAIT_SECONDS
        while not self.manager.is_connected(sid, NAMESPACE):
            if loop.time() > deadline or sid not in self.manager.buffers:
                raise ConnectionAbortedError(f"client {sid} did not finish connecting")
            await asyncio.sleep(0.001)
