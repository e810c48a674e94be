"""Provisional objective counts: the days not settled yet are kept too, marked as such,
so that a dashboard reads counts for every day instead of recounting raw rows per cell.

Revision ID: 0012_provisional_counts
Revises: 0011_objective_counts
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_provisional_counts"
down_revision: str | None = "0011_objective_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("objective_counts") as table:
        table.add_column(
            sa.Column("settled", sa.Boolean(), nullable=False, server_default=sa.true())
        )


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM objective_counts WHERE NOT settled"))
    with op.batch_alter_table("objective_counts") as table:
        table.drop_column("settled")
