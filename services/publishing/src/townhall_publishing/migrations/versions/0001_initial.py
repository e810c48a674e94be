"""Spaces, posts with their readers, comments and the outbox.

Revision ID: 0001
Revises:
Create Date: 2025-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATES = (
    "'draft', 'submitted', 'approved', 'rejected', 'scheduled', 'published', "
    "'hidden', 'retracted', 'deleted'"
)


def _moment(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "spaces",
        sa.Column("id", sa.String(63), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=False),
        sa.Column("description", sa.String(2000), nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        _moment("created_at"),
        _moment("archived_at", nullable=True),
        sa.Column("decision_id", sa.String(64), nullable=True),
        sa.Column("policy_revision", sa.Integer(), nullable=True),
        sa.CheckConstraint("kind IN ('community', 'announcement')", name="ck_spaces_kind"),
        sa.CheckConstraint("visibility IN ('public', 'restricted')", name="ck_spaces_visibility"),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("space_id", sa.String(63), sa.ForeignKey("spaces.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("author_id", sa.String(128), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("readers", sa.JSON(), nullable=False),
        sa.Column("authority", sa.String(200), nullable=True),
        sa.Column("audience_groups", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.String(64), nullable=True),
        sa.Column("policy_revision", sa.Integer(), nullable=True),
        _moment("created_at"),
        _moment("updated_at"),
        _moment("published_at", nullable=True),
        sa.CheckConstraint("kind IN ('social', 'official')", name="ck_posts_kind"),
        sa.CheckConstraint(f"state IN ({_STATES})", name="ck_posts_state"),
        sa.CheckConstraint("version >= 1", name="ck_posts_version"),
    )
    op.create_index("ix_posts_space_id", "posts", ["space_id"])
    op.create_table(
        "post_readers",
        sa.Column(
            "post_id",
            sa.String(36),
            sa.ForeignKey("posts.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("principal", sa.String(200), primary_key=True),
    )
    op.create_index("ix_post_readers_principal", "post_readers", ["principal", "post_id"])
    op.create_table(
        "comments",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("post_id", sa.String(36), sa.ForeignKey("posts.id"), nullable=False),
        sa.Column("author_id", sa.String(128), nullable=False),
        sa.Column("body", sa.String(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("readers", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.String(64), nullable=True),
        sa.Column("policy_revision", sa.Integer(), nullable=True),
        _moment("created_at"),
        _moment("updated_at"),
        sa.CheckConstraint(f"state IN ({_STATES})", name="ck_comments_state"),
        sa.CheckConstraint("version >= 1", name="ck_comments_version"),
    )
    op.create_index("ix_comments_post_id", "comments", ["post_id", "created_at"])
    op.create_table(
        "outbox",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("doc_id", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        _moment("created_at"),
        _moment("delivered_at", nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(2000), nullable=True),
        _moment("next_attempt_at", nullable=True),
        sa.CheckConstraint("op IN ('upsert', 'delete')", name="ck_outbox_op"),
        sa.CheckConstraint("version >= 1", name="ck_outbox_version"),
        # Ids keep growing even after delivered rows are purged: they order the events.
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["id"],
        postgresql_where=sa.text("delivered_at IS NULL"),
        sqlite_where=sa.text("delivered_at IS NULL"),
    )
    op.create_index("ix_outbox_doc_id", "outbox", ["doc_id", "version"])


def downgrade() -> None:
    op.drop_table("outbox")
    op.drop_table("comments")
    op.drop_table("post_readers")
    op.drop_table("posts")
    op.drop_table("spaces")
