"""Objectives: the goal, its edits, its daily values.

Revision ID: 0007_objectives
Revises: 0006_exist
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_objectives"
down_revision: str | None = "0006_exist"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "objectives",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner_id", sa.String(128), nullable=False),
        sa.Column("scope_kind", sa.String(16), nullable=False),
        sa.Column("scope_id", sa.String(128), nullable=True),
        sa.Column("metric", sa.String(64), nullable=False),
        sa.Column("window", sa.Integer(), nullable=True),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("direction", sa.String(16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("cadence", sa.String(16), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("baseline_at", TS, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_objectives_scope", "objectives", ["scope_kind", "scope_id"])
    op.create_table(
        "objective_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("objective_id", sa.String(36), sa.ForeignKey("objectives.id"), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("by", sa.String(128), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_objective_changes_objective", "objective_changes", ["objective_id", "id"])
    op.create_table(
        "objective_points",
        sa.Column("objective_id", sa.String(36), sa.ForeignKey("objectives.id"), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("population", sa.Integer(), nullable=True),
        sa.Column("computed_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("objective_points")
    op.drop_index("ix_objective_changes_objective", table_name="objective_changes")
    op.drop_table("objective_changes")
    op.drop_index("ix_objectives_scope", table_name="objectives")
    op.drop_table("objectives")
