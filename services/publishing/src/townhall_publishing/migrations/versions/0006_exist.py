"""The org moderator reads nothing in a restricted space: `moderator:org` leaves the readers
of its posts and comments.

The readers rule now gives a hidden post or comment of a restricted space to its author,
the space's moderators and compliance only (moderating means reading, and a restricted
space is read by its members). Readers stored under the old rule are corrected here;
search's copy is corrected by a full reindex (see docs/operations.md).

Revision ID: 0006_exist
Revises: 0005_vouch
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_exist"
down_revision: str | None = "0005_vouch"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORG_MODERATOR = "moderator:org"

spaces = sa.table("spaces", sa.column("id", sa.String), sa.column("visibility", sa.String))
posts = sa.table(
    "posts",
    sa.column("id", sa.String),
    sa.column("space_id", sa.String),
    sa.column("readers", sa.JSON),
)
comments = sa.table(
    "comments",
    sa.column("id", sa.String),
    sa.column("post_id", sa.String),
    sa.column("readers", sa.JSON),
)
post_readers = sa.table(
    "post_readers", sa.column("post_id", sa.String), sa.column("principal", sa.String)
)


def upgrade() -> None:
    connection = op.get_bind()
    restricted = sa.select(spaces.c.id).where(spaces.c.visibility == "restricted")
    in_restricted = sa.select(posts.c.id).where(posts.c.space_id.in_(restricted))
    for table, where in (
        (posts, posts.c.id.in_(in_restricted)),
        (comments, comments.c.post_id.in_(in_restricted)),
    ):
        for row_id, readers in connection.execute(
            sa.select(table.c.id, table.c.readers).where(where)
        ):
            if ORG_MODERATOR in readers:
                connection.execute(
                    table.update()
                    .where(table.c.id == row_id)
                    .values(readers=[r for r in readers if r != ORG_MODERATOR])
                )
    connection.execute(
        post_readers.delete().where(
            post_readers.c.principal == ORG_MODERATOR, post_readers.c.post_id.in_(in_restricted)
        )
    )


def downgrade() -> None:
    """Nothing to undo: the old rule's extra reader is not given back."""
