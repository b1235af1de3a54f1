"""Shared set-up of the orders and billing tests: a restaurant with staff, menu, tables."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from httpx import AsyncClient, Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.models import User
from brigade.auth.permissions import Role
from brigade.auth.security import create_access_token
from brigade.billing.models import Check, Payment
from brigade.events.models import OutboxEvent
from brigade.events.outbox import number_queued
from brigade.idempotency.models import IdempotencyRecord
from brigade.infra.db import utcnow
from brigade.kitchen.models import Ticket, TicketItem
from brigade.orders.models import Order, OrderItem
from brigade.restaurants.models import Restaurant
from brigade.restaurants.service import add_member
from brigade.runtime import Runtime
from brigade.tables.models import DiningTable
from tests.factories import (
    Login,
    MenuItemFixture,
    make_menu_item,
    make_modifier_group,
    make_restaurant,
    make_table,
    unique,
)

PROBLEM = "https://brigade.dev/problems/"


@dataclass
class World:
    """A restaurant ready to take orders, and a stranger from another restaurant."""

    restaurant: Restaurant
    owner: Login
    waiter: Login
    kitchen: Login
    cashier: Login
    stranger: Login
    pizza: MenuItemFixture  # sizes S 1000, L 1500, station "pizza"
    cola: MenuItemFixture  # one variation 300, station "bar"
    soup: MenuItemFixture  # one variation 650, station "kitchen"
    gone: MenuItemFixture  # 86'd
    extras: dict[str, int]  # modifiers of the pizza: cheese +150, olives +75
    table: int
    table2: int
    other_table: int  # a table of the stranger's restaurant

    @property
    def rid(self) -> int:
        return self.restaurant.id

    @property
    def orders_url(self) -> str:
        return f"/api/v1/restaurants/{self.restaurant.id}/orders"

    def url(self, path: str) -> str:
        return f"/api/v1/restaurants/{self.restaurant.id}{path}"


async def quick_login(
    session: AsyncSession, runtime: Runtime, restaurant: Restaurant, role: Role
) -> Login:
    """A member with ``role`` and an access token; no password (hashing is slow and these
    tests never log in with one)."""
    user = User(
        username=unique("staff"),
        password_hash="!",  # noqa: S106 - matches no password
        full_name="",
        is_admin=False,
        is_active=True,
        created_at=utcnow(),
    )
    session.add(user)
    await session.flush()
    await add_member(session, restaurant.id, user.id, role)
    token, _ = create_access_token(
        user.id,
        is_admin=False,
        key=runtime.settings.signing_key,
        ttl_seconds=runtime.settings.access_token_ttl_seconds,
    )
    return Login(user=user, token=token)


async def make_world(
    session: AsyncSession, runtime: Runtime, *, tax_rate_bp: int = 0, tax_inclusive: bool = False
) -> World:
    restaurant = await make_restaurant(
        session, tax_rate_bp=tax_rate_bp, tax_inclusive=tax_inclusive, currency="EUR"
    )
    other = await make_restaurant(session)
    pizza = await make_menu_item(
        session, restaurant, name="Margherita", station="pizza", prices={"S": 1000, "L": 1500}
    )
    cola = await make_menu_item(
        session, restaurant, name="Cola", category="Drinks", station="bar", prices={"0.33": 300}
    )
    soup = await make_menu_item(
        session, restaurant, name="Soup", category="Starters", prices={"Bowl": 650}
    )
    gone = await make_menu_item(session, restaurant, name="Calzone", is_available=False)
    extras = await make_modifier_group(
        session, restaurant, items=[pizza.id], modifiers={"cheese": 150, "olives": 75}
    )
    world = World(
        restaurant=restaurant,
        owner=await quick_login(session, runtime, restaurant, Role.owner),
        waiter=await quick_login(session, runtime, restaurant, Role.waiter),
        kitchen=await quick_login(session, runtime, restaurant, Role.kitchen),
        cashier=await quick_login(session, runtime, restaurant, Role.cashier),
        stranger=await quick_login(session, runtime, other, Role.owner),
        pizza=pizza,
        cola=cola,
        soup=soup,
        gone=gone,
        extras=extras,
        table=await make_table(session, restaurant, name="T1"),
        table2=await make_table(session, restaurant, name="T2"),
        other_table=await make_table(session, other, name="X1"),
    )
    await session.commit()
    return world


def problem_type(response: Response) -> str:
    """The slug of a problem+json response (asserting the media type)."""
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return str(body["type"]).removeprefix(PROBLEM)


async def count(session: AsyncSession, model: Any, **where: Any) -> int:
    """Rows of ``model`` matching ``where`` (column == value)."""
    stmt = select(func.count()).select_from(model)
    for name, value in where.items():
        stmt = stmt.where(getattr(model, name) == value)
    return int((await session.execute(stmt)).scalar_one())


async def snapshot(session: AsyncSession, restaurant_id: int) -> dict[str, Any]:
    """Row counts and versions that an error must leave untouched."""
    tables = (
        await session.execute(
            select(DiningTable.id, DiningTable.status, DiningTable.version)
            .where(DiningTable.restaurant_id == restaurant_id)
            .order_by(DiningTable.id)
        )
    ).all()
    orders = (
        await session.execute(
            select(Order.id, Order.status, Order.version)
            .where(Order.restaurant_id == restaurant_id)
            .order_by(Order.id)
        )
    ).all()
    items = (
        await session.execute(
            select(OrderItem.id, OrderItem.status)
            .where(OrderItem.restaurant_id == restaurant_id)
            .order_by(OrderItem.id)
        )
    ).all()
    checks = (
        await session.execute(
            select(Check.id, Check.status, Check.version, Check.paid_total)
            .where(Check.restaurant_id == restaurant_id)
            .order_by(Check.id)
        )
    ).all()
    return {
        "tables": [tuple(r) for r in tables],
        "orders": [tuple(r) for r in orders],
        "items": [tuple(r) for r in items],
        "checks": [tuple(r) for r in checks],
        "payments": await count(session, Payment, restaurant_id=restaurant_id),
        "tickets": await count(session, Ticket, restaurant_id=restaurant_id),
        "ticket_items": await count(session, TicketItem, restaurant_id=restaurant_id),
        "events": await count(session, OutboxEvent, restaurant_id=restaurant_id),
        "idempotency": await count(session, IdempotencyRecord, restaurant_id=restaurant_id),
    }


async def event_types(session: AsyncSession, restaurant_id: int, after_seq: int = 0) -> list[str]:
    """Types of the restaurant's outbox events after ``after_seq``, in ``seq`` order
    (events this transaction recorded are numbered first, as its commit would)."""
    await number_queued(session)
    rows = await session.execute(
        select(OutboxEvent.type)
        .where(OutboxEvent.restaurant_id == restaurant_id, OutboxEvent.seq > after_seq)
        .order_by(OutboxEvent.seq)
    )
    return list(rows.scalars())


async def last_seq(session: AsyncSession, restaurant_id: int) -> int:
    value = await session.scalar(
        select(func.max(OutboxEvent.seq)).where(OutboxEvent.restaurant_id == restaurant_id)
    )
    return int(value or 0)


async def open_order(
    client: AsyncClient, world: World, *, table: int | None = None, items: list[Any] | None = None
) -> dict[str, Any]:
    """Open a dine-in order at ``table`` (default: the world's first table) through HTTP."""
    response = await client.post(
        world.orders_url,
        json={"kind": "dine_in", "table_id": table or world.table, "items": items or []},
        headers=world.waiter.headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
