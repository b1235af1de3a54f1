"""Order placement's fast path: ``POST /api/v1/restaurants/{id}/orders`` as pure ASGI.

Opening an order is the hottest write of a service night. Through FastAPI it paid for
routing, dependency solving, the ORM session's lifecycle and response handling around
work that is a handful of prepared statements (see docs/performance.md).
:class:`OrderFastPath`, an ASGI middleware in the manner of
:class:`brigade.menu.cache.MenuFastPath`, answers the request itself when everything it
needs is at hand, doing exactly the route's work with the same code:

- the body validated by the route's own model, ``OrderCreate``, from the JSON bytes
  (a ``TypeAdapter``); the ``Idempotency-Key`` header within the route's bounds;
- the caller's access by :func:`brigade.auth.dependencies.access_for_token`, the
  function behind the route's ``OrdersWrite`` dependency (the process's access cache,
  else the token and membership queries; 401, 404), then the route's rules of placing
  an order (403 without ``orders:write``, and every other), written by group commit
  with the orders that arrive at the same moment, without an ORM session:

  - SQLite: :func:`brigade.orders.service.create_order_once`, the route's service
    function, for each order in a SAVEPOINT of one shared
    :class:`~brigade.prepared.DriverTransaction` (:mod:`brigade.orders.group_commit`);
  - PostgreSQL, an order without a table: one autocommit statement for the batch
    (:mod:`brigade.orders.placement`), with the same values, answer and event;
  - PostgreSQL, an order at a table: ``create_order_once`` in a driver transaction of
    its own (:func:`brigade.db.driver_unit_of_work`);
- the answer encoded once, as the route encodes it (201, ``Idempotent-Replayed: true``
  on a replay); a :class:`~brigade.errors.BrigadeError` rendered by
  :func:`brigade.errors.problem_response`, as the app's handler renders it. Any other
  exception propagates to the app's outer error handling (a 500), as from the route.

Everything else goes on to the app unchanged, with the body already read handed on: a
body or header the model rejects (the route's 422 ``validation-error`` with its
``errors`` list; a body that is not JSON gets that 422 before authentication there, as
here), a content type FastAPI would not read as JSON, and databases whose driver has no
:class:`DriverTransaction` (:attr:`brigade.db.Database.driver_transactions`). So every
answer is the route's answer, and the route stays the documented operation (OpenAPI).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from pydantic import TypeAdapter, ValidationError
from starlette.requests import Request

from brigade import idempotency
from brigade.auth.dependencies import access_for_token, bearer_of
from brigade.db import driver_autocommit, driver_unit_of_work
from brigade.errors import BrigadeError, problem_response
from brigade.menu.cache import get_menu_cache
from brigade.orders import placement, service
from brigade.orders.group_commit import group_commit
from brigade.orders.schemas import OrderCreate
from brigade.restaurants.service import get_profile_cache
from brigade.runtime import Runtime

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_ORDERS_PATH = re.compile(r"/api/v1/restaurants/([1-9][0-9]{0,17})/orders")
_ORDER_CREATE = TypeAdapter(OrderCreate)
_KEY_HEADER = idempotency.HEADER.lower().encode()
_REPLAYED_HEADER = b"idempotent-replayed"  # brigade.orders.router.REPLAYED_HEADER
_JSON = b"application/json"


class OrderFastPath:
    """ASGI middleware placing an order without FastAPI and the ORM session when the
    caller's access is cached and the request is valid (see the module docstring);
    every other request goes on to ``app``."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        match = _ORDERS_PATH.fullmatch(scope["path"])
        if match is None or not self.runtime.db.driver_transactions:
            await self.app(scope, receive, send)
            return
        authorization: str | None = None
        content_type: bytes | None = None
        key: str | None = None
        for name, value in scope["headers"]:  # the first of each, as Starlette reads them
            if name == b"authorization":
                if authorization is None:
                    authorization = bytes(value).decode("latin-1")
            elif name == b"content-type":
                if content_type is None:
                    content_type = bytes(value)
            elif name == _KEY_HEADER and key is None:
                key = bytes(value).decode("latin-1")
        if not _is_json(content_type) or (
            key is not None and not 0 < len(key) <= idempotency.MAX_KEY_LENGTH
        ):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client went away
            return
        try:
            data = _ORDER_CREATE.validate_json(body)
        except ValidationError:
            # The route answers with its own 422 (or, for a body that is not JSON at
            # all, its 422 before authentication), reading the body handed on.
            await self.app(scope, _replay(body, receive), send)
            return

        # As the route: authentication and tenancy (401, 404), then the service (403
        # without orders:write, its own errors), all in one transaction.
        runtime = self.runtime
        try:
            if data.table_id is None and runtime.db.engine.dialect.name == "postgresql":
                async with driver_autocommit(runtime.db) as auto:
                    access = await access_for_token(
                        auto, runtime, bearer_of(authorization), int(match.group(1))
                    )
                    result = await placement.place_order(
                        auto,
                        runtime.db,
                        runtime.bus,
                        access,
                        data,
                        idempotency_key=key,
                        profiles=get_profile_cache(runtime),
                        menus=get_menu_cache(runtime),
                    )
            elif runtime.db.engine.dialect.name == "sqlite":
                result = await group_commit(runtime).place(
                    authorization, int(match.group(1)), data, key
                )
            else:
                result = await self._in_transaction(data, authorization, key, int(match.group(1)))
        except BrigadeError as error:
            await problem_response(error, Request(scope).url.path)(scope, receive, send)
            return
        payload = result.encoded.encode()  # as the route encodes it
        headers = [(b"content-length", str(len(payload)).encode()), (b"content-type", _JSON)]
        if result.replayed:
            headers.append((_REPLAYED_HEADER, b"true"))
        await send({"type": "http.response.start", "status": 201, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    async def _in_transaction(
        self, data: OrderCreate, authorization: str | None, key: str | None, restaurant_id: int
    ) -> service.CreateResult:
        """The order placed by :func:`brigade.orders.service.create_order_once` in a
        driver transaction of its own (PostgreSQL, an order at a table)."""
        runtime = self.runtime
        async with driver_unit_of_work(runtime.db, runtime.bus) as tx:
            access = await access_for_token(tx, runtime, bearer_of(authorization), restaurant_id)
            return await service.create_order_once(
                tx,
                access,
                data,
                idempotency_key=key,
                profiles=get_profile_cache(runtime),
                menus=get_menu_cache(runtime),
            )


def _is_json(content_type: bytes | None) -> bool:
    """Whether FastAPI would parse a body of this content type as JSON (none given, or
    ``application/json`` or ``application/*+json``, parameters aside)."""
    if content_type is None:
        return True
    media = content_type.split(b";", 1)[0].strip().lower()
    return media == _JSON or (media.startswith(b"application/") and media.endswith(b"+json"))


async def _read_body(receive: Receive) -> bytes | None:
    """The whole request body, or ``None`` if the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the already-read ``body`` first."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
