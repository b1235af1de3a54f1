"""Order placement under load: ``POST /restaurants/{id}/orders`` through a real server.

Starts uvicorn on 127.0.0.1 pinned to core 0 on a fresh database with the pizza place's
menu, logs in a waiter, then places takeaway orders of three lines, each with its own
``Idempotency-Key``:

1. ``--orders`` orders (default 300) from ``--clients`` aiohttp clients (default 16),
   reporting orders per second, p50/p99 latency and the server's CPU per order;
2. optionally (``SPY=<file>``) a py-spy profile (raw format) of a further 5 s.

Usage: ``.venv/bin/python -m bench.order_create [sqlite|postgresql] [--orders N]
[--clients C]``. Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
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

PY_SPY = str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "py-spy")


async def _place(
    client: aiohttp.ClientSession,
    url: str,
    body: dict[str, Any],
    headers: dict[str, str],
    count: int,
    clients: int,
) -> list[float]:
    """Place ``count`` orders from ``clients`` concurrent workers; their latencies (s)."""
    left = count
    latencies: list[float] = []

    async def worker() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            started = time.perf_counter()
            async with client.post(
                url, json=body, headers={**headers, "Idempotency-Key": uuid.uuid4().hex}
            ) as response:
                if response.status != 201:
                    raise RuntimeError(f"{response.status}: {await response.text()}")
                await response.read()
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(clients)))
    return latencies


async def run(kind: str, orders: int, clients: int) -> None:
    """Set up, measure and print one run (see the module docstring)."""
    work = Path(tempfile.mkdtemp(prefix="brigade-order-bench-"))
    db = await prepare_database(kind, work)
    setup = await create_restaurant(db.url)
    server = start_server(
        "brigade", "brigade.asgi:app", env=brigade_env(db, work), log_dir=work, cpu=0
    )
    try:
        await wait_ready(server, "/healthz")
        async with aiohttp.ClientSession() as client:
            async with client.post(
                server.url + "/api/v1/auth/login",
                json={"username": "bench-waiter", "password": STAFF_PASSWORD},
            ) as response:
                token = (await response.json())["access_token"]
            headers = {"Authorization": f"Bearer {token}"}
            rid = setup.restaurant_id
            async with client.get(
                f"{server.url}/api/v1/restaurants/{rid}/menu", headers=headers
            ) as r:
                menu = await r.json()
            choices = [
                (item["id"], item["variations"][0]["id"])
                for category in menu["categories"]
                for item in category["items"]
            ][:3]
            body = {
                "kind": "takeaway",
                "items": [{"menu_item_id": i, "variation_id": v} for i, v in choices],
            }
            url = f"{server.url}/api/v1/restaurants/{rid}/orders"
            await _place(client, url, body, headers, 50, clients)  # warm-up
            cpu_before = cpu_seconds(server.proc.pid)
            started = time.monotonic()
            latencies = await _place(client, url, body, headers, orders, clients)
            elapsed = time.monotonic() - started
            cpu = cpu_seconds(server.proc.pid) - cpu_before
            latencies.sort()
            print(
                f"{kind}: {orders} orders, {clients} clients: {orders / elapsed:.0f} orders/s, "
                f"p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, "
                f"p99 {latencies[min(orders - 1, int(orders * 0.99))] * 1000:.1f} ms, "
                f"server CPU {cpu / orders * 1000:.2f} ms/order"
            )
            spy_output = os.environ.get("SPY")
            if spy_output:
                spy = await asyncio.create_subprocess_exec(
                    PY_SPY,
                    *("record", "-p", str(server.proc.pid), "-d", "5", "-f", "raw"),
                    *("-o", spy_output, "--nonblocking", "--rate", "400"),
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.DEVNULL,
                )
                await _place(client, url, body, headers, orders * 3, clients)
                await asyncio.wait_for(spy.wait(), 60)
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
