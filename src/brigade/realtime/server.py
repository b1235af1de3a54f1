"""The Socket.IO server at namespace ``/realtime/v1``, served at ``/socket.io/``.

- **Connect** with ``auth={"token", "restaurant_id", "last_seq"?, "station"?}``; the token
  is an access JWT or a restaurant API token. The client needs ``events:read`` in the
  restaurant (every role has it; an API token needs the scope), or ``kitchen:read`` for a
  kitchen-only screen that receives kitchen events alone. Refusals are Socket.IO connect
  errors ``{"message": <title>, "data": <problem+json>}`` (401 bad or missing token,
  404 not a member / other restaurant, 403 missing permission, 422 bad auth members).
- **Rooms** (:mod:`brigade.realtime.rooms`): the restaurant room, plus the station room
  (with ``station``) or the expo room (without).
- **Delivery and resume** (:mod:`brigade.realtime.delivery`): events by name with the
  envelope of :meth:`~brigade.events.outbox.DomainEvent.to_wire`; after connecting, the
  client is sent what it missed since ``last_seq`` (if given), then ``ready``
  ``{"last_seq", "replayed"}``, then live events. ``sync`` ``{"last_seq"}`` replays on
  demand.
- **Commands** (:mod:`brigade.realtime.commands`), acknowledged with ``{"ok": ...}``.
- **Revocation**: a client connected with an access token whose login ends (logout,
  refresh-token reuse, password change, account deactivated), whose membership is
  removed or whose role no longer lets it receive events is sent ``revoked`` (a
  problem+json body) and disconnected: at once when the change is committed in this process (its
  event passes on the bus), and within :data:`RECHECK_SECONDS` plus the access cache's
  ``ttl`` when another process committed it. The recheck reads the process's access
  cache (:mod:`brigade.auth.access_cache`): a query only per login and ``ttl``. The
  access token's expiry is not rechecked: a client keeps its connection until its
  login ends, and reconnects with a fresh token after a refresh. A client of a revoked
  API token stays connected and gets 401 on its next command.

With ``BRIGADE_REDIS_URL`` set the server uses a Redis client manager, so an event
emitted by the worker that committed it reaches the clients of every worker.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import socketio
from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from brigade.auth.access_cache import CallerKey, get_access_cache
from brigade.auth.dependencies import (
    Access,
    access_for_caller,
    access_for_token,
    remember_caller,
)
from brigade.auth.permissions import Permission
from brigade.events.outbox import DomainEvent
from brigade.events.unit_of_work import unit_of_work
from brigade.infra.errors import BrigadeError, NotAuthenticated, PermissionDenied
from brigade.realtime.commands import (
    COMMANDS,
    Command,
    CommandValidationError,
    UnknownCommand,
    internal_error,
)
from brigade.realtime.delivery import (
    NAMESPACE,
    BufferingManager,
    BufferingRedisManager,
    EventFanout,
    Replayer,
)
from brigade.realtime.rooms import Subscription
from brigade.runtime import Runtime

logger = logging.getLogger(__name__)

SOCKETIO_PATH = "socket.io"
EXTRAS_KEY = "realtime"
#: Seconds between two rechecks of every connected client's access.
RECHECK_SECONDS = 1.0
#: Committed events after which the clients of their restaurant are rechecked at once.
RECHECK_PREFIXES = ("staff.", "auth.", "user.", "membership.")
#: Event sent to a client just before it is disconnected for lost access.
REVOKED_EVENT = "revoked"


class ConnectAuth(BaseModel):
    """The ``auth`` object a client sends when connecting."""

    model_config = ConfigDict(extra="ignore")

    token: str | None = Field(default=None, description="Access JWT or API token.")
    restaurant_id: int = Field(ge=1)
    last_seq: int | None = Field(
        default=None, ge=0, description="Replay every event after this seq."
    )
    station: str | None = Field(
        default=None,
        min_length=1,
        max_length=64,
        description="Kitchen station of a station screen; omitted: every station (expo).",
    )


class SyncRequest(BaseModel):
    """Payload of the ``sync`` command."""

    model_config = ConfigDict(extra="forbid")

    last_seq: int = Field(ge=0)


@dataclass(frozen=True, slots=True)
class Client:
    """A connected client: its subscription, the token it connected with and who that
    token names (:data:`~brigade.auth.access_cache.CallerKey`)."""

    subscription: Subscription
    token: str
    caller: CallerKey
    #: The client's address when it connected (for the audit trail), if known.
    address: str | None = None


class RefusedError(Exception):
    """Carries a problem body out of the connect checks."""

    def __init__(self, error: BrigadeError) -> None:
        super().__init__(error.title)
        self.error = error


def ok(data: Any) -> dict[str, Any]:
    """A successful acknowledgement."""
    return {"ok": True, "data": jsonable_encoder(data)}


def failed(problem: dict[str, Any]) -> dict[str, Any]:
    """A failed acknowledgement carrying a problem+json body."""
    return {"ok": False, "error": problem}


class RealtimeServer:
    """The process's Socket.IO server, its clients and its event fan-out.

    Built by :func:`mount_realtime` and kept in ``runtime.extras["realtime"]``.
    """

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        redis_url = runtime.settings.redis_url
        manager: BufferingManager
        if redis_url:
            manager = BufferingRedisManager(redis_url, channel=runtime.settings.realtime_channel)
        else:
            manager = BufferingManager()
        self.manager = manager
        self.sio = socketio.AsyncServer(
            async_mode="asgi",
            client_manager=manager,
            cors_allowed_origins=list(runtime.settings.cors_origins) or None,
            namespaces=[NAMESPACE],
        )
        self.asgi = socketio.ASGIApp(self.sio, socketio_path=SOCKETIO_PATH)
        self.fanout = EventFanout(self.sio, runtime.db, ordered=not redis_url)
        self.replayer = Replayer(self.sio, manager, runtime.db)
        self.clients: dict[str, Client] = {}
        self._watcher: asyncio.Task[None] | None = None
        runtime.bus.subscribe(self.fanout)
        runtime.bus.subscribe(self.on_committed)
        self._register()

    def _register(self) -> None:
        self.sio.on("connect", self.on_connect, namespace=NAMESPACE)
        self.sio.on("disconnect", self.on_disconnect, namespace=NAMESPACE)
        self.sio.on("sync", self.on_sync, namespace=NAMESPACE)
        for command in COMMANDS.values():
            self.sio.on(command.name, self._command_handler(command), namespace=NAMESPACE)
        self.sio.on("*", self.on_unknown, namespace=NAMESPACE)

    # --- connection ------------------------------------------------------------------

    async def on_connect(self, sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
        """Authenticate, authorise, join rooms and start the replay (see module doc).

        Raises ``socketio.exceptions.ConnectionRefusedError`` with a problem body.
        """
        try:
            client, last_seq = await self._admit(auth)
        except RefusedError as exc:
            problem = exc.error.to_problem(NAMESPACE)
            raise socketio.exceptions.ConnectionRefusedError(problem["title"], problem) from None
        address = environ.get("REMOTE_ADDR")
        if isinstance(address, str):
            client = replace(client, address=address)
        self.clients[sid] = client
        self.replayer.hold(sid)
        for room in client.subscription.rooms():
            await self.sio.enter_room(sid, room, namespace=NAMESPACE)
        self.sio.start_background_task(self._initial_replay, sid, client.subscription, last_seq)
        return True

    async def _admit(self, auth: Any) -> tuple[Client, int | None]:
        """The client for ``auth`` and its ``last_seq``; raises :class:`RefusedError`."""
        if not isinstance(auth, dict) or not auth.get("token"):
            raise RefusedError(
                NotAuthenticated("connect with auth={token, restaurant_id}: the token is missing")
            )
        try:
            parsed = ConnectAuth.model_validate(auth)
        except ValidationError as exc:
            errors = [
                {"loc": ["auth", *e.get("loc", ())], "msg": e.get("msg", ""), "type": e["type"]}
                for e in exc.errors()
            ]
            raise RefusedError(CommandValidationError(errors)) from None
        assert parsed.token is not None  # noqa: S101 - checked above
        try:
            async with unit_of_work(self.runtime.db, None) as session:
                access = await access_for_token(
                    session, self.runtime, parsed.token, parsed.restaurant_id
                )
            wide = _receives_all(access)
        except BrigadeError as exc:
            raise RefusedError(exc) from None
        caller = get_access_cache(self.runtime).caller_key(
            self.runtime.settings.signing_key, parsed.token
        )
        assert caller is not None  # noqa: S101 - the token was just accepted
        subscription = Subscription(parsed.restaurant_id, parsed.station, wide)
        client = Client(subscription=subscription, token=parsed.token, caller=caller)
        return client, parsed.last_seq

    async def _initial_replay(
        self, sid: str, subscription: Subscription, last_seq: int | None
    ) -> None:
        try:
            await self.replayer.replay(sid, subscription, last_seq, ready=True)
        except ConnectionAbortedError:
            logger.info("client %s left before its replay", sid)
        except Exception:
            logger.exception("replay to %s failed; disconnecting it", sid)
            await self.sio.disconnect(sid, namespace=NAMESPACE)

    async def on_disconnect(self, sid: str, reason: Any = None) -> None:
        """Forget a client that left."""
        self.clients.pop(sid, None)
        self.replayer.forget(sid)

    # --- revocation ------------------------------------------------------------------

    async def on_committed(self, events: Sequence[DomainEvent]) -> None:
        """Bus subscriber: recheck at once the clients of the restaurants whose events
        may change someone's access (:data:`RECHECK_PREFIXES`), after this batch's
        other subscribers (the access cache's drops) ran."""
        if self._watcher is None:
            return
        restaurants = {e.restaurant_id for e in events if e.type.startswith(RECHECK_PREFIXES)}
        if restaurants:
            self.sio.start_background_task(self.recheck, restaurants)

    async def recheck(self, restaurants: set[int] | None = None) -> list[str]:
        """Disconnect the clients with an access token (of ``restaurants``; ``None``:
        all) that lost their access (see the module docstring); returns their sids.

        A client whose grant the access cache remembers costs nothing; the others are
        resolved in one unit of work (a query per login at most). A database error
        leaves every client connected until the next recheck."""
        cache = get_access_cache(self.runtime)
        pending: list[tuple[str, Client]] = []
        lost: list[tuple[str, BrigadeError]] = []
        for sid, client in list(self.clients.items()):
            restaurant_id = client.subscription.restaurant_id
            if client.caller[0] != "u" or (
                restaurants is not None and restaurant_id not in restaurants
            ):
                continue
            access = cache.grant(restaurant_id, client.caller)
            if access is None:
                pending.append((sid, client))
            else:
                self._still_receives(sid, client, access, lost)
        if pending:
            try:
                async with unit_of_work(self.runtime.db, None) as session:
                    for sid, client in pending:
                        try:
                            access = await access_for_caller(
                                session,
                                self.runtime,
                                client.caller,
                                client.subscription.restaurant_id,
                            )
                        except BrigadeError as exc:
                            lost.append((sid, exc))
                        else:
                            self._still_receives(sid, client, access, lost)
            except Exception:
                logger.exception("rechecking the access of connected clients failed")
                return []
        for sid, error in lost:
            await self._revoke(sid, error)
        return [sid for sid, _ in lost]

    @staticmethod
    def _still_receives(
        sid: str, client: Client, access: Access, lost: list[tuple[str, BrigadeError]]
    ) -> None:
        """Add ``sid`` to ``lost`` unless ``access`` still lets it receive what it
        subscribed to."""
        try:
            wide = _receives_all(access)
        except BrigadeError as exc:
            lost.append((sid, exc))
            return
        if client.subscription.restaurant_wide and not wide:
            lost.append(
                (sid, PermissionDenied("receiving events needs the 'events:read' permission"))
            )

    async def _revoke(self, sid: str, error: BrigadeError) -> None:
        """Tell client ``sid`` why (``revoked``, a problem+json body) and disconnect it."""
        if self.clients.pop(sid, None) is None:
            return
        logger.info("disconnecting %s: %s", sid, error.title)
        with contextlib.suppress(Exception):
            await self.sio.emit(
                REVOKED_EVENT, error.to_problem(NAMESPACE), to=sid, namespace=NAMESPACE
            )
        await self.sio.disconnect(sid, namespace=NAMESPACE)

    async def _watch(self) -> None:
        """Recheck every client each :data:`RECHECK_SECONDS` (changes committed by other
        processes reach this one's cache only by its ``ttl``)."""
        while True:
            await asyncio.sleep(RECHECK_SECONDS)
            try:
                await self.recheck()
            except Exception:  # pragma: no cover - logged, the next round retries
                logger.exception("recheck of connected clients failed")

    def start_watching(self) -> None:
        """Start the periodic recheck (the app's lifespan; idempotent)."""
        if self._watcher is None:
            self._watcher = asyncio.get_running_loop().create_task(self._watch())

    async def stop_watching(self) -> None:
        """Stop the periodic recheck."""
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher

    # --- sync and commands -----------------------------------------------------------

    async def on_sync(self, sid: str, data: Any = None) -> dict[str, Any]:
        """``sync {last_seq}``: replay the events after ``last_seq`` to this client; the
        ack's data is ``{"replayed", "last_seq"}``."""
        client = self.clients.get(sid)
        if client is None:
            return failed(internal_error(f"{NAMESPACE}#sync"))
        try:
            request = SyncRequest.model_validate(data if data is not None else {})
        except ValidationError as exc:
            errors = [
                {"loc": ["payload", *e.get("loc", ())], "msg": e.get("msg", ""), "type": e["type"]}
                for e in exc.errors()
            ]
            return failed(CommandValidationError(errors).to_problem(f"{NAMESPACE}#sync"))
        replayed, last_seq = await self.replayer.replay(sid, client.subscription, request.last_seq)
        return ok({"replayed": replayed, "last_seq": last_seq})

    def _command_handler(self, command: Command) -> Any:
        async def handler(sid: str, data: Any = None) -> dict[str, Any]:
            return await self.run_command(sid, command, data)

        handler.__name__ = f"command_{command.name.replace('.', '_')}"
        return handler

    async def on_unknown(self, event: str, sid: str, data: Any = None) -> dict[str, Any]:
        """Any other event: a failed ack ``unknown-command`` (404)."""
        known = ", ".join(sorted([*COMMANDS, "sync"]))
        error = UnknownCommand(f"{event!r} is not a command; known: {known}")
        return failed(error.to_problem(f"{NAMESPACE}#{event}"))

    async def run_command(self, sid: str, command: Command, data: Any) -> dict[str, Any]:
        """Run ``command`` for ``sid``'s client in one unit of work and build its ack.

        The client's token is authenticated again and its access to the restaurant
        taken as a REST request takes it (:func:`~brigade.auth.dependencies.access_for_token`:
        an expired token, an ended login or a removed member is refused), then the
        command's permission is checked, then the payload: 401 / 404 / 403 / 422 in
        that order, as REST.
        """
        instance = f"{NAMESPACE}#{command.name}"
        client = self.clients.get(sid)
        if client is None:
            return failed(internal_error(instance))
        try:
            async with unit_of_work(self.runtime.db, self.runtime.bus) as session:
                access: Access = await access_for_token(
                    session, self.runtime, client.token, client.subscription.restaurant_id
                )
                access.check(command.permission)
                remember_caller(session, access.actor, client.address)
                parsed = command.parse(data)
                result = await command.run(session, access, parsed)
        except BrigadeError as exc:
            return failed(exc.to_problem(instance))
        except Exception:
            logger.exception("command %s failed", command.name)
            return failed(internal_error(instance))
        return ok(result)


def _receives_all(access: Access) -> bool:
    """Whether ``access`` receives every event (``events:read``) or kitchen events only
    (``kitchen:read``); raises :class:`PermissionDenied` with neither."""
    if access.can(Permission.events_read):
        return True
    if access.can(Permission.kitchen_read):
        return False
    raise PermissionDenied("receiving events needs the 'events:read' permission")


def get_realtime(runtime: Runtime) -> RealtimeServer:
    """The realtime server of ``runtime`` (after :func:`mount_realtime`)."""
    server: RealtimeServer = runtime.extras[EXTRAS_KEY]
    return server


def mount_realtime(app: FastAPI, runtime: Runtime) -> None:
    """Build the Socket.IO server, serve it at ``/socket.io/`` and subscribe it to
    ``runtime.bus`` (it emits once :func:`start_realtime` ran)."""
    server = RealtimeServer(runtime)
    runtime.extras[EXTRAS_KEY] = server
    app.mount(f"/{SOCKETIO_PATH}", server.asgi, name="realtime")


async def start_realtime(runtime: Runtime) -> None:
    """Start emitting committed events (called by the app's lifespan); with Redis,
    subscribe to the fan-out channel now rather than at the first client."""
    server = get_realtime(runtime)
    if not server.sio.manager_initialized:
        server.sio.manager_initialized = True
        server.manager.initialize()
    server.fanout.start()
    server.start_watching()


async def stop_realtime(runtime: Runtime) -> None:
    """Stop emitting and disconnect the clients of this process."""
    server = get_realtime(runtime)
    server.fanout.stop()
    await server.stop_watching()
    for sid in list(server.clients):
        try:
            await server.sio.disconnect(sid, namespace=NAMESPACE)
        except Exception:  # pragma: no cover - best effort at shutdown
            logger.debug("disconnecting %s at shutdown failed", sid, exc_info=True)
    listener = getattr(server.manager, "thread", None)
    if isinstance(listener, asyncio.Task):
        listener.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await listener
    redis = getattr(server.manager, "redis", None)
    if redis is not None:
        with contextlib.suppress(Exception):
            await redis.aclose()
    server.sio.manager_initialized = False
