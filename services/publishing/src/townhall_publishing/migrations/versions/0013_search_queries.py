"""Search queries: kept without who searched, for the search-success indicator.

Revision ID: 0013_search_queries
Revises: 0012_provisional_counts
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_search_queries"
down_revision: str | None = "0012_provisional_counts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_queries",
        sa.Column("id", sa.String(length=64), primary_key=True),
        sa.Column("query", sa.String(length=200), nullable=False),
        sa.Column("results", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_search_queries_at", "search_queries", ["at"])


def downgrade() -> None:
    op.drop_index("ix_search_queries_at", table_name="search_queries")
    op.drop_table("search_queries")
