"""Feed tokens: a user's tokens for the Atom feeds of official posts (their hashes only).

Revision ID: 0009_feed_tokens
Revises: 0008_event_outbox
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_feed_tokens"
down_revision: str | None = "0008_event_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "feed_tokens",
        sa.Column("id", sa.String(length=36), primary_key=True),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_feed_tokens_user", "feed_tokens", ["user_id", "revoked_at"])
    op.create_index("ix_feed_tokens_hash", "feed_tokens", ["token_hash"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_feed_tokens_hash", table_name="feed_tokens")
    op.drop_index("ix_feed_tokens_user", table_name="feed_tokens")
    op.drop_table("feed_tokens")
