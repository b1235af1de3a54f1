"""inventory: ingredients, recipe lines, the stock ledger; menu_items.unavailable_reason

Revision ID: 0011_inventory
Revises: 0010_who
Create Date: 2026-12-03 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import brigade.infra.db

revision: str = "0011_inventory"
down_revision: str | None = "0010_who"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.add_column("menu_items", sa.Column("unavailable_reason", sa.String(16), nullable=True))
    # The items 86'd before keep a null reason: only "stock" is undone by a delivery.
    op.create_table(
        "ingredients",
        sa.Column("id", _ID, nullable=False),
        sa.Column("restaurant_id", _ID, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("reorder_level", sa.BigInteger(), nullable=False),
        sa.Column("supplier", sa.String(100), nullable=False),
        sa.Column("cost", sa.BigInteger(), nullable=False),
        sa.Column("on_hand", sa.BigInteger(), nullable=False),
        sa.Column("created_at", brigade.infra.db.UTCDateTime(timezone=True), nullable=False),
        _fk("ingredients", "restaurant_id", "restaurants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingredients")),
        sa.UniqueConstraint(
            "restaurant_id", "name", name=op.f("uq_ingredients_restaurant_id_name")
        ),
    )
    op.create_table(
        "recipe_lines",
        sa.Column("id", _ID, nullable=False),
        sa.Column("restaurant_id", _ID, nullable=False),
        sa.Column("ingredient_id", _ID, nullable=False),
        sa.Column("menu_item_id", _ID, nullable=True),
        sa.Column("variation_id", _ID, nullable=True),
        sa.Column("modifier_id", _ID, nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "(menu_item_id IS NULL) <> (modifier_id IS NULL)",
            name=op.f("ck_recipe_lines_item_or_modifier"),
        ),
        sa.CheckConstraint(
            "variation_id IS NULL OR menu_item_id IS NOT NULL",
            name=op.f("ck_recipe_lines_variation_of_item"),
        ),
        _fk("recipe_lines", "restaurant_id", "restaurants", "CASCADE"),
        _fk("recipe_lines", "ingredient_id", "ingredients", "CASCADE"),
        _fk("recipe_lines", "menu_item_id", "menu_items", "CASCADE"),
        _fk("recipe_lines", "variation_id", "menu_variations", "CASCADE"),
        _fk("recipe_lines", "modifier_id", "menu_modifiers", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recipe_lines")),
    )
    op.create_index(
        "ix_recipe_lines_restaurant_id_menu_item_id",
        "recipe_lines",
        ["restaurant_id", "menu_item_id"],
    )
    op.create_index(
        "ix_recipe_lines_restaurant_id_modifier_id",
        "recipe_lines",
        ["restaurant_id", "modifier_id"],
    )
    op.create_index("ix_recipe_lines_ingredient_id", "recipe_lines", ["ingredient_id"])
    op.create_table(
        "stock_movements",
        sa.Column("id", _ID, nullable=False),
        sa.Column("restaurant_id", _ID, nullable=False),
        sa.Column("ingredient_id", _ID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("counted", sa.BigInteger(), nullable=True),
        sa.Column("cost", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("order_item_id", _ID, nullable=True),
        sa.Column("created_by", _ID, nullable=True),
        sa.Column("created_at", brigade.infra.db.UTCDateTime(timezone=True), nullable=False),
        _fk("stock_movements", "restaurant_id", "restaurants", "CASCADE"),
        _fk("stock_movements", "ingredient_id", "ingredients", "CASCADE"),
        _fk("stock_movements", "order_item_id", "order_items", "SET NULL"),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_stock_movements_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_movements")),
    )
    op.create_index(
        "ix_stock_movements_restaurant_id_ingredient_id_created_at",
        "stock_movements",
        ["restaurant_id", "ingredient_id", "created_at"],
    )
    op.create_index(
        "ix_stock_movements_restaurant_id_created_at",
        "stock_movements",
        ["restaurant_id", "created_at"],
    )
    op.create_index("ix_stock_movements_order_item_id", "stock_movements", ["order_item_id"])


def downgrade() -> None:
    op.drop_table("stock_movements")
    op.drop_table("recipe_lines")
    op.drop_table("ingredients")
    with op.batch_alter_table("menu_items", schema=None) as batch_op:
        batch_op.drop_column("unavailable_reason")
