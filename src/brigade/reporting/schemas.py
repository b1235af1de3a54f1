"""Response bodies of the reporting context. Money is in the restaurant's minor units."""

from __future__ import annotations

from datetime import date, datetime
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


class SellerUnit(StrEnum):
    """What a seller is: a menu ``item``, or one of its sizes (``variation``)."""

    item = "item"
    variation = "variation"


class Ranking(StrEnum):
    """``best`` sellers first (largest first) or ``worst`` (smallest first)."""

    best = "best"
    worst = "worst"


class Seller(BaseModel):
    """An item's (or size's) sales in the range; ``key`` its id (null: deleted since,
    then grouped by the lines' snapshot name)."""

    key: int | None
    label: str = Field(description="The item's name (and the size's, for a variation).")
    quantity: int
    net_sales: int = Field(description="Minor units.")
    orders: int = Field(description="Orders with a line of it.")


class SellersReport(BaseModel):
    """The best or worst sellers among what sold in the range, by ``sort`` (quantity or
    revenue), ties by label then key; at most ``limit``."""

    start_date: date
    end_date: date
    currency: str
    per: SellerUnit
    sort: ProductSort
    ranking: Ranking
    sellers: list[Seller]


class ChecksReport(BaseModel):
    """Average check and revenue per cover of the closed orders in the range (net
    sales, minor units; averages rounded half-up, 0 without orders or covers)."""

    start_date: date
    end_date: date
    currency: str
    orders: int
    covers: int = Field(description="Guests of those orders.")
    net_sales: int
    average_check: int = Field(description="net_sales / orders.")
    revenue_per_cover: int = Field(
        description="Net sales of the orders with covers / their covers."
    )


class TableTurn(BaseModel):
    """One table's seatings (closed dine-in orders) in the range."""

    table_id: int | None = Field(description="Null: the table was deleted since.")
    table_name: str
    turns: int
    covers: int
    average_seconds: int = Field(description="Mean time from opening to closing the order.")


class TableTurnsReport(BaseModel):
    """Table turn times: closed dine-in orders at a table, opened to closed, per table
    (by name) and over all; seconds rounded half-up."""

    start_date: date
    end_date: date
    turns: int
    average_seconds: int
    tables: list[TableTurn]


class AdjustmentKind(StrEnum):
    """``discount`` (percent or fixed, on a check or a line), ``comp`` (a line given
    away), ``void`` (an order line voided) and ``refund`` (money given back on a paid
    check)."""

    discount = "discount"
    comp = "comp"
    void = "void"
    refund = "refund"


class AdjustmentBy(StrEnum):
    """Group adjustments by their ``reason`` or by the ``person`` who made them."""

    reason = "reason"
    person = "person"


class Adjustment(BaseModel):
    """Adjustments of one kind with one reason (or by one person)."""

    kind: AdjustmentKind
    key: int | str | None = Field(description="The reason, or the person's user id.")
    label: str = Field(description="The reason, or the person's full name.")
    count: int
    amount: int = Field(description="What they took off, minor units.")


class AdjustmentsReport(BaseModel):
    """Discounts and comps (not removed) on the checks of the range's closed orders,
    voided lines of the range's orders, refunds of the range's business dates; sorted
    by kind, then key."""

    start_date: date
    end_date: date
    currency: str
    by: AdjustmentBy
    adjustments: list[Adjustment]


class WaiterTips(BaseModel):
    """The tips on one waiter's orders (the waiter who opened them)."""

    key: int | None = Field(description="The waiter's user id; null: unknown.")
    label: str = Field(description="The waiter's full name ('' when unknown).")
    payments: int = Field(description="Payments with a tip.")
    tips: int = Field(description="Minor units.")


class TipsReport(BaseModel):
    """Tips of the payments (not voided) on the range's closed orders, by waiter."""

    start_date: date
    end_date: date
    currency: str
    tips: int
    waiters: list[WaiterTips]


class PrepBy(StrEnum):
    """Prep times per kitchen ``station`` or per menu ``item``."""

    station = "station"
    item = "item"


class PrepTime(BaseModel):
    """Fire-to-ready times of one station's (or item's) lines, in seconds."""

    key: int | str | None = Field(description="The station, or the item's id.")
    label: str
    station: str
    lines: int = Field(description="Lines fired and made ready.")
    average_seconds: int
    longest_seconds: int
    target_seconds: int = Field(description="The station's target prep time.")
    over_target: int = Field(description="Lines that took longer than the target.")


class PrepTimesReport(BaseModel):
    """Kitchen prep times, from a line's firing to its being ready on its ticket, of
    the range's orders (lines voided on the ticket left out); sorted by key."""

    start_date: date
    end_date: date
    by: PrepBy
    prep_times: list[PrepTime]


class StationToday(BaseModel):
    """One kitchen station's tickets in preparation now, against its prep target."""

    station: str
    target_seconds: int = Field(description="The station's prep target (fired → ready), seconds.")
    tickets_open: int = Field(description="Its tickets ``new`` or ``preparing``.")
    tickets_late: int = Field(description="Those fired more than ``target_seconds`` ago.")


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
