"""Response bodies of the reporting context. Money is in the restaurant's minor units."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field, SerializerFunctionWrapHandler, model_serializer


class ProductSort(StrEnum):
    """Order of the product report: by net sales or by quantity, largest first."""

    revenue = "revenue"
    quantity = "quantity"


class SalesGroupBy(StrEnum):
    """What ``groups`` of the sales report are: the local ``hour`` (0–23) the order was
    opened, the ISO ``weekday`` (1 Monday … 7 Sunday), the business ``day``, ``week``
    (keyed by its Monday) or ``month`` (``YYYY-MM``), the menu ``category`` or ``item``
    (ids), the item's size (``variation``, id), the size's name across items (``size``:
    every "L" together), the ``waiter`` who opened the order (user id), the
    ``payment_method`` of its payments, the kitchen ``station`` of the line."""

    hour = "hour"
    weekday = "weekday"
    day = "day"
    week = "week"
    month = "month"
    category = "category"
    item = "item"
    variation = "variation"
    size = "size"
    waiter = "waiter"
    payment_method = "payment_method"
    station = "station"


class SalesGroup(BaseModel):
    """One group of the sales report: its sold lines' figures."""

    key: int | str | None = Field(
        description="The hour, ISO weekday number, ISO date (day; the Monday of a week), "
        "YYYY-MM (month), category, item, variation or user id, size name, payment "
        "method or station; null for lines whose item, category, variation or waiter is "
        "gone or unknown."
    )
    label: str = Field(description="What a person reads: a name, a weekday, 'Week 2015-W01'.")
    orders: int = Field(description="Orders with a line in the group.")
    items_sold: int = Field(description="Sum of the group's line quantities.")
    net_sales: int = Field(description="Sum of the group's line totals, minor units.")


class SalesReport(BaseModel):
    """Sales of the closed orders whose business date (the restaurant's local date)
    lies in ``start_date``..``end_date`` inclusive; voided lines are left out. With
    ``group_by``, ``groups`` splits the same lines (sorted by key, null last); without
    it neither field is given."""

    start_date: date
    end_date: date
    currency: str = Field(description="ISO 4217 code of every amount.")
    orders: int = Field(description="Closed orders in the range.")
    items_sold: int = Field(description="Sum of the quantities of their non-voided lines.")
    net_sales: int = Field(description="Sum of those lines' totals, minor units.")
    tax: int = Field(description="Tax of the paid checks of those orders, minor units.")
    average_order_value: int = Field(
        description="net_sales / orders rounded half-up, minor units; 0 without orders."
    )
    group_by: SalesGroupBy | None = None
    groups: list[SalesGroup] | None = None

    @model_serializer(mode="wrap")
    def _grouped_only(self, handler: SerializerFunctionWrapHandler):  # type: ignore[no-untyped-def]  # noqa: ANN202 - no return type: the schema stays the model's
        """Leave ``group_by`` and ``groups`` out of a report without a grouping (the
        report as it was before groupings)."""
        data = handler(self)
        if self.group_by is None:
            data.pop("group_by", None)
            data.pop("groups", None)
        return data


class ProductSales(BaseModel):
    """One menu item's sales in the range. ``name`` and ``category`` are the menu's
    current ones (the lines' snapshot when the item was deleted, ``menu_item_id`` then
    ``null``)."""

    menu_item_id: int | None
    name: str
    category: str
    quantity: int
    net_sales: int = Field(description="Sum of the item's non-voided line totals, minor units.")


class ProductReport(BaseModel):
    """Per item sales of the closed orders in the range, sorted by ``sort`` (largest
    first, ties by name). ``total`` counts every item with sales, whatever the page."""

    start_date: date
    end_date: date
    currency: str
    sort: ProductSort
    items: list[ProductSales]
    total: int
