"""Migration 0006_exist: readers stored under the old rule lose `moderator:org` in
restricted spaces, and keep it in public ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import JSON, bindparam, text

from townhall_platform.db import normalize_url
from townhall_publishing.cli import MIGRATIONS

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]


async def _hidden_post_with_comment(
    client: httpx.AsyncClient, auth: Auth, author: str, space: str, moderator: str
) -> tuple[str, str]:
    post = await client.post(
        "/v1/posts",
        json={"space_id": space, "kind": "social", "title": "Sujet", "body": "Texte"},
        headers=auth(author),
    )
    assert post.status_code == 201, post.text
    post_id = post.json()["id"]
    comment = await client.post(
        f"/v1/posts/{post_id}/comments", json={"body": "Réponse"}, headers=auth(author)
    )
    assert comment.status_code == 201, comment.text
    hidden = await client.post(
        f"/v1/posts/{post_id}/hide", json={"reason": "Hors charte"}, headers=auth(moderator)
    )
    assert hidden.status_code == 200, hidden.text
    return post_id, comment.json()["id"]


def _old_rule(db: Any, post_id: str, comment_id: str) -> None:
    """Give the post and its comment the org moderator as a reader, as the old rule did."""
    with db.engine.begin() as connection:
        for table, row_id in (("posts", post_id), ("comments", comment_id)):
            readers = connection.execute(
                text(f"SELECT readers FROM {table} WHERE id = :id").columns(readers=JSON),
                {"id": row_id},
            ).scalar_one()
            connection.execute(
                text(f"UPDATE {table} SET readers = :readers WHERE id = :id").bindparams(
                    bindparam("readers", type_=JSON)
                ),
                {"readers": sorted({*readers, "moderator:org"}), "id": row_id},
            )
        connection.execute(
            text("INSERT INTO post_readers (post_id, principal) VALUES (:p, 'moderator:org')"),
            {"p": post_id},
        )


def _readers(db: Any, post_id: str, comment_id: str) -> tuple[list[str], list[str], list[str]]:
    [post] = db.rows("SELECT readers FROM posts WHERE id = :id", id=post_id)
    [comment] = db.rows("SELECT readers FROM comments WHERE id = :id", id=comment_id)
    rows = db.rows(
        "SELECT principal FROM post_readers WHERE post_id = :p ORDER BY principal", p=post_id
    )
    return (
        db.json(post["readers"]),
        db.json(comment["readers"]),
        [r["principal"] for r in rows],
    )


async def test_the_org_moderator_leaves_the_readers_of_restricted_spaces(
    client: httpx.AsyncClient, auth: Auth, db: Any, migrated_url: str
) -> None:
    restricted = await _hidden_post_with_comment(client, auth, "chloe", "hr-confidential", "emma")
    public = await _hidden_post_with_comment(client, auth, "alice", "engineering", "nadia")
    _old_rule(db, *restricted)
    assert all("moderator:org" in r for r in _readers(db, *restricted))
    before_public = _readers(db, *public)

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_url(migrated_url).replace("%", "%%"))
    command.stamp(config, "0005_vouch")
    # Only 0006 runs again: the later migrations' tables are already there.
    command.upgrade(config, "0006_exist")
    command.stamp(config, "head")

    assert all("moderator:org" not in r for r in _readers(db, *restricted))
    assert "moderator:space:hr-confidential" in _readers(db, *restricted)[0]
    assert _readers(db, *public) == before_public
    assert "moderator:org" in before_public[0]
