"""Request and response bodies of the orders context (money in minor units, times UTC)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    computed_field,
    field_validator,
    model_validator,
)

from brigade.devices.approvals import Approval
from brigade.inputs import FreeText, Id, Version
from brigade.menu.kinds import ModifierKind, modifier_label
from brigade.money import MAX_AMOUNT

MAX_LINES_PER_REQUEST = 200
#: The most units of one line.
MAX_QUANTITY = 99
#: The most modifiers one line may choose.
MAX_MODIFIERS_PER_LINE = 50
#: The largest ``line_total`` a line can have, in minor units: every unit at the highest
#: price with the most modifiers at the highest price (about 5 × 10^12, see
#: :mod:`brigade.money`).
MAX_LINE_TOTAL = MAX_QUANTITY * MAX_AMOUNT * (1 + MAX_MODIFIERS_PER_LINE)
#: Units of a line: 1..MAX_QUANTITY.
Quantity = Annotated[int, Field(ge=1, le=MAX_QUANTITY)]


class OrderKind(StrEnum):
    """``dine_in`` (at a table) or ``takeaway`` (no table)."""

    dine_in = "dine_in"
    takeaway = "takeaway"


class OrderStatus(StrEnum):
    """``open`` until its check is paid, then ``closed``; ``cancelled`` when it was
    cancelled before anything was fired (``POST .../cancel``)."""

    open = "open"
    closed = "closed"
    cancelled = "cancelled"


class OrderItemStatus(StrEnum):
    """A line's life: ``pending → fired → preparing → ready → served``, or ``voided``."""

    pending = "pending"
    fired = "fired"
    preparing = "preparing"
    ready = "ready"
    served = "served"
    voided = "voided"


class OrderLineCreate(BaseModel):
    """One line to add: a menu item, its variation (size) and modifiers.

    ``variation_id`` may be omitted when the item has exactly one variation. ``course``
    1 is fired by *send*; later courses wait until fired.
    """

    model_config = ConfigDict(extra="forbid")

    menu_item_id: Id
    variation_id: Id | None = None
    modifier_ids: list[Id] = Field(default_factory=list, max_length=MAX_MODIFIERS_PER_LINE)
    quantity: Quantity = 1
    notes: FreeText = Field(default="", max_length=500)
    seat: int | None = Field(default=None, ge=1, le=999)
    course: int = Field(default=1, ge=1, le=9)


class OrderCreate(BaseModel):
    """Open an order: ``dine_in`` needs ``table_id``; ``takeaway`` has none."""

    model_config = ConfigDict(extra="forbid")

    kind: OrderKind
    table_id: Id | None = None
    covers: int = Field(default=0, ge=0, le=999, description="Guests at the table.")
    notes: FreeText = Field(default="", max_length=1000)
    items: list[OrderLineCreate] = Field(default_factory=list, max_length=MAX_LINES_PER_REQUEST)

    @model_validator(mode="after")
    def _table_matches_kind(self) -> OrderCreate:
        if self.kind is OrderKind.dine_in and self.table_id is None:
            raise ValueError("a dine_in order needs table_id")
        if self.kind is OrderKind.takeaway and self.table_id is not None:
            raise ValueError("a takeaway order has no table_id")
        return self


class VersionedWrite(BaseModel):
    """A write that may carry the order's ``version`` as the client last read it; when
    given and not current, the write is refused with 409 ``stale-version``."""

    model_config = ConfigDict(extra="forbid")

    version: Version | None = None


class CourseFire(VersionedWrite):
    """Fire one course. ``confirm``: fire it even though an earlier course is not ready
    yet; without it such a fire is refused with 409 ``earlier-course-not-ready``."""

    confirm: bool = Field(
        default=False, description="Fire although an earlier course is not ready yet."
    )


class OrderItemsAdd(VersionedWrite):
    """Lines to add to an open order."""

    items: list[OrderLineCreate] = Field(min_length=1, max_length=MAX_LINES_PER_REQUEST)


def _not_blank(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("a reason is required")
    return value


#: Why a line is voided or an order cancelled: 1-500 characters, stripped, not blank.
Reason = Annotated[FreeText, Field(min_length=1, max_length=500), AfterValidator(_not_blank)]


class OrderItemVoid(VersionedWrite):
    """Void a line; ``reason`` is required and may not be blank. When the restaurant
    sets ``void_reasons``, ``reason`` must be one of them (compared case-insensitively;
    free text is allowed only while that list is empty). A line being prepared, ready
    or served needs a manager: the caller's ``billing:approve`` or ``approval`` (a
    manager's password, or PIN on a registered device with ``X-Brigade-Device``)."""

    reason: Reason
    approval: Approval | None = None

    def fingerprint_body(self) -> OrderItemVoid:
        """This body without the approver's password or PIN (what the
        Idempotency-Key's fingerprint is computed from)."""
        if self.approval is None:
            return self
        return self.model_copy(update={"approval": self.approval.redacted()})


class OrderServe(VersionedWrite):
    """Mark ready lines ``served``: the lines of ``order_item_ids`` (each must be
    ``ready``), or, without it, every ``ready`` line of the order."""

    order_item_ids: list[Id] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_LINES_PER_REQUEST,
        description="Only these lines (each must be ready); default: every ready line.",
    )

    @field_validator("order_item_ids")
    @classmethod
    def _distinct(cls, value: list[int] | None) -> list[int] | None:
        return None if value is None else list(dict.fromkeys(value))


class OrderCancel(VersionedWrite):
    """Cancel an order that has nothing fired; ``reason`` is required and may not be
    blank."""

    reason: Reason


class OrderTransfer(VersionedWrite):
    """Move the order to free table ``table_id`` (409 ``table-occupied`` when it holds
    another open order)."""

    table_id: Id


class OrderMerge(VersionedWrite):
    """Merge open order ``order_id`` (another table's) into this one: its lines move
    here and it is cancelled; ``version`` is this order's."""

    order_id: Id


class OrderModifierRead(BaseModel):
    """A modifier chosen on a line, as snapshotted; ``price_delta`` in minor units;
    ``kind`` add, remove or light (lines from before kinds read ``add``); ``label`` as
    the kitchen reads it (``NO Red Onions``, :func:`brigade.menu.kinds.modifier_label`)."""

    id: int
    name: str
    price_delta: int
    kind: ModifierKind = ModifierKind.add

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        """The modifier as printed on the kitchen ticket and the check."""
        return modifier_label(self.name, self.kind)


class OrderItemRead(BaseModel):
    """One order line as snapshotted when added.

    ``unit_price`` and ``modifiers_total`` are per unit, ``line_total`` is
    ``quantity * (unit_price + modifiers_total)``; all minor units. Times are UTC.
    """

    model_config = ConfigDict(from_attributes=True)

    id: int
    menu_item_id: int | None
    variation_id: int | None
    name: str
    variation_name: str
    sku: str
    category_name: str
    unit_price: int = Field(description="Minor units per unit, the variation's price.")
    modifiers: list[OrderModifierRead]
    modifiers_total: int = Field(description="Minor units per unit, sum of the modifiers.")
    quantity: int
    line_total: int = Field(description="Minor units.")
    notes: str
    seat: int | None
    course: int
    station: str
    status: OrderItemStatus
    void_reason: str | None
    created_at: datetime
    fired_at: datetime | None
    voided_at: datetime | None
    added_by: int | None = Field(default=None, description="User id of who added the line.")
    fired_by: int | None = Field(default=None, description="User id of who fired the line.")
    voided_by: int | None = Field(default=None, description="User id of who voided the line.")
    void_approved_by: int | None = Field(
        default=None, description="The manager who approved a void after preparation."
    )
    void_approval_method: str | None = Field(
        default=None, description="How the void was approved: permission, password or pin."
    )


class OrderRead(BaseModel):
    """An order with all its lines (voided ones included, with their reason).

    ``subtotal`` is the sum of the non-voided lines' ``line_total`` (minor units of
    ``currency``); ``version`` increases with every write.
    """

    model_config = ConfigDict(from_attributes=True)

    id: int
    restaurant_id: int
    kind: OrderKind
    status: OrderStatus
    table_id: int | None
    covers: int
    notes: str
    version: int
    opened_at: datetime
    sent_at: datetime | None
    closed_at: datetime | None = Field(description="When it was closed or cancelled (UTC).")
    cancel_reason: str | None = Field(
        default=None, description="Why it was cancelled (status ``cancelled`` only)."
    )
    opened_by: int | None = Field(
        default=None, description="User id of who opened the order (its waiter)."
    )
    subtotal: int = Field(description="Minor units: the non-voided lines.")
    currency: str
    items: list[OrderItemRead]


class OrderList(BaseModel):
    """A page of orders (newest first) and how many match the filters in all."""

    items: list[OrderRead]
    total: int


OrderListStatus = Literal["open", "closed", "cancelled"]


def event_payload(order: OrderRead, **extra: Any) -> dict[str, Any]:
    """The JSON-ready payload of an order event: ``{"order": OrderRead, **extra}``."""
    return {"order": order.model_dump(mode="json"), **extra}
