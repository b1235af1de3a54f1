"""A login the platform admin deactivates (``POST /users/{id}/deactivate``) loses its
connected socket at once, and cannot connect again."""

from __future__ import annotations

from typing import Any

import httpx

from brigade.auth.security import create_access_token
from brigade.auth.service import create_user
from brigade.events.unit_of_work import unit_of_work
from tests.factories import PASSWORD, unique
from tests.realtime.conftest import LiveServer
from tests.realtime.test_sessions import connected, refused_to_connect, revoked, waiter_of


async def test_deactivated_by_the_platform_admin(
    live_server: LiveServer, http: httpx.AsyncClient, seed: Any, screens: Any
) -> None:
    runtime = live_server.runtime
    r = await seed()
    waiter = await waiter_of(live_server, http, r.restaurant_id)
    async with unit_of_work(runtime.db, runtime.bus) as session:
        admin = await create_user(
            session, username=unique("rt-admin"), password=PASSWORD, is_admin=True
        )
        admin_id = admin.id
    token, _ = create_access_token(
        admin_id,
        is_admin=True,
        key=runtime.settings.signing_key,
        ttl_seconds=runtime.settings.access_token_ttl_seconds,
    )
    screen, gone = await connected(screens, waiter.token, r.restaurant_id)
    bystander, bystander_gone = await connected(screens, r.cashier, r.restaurant_id)

    done = await http.post(
        f"/api/v1/users/{waiter.user_id}/deactivate",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert done.status_code == 200, done.text

    await revoked(screen, gone, 401, "session-ended")
    assert await refused_to_connect(screens, waiter.token, r.restaurant_id, 401) == "session-ended"
    assert not bystander_gone.is_set()
    assert (await bystander.call("sync", {"last_seq": 0}))["ok"] is True
