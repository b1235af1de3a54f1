"""splits: parts of a split check (checks.parent_id, checks.split_by, check_part_lines)

Revision ID: 0007_splits
Revises: 0005_receipts
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_splits"
down_revision: str | None = "0005_receipts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # checks.parent_id, a nullable self-reference (CASCADE), and its index. On SQLite one
    # ``ALTER TABLE ... ADD COLUMN`` with the named constraint inline (allowed for a
    # column whose default is NULL), so the table is not copied (as 0002_taxes does).
    fk = "fk_checks_parent_id_checks"
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            f"ALTER TABLE checks ADD COLUMN parent_id INTEGER CONSTRAINT {fk} "
            "REFERENCES checks (id) ON DELETE CASCADE"
        )
    else:
        op.add_column("checks", sa.Column("parent_id", _ID, nullable=True))
        op.create_foreign_key(fk, "checks", "checks", ["parent_id"], ["id"], ondelete="CASCADE")
    op.create_index("ix_checks_parent_id", "checks", ["parent_id"], unique=False)
    op.add_column("checks", sa.Column("split_by", sa.String(length=16), nullable=True))
    op.create_table(
        "check_part_lines",
        sa.Column("id", _ID, nullable=False),
        sa.Column("restaurant_id", _ID, nullable=False),
        sa.Column("check_id", _ID, nullable=False),
        sa.Column("order_item_id", _ID, nullable=False),
        sa.Column("share_numerator", sa.BigInteger(), nullable=False),
        sa.Column("share_denominator", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("discount", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["check_id"],
            ["checks.id"],
            name=op.f("fk_check_part_lines_check_id_checks"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_item_id"],
            ["order_items.id"],
            name=op.f("fk_check_part_lines_order_item_id_order_items"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["restaurant_id"],
            ["restaurants.id"],
            name=op.f("fk_check_part_lines_restaurant_id_restaurants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_check_part_lines")),
    )
    op.create_index("ix_check_part_lines_check_id", "check_part_lines", ["check_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_check_part_lines_check_id", table_name="check_part_lines")
    op.drop_table("check_part_lines")
    op.drop_index("ix_checks_parent_id", table_name="checks")
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("checks", recreate="always") as batch_op:
            batch_op.drop_column("split_by")
            batch_op.drop_column("parent_id")
    else:
        op.drop_constraint("fk_checks_parent_id_checks", "checks", type_="foreignkey")
        op.drop_column("checks", "split_by")
        op.drop_column("checks", "parent_id")
