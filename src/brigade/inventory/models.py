"""Ingredients, recipe lines and the ledger of stock movements.

Quantities are integers in **milli base units** of the ingredient's kind: milligrams
(mass), microlitres (volume) or thousandths of a piece (count), so that 0.5 g, 12.5 ml
and half an egg are exact. :mod:`brigade.inventory.units` converts. Costs are integers
in the restaurant's minor units.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class Ingredient(Base):
    """Something the kitchen keeps in stock.

    ``unit`` (``g``, ``kg``, ``ml``, ``l``, ``piece`` …) is how people count it; its kind
    (mass, volume, count) fixes the base of every quantity. ``reorder_level`` and the
    cached ``on_hand`` are milli base units; ``on_hand`` is the sum of the ingredient's
    movements, updated in the transaction that writes each movement (never edited
    otherwise). ``cost`` is minor units per one ``unit``.
    """

    __tablename__ = "ingredients"
    __table_args__ = (UniqueConstraint("restaurant_id", "name"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    name: Mapped[str] = mapped_column(String(100))
    unit: Mapped[str] = mapped_column(String(16))
    reorder_level: Mapped[int] = mapped_column(BigInteger, default=0)
    supplier: Mapped[str] = mapped_column(String(100), default="")
    cost: Mapped[int] = mapped_column(BigInteger, default=0)
    on_hand: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RecipeLine(Base):
    """How much of an ingredient one unit of a menu item, size or modifier uses.

    Exactly one of ``menu_item_id`` and ``modifier_id`` is set. An item's line with
    ``variation_id`` ``None`` counts for every size; one with a ``variation_id`` for that
    size only (added to the item-wide lines). ``quantity`` is milli base units.
    """

    __tablename__ = "recipe_lines"
    __table_args__ = (
        CheckConstraint("(menu_item_id IS NULL) <> (modifier_id IS NULL)", name="item_or_modifier"),
        CheckConstraint(
            "variation_id IS NULL OR menu_item_id IS NOT NULL", name="variation_of_item"
        ),
        Index("ix_recipe_lines_restaurant_id_menu_item_id", "restaurant_id", "menu_item_id"),
        Index("ix_recipe_lines_restaurant_id_modifier_id", "restaurant_id", "modifier_id"),
        Index("ix_recipe_lines_ingredient_id", "ingredient_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    ingredient_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("ingredients.id", ondelete="CASCADE")
    )
    menu_item_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("menu_items.id", ondelete="CASCADE"), default=None
    )
    variation_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("menu_variations.id", ondelete="CASCADE"), default=None
    )
    modifier_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("menu_modifiers.id", ondelete="CASCADE"), default=None
    )
    quantity: Mapped[int] = mapped_column(BigInteger)


class StockMovement(Base):
    """One entry of the stock ledger.

    ``kind``: ``delivery`` (in), ``use`` (a fired line's recipe, out), ``return`` (a line
    voided before preparation gives its use back), ``waste`` (out, with ``reason``) or
    ``count`` (the correction that makes the stock what was counted; ``counted`` is the
    count). ``quantity`` is signed milli base units; ``cost`` is a delivery's price in
    minor units (``None`` otherwise); ``order_item_id`` names the line of a use/return.
    """

    __tablename__ = "stock_movements"
    __table_args__ = (
        Index(
            "ix_stock_movements_restaurant_id_ingredient_id_created_at",
            "restaurant_id",
            "ingredient_id",
            "created_at",
        ),
        Index("ix_stock_movements_restaurant_id_created_at", "restaurant_id", "created_at"),
        Index("ix_stock_movements_order_item_id", "order_item_id"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    ingredient_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("ingredients.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    quantity: Mapped[int] = mapped_column(BigInteger)
    counted: Mapped[int | None] = mapped_column(BigInteger, default=None)
    cost: Mapped[int | None] = mapped_column(BigInteger, default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    order_item_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("order_items.id", ondelete="SET NULL"), default=None
    )
    created_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
