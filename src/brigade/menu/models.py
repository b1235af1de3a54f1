"""Menu tables. Prices are integers in the restaurant's minor units."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class Category(Base):
    """A menu section (``Chicken``, ``Veggie``, ``Drinks``), ordered by ``position``.

    ``tax_rate_id`` names the restaurant's tax rate of its items (``None``: the
    restaurant's default rate)."""

    __tablename__ = "menu_categories"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)
    tax_rate_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("tax_rates.id", ondelete="RESTRICT"), default=None, index=True
    )


class MenuItem(Base):
    """A dish or drink. ``station`` routes its kitchen tickets; ``is_available=False``
    means it is 86'd. ``external_ref`` keys imports (e.g. ``bbq_ckn``). ``tax_rate_id``
    overrides its category's tax rate (``None``: the category's). ``remaining`` is the
    kitchen's count of portions left (``None``: unlimited); order placement counts it
    down and 86s the item at zero (:func:`brigade.menu.service.take_portions`)."""

    __tablename__ = "menu_items"
    __table_args__ = (UniqueConstraint("restaurant_id", "external_ref"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    category_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("menu_categories.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    ingredients: Mapped[list[str]] = mapped_column(JSON, default=list)
    station: Mapped[str] = mapped_column(String(64), default="kitchen")
    is_available: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Why it is 86'd: ``"manual"`` (a person did it; only a person undoes it) or
    #: ``"stock"`` (an ingredient ran out; it comes back when stock arrives); ``None``
    #: while available.
    unavailable_reason: Mapped[str | None] = mapped_column(String(16), default=None)
    position: Mapped[int] = mapped_column(Integer, default=0)
    external_ref: Mapped[str | None] = mapped_column(String(100), default=None)
    tax_rate_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("tax_rates.id", ondelete="RESTRICT"), default=None, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    remaining: Mapped[int | None] = mapped_column(Integer, default=None)


class Variation(Base):
    """A priced form of an item, such as a size: its own ``price`` (minor units) and SKU."""

    __tablename__ = "menu_variations"
    __table_args__ = (UniqueConstraint("restaurant_id", "sku"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("menu_items.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    sku: Mapped[str] = mapped_column(String(100))
    price: Mapped[int] = mapped_column(BigInteger)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_available: Mapped[bool] = mapped_column(Boolean, default=True)


class ModifierGroup(Base):
    """Choices offered with items (``Extra toppings``: choose 0 to 3)."""

    __tablename__ = "menu_modifier_groups"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    min_choices: Mapped[int] = mapped_column(Integer, default=0)
    max_choices: Mapped[int] = mapped_column(Integer, default=1)
    position: Mapped[int] = mapped_column(Integer, default=0)


class Modifier(Base):
    """One choice of a modifier group, adding ``price_delta`` minor units per unit.

    ``kind`` says what it does to the dish (:class:`brigade.menu.schemas.ModifierKind`):
    ``add`` (extra cheese), ``remove`` (no onions) or ``light`` (light cheese); the
    kitchen reads the last two as ``NO onions`` / ``LIGHT cheese``."""

    __tablename__ = "menu_modifiers"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("menu_modifier_groups.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    price_delta: Mapped[int] = mapped_column(BigInteger, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_available: Mapped[bool] = mapped_column(Boolean, default=True)
    kind: Mapped[str] = mapped_column(String(8), default="add", server_default="add")


class ItemModifierGroup(Base):
    """Which modifier groups an item offers, in order."""

    __tablename__ = "menu_item_modifier_groups"

    item_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("menu_items.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("menu_modifier_groups.id", ondelete="CASCADE"), primary_key=True
    )
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
