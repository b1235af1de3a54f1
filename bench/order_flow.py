"""The orders and billing hot path, step by step, through a real server.

Starts uvicorn on 127.0.0.1 pinned to core 0 on a fresh database with the pizza place's
menu and ``--orders`` tables, then runs each step for every order from ``--clients``
aiohttp clients, and prints per step the server's CPU per request and the requests per
second:

1. ``POST /orders``                      dine-in, 3 lines (waiter, ``Idempotency-Key``)
2. ``POST /orders/{id}/items``           one more line
3. ``POST /orders/{id}/send``            fires the 4 lines (kitchen tickets)
4. ``POST /orders/{id}/items/{i}/void``  voids a fired line (and its ticket line)
5. ``POST /orders/{id}/check``           the check (cashier)
6. ``POST /checks/{id}/payments``        pays it by card: closes the order, frees the table

Usage: ``.venv/bin/python -m bench.order_flow [sqlite|postgresql] [--orders N]
[--clients C]``. Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from bench.harness import (
    STAFF_PASSWORD,
    brigade_env,
    cpu_seconds,
    create_restaurant,
    prepare_database,
    start_server,
    wait_ready,
)


async def _json(response: aiohttp.ClientResponse, expected: int) -> Any:
    if response.status != expected:
        raise RuntimeError(
            f"{response.method} {response.url}: {response.status} {await response.text()}"
        )
    return await response.json()


async def _login(client: aiohttp.ClientSession, base: str, role: str) -> dict[str, str]:
    async with client.post(
        base + "/api/v1/auth/login", json={"username": f"bench-{role}", "password": STAFF_PASSWORD}
    ) as response:
        token = (await _json(response, 200))["access_token"]
    return {"Authorization": f"Bearer {token}"}


async def _each(n: int, clients: int, step: Callable[[int], Awaitable[None]]) -> None:
    """Run ``step(i)`` for i in 0..n-1 from ``clients`` concurrent workers."""
    queue = list(range(n))

    async def worker() -> None:
        while queue:
            await step(queue.pop())

    await asyncio.gather(*(worker() for _ in range(clients)))


async def run(kind: str, orders: int, clients: int) -> None:
    """Set up, measure and print one run (see the module docstring)."""
    work = Path(tempfile.mkdtemp(prefix="brigade-flow-bench-"))
    db = await prepare_database(kind, work)
    setup = await create_restaurant(db.url)
    server = start_server(
        "brigade", "brigade.asgi:app", env=brigade_env(db, work), log_dir=work, cpu=0
    )
    try:
        await wait_ready(server, "/healthz")
        async with aiohttp.ClientSession() as client:
            base = server.url
            r = f"{base}/api/v1/restaurants/{setup.restaurant_id}"
            owner = await _login(client, base, "owner")
            waiter = await _login(client, base, "waiter")
            cashier = await _login(client, base, "cashier")
            async with client.get(r + "/menu", headers=waiter) as response:
                menu = await _json(response, 200)
            choices = [
                {"menu_item_id": item["id"], "variation_id": item["variations"][0]["id"]}
                for category in menu["categories"]
                for item in category["items"]
            ]
            tables: list[int] = []
            warm_up = 20
            for n in range(orders + warm_up):
                async with client.post(
                    r + "/tables", json={"name": f"F{n}", "seats": 4}, headers=owner
                ) as response:
                    tables.append((await _json(response, 201))["id"])
            state: dict[int, dict[str, Any]] = {}
            # Orders 0..warm_up-1 run first, unmeasured (statement caches, first imports).
            offset = 0

            async def create(i: int) -> None:
                i += offset
                body = {"kind": "dine_in", "table_id": tables[i], "items": choices[:3]}
                headers = {**waiter, "Idempotency-Key": uuid.uuid4().hex}
                async with client.post(r + "/orders", json=body, headers=headers) as response:
                    state[i] = await _json(response, 201)

            async def add(i: int) -> None:
                i += offset
                url = f"{r}/orders/{state[i]['id']}/items"
                async with client.post(url, json={"items": choices[3:4]}, headers=waiter) as resp:
                    state[i] = await _json(resp, 200)

            async def send(i: int) -> None:
                i += offset
                url = f"{r}/orders/{state[i]['id']}/send"
                async with client.post(url, headers=waiter) as response:
                    state[i] = await _json(response, 200)

            async def void(i: int) -> None:
                i += offset
                order = state[i]
                url = f"{r}/orders/{order['id']}/items/{order['items'][0]['id']}/void"
                async with client.post(url, json={"reason": "bench"}, headers=waiter) as resp:
                    state[i] = await _json(resp, 200)

            async def check(i: int) -> None:
                i += offset
                url = f"{r}/orders/{state[i]['id']}/check"
                async with client.post(url, headers=cashier) as response:
                    state[i]["check"] = await _json(response, 201)

            async def pay(i: int) -> None:
                i += offset
                url = f"{r}/checks/{state[i]['check']['id']}/payments"
                headers = {**cashier, "Idempotency-Key": uuid.uuid4().hex}
                async with client.post(url, json={"method": "card"}, headers=headers) as resp:
                    assert (await _json(resp, 201))["check"]["status"] == "paid"

            steps = [
                ("create (3 lines)", create),
                ("add 1 line", add),
                ("send", send),
                ("void fired line", void),
                ("open check", check),
                ("pay (closes)", pay),
            ]
            for _, step in steps:
                await _each(warm_up, clients, step)
            offset = warm_up
            print(f"{kind}: {orders} orders, {clients} clients")
            total_cpu = 0.0
            for name, step in steps:
                cpu_before = cpu_seconds(server.proc.pid)
                started = time.monotonic()
                await _each(orders, clients, step)
                elapsed = time.monotonic() - started
                cpu = cpu_seconds(server.proc.pid) - cpu_before
                total_cpu += cpu
                print(
                    f"  {name:18} {orders / elapsed:6.0f} req/s  "
                    f"server CPU {cpu / orders * 1000:5.2f} ms/request"
                )
            print(f"  {'whole order':18} server CPU {total_cpu / orders * 1000:5.2f} ms")
    finally:
        server.stop()


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", nargs="?", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--clients", type=int, default=16)
    args = parser.parse_args()
    asyncio.run(run(args.kind, args.orders, args.clients))


if __name__ == "__main__":
    main()
