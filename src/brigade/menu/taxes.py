"""Which tax rate a menu item is taxed at: the menu context's API for billing.

An item's own ``tax_rate_id`` when it names one, else its category's; ``None`` means the
restaurant's default rate (:mod:`brigade.restaurants.taxes`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.menu.models import Category, MenuItem
from brigade.tenancy import RID, same_restaurant, scoped

_items = cast(Table, MenuItem.__table__)
_categories = cast(Table, Category.__table__)

_ITEM_RATES = scoped(
    select(
        _items.c.id,
        func.coalesce(_items.c.tax_rate_id, _categories.c.tax_rate_id).label("tax_rate_id"),
    )
    .select_from(
        _items.join(
            _categories,
            (_categories.c.id == _items.c.category_id) & same_restaurant(_categories, _items),
        )
    )
    .where(_items.c.id.in_(bindparam("item_ids", expanding=True))),
    RID,
    _items,
)


async def item_tax_rate_ids(
    session: AsyncSession, restaurant_id: int, item_ids: Sequence[int]
) -> dict[int, int | None]:
    """The tax rate id of each of ``item_ids`` (menu items of ``restaurant_id``): the
    item's own, else its category's, ``None`` for the default rate. Items not found
    (deleted since) are left out. One query; none for no ids."""
    ids = list(dict.fromkeys(item_ids))
    if not ids:
        return {}
    rows = await session.execute(_ITEM_RATES, {"restaurant_id": restaurant_id, "item_ids": ids})
    return {row.id: row.tax_rate_id for row in rows}
