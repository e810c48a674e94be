"""Migration 0004_readers: comments written before the readers rule changed get the
readers the rule gives them now (the author of a social post no longer reads the
discussion as such), and the downgrade puts the old ones back."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, column, table, text

from townhall_platform.db import make_engine, normalize_url, run_migrations
from townhall_publishing.cli import MIGRATIONS

_OLD = ["auditor:org", "space:lab", "user:alice"]


def _comment_readers(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, readers FROM comments")).mappings()
            return {
                row["id"]: json.loads(row["readers"])
                if isinstance(row["readers"], str)
                else row["readers"]
                for row in rows
            }
    finally:
        engine.dispose()


def _downgrade(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_url(url).replace("%", "%%"))
    command.downgrade(config, revision)


def test_old_comments_lose_the_post_authors_own_token(database_url: str) -> None:
    run_migrations(database_url, MIGRATIONS, revision="0003")
    # Rows as the 0003 schema has them, written without the live models (which follow head).
    spaces = table(
        "spaces",
        *map(column, ("id", "name", "kind", "visibility", "description", "created_by")),
        column("created_at"),
    )
    posts = table(
        "posts",
        *map(column, ("id", "space_id", "kind", "title", "body", "author_id", "state")),
        *map(column, ("version", "created_at", "updated_at", "feed_rank", "edit_count")),
        column("readers", JSON),
        column("audience_groups", JSON),
    )
    comments = table(
        "comments",
        *map(column, ("id", "post_id", "author_id", "body", "state", "version")),
        *map(column, ("created_at", "updated_at")),
        column("readers", JSON),
    )
    now = datetime.now(UTC)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(
            spaces.insert().values(
                id="lab", name="Lab", kind="community", visibility="restricted",
                description="", created_by="alice", created_at=now,
            )
        )  # fmt: skip
        for post_id, kind in (("social", "social"), ("official", "official")):
            connection.execute(
                posts.insert().values(
                    id=post_id, space_id="lab", kind=kind, title="T", body="B",
                    author_id="alice", state="published", readers=_OLD, audience_groups=[],
                    version=1, created_at=now, updated_at=now, feed_rank=0, edit_count=0,
                )
            )  # fmt: skip
        for comment_id, post_id, state in (
            ("under-social", "social", "published"),
            ("under-official", "official", "published"),
            ("deleted", "social", "deleted"),
        ):
            readers = _OLD if state == "published" else ["auditor:org"]
            connection.execute(
                comments.insert().values(
                    id=comment_id, post_id=post_id, author_id="bob", body="C",
                    state=state, readers=readers, version=1, created_at=now, updated_at=now,
                )
            )  # fmt: skip
    engine.dispose()

    run_migrations(database_url, MIGRATIONS)

    assert _comment_readers(database_url) == {
        "under-social": ["auditor:org", "space:lab"],
        "under-official": _OLD,
        "deleted": ["auditor:org"],
    }
    _downgrade(database_url, "0003")
    assert _comment_readers(database_url)["under-social"] == _OLD
