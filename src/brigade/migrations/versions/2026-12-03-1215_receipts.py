"""receipts: the restaurant's address and locale, and the receipt prints of checks

Revision ID: 0005_receipts
Revises: 0004_shifts
Create Date: 2026-12-03 12:15:22.435783
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import brigade.infra.db

revision: str = "0005_receipts"
down_revision: str | None = "0004_shifts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "receipt_prints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column(
            "restaurant_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("check_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column(
            "printed_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("printed_at", brigade.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["checks.id"],
            name=op.f("fk_receipt_prints_check_id_checks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["printed_by"],
            ["users.id"],
            name=op.f("fk_receipt_prints_printed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_receipt_prints_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_receipt_prints")),
        sa.UniqueConstraint("check_id", "number", name=op.f("uq_receipt_prints_check_id_number")),
    )
    with op.batch_alter_table("restaurants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(
            sa.Column("locale", sa.String(length=35), nullable=False, server_default="en_US")
        )


def downgrade() -> None:
    with op.batch_alter_table("restaurants", schema=None) as batch_op:
        batch_op.drop_column("locale")
        batch_op.drop_column("address")

    op.drop_table("receipt_prints")
