"""A restaurant's tax rates (CRUD) and the billing rules other contexts price checks with.

The restaurant's own ``tax_rate_bp``/``tax_inclusive`` stay its **default** rate (the
rate of a line whose menu item and category name no :class:`TaxRate`); named rates are
rows of ``tax_rates``, named by menu categories and items (:mod:`brigade.menu`).

Other contexts call :func:`billing_rules` (billing) and :func:`tax_rate_exists` (menu,
to check the rate a category or item names). Writes record ``restaurant.tax_rate``
(``{"action", "id", "tax_rate": TaxRateRead}``); as a ``restaurant.*`` event it also
drops the restaurant's cached profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from brigade.events.outbox import record
from brigade.infra.db import utcnow
from brigade.infra.errors import NotFound
from brigade.restaurants.exceptions import TaxRateInUse
from brigade.restaurants.models import Restaurant, TaxRate
from brigade.restaurants.schemas import (
    TaxRateCreate,
    TaxRateList,
    TaxRateRead,
    TaxRateUpdate,
)
from brigade.tenancy import RID, scoped

if TYPE_CHECKING:
    from brigade.auth.dependencies import Access

TAX_RATE_EVENT = "restaurant.tax_rate"

_restaurants = cast(Table, Restaurant.__table__)
_tax_rates = cast(Table, TaxRate.__table__)

_RULES = scoped(
    select(
        _restaurants.c.tax_rate_bp,
        _restaurants.c.tax_inclusive,
        _restaurants.c.service_charge_bp,
        _restaurants.c.service_charge_min_covers,
        _restaurants.c.service_charge_taxable,
        _restaurants.c.cash_rounding_unit,
        _restaurants.c.discount_approval_bp,
    ),
    RID,
    _restaurants,
)
_RATES = scoped(
    select(_tax_rates.c.id, _tax_rates.c.name, _tax_rates.c.rate_bp, _tax_rates.c.inclusive),
    RID,
)


@dataclass(frozen=True, slots=True)
class TaxRateInfo:
    """A tax rate as billing needs it: ``id``, ``name``, ``rate_bp`` (basis points),
    ``inclusive``."""

    id: int
    name: str
    rate_bp: int
    inclusive: bool


@dataclass(frozen=True, slots=True)
class BillingRules:
    """What pricing a check of a restaurant needs (read now, two queries).

    ``tax_rate_bp``/``tax_inclusive``: the default rate; ``rates``: the named rates by
    id; ``service_charge_bp`` (basis points, 0 = none), for orders of at least
    ``service_charge_min_covers`` covers (0: every check), taxed at the default rate when
    ``service_charge_taxable``; ``cash_rounding_unit`` (minor units, 1 = none);
    ``discount_approval_bp`` (basis points of the subtotal beyond which discounts need a
    manager's approval).
    """

    tax_rate_bp: int
    tax_inclusive: bool
    service_charge_bp: int
    service_charge_min_covers: int
    service_charge_taxable: bool
    cash_rounding_unit: int
    discount_approval_bp: int
    rates: dict[int, TaxRateInfo]


async def billing_rules(session: AsyncSession, restaurant_id: int) -> BillingRules:
    """The :class:`BillingRules` of ``restaurant_id``. Raises :class:`NotFound`."""
    params = {"restaurant_id": restaurant_id}
    row = (await session.execute(_RULES, params)).first()
    if row is None:
        raise NotFound(f"restaurant {restaurant_id} not found")
    rates = {
        r.id: TaxRateInfo(r.id, r.name, r.rate_bp, r.inclusive)
        for r in await session.execute(_RATES, params)
    }
    return BillingRules(
        tax_rate_bp=row.tax_rate_bp,
        tax_inclusive=row.tax_inclusive,
        service_charge_bp=row.service_charge_bp,
        service_charge_min_covers=row.service_charge_min_covers,
        service_charge_taxable=row.service_charge_taxable,
        cash_rounding_unit=row.cash_rounding_unit,
        discount_approval_bp=row.discount_approval_bp,
        rates=rates,
    )


async def tax_rate_exists(session: AsyncSession, restaurant_id: int, tax_rate_id: int) -> bool:
    """Whether ``tax_rate_id`` is a tax rate of ``restaurant_id`` (one query)."""
    found = await session.scalar(
        scoped(select(TaxRate.id), restaurant_id).where(TaxRate.id == tax_rate_id)
    )
    return found is not None


async def _get(session: AsyncSession, restaurant_id: int, tax_rate_id: int) -> TaxRate:
    row: TaxRate | None = await session.scalar(
        scoped(select(TaxRate), restaurant_id).where(TaxRate.id == tax_rate_id)
    )
    if row is None:
        raise NotFound(f"tax rate {tax_rate_id} not found")
    return row


async def _event(session: AsyncSession, restaurant_id: int, action: str, read: TaxRateRead) -> None:
    await record(
        session,
        restaurant_id,
        TAX_RATE_EVENT,
        {"action": action, "id": read.id, "tax_rate": read.model_dump(mode="json")},
    )


async def list_tax_rates(session: AsyncSession, access: Access) -> TaxRateList:
    """The restaurant's tax rates by name, then id."""
    rows = (
        await session.scalars(
            scoped(select(TaxRate), access.restaurant_id).order_by(TaxRate.name, TaxRate.id)
        )
    ).all()
    return TaxRateList(items=[TaxRateRead.model_validate(r) for r in rows], total=len(rows))


async def get_tax_rate(session: AsyncSession, access: Access, tax_rate_id: int) -> TaxRateRead:
    """One tax rate; raises :class:`NotFound`."""
    return TaxRateRead.model_validate(await _get(session, access.restaurant_id, tax_rate_id))


async def create_tax_rate(
    session: AsyncSession, access: Access, body: TaxRateCreate
) -> TaxRateRead:
    """Create a tax rate; event ``restaurant.tax_rate`` (``created``)."""
    row = TaxRate(
        restaurant_id=access.restaurant_id,
        name=body.name,
        rate_bp=body.rate_bp,
        inclusive=body.inclusive,
        created_at=utcnow(),
    )
    session.add(row)
    await session.flush()
    read = TaxRateRead.model_validate(row)
    await _event(session, access.restaurant_id, "created", read)
    return read


async def update_tax_rate(
    session: AsyncSession, access: Access, tax_rate_id: int, body: TaxRateUpdate
) -> TaxRateRead:
    """Change a tax rate (open checks follow on their next read, paid ones keep their
    stored taxes); raises :class:`NotFound`; event ``restaurant.tax_rate``
    (``updated``)."""
    row = await _get(session, access.restaurant_id, tax_rate_id)
    for key, value in body.model_dump(exclude_unset=True).items():
        if value is not None:
            setattr(row, key, value)
    await session.flush()
    read = TaxRateRead.model_validate(row)
    await _event(session, access.restaurant_id, "updated", read)
    return read


async def delete_tax_rate(session: AsyncSession, access: Access, tax_rate_id: int) -> None:
    """Delete a tax rate no menu category or item names (checks keep their snapshot of
    it). Raises :class:`NotFound` and :class:`TaxRateInUse` (409: the menu's foreign
    key refuses it; the transaction goes on from a savepoint). Event
    ``restaurant.tax_rate`` (``deleted``)."""
    row = await _get(session, access.restaurant_id, tax_rate_id)
    read = TaxRateRead.model_validate(row)
    try:
        async with session.begin_nested():
            await session.execute(
                scoped(delete(_tax_rates), access.restaurant_id, _tax_rates).where(
                    _tax_rates.c.id == tax_rate_id
                )
            )
    except IntegrityError as exc:
        raise TaxRateInUse(
            f"tax rate {tax_rate_id} is named by a menu category or item; change them first"
        ) from exc
    session.expunge(row)
    await _event(session, access.restaurant_id, "deleted", read)
