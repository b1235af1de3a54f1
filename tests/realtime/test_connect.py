"""Connecting to /realtime/v1: auth, refusals, rooms, and delivery of committed events."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import socketio

from brigade.events.outbox import DomainEvent, NewEvent, record_many, take_pending
from tests.realtime.conftest import LiveServer, make_api_token


async def emit_events(
    live_server: LiveServer, restaurant_id: int, *events: tuple[str, str | None]
) -> list[DomainEvent]:
    """Commit events (type, station) for ``restaurant_id`` the way services do."""
    runtime = live_server.runtime
    async with runtime.db.sessionmaker() as session:
        await record_many(
            session,
            restaurant_id,
            [NewEvent(t, {"n": i}, station=s) for i, (t, s) in enumerate(events)],
        )
        await session.commit()
        committed = take_pending(session)
    await runtime.bus.publish(committed)
    return committed


async def test_committed_event_reaches_connected_client(
    live_server: LiveServer, seed: Any, screens: Any
) -> None:
    r = await seed()
    screen = screens()
    ready = await screen.connect({"token": r.waiter, "restaurant_id": r.restaurant_id})
    assert ready == {"last_seq": 0, "replayed": 0}

    sent = await emit_events(live_server, r.restaurant_id, ("table.created", None))
    name, data = await screen.next()
    assert name == "table.created"
    assert data["seq"] == sent[0].seq == 1
    assert data["restaurant_id"] == r.restaurant_id
    assert data["data"] == {"n": 0}
    assert data["station"] is None


async def test_socketio_path_is_served_next_to_the_api(http: httpx.AsyncClient) -> None:
    # The Engine.IO handshake over HTTP long-polling, as a browser's first request.
    response = await http.get("/socket.io/", params={"EIO": "4", "transport": "polling"})
    assert response.status_code == 200
    assert response.text.startswith("0{")
    assert '"sid"' in response.text
    assert (await http.get("/healthz")).status_code == 200


@pytest.mark.parametrize(
    ("auth", "status", "slug"),
    [
        (None, 401, "not-authenticated"),
        ({"restaurant_id": 1}, 401, "not-authenticated"),
        ({"token": "not-a-jwt", "restaurant_id": 1}, 401, "not-authenticated"),
        ({"token": "brg_unknown", "restaurant_id": 1}, 401, "not-authenticated"),
    ],
)
async def test_refused_without_valid_token(
    screens: Any, auth: dict[str, Any] | None, status: int, slug: str
) -> None:
    screen = screens()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await screen.connect(auth or {}, wait_ready=False)
    assert screen.connect_error["data"]["status"] == status
    assert screen.connect_error["data"]["type"].endswith("/" + slug)


async def test_refused_for_other_restaurant(seed: Any, screens: Any) -> None:
    a, b = await seed(), await seed()
    screen = screens()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await screen.connect({"token": a.waiter, "restaurant_id": b.restaurant_id})
    assert screen.connect_error["data"]["status"] == 404
    assert screen.connect_error["data"]["type"].endswith("/not-found")


async def test_refused_for_other_restaurants_api_token(
    live_server: LiveServer, seed: Any, screens: Any
) -> None:
    a, b = await seed(), await seed()
    token = await make_api_token(live_server, a.restaurant_id, ["events:read"])
    screen = screens()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await screen.connect({"token": token, "restaurant_id": b.restaurant_id})
    assert screen.connect_error["data"]["status"] == 404


async def test_refused_without_events_permission(
    live_server: LiveServer, seed: Any, screens: Any
) -> None:
    r = await seed()
    token = await make_api_token(live_server, r.restaurant_id, ["menu:read"])
    screen = screens()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await screen.connect({"token": token, "restaurant_id": r.restaurant_id})
    assert screen.connect_error["data"]["status"] == 403
    assert "events:read" in screen.connect_error["data"]["detail"]


async def test_refused_with_bad_auth_members(seed: Any, screens: Any) -> None:
    r = await seed()
    screen = screens()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await screen.connect({"token": r.waiter, "restaurant_id": "abc", "last_seq": -1})
    problem = screen.connect_error["data"]
    assert problem["status"] == 422
    assert {tuple(e["loc"]) for e in problem["errors"]} == {
        ("auth", "restaurant_id"),
        ("auth", "last_seq"),
    }


async def test_restaurants_never_see_each_others_events(
    live_server: LiveServer, seed: Any, screens: Any
) -> None:
    a, b = await seed(), await seed()
    screen_a, screen_b = screens(), screens()
    await screen_a.connect({"token": a.owner, "restaurant_id": a.restaurant_id})
    await screen_b.connect({"token": b.owner, "restaurant_id": b.restaurant_id})

    await emit_events(
        live_server, a.restaurant_id, ("order.created", None), ("ticket.created", "grill")
    )
    assert [(await screen_a.next())[0] for _ in range(2)] == ["order.created", "ticket.created"]
    # A's events were emitted before B's write began: B's first event must be its own.
    await emit_events(live_server, b.restaurant_id, ("table.created", None))
    name, data = await screen_b.next()
    assert (name, data["restaurant_id"]) == ("table.created", b.restaurant_id)
    assert screen_b.pending() == []


async def test_station_screens_get_their_station_and_expo_gets_all(
    live_server: LiveServer, seed: Any, screens: Any
) -> None:
    r = await seed()
    grill, bar, expo = screens(), screens(), screens()
    await grill.connect({"token": r.kitchen, "restaurant_id": r.restaurant_id, "station": "grill"})
    await bar.connect({"token": r.kitchen, "restaurant_id": r.restaurant_id, "station": "bar"})
    await expo.connect({"token": r.kitchen, "restaurant_id": r.restaurant_id})

    await emit_events(
        live_server,
        r.restaurant_id,
        ("ticket.created", "grill"),
        ("ticket.created", "bar"),
        ("order.sent", None),
    )
    expo_got = [(n, d["seq"], d["station"]) for n, d in [await expo.next() for _ in range(3)]]
    assert expo_got == [
        ("ticket.created", 1, "grill"),
        ("ticket.created", 2, "bar"),
        ("order.sent", 3, None),
    ]
    grill_got = [(n, d["seq"]) for n, d in [await grill.next() for _ in range(2)]]
    assert grill_got == [("ticket.created", 1), ("order.sent", 3)]
    bar_got = [(n, d["seq"]) for n, d in [await bar.next() for _ in range(2)]]
    assert bar_got == [("ticket.created", 2), ("order.sent", 3)]
    # Every event was emitted before the last one each screen got: nothing else is due.
    assert grill.pending() == bar.pending() == expo.pending() == []


async def test_kitchen_only_token_gets_kitchen_events_only(
    live_server: LiveServer, seed: Any, screens: Any
) -> None:
    r = await seed()
    token = await make_api_token(live_server, r.restaurant_id, ["kitchen:read"])
    screen = screens()
    await screen.connect({"token": token, "restaurant_id": r.restaurant_id, "station": "cold"})
    await emit_events(
        live_server,
        r.restaurant_id,
        ("order.created", None),
        ("ticket.created", "grill"),
        ("ticket.created", "cold"),
    )
    name, data = await screen.next()
    assert (name, data["seq"], data["station"]) == ("ticket.created", 3, "cold")
    assert screen.pending() == []


async def test_events_published_out_of_order_reach_clients_in_seq_order(
    live_server: LiveServer, seed: Any, screens: Any
) -> None:
    # Two transactions commit seq 1 and 2 but announce in the other order (or seq 1 was
    # committed by another process, such as a CLI import, and never announced here).
    r = await seed()
    screen = screens()
    await screen.connect({"token": r.waiter, "restaurant_id": r.restaurant_id})
    runtime = live_server.runtime
    await emit_events(live_server, r.restaurant_id, ("order.created", None))
    assert (await screen.next())[1]["seq"] == 1
    async with runtime.db.sessionmaker() as session:  # committed, not announced
        await record_many(session, r.restaurant_id, [NewEvent("order.sent", {})])
        await record_many(session, r.restaurant_id, [NewEvent("order.closed", {})])
        await session.commit()
        late, early = ([event] for event in take_pending(session))
    await runtime.bus.publish(early)
    got = [await screen.next() for _ in range(2)]
    assert [(n, d["seq"]) for n, d in got] == [("order.sent", 2), ("order.closed", 3)]
    await runtime.bus.publish(late)  # already sent: not sent again
    await emit_events(live_server, r.restaurant_id, ("table.updated", None))
    name, data = await screen.next()
    assert (name, data["seq"]) == ("table.updated", 4)
