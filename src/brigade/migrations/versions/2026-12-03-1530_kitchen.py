"""kitchen: tickets that take later sends (batch, added_at) and counted menu items

Revision ID: 0015_kitchen
Revises: 0013_devices
Create Date: 2026-12-03 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from brigade.infra.db import UTCDateTime

revision: str = "0015_kitchen"
down_revision: str | None = "0013_devices"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs (nullable or with a server default): no table copy on SQLite.
    op.add_column(
        "kitchen_tickets", sa.Column("added_at", UTCDateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "kitchen_ticket_items",
        sa.Column("batch", sa.Integer(), server_default="1", nullable=False),
    )
    op.add_column(
        "kitchen_ticket_items", sa.Column("added_at", UTCDateTime(timezone=True), nullable=True)
    )
    op.add_column("menu_items", sa.Column("remaining", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("menu_items") as batch_op:
        batch_op.drop_column("remaining")
    with op.batch_alter_table("kitchen_ticket_items") as batch_op:
        batch_op.drop_column("added_at")
        batch_op.drop_column("batch")
    with op.batch_alter_table("kitchen_tickets") as batch_op:
        batch_op.drop_column("added_at")
