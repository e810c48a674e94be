"""Endorsements, pins and official answers vouch for one revision of a post's text.

Posts gain the revision of their text (1 as first written, one more per edit by the
author) and the revision and decision of their endorsement and pin; comments the revision
of their post they were written under; steps the revision they were taken at and the
endorsement or pin they end.

Existing rows are filled in from the steps already recorded: a post's revision counts
its edit steps, a comment's the edits of its post before it was written. An endorsement
or pin that an earlier edit should have ended lapses now, with a step saying so.

Revision ID: 0005_vouch
Revises: 0004_readers
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_vouch"
down_revision: str | None = "0004_readers"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The revision of a post when its step `s` was taken: one more than the edits up to it.
_REVISION_AT_STEP = (
    "1 + (SELECT count(*) FROM post_steps e "
    "WHERE e.post_id = {s}.post_id AND e.step = 'edit' AND e.id <= {s}.id)"
)
# The last step `kind` of a post (its current endorsement's or pin's).
_LAST_STEP = "(SELECT max(v.id) FROM post_steps v WHERE v.post_id = posts.id AND v.step = '{kind}')"


def upgrade() -> None:
    op.add_column("posts", sa.Column("revision", sa.Integer(), server_default="1", nullable=False))
    op.add_column("posts", sa.Column("pinned_revision", sa.Integer(), nullable=True))
    op.add_column("posts", sa.Column("pin_decision_id", sa.String(length=64), nullable=True))
    op.add_column("posts", sa.Column("endorsed_revision", sa.Integer(), nullable=True))
    op.add_column(
        "posts", sa.Column("endorsement_decision_id", sa.String(length=64), nullable=True)
    )
    op.add_column(
        "comments", sa.Column("post_revision", sa.Integer(), server_default="1", nullable=False)
    )
    with op.batch_alter_table("post_steps") as batch:
        batch.add_column(sa.Column("revision", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("ends_step_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_post_steps_ends_step_id_post_steps", "post_steps", ["ends_step_id"], ["id"]
        )
    _fill_in()


def _fill_in() -> None:
    op.execute("UPDATE posts SET revision = edit_count + 1")
    op.execute(f"UPDATE post_steps SET revision = {_REVISION_AT_STEP.format(s='post_steps')}")
    op.execute(
        "UPDATE comments SET post_revision = 1 + (SELECT count(*) FROM post_steps e "
        "WHERE e.post_id = comments.post_id AND e.step = 'edit' "
        "AND e.at <= comments.created_at)"
    )
    vouches = (
        ("endorse", "endorsement", "endorsed_revision", "endorsement_decision_id", "endorsed"),
        ("pin", "pin", "pinned_revision", "pin_decision_id", "pinned"),
    )
    for kind, prefix, revision_column, decision_column, done in vouches:
        by, at = f"{done}_by", f"{done}_at"
        last = _LAST_STEP.format(kind=kind)
        op.execute(
            f"UPDATE posts SET {revision_column} = (SELECT s.revision FROM post_steps s "
            f"WHERE s.id = {last}), {decision_column} = (SELECT s.decision_id "
            f"FROM post_steps s WHERE s.id = {last}) WHERE {by} IS NOT NULL"
        )
        # Vouching for a revision since replaced: lapsed, as an edit now makes it.
        stale = (
            f"{by} IS NOT NULL AND {revision_column} IS NOT NULL AND {revision_column} < revision"
        )
        op.execute(
            "INSERT INTO post_steps (post_id, step, actor_id, note, at, revision, ends_step_id) "
            f"SELECT id, '{prefix}-lapsed', author_id, "
            "'Lapsed: the post was edited after it (found when revisions were recorded).', "
            f"updated_at, revision, {last} FROM posts WHERE {stale}"
        )
        op.execute(
            f"UPDATE posts SET {by} = NULL, {at} = NULL, {revision_column} = NULL, "
            f"{decision_column} = NULL WHERE {stale}"
        )
    # A post no longer pinned sorts with its kind again (`FeedRank`).
    op.execute(
        "UPDATE posts SET feed_rank = CASE WHEN kind = 'official' THEN 1 ELSE 2 END "
        "WHERE pinned_by IS NULL AND feed_rank = 0"
    )
    op.execute("UPDATE content_versions SET revision = revision + 1")


def downgrade() -> None:
    op.execute("UPDATE content_versions SET revision = revision - 1")
    op.execute("DELETE FROM post_steps WHERE step IN ('endorsement-lapsed', 'pin-lapsed')")
    with op.batch_alter_table("post_steps") as batch:
        batch.drop_constraint("fk_post_steps_ends_step_id_post_steps", type_="foreignkey")
        batch.drop_column("ends_step_id")
        batch.drop_column("revision")
    op.drop_column("comments", "post_revision")
    op.drop_column("posts", "endorsement_decision_id")
    op.drop_column("posts", "endorsed_revision")
    op.drop_column("posts", "pin_decision_id")
    op.drop_column("posts", "pinned_revision")
    op.drop_column("posts", "revision")
