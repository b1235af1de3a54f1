"""refunds: tips adjusted after payment, refunds and voids of payments

Revision ID: 0006_refunds
Revises: 0007_splits
Create Date: 2026-12-03 13:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import brigade.infra.db

revision: str = "0006_refunds"
down_revision: str | None = "0007_splits"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column(
        "payments",
        sa.Column("tip_pending", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "payments",
        sa.Column("tip_adjusted_at", brigade.infra.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.add_column(
        "payments", sa.Column("refunded_total", sa.BigInteger(), server_default="0", nullable=False)
    )
    op.add_column(
        "payments",
        sa.Column("voided_at", brigade.infra.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "payment_reversals",
        sa.Column("id", _ID, nullable=False),
        sa.Column("restaurant_id", _ID, nullable=False),
        sa.Column("check_id", _ID, nullable=False),
        sa.Column("payment_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("tip", sa.BigInteger(), nullable=False),
        sa.Column("cash", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("till_id", _ID, nullable=True),
        sa.Column("shift_id", _ID, nullable=True),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("created_by", _ID, nullable=True),
        sa.Column("created_at", brigade.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_by", _ID, nullable=True),
        sa.Column("approval_method", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"],
            ["users.id"],
            name=op.f("fk_payment_reversals_approved_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["checks.id"],
            name=op.f("fk_payment_reversals_check_id_checks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_payment_reversals_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_reversals_payment_id_payments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_payment_reversals_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_reversals")),
    )
    op.create_index(
        op.f("ix_payment_reversals_payment_id"), "payment_reversals", ["payment_id"], unique=False
    )
    op.create_index(
        op.f("ix_payment_reversals_shift_id"), "payment_reversals", ["shift_id"], unique=False
    )
    op.create_index(
        "ix_payment_reversals_restaurant_id_business_date",
        "payment_reversals",
        ["restaurant_id", "business_date"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_payment_reversals_restaurant_id_business_date", "payment_reversals")
    op.drop_index(op.f("ix_payment_reversals_shift_id"), "payment_reversals")
    op.drop_index(op.f("ix_payment_reversals_payment_id"), "payment_reversals")
    op.drop_table("payment_reversals")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_column("voided_at")
        batch_op.drop_column("refunded_total")
        batch_op.drop_column("tip_adjusted_at")
        batch_op.drop_column("tip_pending")
