"""A limit on request body size, enforced before the body is read whole.

:class:`BodyLimit` is a pure ASGI middleware, the outermost of the app's own (so the
menu's ASGI fast path, :mod:`brigade.menu.cache`, is behind it too). A request whose
``Content-Length`` is above the limit is answered 413 ``payload-too-large``
(problem+json) at once, without reading any of the body; a body without
``Content-Length`` (``Transfer-Encoding: chunked``) is counted as its chunks arrive, and
the request is stopped and answered 413 as soon as the count passes the limit, whatever
the app was doing with it. Either way the response carries ``Connection: close``: the
rest of the body is never read, so the connection cannot carry another request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.requests import Request

from brigade.infra.errors import PayloadTooLarge, problem_response

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class _Exceeded(Exception):
    """Raised from ``receive`` once the body passed the limit (stops the app)."""


class BodyLimit:
    """ASGI middleware refusing HTTP request bodies above ``max_bytes`` bytes with 413
    ``payload-too-large``; every other request (and every WebSocket or lifespan scope)
    goes to ``app`` unchanged.

    Raises ``ValueError`` when ``max_bytes`` is below 1.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be at least 1")
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, receive, send)
            return

        limit = self.max_bytes
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _Exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _Exceeded
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return  # whatever the app answers to its aborted read; the 413 follows
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 413 ``payload-too-large`` and ask the server to close the connection."""
        response = problem_response(PayloadTooLarge(self.max_bytes), Request(scope).url.path)
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    """The request's ``Content-Length`` in bytes, or ``None`` when absent or not a
    number (the server rejects those itself)."""
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = bytes(value).strip()
            return int(text) if text.isdigit() else None
    return None
