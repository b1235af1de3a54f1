"""Two workers sharing one database and Redis: an event committed on one worker reaches
the clients of the other, once; resume works on either."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import redis.asyncio as aioredis

from tests.realtime.conftest import WAIT, LiveServer, Screen, serve, server_settings

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
async def workers(
    realtime_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[LiveServer, LiveServer]]:
    """Two servers on the realtime database with a Redis manager on a fresh channel."""
    channel = f"brigade-realtime-test-{uuid.uuid4().hex}"
    data_dir = tmp_path_factory.mktemp("redis-workers")
    settings = server_settings(
        data_dir, realtime_database_url, redis_url=REDIS_URL, realtime_channel=channel
    )
    client = aioredis.Redis.from_url(REDIS_URL)
    try:
        async with serve(settings) as first, serve(settings) as second:
            # Both workers subscribe at start-up; wait until Redis has both listeners.
            for _ in range(int(WAIT / 0.01)):
                if (await client.pubsub_numsub(channel))[0][1] >= 2:
                    break
                await asyncio.sleep(0.01)
            else:
                pytest.fail("the workers did not subscribe to Redis")
            yield first, second
    finally:
        await client.aclose()


async def test_event_committed_on_one_worker_reaches_clients_of_both(
    workers: tuple[LiveServer, LiveServer], seed: Any
) -> None:
    first, second = workers
    r = await seed(first.runtime)
    on_first, on_second = Screen(first.url), Screen(second.url)
    try:
        auth = {"token": r.waiter, "restaurant_id": r.restaurant_id}
        await on_first.connect(auth)
        await on_second.connect(auth)
        async with httpx.AsyncClient(base_url=first.url, timeout=WAIT) as http:
            response = await http.post(
                f"/api/v1/restaurants/{r.restaurant_id}/tables",
                json={"name": "Terrace"},
                headers=r.headers(r.owner),
            )
        assert response.status_code == 201, response.text
        for screen in (on_first, on_second):
            name, data = await screen.next()
            assert (name, data["seq"], data["data"]["table"]["name"]) == (
                "table.created",
                1,
                "Terrace",
            )

        # A command on the second worker reaches the first worker's client, once each.
        ack = await on_second.call("table.update", {"table_id": r.table_id, "seats": 8})
        assert ack["ok"] is True, ack
        for screen in (on_first, on_second):
            name, data = await screen.next()
            assert (name, data["seq"]) == ("table.updated", 2)
        assert on_first.pending() == on_second.pending() == []

        # Resume on the other worker.
        await on_first.close()
        resumed = Screen(second.url)
        try:
            await resumed.connect(auth | {"last_seq": 1}, wait_ready=False)
            name, data = await resumed.next()
            assert (name, data["seq"]) == ("table.updated", 2)
            assert (await resumed.next()) == ("ready", {"last_seq": 2, "replayed": 1})
        finally:
            await resumed.close()
    finally:
        await on_first.close()
        await on_second.close()
