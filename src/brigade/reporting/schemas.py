"""Response bodies of the reporting context. Money is in the restaurant's minor units."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field


class ProductSort(StrEnum):
    """Order of the product report: by net sales or by quantity, largest first."""

    revenue = "revenue"
    quantity = "quantity"


class SalesReport(BaseModel):
    """Sales of the closed orders whose business date (the restaurant's local date)
    lies in ``start_date``..``end_date`` inclusive; voided lines are left out."""

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


class StationToday(BaseModel):
    """One kitchen station's tickets in preparation now, against its prep target."""

    station: str
    target_seconds: int = Field(description="The station's prep target (fired → ready), seconds.")
    tickets_open: int = Field(description="Its tickets ``new`` or ``preparing``.")
    tickets_late: int = Field(description="Those fired at least ``target_seconds`` ago.")


class TodayFigures(BaseModel):
    """The dashboard's figures of the restaurant's business day so far
    (:mod:`brigade.reporting.today`); money in minor units of ``currency``."""

    business_date: date = Field(description="The restaurant's local date now.")
    as_of: datetime = Field(description="When the figures were read, UTC.")
    currency: str = Field(description="ISO 4217 code of every amount.")
    net_sales: int = Field(
        description="Non-voided line totals of today's closed (paid) orders, minor units."
    )
    orders: int = Field(description="Today's closed orders.")
    average_check: int = Field(
        description="net_sales / orders rounded half-up, minor units; 0 without orders."
    )
    covers: int = Field(description="Covers of today's orders, open or closed.")
    open_checks: int = Field(description="Orders still open (not paid), whatever their date.")
    open_sales: int = Field(description="Non-voided line totals of the open orders, minor units.")
    tickets_open: int = Field(description="Kitchen tickets in preparation (new or preparing).")
    tickets_late: int = Field(description="Those past their station's prep target.")
    next_late_at: datetime | None = Field(
        description="When the next ticket on time now becomes late (UTC); null: none will."
    )
    stations: list[StationToday] = Field(
        description="The stations with tickets in preparation, by name."
    )
