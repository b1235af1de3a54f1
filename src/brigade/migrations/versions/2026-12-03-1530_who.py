"""who: lines' added_by / fired_by / voided_by, tickets' waiter_name, report indexes

Revision ID: 0010_who
Revises: 0006_refunds
Create Date: 2026-12-03 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_who"
down_revision: str | None = "0006_refunds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
#: The users' foreign keys of order lines: who added, fired and voided a line.
_WHO = ("added_by", "fired_by", "voided_by")
#: (table, index, columns) of the reports' covering indexes: a range of business dates
#: with each order's status, waiter and time; an order's lines with their figures.
_COVERING = (
    (
        "orders",
        "ix_orders_restaurant_id_business_date",
        ["restaurant_id", "business_date", "status", "opened_by", "opened_at"],
    ),
    (
        "order_items",
        "ix_order_items_order_id",
        ["order_id", "restaurant_id", "status", "quantity", "line_total"],
    ),
)


def upgrade() -> None:
    # Nullable references to users (SET NULL). On SQLite one ``ALTER TABLE ... ADD
    # COLUMN`` each with the named constraint inline (allowed for a column whose default
    # is NULL), so the table is not copied (as 0007_splits does).
    sqlite = op.get_bind().dialect.name == "sqlite"
    for column in _WHO:
        fk = f"fk_order_items_{column}_users"
        if sqlite:
            op.execute(
                f"ALTER TABLE order_items ADD COLUMN {column} INTEGER CONSTRAINT {fk} "
                "REFERENCES users (id) ON DELETE SET NULL"
            )
        else:
            op.add_column("order_items", sa.Column(column, _ID, nullable=True))
            op.create_foreign_key(fk, "order_items", "users", [column], ["id"], ondelete="SET NULL")
    op.add_column("kitchen_tickets", sa.Column("waiter_name", sa.String(200), nullable=True))
    op.create_index(
        "ix_orders_restaurant_id_opened_by", "orders", ["restaurant_id", "opened_by"], unique=False
    )
    # The reports' covering indexes replace the narrower ones of the same names.
    for table, name, columns in _COVERING:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for table, name, columns in _COVERING:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns[:1] if table == "order_items" else columns[:2])
    op.drop_index("ix_orders_restaurant_id_opened_by", table_name="orders")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("kitchen_tickets", recreate="always") as batch_op:
            batch_op.drop_column("waiter_name")
        with op.batch_alter_table("order_items", recreate="always") as batch_op:
            for column in _WHO:
                batch_op.drop_column(column)
    else:
        op.drop_column("kitchen_tickets", "waiter_name")
        for column in _WHO:
            op.drop_constraint(f"fk_order_items_{column}_users", "order_items", type_="foreignkey")
            op.drop_column("order_items", column)
