"""devices: registered devices, staff PINs, idle times per kind, PIN logins, void
reasons and the approval of a void

Revision ID: 0013_devices
Revises: 0006_refunds
Create Date: 2026-12-03 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import brigade.infra.db

revision: str = "0013_devices"
down_revision: str | None = "0006_refunds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TS = brigade.infra.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", _ID, nullable=False),
        sa.Column("restaurant_id", _ID, nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by", _ID, nullable=True),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("last_seen_at", _TS, nullable=True),
        sa.Column("revoked_at", _TS, nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_devices_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_devices_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_devices_secret_hash")),
    )
    op.create_index(op.f("ix_devices_restaurant_id"), "devices", ["restaurant_id"], unique=False)
    op.create_table(
        "staff_pins",
        sa.Column("id", _ID, nullable=False),
        sa.Column("restaurant_id", _ID, nullable=False),
        sa.Column("user_id", _ID, nullable=False),
        sa.Column("pin_hash", sa.String(length=255), nullable=False),
        sa.Column("set_by", _ID, nullable=True),
        sa.Column("set_at", _TS, nullable=False),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_staff_pins_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["set_by"], ["users.id"], name=op.f("fk_staff_pins_set_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_staff_pins_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_pins")),
        sa.UniqueConstraint(
            "restaurant_id", "user_id", name=op.f("uq_staff_pins_restaurant_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_staff_pins_restaurant_id"), "staff_pins", ["restaurant_id"], unique=False
    )
    op.create_table(
        "device_idle_times",
        sa.Column("id", _ID, nullable=False),
        sa.Column("restaurant_id", _ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("idle_seconds", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_device_idle_times_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_device_idle_times")),
        sa.UniqueConstraint(
            "restaurant_id", "kind", name=op.f("uq_device_idle_times_restaurant_id_kind")
        ),
    )
    op.create_index(
        op.f("ix_device_idle_times_restaurant_id"),
        "device_idle_times",
        ["restaurant_id"],
        unique=False,
    )
    # Plain ADD COLUMNs (no table copy on SQLite): new nullable columns, no constraint.
    op.add_column("refresh_tokens", sa.Column("device_id", _ID, nullable=True))
    op.add_column("refresh_tokens", sa.Column("idle_seconds", sa.Integer(), nullable=True))
    op.create_index(
        op.f("ix_refresh_tokens_device_id"), "refresh_tokens", ["device_id"], unique=False
    )
    op.add_column(
        "restaurants", sa.Column("void_reasons", sa.JSON(), server_default="[]", nullable=False)
    )
    op.add_column("order_items", sa.Column("void_approved_by", _ID, nullable=True))
    op.add_column(
        "order_items", sa.Column("void_approval_method", sa.String(length=16), nullable=True)
    )


def downgrade() -> None:
    with op.batch_alter_table("order_items", schema=None) as batch_op:
        batch_op.drop_column("void_approval_method")
        batch_op.drop_column("void_approved_by")
    with op.batch_alter_table("restaurants", schema=None) as batch_op:
        batch_op.drop_column("void_reasons")
    op.drop_index(op.f("ix_refresh_tokens_device_id"), "refresh_tokens")
    with op.batch_alter_table("refresh_tokens", schema=None) as batch_op:
        batch_op.drop_column("idle_seconds")
        batch_op.drop_column("device_id")
    op.drop_index(op.f("ix_device_idle_times_restaurant_id"), "device_idle_times")
    op.drop_table("device_idle_times")
    op.drop_index(op.f("ix_staff_pins_restaurant_id"), "staff_pins")
    op.drop_table("staff_pins")
    op.drop_index(op.f("ix_devices_restaurant_id"), "devices")
    op.drop_table("devices")
