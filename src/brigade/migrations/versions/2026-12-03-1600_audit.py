"""audit: the audit trail; opening hours, stations' target prep times and feature switches

Revision ID: 0012_audit
Revises: 0016_floor
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import brigade.infra.db

revision: str = "0012_audit"
down_revision: str | None = "0016_floor"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("restaurants") as batch:
        batch.add_column(sa.Column("opening_hours", sa.JSON(), server_default="[]", nullable=False))
        batch.add_column(
            sa.Column("station_prep_targets", sa.JSON(), server_default="{}", nullable=False)
        )
        batch.add_column(sa.Column("features", sa.JSON(), server_default="{}", nullable=False))
    op.create_table(
        "audit_entries",
        sa.Column("id", _ID, nullable=False),
        sa.Column("restaurant_id", _ID, nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("actor", sa.String(length=160), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=100), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("before", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("after", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("created_at", brigade.infra.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_audit_entries_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(
        "ix_audit_entries_restaurant_id_created_at",
        "audit_entries",
        ["restaurant_id", "created_at"],
        unique=False,
    )
    op.create_index(
        "ix_audit_entries_restaurant_id_user_id",
        "audit_entries",
        ["restaurant_id", "user_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_audit_entries_restaurant_id_user_id", table_name="audit_entries")
    op.drop_index("ix_audit_entries_restaurant_id_created_at", table_name="audit_entries")
    op.drop_table("audit_entries")
    with op.batch_alter_table("restaurants") as batch:
        batch.drop_column("features")
        batch.drop_column("station_prep_targets")
        batch.drop_column("opening_hours")
