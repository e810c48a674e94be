"""Space follows: who follows which space (a choice of their own, no role).

Revision ID: 0015_space_follows
Revises: 0014_post_media
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_space_follows"
down_revision: str | None = "0014_post_media"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "space_follows",
        sa.Column("space_id", sa.String(length=63), sa.ForeignKey("spaces.id"), primary_key=True),
        sa.Column("user_id", sa.String(length=128), primary_key=True),
        sa.Column("followed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_space_follows_user_id", "space_follows", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_space_follows_user_id", table_name="space_follows")
    op.drop_table("space_follows")
