"""Migration 0004_readers: comments written before the readers rule changed get the
readers the rule gives them now (the author of a social post no longer reads the
discussion as such), and the downgrade puts the old ones back."""

from __future__ import annotations

import json
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import text

from townhall_platform.db import make_engine, normalize_url, run_migrations, session_scope
from townhall_publishing.cli import MIGRATIONS
from townhall_publishing.posts.models import Comment, Post
from townhall_publishing.spaces.models import Space

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
    engine = make_engine(database_url)
    with session_scope(engine) as session:
        session.add(
            Space(
                id="lab", name="Lab", kind="community", visibility="restricted", created_by="alice"
            )
        )
        session.flush()
        for post_id, kind in (("social", "social"), ("official", "official")):
            session.add(
                Post(
                    id=post_id, space_id="lab", kind=kind, title="T", body="B",
                    author_id="alice", state="published", readers=_OLD,
                )
            )  # fmt: skip
        session.flush()
        for comment_id, post_id, state in (
            ("under-social", "social", "published"),
            ("under-official", "official", "published"),
            ("deleted", "social", "deleted"),
        ):
            readers = _OLD if state == "published" else ["auditor:org"]
            session.add(
                Comment(
                    id=comment_id, post_id=post_id, author_id="bob", body="C",
                    state=state, readers=readers,
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
