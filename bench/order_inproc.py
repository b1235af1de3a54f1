"""Order placement's CPU in-process: the ASGI app called directly, no HTTP server.

``python -m bench.order_inproc [sqlite|postgresql] [--orders 300] [--batches 12]``

Prepares a fresh database with the pizza place's menu (:mod:`bench.harness`; PostgreSQL
uses ``brigade_bench``, so do not run it next to ``bench.run``), builds the app with
``create_app()`` and its database's background work (not the Socket.IO server), logs a
waiter in, warms up with 200 orders, then places ``--batches`` batches of ``--orders``
3-line takeaway orders, each with its own ``Idempotency-Key``, 16 in flight, on uvloop,
and prints the best batch's CPU per order (``time.process_time()``: every thread of the
process, so the WAL checkpointer too). The best of many batches is the figure that
noise from other processes disturbs least.

``BRIGADE_SRC=<dir>`` puts ``<dir>`` first on ``sys.path``, to measure another version's
``src`` (``git archive <commit> src | tar -x -C <dir>``) against this one, alternating.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import sys
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

if os.environ.get("BRIGADE_SRC"):
    sys.path.insert(0, os.environ["BRIGADE_SRC"])

import uvloop

from bench import harness

Message = MutableMapping[str, Any]


async def call(
    app: Any,
    method: str,
    path: str,
    body: bytes = b"",
    headers: list[tuple[str, str]] | None = None,
) -> tuple[int, bytes]:
    """One request straight into the ASGI ``app``: ``(status, body)``."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)  # no disconnect while the app answers
        return {"type": "http.disconnect"}

    status = 0
    chunks: list[bytes] = []

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers or []],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }
    await app(scope, receive, send)
    return status, b"".join(chunks)


async def run(kind: str, orders: int, batches: int) -> float:
    """Set up, measure, and return the best batch's CPU per order (µs)."""
    work = Path(tempfile.mkdtemp(prefix="brigade-inproc-"))
    db = await harness.prepare_database(kind, work)
    setup = await harness.create_restaurant(db.url)
    os.environ.update(harness.brigade_env(db, work))
    from brigade.app import create_app, tune_gc

    app = create_app()
    runtime = app.state.runtime
    await runtime.db.start()
    try:
        login = json.dumps({"username": "bench-waiter", "password": harness.STAFF_PASSWORD})
        _, answer = await call(
            app,
            "POST",
            "/api/v1/auth/login",
            login.encode(),
            [("content-type", "application/json")],
        )
        auth = [("authorization", f"Bearer {json.loads(answer)['access_token']}")]
        rid = setup.restaurant_id
        _, menu_bytes = await call(app, "GET", f"/api/v1/restaurants/{rid}/menu", headers=auth)
        menu = json.loads(menu_bytes)
        choices = [
            (item["id"], item["variations"][0]["id"])
            for category in menu["categories"]
            for item in category["items"]
        ][:3]
        body = json.dumps(
            {
                "kind": "takeaway",
                "items": [{"menu_item_id": i, "variation_id": v} for i, v in choices],
            }
        ).encode()
        headers = [*auth, ("content-type", "application/json")]
        path = f"/api/v1/restaurants/{rid}/orders"
        keys = itertools.count()

        async def batch(total: int) -> None:
            left = total

            async def worker() -> None:
                nonlocal left
                while left > 0:
                    left -= 1
                    key = ("idempotency-key", f"k-{next(keys)}")
                    status, text = await call(app, "POST", path, body, [*headers, key])
                    if status != 201:
                        raise RuntimeError(f"{status}: {text[:300]!r}")

            await asyncio.gather(*(worker() for _ in range(16)))

        await batch(200)
        tune_gc()
        best = float("inf")
        for _ in range(batches):
            started = time.process_time()
            await batch(orders)
            best = min(best, (time.process_time() - started) / orders * 1e6)
        return best
    finally:
        await runtime.db.dispose()


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", nargs="?", default="sqlite", choices=["sqlite", "postgresql"])
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--batches", type=int, default=12)
    args = parser.parse_args()
    best = uvloop.run(run(args.kind, args.orders, args.batches))
    print(f"{args.kind}: best of {args.batches} x {args.orders}: {best:.0f} us CPU per order")


if __name__ == "__main__":
    main()
