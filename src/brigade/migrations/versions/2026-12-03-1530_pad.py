"""pad: modifier kinds (menu_modifiers.kind) and the restaurant's quick notes

Revision ID: 0014_pad
Revises: 0012_audit
Create Date: 2026-12-03 15:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_pad"
down_revision: str | None = "0012_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN with a server default on both databases (no table copy on SQLite).
    op.add_column(
        "menu_modifiers",
        sa.Column("kind", sa.String(length=8), server_default="add", nullable=False),
    )
    op.add_column(
        "restaurants",
        sa.Column("quick_notes", sa.JSON(), server_default="[]", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("restaurants") as batch:
        batch.drop_column("quick_notes")
    with op.batch_alter_table("menu_modifiers") as batch:
        batch.drop_column("kind")
