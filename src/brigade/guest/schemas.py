"""Response bodies of the guest menu."""

from __future__ import annotations

from pydantic import BaseModel

from brigade.menu.schemas import MenuRead


class GuestTable(BaseModel):
    """The table the guest sits at."""

    id: int
    name: str


class GuestMenuRead(MenuRead):
    """The restaurant's whole menu (prices in minor units), its name and the guest's table."""

    restaurant_name: str
    table: GuestTable
