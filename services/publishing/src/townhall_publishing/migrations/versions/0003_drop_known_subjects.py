"""Drop `known_subjects`: policy now expands an official post's audience itself.

Publishing counted audiences among the subjects it had met; policy's
`/internal/v1/audiences` answers them over the whole directory instead.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("known_subjects")


def downgrade() -> None:
    op.create_table(
        "known_subjects",
        sa.Column("subject_id", sa.String(length=128), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_id"),
    )
