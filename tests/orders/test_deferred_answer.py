"""The idempotency answer of an order placement is written at the commit (deferred with
the events): through the unit of work, and through a plain session commit too."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access, Actor
from brigade.auth.permissions import ROLE_PERMISSIONS, Role
from brigade.events.unit_of_work import unit_of_work
from brigade.orders.schemas import OrderCreate
from brigade.orders.service import create_order_once
from brigade.runtime import Runtime
from tests.orders.support import make_world


def waiter_access(user_id: int, restaurant_id: int) -> Access:
    return Access(Actor(user_id=user_id), restaurant_id, Role.waiter, ROLE_PERMISSIONS[Role.waiter])


async def test_answer_written_by_a_plain_commit(session: AsyncSession, runtime: Runtime) -> None:
    world = await make_world(session, runtime)
    access = waiter_access(world.waiter.user.id, world.rid)
    data = OrderCreate.model_validate(
        {"kind": "takeaway", "items": [{"menu_item_id": world.cola.id}]}
    )
    first = await create_order_once(session, access, data, idempotency_key="plain-1")
    await session.commit()  # not a unit of work: the before_commit hook writes it
    again = await create_order_once(session, access, data, idempotency_key="plain-1")
    assert not first.replayed
    assert again.replayed
    assert again.answer == first.answer


async def test_answer_written_by_the_unit_of_work(session: AsyncSession, runtime: Runtime) -> None:
    world = await make_world(session, runtime)
    access = waiter_access(world.waiter.user.id, world.rid)
    data = OrderCreate.model_validate({"kind": "takeaway"})
    async with unit_of_work(runtime.db, None) as uow:
        first = await create_order_once(uow, access, data, idempotency_key="uow-1")
    async with unit_of_work(runtime.db, None) as uow:
        again = await create_order_once(uow, access, data, idempotency_key="uow-1")
    assert again.replayed
    assert again.encoded == first.encoded
