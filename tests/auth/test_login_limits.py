"""Failed-login limits through HTTP: which client address counts (``X-Forwarded-For``
only from ``BRIGADE_TRUSTED_PROXIES``), and limits per address and per account that let
an account's owner sign in while someone else guesses from another address.

Clients on different loopback addresses are httpx clients whose ASGI transport gives
the app that peer address (what uvicorn passes for a TCP peer). The untrusted case runs
on a real uvicorn configured as ``brigade serve`` configures it.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

import brigade.cli
from brigade.app import create_app
from brigade.auth.ratelimit import LIMITER_KEY, LoginLimiter
from brigade.infra.settings import Settings
from brigade.runtime import Runtime
from tests.factories import PASSWORD, make_user, unique

API = "/api/v1"


def use_rate(runtime: Runtime, rate: str) -> LoginLimiter:
    """Give ``runtime`` a fresh limiter for ``rate`` (a small one keeps tests short: each
    failed login verifies an argon2 hash). The autouse fixture removes it afterwards."""
    limiter = LoginLimiter.for_rate(rate)
    runtime.extras[LIMITER_KEY] = limiter
    return limiter


@asynccontextmanager
async def client_at(app: object, address: str) -> AsyncIterator[AsyncClient]:
    """An in-process client whose connection comes from ``address``."""
    transport = ASGITransport(app=app, client=(address, 50000))  # type: ignore[arg-type]
    async with AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


async def login(
    client: AsyncClient, username: str, password: str, forwarded_for: str | None = None
) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return await client.post(
        f"{API}/auth/login", json={"username": username, "password": password}, headers=headers
    )


def serve_options(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The keyword arguments ``brigade serve`` gives ``uvicorn.run`` (captured)."""
    captured: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: captured.update(kwargs))
    result = CliRunner().invoke(brigade.cli.app, ["serve", "--port", "1"])
    assert result.exit_code == 0, result.output
    return captured


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@asynccontextmanager
async def uvicorn_serving(app: object, options: dict[str, Any]) -> AsyncIterator[str]:
    """``app`` on a real uvicorn on 127.0.0.1 with ``brigade serve``'s proxy options."""
    port = free_port()
    proxy = {k: options[k] for k in ("proxy_headers", "forwarded_allow_ips") if k in options}
    config = uvicorn.Config(
        app,  # type: ignore[arg-type]
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
        **proxy,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started or task.done():
            break
        await asyncio.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=30)


class TestForwardedFor:
    async def test_untrusted_loopback_peer_cannot_reset_the_address_limit(
        self, app: FastAPI, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A loopback client of ``brigade serve`` (no trusted proxy set) changing
        X-Forwarded-For on every try still meets its address's limit."""
        limiter = use_rate(runtime, "1/minute")  # 4 failures per address
        per_address = limiter.per_address.amount
        options = serve_options(monkeypatch)

        async with (
            uvicorn_serving(app, options) as url,
            httpx.AsyncClient(base_url=url, timeout=30) as client,
        ):
            for i in range(per_address):
                response = await login(client, unique("guess"), "wrong", f"127.0.0.{10 + i}")
                assert response.status_code == 401, (i, response.text)
            limited = await login(client, unique("guess"), "wrong", "127.0.0.99")

        assert limited.status_code == 429, limited.text
        assert int(limited.headers["Retry-After"]) >= 1

    async def test_a_trusted_proxy_names_the_client(
        self, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With 127.0.0.1 trusted, the address in X-Forwarded-For is the one counted: one
        client behind the proxy is limited, another one is not."""
        monkeypatch.setenv("BRIGADE_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
        trusting = Settings(
            data_dir=settings.data_dir,
            database_url=settings.database_url,
            secret_key=settings.secret_key,
            login_rate_limit="1/minute",
        )
        assert trusting.trusted_proxies == ["127.0.0.1", "10.0.0.0/8"]
        app = create_app(trusting)
        per_address = LoginLimiter.for_rate("1/minute").per_address.amount
        try:
            async with client_at(app, "127.0.0.1") as proxy:
                for _ in range(per_address):
                    response = await login(proxy, unique("guess"), "wrong", "127.0.0.10")
                    assert response.status_code == 401, response.text
                limited = await login(proxy, unique("guess"), "wrong", "127.0.0.10")
                other_client = await login(proxy, unique("guess"), "wrong", "127.0.0.11")
                # a client lying to the proxy: the proxy appended the real address
                spoofed = await login(proxy, unique("guess"), "wrong", "127.0.0.11, 127.0.0.10")
        finally:
            await app.state.runtime.db.dispose()

        assert limited.status_code == 429
        assert other_client.status_code == 401
        assert spoofed.status_code == 429

    def test_trusted_proxies_must_be_addresses(self, monkeypatch: pytest.MonkeyPatch) -> None:
        monkeypatch.setenv("BRIGADE_TRUSTED_PROXIES", "proxy.internal")
        with pytest.raises(ValueError, match="not an IP address"):
            Settings()


class TestPerAccountAndAddress:
    async def test_a_guesser_elsewhere_does_not_lock_the_owner_out(
        self, app: FastAPI, session: AsyncSession, runtime: Runtime
    ) -> None:
        user = (await make_user(session, runtime)).user
        await session.commit()

        async with client_at(app, "127.0.0.2") as guesser, client_at(app, "127.0.0.3") as owner:
            for _ in range(5):
                assert (await login(guesser, user.username, "wrong")).status_code == 401
            guesser_right = await login(guesser, user.username, PASSWORD)
            owner_right = await login(owner, user.username, PASSWORD)

        assert guesser_right.status_code == 429
        assert owner_right.status_code == 200, owner_right.text

    async def test_many_addresses_together_meet_the_account_limit(
        self, app: FastAPI, session: AsyncSession, runtime: Runtime
    ) -> None:
        limiter = use_rate(runtime, "1/minute")  # 1 per (account, address), 10 per account
        user = (await make_user(session, runtime)).user
        await session.commit()
        per_account = limiter.per_account.amount
        assert per_account > limiter.per_address.amount

        for i in range(per_account):
            async with client_at(app, f"127.0.1.{i + 1}") as guesser:
                assert (await login(guesser, user.username, "wrong")).status_code == 401
        async with client_at(app, "127.0.2.1") as owner:
            response = await login(owner, user.username, PASSWORD)

        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) >= 1

    async def test_signing_in_forgets_ones_own_typos(
        self, app: FastAPI, session: AsyncSession, runtime: Runtime
    ) -> None:
        use_rate(runtime, "2/minute")
        user = (await make_user(session, runtime)).user
        await session.commit()

        async with client_at(app, "127.0.0.4") as client:
            assert (await login(client, user.username, "wrong")).status_code == 401
            assert (await login(client, user.username, PASSWORD)).status_code == 200
            assert (await login(client, user.username, "wrong")).status_code == 401
            response = await login(client, user.username, PASSWORD)

        assert response.status_code == 200, response.text
