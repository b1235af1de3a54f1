"""Request and response bodies of the kitchen context."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, computed_field

from brigade.inputs import Version
from brigade.menu.kinds import ModifierKind, modifier_label


class TicketStatus(StrEnum):
    """A ticket's place on the line: ``new → preparing → ready → bumped``; recall puts a
    bumped ticket back to ``ready``."""

    new = "new"
    preparing = "preparing"
    ready = "ready"
    bumped = "bumped"


class TicketItemStatus(StrEnum):
    """A ticket line's own steps: ``new → preparing → ready → bumped``, or ``voided``
    when the waiter voided the order line after it was fired."""

    new = "new"
    preparing = "preparing"
    ready = "ready"
    bumped = "bumped"
    voided = "voided"


class TicketListStatus(StrEnum):
    """Filter of the ticket list: ``open`` (not bumped) or ``all``."""

    open = "open"
    all = "all"


class TicketModifier(BaseModel):
    """A modifier chosen on the line, as the order snapshotted it."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    price_delta: int = Field(default=0, description="Minor units added per unit.")
    kind: ModifierKind = Field(
        default=ModifierKind.add, description="add, remove ('NO onions') or light."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label(self) -> str:
        """How the ticket prints it: ``NO Red Onions``, ``LIGHT Mozzarella Cheese``, or
        the name of an added modifier (:func:`brigade.menu.kinds.modifier_label`)."""
        return modifier_label(self.name, self.kind)


class TicketItemRead(BaseModel):
    """One order line on a ticket; name, quantity, modifiers, notes and seat come from
    the order line. Times are UTC."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    order_item_id: int
    name: str
    variation_name: str
    quantity: int
    modifiers: list[TicketModifier]
    notes: str
    seat: int | None
    status: TicketItemStatus
    voided: bool = Field(description="The waiter voided this line after it was fired.")
    started_at: datetime | None
    ready_at: datetime | None
    bumped_at: datetime | None
    batch: int = Field(
        description="1 for the lines the ticket was created with; 2, 3… for each later "
        "send of the order that joined this open ticket (shown as ADDED)."
    )
    added_at: datetime | None = Field(
        description="When a joined line came (UTC); null for the first batch."
    )


class TicketRead(BaseModel):
    """A kitchen ticket: the fired lines of one order's course for one station.

    Times are UTC; ``version`` increases with every write (send it back to get a 409
    ``stale-version`` instead of a lost update). A later send of the same order, course
    and station joins the ticket while it is open (``added_at`` is then the last such
    send; its lines have ``batch`` > 1); once bumped, a later send makes a new ticket.
    """

    model_config = ConfigDict(from_attributes=True)

    id: int
    order_id: int
    station: str
    course: int
    table_name: str | None
    status: TicketStatus
    version: int
    created_at: datetime
    started_at: datetime | None
    ready_at: datetime | None
    bumped_at: datetime | None
    recalled_at: datetime | None
    added_at: datetime | None = Field(
        description="When a later send last joined lines to this open ticket (UTC); null: never."
    )
    waiter_name: str | None = Field(
        default=None,
        description="Full name of the staff member who opened the order (its waiter).",
    )
    items: list[TicketItemRead]


class TicketList(BaseModel):
    """A page of tickets, oldest first, and how many match the filter in all."""

    items: list[TicketRead]
    total: int


class TicketStep(BaseModel):
    """Body of a kitchen step; ``version`` (optional) must be the ticket's current one."""

    version: Version | None = None
