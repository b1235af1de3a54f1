"""taxes: tax rates, check taxes and discounts, service charge, cash rounding

Revision ID: 0002_taxes
Revises: 0001
Create Date: 2026-12-03 12:14:39.473180
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import brigade.infra.db

revision: str = "0002_taxes"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _add_tax_rate_link(table: str) -> None:
    """``<table>.tax_rate_id``, a nullable reference to ``tax_rates`` (RESTRICT), and its
    index. On SQLite one ``ALTER TABLE ... ADD COLUMN`` with the named constraint inline
    (allowed for a column whose default is NULL), so the table is not copied."""
    fk = f"fk_{table}_tax_rate_id_tax_rates"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE {table} ADD COLUMN tax_rate_id INTEGER CONSTRAINT {fk} "
            "REFERENCES tax_rates (id) ON DELETE RESTRICT"
        )
    else:
        op.add_column(table, sa.Column("tax_rate_id", sa.BigInteger(), nullable=True))
        op.create_foreign_key(fk, table, "tax_rates", ["tax_rate_id"], ["id"], ondelete="RESTRICT")
    op.create_index(f"ix_{table}_tax_rate_id", table, ["tax_rate_id"], unique=False)


def _drop_tax_rate_link(table: str) -> None:
    """Undo :func:`_add_tax_rate_link` (on SQLite the table is copied without the
    column: its inline constraint has no name SQLite reports)."""
    op.drop_index(f"ix_{table}_tax_rate_id", table_name=table)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table(table, recreate="always") as batch_op:
            batch_op.drop_column("tax_rate_id")
    else:
        op.drop_constraint(f"fk_{table}_tax_rate_id_tax_rates", table, type_="foreignkey")
        op.drop_column(table, "tax_rate_id")


def upgrade() -> None:
    op.create_table(
        "tax_rates",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "restaurant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("inclusive", sa.Boolean(), nullable=False),
        sa.Column("created_at", brigade.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_tax_rates_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_rates")),
    )
    with op.batch_alter_table("tax_rates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_tax_rates_restaurant_id"), ["restaurant_id"], unique=False
        )

    op.create_table(
        "check_taxes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "restaurant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("check_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "tax_rate_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("rate_bp", sa.Integer(), nullable=False),
        sa.Column("inclusive", sa.Boolean(), nullable=False),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.Column("tax", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["checks.id"],
            name=op.f("fk_check_taxes_check_id_checks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_check_taxes_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tax_rate_id"],
            ["tax_rates.id"],
            name=op.f("fk_check_taxes_tax_rate_id_tax_rates"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_taxes")),
    )
    with op.batch_alter_table("check_taxes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_taxes_check_id"), ["check_id"], unique=False)

    op.create_table(
        "check_discounts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "restaurant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("check_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "order_item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column(
            "created_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("created_at", brigade.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column(
            "approved_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("approved_at", brigade.infra.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approval_method", sa.String(length=16), nullable=True),
        sa.Column(
            "removed_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("removed_at", brigade.infra.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["users.id"],
            name=op.f("fk_check_discounts_approved_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["checks.id"],
            name=op.f("fk_check_discounts_check_id_checks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_check_discounts_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["order_item_id"],
            ["order_items.id"],
            name=op.f("fk_check_discounts_order_item_id_order_items"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["removed_by"],
            ["users.id"],
            name=op.f("fk_check_discounts_removed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_check_discounts_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_discounts")),
    )
    with op.batch_alter_table("check_discounts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_check_discounts_check_id"), ["check_id"], unique=False)

    op.add_column(
        "checks", sa.Column("service_charge", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column(
        "checks", sa.Column("service_charge_bp", sa.Integer(), server_default="0", nullable=False)
    )

    for table in ("menu_categories", "menu_items"):
        _add_tax_rate_link(table)

    op.add_column(
        "payments", sa.Column("rounding", sa.BigInteger(), server_default="0", nullable=False)
    )

    op.add_column(
        "restaurants",
        sa.Column("service_charge_bp", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "restaurants",
        sa.Column("service_charge_min_covers", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column(
        "restaurants",
        sa.Column(
            "service_charge_taxable", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )
    op.add_column(
        "restaurants",
        sa.Column("cash_rounding_unit", sa.Integer(), server_default="1", nullable=False),
    )
    op.add_column(
        "restaurants",
        sa.Column("discount_approval_bp", sa.Integer(), server_default="2000", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("restaurants", schema=None) as batch_op:
        batch_op.drop_column("discount_approval_bp")
        batch_op.drop_column("cash_rounding_unit")
        batch_op.drop_column("service_charge_taxable")
        batch_op.drop_column("service_charge_min_covers")
        batch_op.drop_column("service_charge_bp")

    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("rounding")

    for table in ("menu_items", "menu_categories"):
        _drop_tax_rate_link(table)

    with op.batch_alter_table("checks", schema=None) as batch_op:
        batch_op.drop_column("service_charge_bp")
        batch_op.drop_column("service_charge")

    with op.batch_alter_table("check_discounts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_discounts_check_id"))

    op.drop_table("check_discounts")
    with op.batch_alter_table("check_taxes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_check_taxes_check_id"))

    op.drop_table("check_taxes")
    with op.batch_alter_table("tax_rates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tax_rates_restaurant_id"))

    op.drop_table("tax_rates")
