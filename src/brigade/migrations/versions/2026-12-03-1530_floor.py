"""floor: course pacing (confirmation, automatic firing), sections and the floor plan

Adds the restaurant's ``course_auto_fire_minutes`` (0 = off), an order's scheduled
automatic fire (``next_fire_course`` at ``next_fire_at``), and on each table its waiter
(``waiter_id``, the table's section) and its place on its area's plan (``plan_x``,
``plan_y``, ``plan_width``, ``plan_height``, ``shape``).

Revision ID: 0016_floor
Revises: 0011_inventory
Create Date: 2026-12-03 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import brigade.infra.db

revision: str = "0016_floor"
down_revision: str | None = "0011_inventory"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column(
        "restaurants",
        sa.Column("course_auto_fire_minutes", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("orders", sa.Column("next_fire_course", sa.Integer(), nullable=True))
    op.add_column(
        "orders",
        sa.Column("next_fire_at", brigade.infra.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_orders_next_fire_at", "orders", ["next_fire_at"])
    # Added in place, not by a batch copy of the table (on SQLite a copy would drop
    # ``floor_tables``, which orders reference): on SQLite one ``ALTER TABLE ... ADD
    # COLUMN`` with the named constraint inline (allowed for a column whose default is
    # NULL), as 0002_taxes does.
    fk = "fk_floor_tables_waiter_id_users"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE floor_tables ADD COLUMN waiter_id INTEGER CONSTRAINT {fk} "
            "REFERENCES users (id) ON DELETE SET NULL"
        )
    else:
        op.add_column("floor_tables", sa.Column("waiter_id", _ID, nullable=True))
        op.create_foreign_key(
            fk, "floor_tables", "users", ["waiter_id"], ["id"], ondelete="SET NULL"
        )
    op.add_column("floor_tables", sa.Column("plan_x", sa.Integer(), nullable=True))
    op.add_column("floor_tables", sa.Column("plan_y", sa.Integer(), nullable=True))
    op.add_column(
        "floor_tables", sa.Column("plan_width", sa.Integer(), server_default="80", nullable=False)
    )
    op.add_column(
        "floor_tables",
        sa.Column("plan_height", sa.Integer(), server_default="80", nullable=False),
    )
    op.add_column(
        "floor_tables",
        sa.Column("shape", sa.String(length=16), server_default="square", nullable=False),
    )


def downgrade() -> None:
    for column in ("shape", "plan_height", "plan_width", "plan_y", "plan_x"):
        op.drop_column("floor_tables", column)
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("floor_tables", recreate="always") as batch_op:
            batch_op.drop_column("waiter_id")
    else:
        op.drop_constraint("fk_floor_tables_waiter_id_users", "floor_tables", type_="foreignkey")
        op.drop_column("floor_tables", "waiter_id")
    op.drop_index("ix_orders_next_fire_at", table_name="orders")
    op.drop_column("orders", "next_fire_at")
    op.drop_column("orders", "next_fire_course")
    op.drop_column("restaurants", "course_auto_fire_minutes")
