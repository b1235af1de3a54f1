"""Request bodies above ``BRIGADE_MAX_BODY_BYTES`` (1 MiB by default) are refused with
413 ``payload-too-large`` before they are read whole: a ``Content-Length`` over the limit
at once, a chunked body as soon as its count passes it, on every route (order placement
included) and on the menu's ASGI fast path alike."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
import uvicorn
from httpx import ASGITransport, AsyncClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.app import create_app
from brigade.infra.settings import Settings
from brigade.orders.models import Order
from brigade.runtime import Runtime
from tests.factories import PASSWORD, make_restaurant, make_user

MIB = 1024 * 1024
LOGIN = "/api/v1/auth/login"
JSON = {"content-type": "application/json"}


def _assert_too_large(status: int, content_type: str, body: dict[str, object], limit: int) -> None:
    assert status == 413
    assert content_type == "application/problem+json"
    assert body["type"] == "https://brigade.dev/problems/payload-too-large"
    assert body["status"] == 413
    assert body["max_bytes"] == limit


def _padded_login(username: str, size: int) -> bytes:
    """A valid login body of exactly ``size`` bytes (JSON padded with spaces)."""
    body = json.dumps({"username": username, "password": PASSWORD}).encode()
    assert len(body) <= size
    return body[:-1] + b" " * (size - len(body)) + b"}"


async def test_default_limit_is_one_mib() -> None:
    assert Settings().max_body_bytes == MIB


async def test_content_length_over_the_limit_is_413(
    client: AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    restaurant = await make_restaurant(session)
    waiter = await make_user(session, runtime, restaurant=restaurant)
    await session.commit()
    too_big = b'{"kind": "takeaway", "lines": []' + b" " * MIB + b"}"
    response = await client.post(LOGIN, content=too_big, headers=JSON)
    _assert_too_large(response.status_code, response.headers["content-type"], response.json(), MIB)
    # Order placement is behind the limit too, and nothing was written.
    orders = f"/api/v1/restaurants/{restaurant.id}/orders"
    response = await client.post(orders, content=too_big, headers={**JSON, **waiter.headers})
    _assert_too_large(response.status_code, response.headers["content-type"], response.json(), MIB)
    assert response.headers["connection"] == "close"
    count = await session.scalar(
        select(func.count()).select_from(Order).where(Order.restaurant_id == restaurant.id)
    )
    assert count == 0


async def test_a_body_at_the_limit_is_served(
    client: AsyncClient, session: AsyncSession, runtime: Runtime
) -> None:
    login = await make_user(session, runtime)
    await session.commit()
    response = await client.post(
        LOGIN, content=_padded_login(login.user.username, MIB), headers=JSON
    )
    assert response.status_code == 200, response.text
    assert response.json()["access_token"]


async def test_a_chunked_body_over_the_limit_is_413(settings: Settings) -> None:
    """In process: a streamed body (no ``Content-Length``) is stopped once over."""
    app = create_app(settings.model_copy(update={"max_body_bytes": 1000}))
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100):
            sent += 1
            yield b" " * 100

    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://127.0.0.1") as small:
        response = await small.post(LOGIN, content=chunks(), headers=JSON)
    assert "content-length" not in response.request.headers
    _assert_too_large(response.status_code, response.headers["content-type"], response.json(), 1000)
    assert sent < 100  # the app stopped reading at the limit


async def test_the_limit_is_a_setting(
    settings: Settings, session: AsyncSession, runtime: Runtime, client: AsyncClient
) -> None:
    login = await make_user(session, runtime)
    await session.commit()
    body = _padded_login(login.user.username, 2000)
    app = create_app(settings.model_copy(update={"max_body_bytes": 1999}))
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://127.0.0.1") as small:
        response = await small.post(LOGIN, content=body, headers=JSON)
    _assert_too_large(response.status_code, response.headers["content-type"], response.json(), 1999)
    assert (await client.post(LOGIN, content=body, headers=JSON)).status_code == 200


# --- on a real server ------------------------------------------------------------------


@asynccontextmanager
async def _served(settings: Settings) -> AsyncIterator[int]:
    """Brigade for ``settings`` on uvicorn at 127.0.0.1 (a free port, yielded), in this
    event loop."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port: int = sock.getsockname()[1]
    config = uvicorn.Config(create_app(settings), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield port
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)
        sock.close()


async def _response_head(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of one HTTP/1.1 response."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    body = await asyncio.wait_for(reader.readexactly(int(headers["content-length"])), timeout=10)
    return status, headers, body


LIMIT = 64 * 1024


@pytest.mark.parametrize("path", [LOGIN, "/api/v1/restaurants/1/orders"])
async def test_real_server_answers_a_chunked_body_over_the_limit_before_its_end(
    settings: Settings, path: str
) -> None:
    """A chunked upload that never ends gets its 413 once it passed the limit."""
    async with _served(settings.model_copy(update={"max_body_bytes": LIMIT})) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".encode()
        )
        chunk = b" " * 8192
        for _ in range(LIMIT // len(chunk) + 2):  # over the limit, and no final chunk
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        await writer.drain()
        status, headers, body = await _response_head(reader)
        _assert_too_large(status, headers["content-type"], json.loads(body), LIMIT)
        assert headers["connection"] == "close"
        writer.close()


async def test_real_server_answers_a_content_length_over_the_limit_unread(
    settings: Settings,
) -> None:
    """A declared length over the limit is refused before any of the body is sent."""
    async with _served(settings.model_copy(update={"max_body_bytes": LIMIT})) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            f"POST {LOGIN} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {10 * MIB}\r\n\r\n".encode()
        )
        await writer.drain()
        status, headers, body = await _response_head(reader)
        _assert_too_large(status, headers["content-type"], json.loads(body), LIMIT)
        writer.close()
