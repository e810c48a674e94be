"""Objective counts: an additive metric's counts per settled day and directory group;
the day of each objective's last report to its owner.

Revision ID: 0011_objective_counts
Revises: 0010_outbox_trace
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_objective_counts"
down_revision: str | None = "0010_outbox_trace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "objective_counts",
        sa.Column(
            "objective_id", sa.String(length=36), sa.ForeignKey("objectives.id"), primary_key=True
        ),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("group_id", sa.String(length=128), primary_key=True),
        sa.Column("part", sa.Float(), nullable=False),
        sa.Column("whole", sa.Float(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
    )
    with op.batch_alter_table("objectives") as table:
        table.add_column(sa.Column("reported_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("objectives") as table:
        table.drop_column("reported_on")
    op.drop_table("objective_counts")
