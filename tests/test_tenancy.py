"""Tenant scoping: the helper (brigade.tenancy) and the checker that catches a forgotten
restaurant condition (tests/tenancy_check.py, active for the whole test session)."""

from __future__ import annotations

import gc
from typing import cast

import pytest
from sqlalchemy import Table, bindparam, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.auth.dependencies import Access, Actor
from brigade.auth.permissions import Permission
from brigade.infra.db import Base
from brigade.infra.errors import NotFound
from brigade.infra.prepared import Prepared
from brigade.kitchen import service as kitchen
from brigade.kitchen.models import Ticket
from brigade.orders.models import Order, OrderItem
from brigade.restaurants.models import Restaurant
from brigade.tables.models import DiningTable
from brigade.tenancy import RID, owned_by, same_restaurant, scoped, tenant_column, tenant_get
from tests.factories import make_restaurant, make_table
from tests.tenancy_check import ALLOWED_SQL, take_findings, unscoped_tables

_orders = cast(Table, Order.__table__)
_items = OrderItem.__table__


def test_every_table_with_a_restaurant_is_a_tenant_table() -> None:
    tenant = {t.name for t in Base.metadata.tables.values() if tenant_column(t) is not None}
    assert {"orders", "order_items", "floor_tables", "checks", "restaurants"} <= tenant
    assert "users" not in tenant


def test_scoped_adds_the_condition_for_each_table_of_the_from_list() -> None:
    statement = scoped(
        select(OrderItem.id).join(Order, Order.id == OrderItem.order_id).where(Order.id == 3), 7
    )
    sql = str(statement.compile(compile_kwargs={"literal_binds": True}))
    assert "order_items.restaurant_id = 7" in sql
    assert "orders.restaurant_id = 7" in sql
    assert unscoped_tables(statement) == frozenset()


def test_scoped_with_a_bind_parameter_and_explicit_tables() -> None:
    statement = scoped(update(_orders).values(notes="x"), RID)
    assert ":restaurant_id" in str(statement)
    assert "restaurants.id = 5" in str(
        scoped(select(Restaurant.name), 5, Restaurant).compile(
            compile_kwargs={"literal_binds": True}
        )
    )
    with pytest.raises(ValueError, match="no restaurant_id"):
        scoped(select(Order.id), 1, Base.metadata.tables["users"])
    with pytest.raises(ValueError, match="no tenant table"):
        scoped(select(Base.metadata.tables["users"].c.id), 1)


@pytest.mark.parametrize(
    ("statement", "unscoped"),
    [
        (select(Order.id).where(Order.id == 1), {"orders"}),
        (select(Order.id).where(Order.id == 1, Order.restaurant_id == bindparam("r")), set()),
        # a joined table not tied to the restaurant
        (
            select(OrderItem.id)
            .join(Order, Order.id == OrderItem.order_id)
            .where(Order.restaurant_id == 1),
            {"order_items"},
        ),
        (
            select(OrderItem.id)
            .join(Order, (Order.id == OrderItem.order_id) & same_restaurant(Order, OrderItem))
            .where(Order.restaurant_id == 1),
            set(),
        ),
        # a correlated subquery tied to an unscoped outer table scopes nothing
        (
            select(
                Order.id,
                select(Restaurant.currency)
                .where(Restaurant.id == Order.restaurant_id)
                .scalar_subquery(),
            ).where(Order.id == 1),
            {"orders", "restaurants"},
        ),
        # a subquery is judged on its own
        (
            select(Order.id).where(
                Order.restaurant_id == 1,
                Order.id.in_(select(OrderItem.order_id).where(OrderItem.quantity > 2)),
            ),
            {"order_items"},
        ),
        (update(DiningTable).where(DiningTable.id == 1).values(name="x"), {"floor_tables"}),
        (update(DiningTable).where(owned_by(DiningTable, 2)).values(name="x"), set()),
        (text("SELECT id FROM orders WHERE id = :id"), {"orders"}),
        (text("SELECT id FROM orders WHERE restaurant_id = :r AND id = :id"), set()),
    ],
)
def test_the_checker_finds_what_names_no_restaurant(statement: object, unscoped: set[str]) -> None:
    assert unscoped_tables(statement) == frozenset(unscoped)


async def test_a_forgotten_condition_in_a_service_is_caught(
    session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    restaurant = await make_restaurant(session)
    access = Access(Actor(user_id=1), restaurant.id, None, frozenset(Permission))
    # The service as written: scoped, nothing recorded.
    with pytest.raises(NotFound):
        await kitchen.get_ticket(session, access, 10**9)
    assert take_findings() == []
    # The same service with the condition forgotten: caught, naming the code and table.
    forgotten = kitchen._with_lines(Ticket.__table__).where(Ticket.__table__.c.id == kitchen._TID)
    monkeypatch.setattr(kitchen, "_GET_TICKET", forgotten)
    with pytest.raises(NotFound):
        await kitchen.get_ticket(session, access, 10**9)
    found = take_findings()
    assert [(f.where, f.table) for f in found] == [
        ("brigade.kitchen.service:get_ticket", "kitchen_tickets")
    ]


async def test_tenant_get_finds_only_the_restaurants_own(session: AsyncSession) -> None:
    mine, other = await make_restaurant(session), await make_restaurant(session)
    table = await make_table(session, restaurant=mine)
    assert (await tenant_get(session, DiningTable, mine.id, table)).id == table
    with pytest.raises(NotFound):
        await tenant_get(session, DiningTable, other.id, table)


def test_every_prepared_statement_names_the_restaurant() -> None:
    """Prepared statements run on the driver, past SQLAlchemy's events: judged here."""
    import brigade.app  # noqa: F401 - every context's statements are built at import

    gc.unfreeze()  # a server's start (brigade.app.tune_gc) hides older objects from gc
    # (those PreparedSession makes for statements it runs fire ``before_execute``: the
    # test-session checker, tests/tenancy_check.py, judges them where they run)
    prepared = [o for o in gc.get_objects() if isinstance(o, Prepared) and not o.implicit]
    assert len(prepared) > 10
    found = sorted(
        {
            (table, " ".join(str(p.statement).split())[:160])
            for p in prepared
            for table in unscoped_tables(p.statement)
            if not any(fragment in str(p.statement) for fragment in ALLOWED_SQL)
        }
    )
    assert not found, found
