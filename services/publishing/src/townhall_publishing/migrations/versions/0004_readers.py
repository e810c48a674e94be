"""Comments of a published social post are no longer read by the post's author as such.

The readers rule changed (issue 14): the author of a social post reads the comments
under it only through the post's audience (the restricted space's members, or every
employee), so a revoked member stops reading them. Comments written before keep
`user:<post author>` among their stored readers; this drops it, so `GET` and the
export (which computes readers again with the rule) agree. The search index is put
right by a reindex after the upgrade (docs/operations.md).

Revision ID: 0004_readers
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004_readers"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AFFECTED = sa.text(
    "SELECT c.id, c.readers, p.author_id FROM comments c JOIN posts p ON p.id = c.post_id "
    "WHERE c.state = 'published' AND p.state = 'published' AND p.kind = 'social'"
)
_SET_READERS = sa.text("UPDATE comments SET readers = :readers WHERE id = :id")


def _decoded(value: Any) -> list[str]:
    return list(json.loads(value) if isinstance(value, str) else value)


def _rewrite(*, with_author: bool) -> None:
    bind = op.get_bind()
    readers_type = sa.JSON()
    for row in bind.execute(_AFFECTED).mappings().all():
        readers = set(_decoded(row["readers"]))
        author = f"user:{row['author_id']}"
        changed = readers | {author} if with_author else readers - {author}
        if changed != readers:
            bind.execute(
                _SET_READERS.bindparams(sa.bindparam("readers", type_=readers_type)),
                {"id": row["id"], "readers": sorted(changed)},
            )


def upgrade() -> None:
    _rewrite(with_author=False)


def downgrade() -> None:
    _rewrite(with_author=True)
