"""Resume: a client that reconnects with ``last_seq`` receives what it missed, in order,
before live events, once each; ``sync`` replays on demand."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from brigade.realtime.delivery import REPLAY_PAGE
from tests.realtime.conftest import LiveServer
from tests.realtime.test_connect import emit_events


async def create_table(http: httpx.AsyncClient, restaurant_id: int, token: str, name: str) -> Any:
    response = await http.post(
        f"/api/v1/restaurants/{restaurant_id}/tables",
        json={"name": name, "seats": 4},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_http_writes_reach_the_client_with_increasing_seq(
    http: httpx.AsyncClient, seed: Any, screens: Any
) -> None:
    r = await seed()
    screen = screens()
    await screen.connect({"token": r.waiter, "restaurant_id": r.restaurant_id})
    for name in ("Patio 1", "Patio 2"):
        await create_table(http, r.restaurant_id, r.owner, name)
    got = [await screen.next() for _ in range(2)]
    assert [(n, d["seq"], d["data"]["table"]["name"]) for n, d in got] == [
        ("table.created", 1, "Patio 1"),
        ("table.created", 2, "Patio 2"),
    ]


async def test_reconnect_with_last_seq_gets_exactly_what_it_missed(
    http: httpx.AsyncClient, seed: Any, screens: Any
) -> None:
    r = await seed()
    auth = {"token": r.waiter, "restaurant_id": r.restaurant_id}
    first = screens()
    await first.connect(auth)
    await create_table(http, r.restaurant_id, r.owner, "Before")
    name, data = await first.next()
    last_seq = data["seq"]
    await first.close()

    for name in ("A", "B", "C"):
        await create_table(http, r.restaurant_id, r.owner, name)

    again = screens()
    ready = await again.connect(auth | {"last_seq": last_seq}, wait_ready=False)
    assert ready is None
    got = [await again.next() for _ in range(4)]
    assert [
        (n, d.get("seq"), d.get("data", {}).get("table", {}).get("name")) for n, d in got[:3]
    ] == [
        ("table.created", last_seq + 1, "A"),
        ("table.created", last_seq + 2, "B"),
        ("table.created", last_seq + 3, "C"),
    ]
    assert got[3] == ("ready", {"last_seq": last_seq + 3, "replayed": 3})
    # Live delivery resumes after the replay.
    await create_table(http, r.restaurant_id, r.owner, "Live")
    name, data = await again.next()
    assert (name, data["seq"]) == ("table.created", last_seq + 4)
    assert again.pending() == []


async def test_replay_only_sends_what_the_clients_rooms_would_have(
    live_server: LiveServer, seed: Any, screens: Any
) -> None:
    r = await seed()
    await emit_events(
        live_server,
        r.restaurant_id,
        ("ticket.created", "grill"),
        ("ticket.created", "bar"),
        ("order.sent", None),
    )
    grill = screens()
    await grill.connect(
        {"token": r.kitchen, "restaurant_id": r.restaurant_id, "station": "grill", "last_seq": 0},
        wait_ready=False,
    )
    got = [await grill.next() for _ in range(3)]
    assert [(n, d.get("seq")) for n, d in got] == [
        ("ticket.created", 1),
        ("order.sent", 3),
        ("ready", None),
    ]
    assert got[2][1] == {"last_seq": 3, "replayed": 2}


async def test_events_committed_during_a_long_replay_arrive_once_and_in_order(
    live_server: LiveServer, seed: Any, screens: Any
) -> None:
    r = await seed()
    backlog = REPLAY_PAGE + 20
    await emit_events(live_server, r.restaurant_id, *[("order.created", None)] * backlog)
    live = 30
    screen = screens()

    async def write_while_connecting() -> None:
        for _ in range(live):
            await emit_events(live_server, r.restaurant_id, ("order.sent", None))
            await asyncio.sleep(0)

    writer = asyncio.create_task(write_while_connecting())
    await screen.connect(
        {"token": r.waiter, "restaurant_id": r.restaurant_id, "last_seq": 0}, wait_ready=False
    )
    await writer
    seqs: list[int] = []
    ready_seen = 0
    while len(seqs) < backlog + live:
        name, data = await screen.next()
        if name == "ready":
            ready_seen += 1
            continue
        seqs.append(data["seq"])
    assert seqs == list(range(1, backlog + live + 1))
    if not ready_seen:  # the replay caught up with every write before announcing it
        assert (await screen.next())[0] == "ready"
    assert screen.pending() == []


async def test_sync_replays_on_demand(live_server: LiveServer, seed: Any, screens: Any) -> None:
    r = await seed()
    await emit_events(live_server, r.restaurant_id, *[("table.updated", None)] * 4)
    screen = screens()
    ready = await screen.connect({"token": r.waiter, "restaurant_id": r.restaurant_id})
    assert ready == {"last_seq": 4, "replayed": 0}

    ack = await screen.call("sync", {"last_seq": 2})
    assert ack == {"ok": True, "data": {"replayed": 2, "last_seq": 4}}
    assert [(n, d["seq"]) for n, d in screen.pending()] == [
        ("table.updated", 3),
        ("table.updated", 4),
    ]


async def test_sync_with_bad_payload_is_a_validation_problem(seed: Any, screens: Any) -> None:
    r = await seed()
    screen = screens()
    await screen.connect({"token": r.waiter, "restaurant_id": r.restaurant_id})
    ack = await screen.call("sync", {"last_seq": "soon"})
    assert ack["ok"] is False
    assert ack["error"]["status"] == 422
    assert ack["error"]["type"].endswith("/validation-error")
    assert ack["error"]["errors"][0]["loc"] == ["payload", "last_seq"]
