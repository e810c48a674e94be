"""Migrating a database written before revisions were recorded.

An endorsement and a pin that an edit left standing (the borrowed official voice) lapse
at the migration, with a step naming what they were; one that still covers the text keeps
its revision and decision; comments learn which revision of their post they answered.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import create_engine, text

from townhall_platform.db import normalize_url, run_migrations
from townhall_publishing.cli import MIGRATIONS

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def _post(connection: Any, post_id: str, *, edited: bool) -> None:
    connection.execute(
        text(
            "INSERT INTO posts (id, space_id, kind, title, body, author_id, state, readers, "
            "audience_groups, version, created_at, updated_at, published_at, feed_rank, "
            "edit_count, endorsed_by, endorsed_at, pinned_by, pinned_at) VALUES (:id, 'eng', "
            "'social', 'T', 'B', 'alice', 'published', :readers, "
            "'[]', 5, :t0, :t4, :t0, 0, :edits, 'claire', :t1, 'claire', :t2)"
        ),
        {
            "id": post_id,
            "readers": '["org"]',
            "t0": _at(0),
            "t1": _at(1),
            "t2": _at(2),
            "t4": _at(4),
            "edits": 1 if edited else 0,
        },
    )
    steps = [
        ("publish", "alice", None, _at(0)),
        ("endorse", "claire", f"dec-endorse-{post_id}", _at(1)),
        ("pin", "claire", f"dec-pin-{post_id}", _at(2)),
    ]
    if edited:
        steps.append(("edit", "alice", "dec-edit", _at(4)))
    for step, actor, decision, at in steps:
        connection.execute(
            text(
                "INSERT INTO post_steps (post_id, step, actor_id, decision_id, at) "
                "VALUES (:post, :step, :actor, :decision, :at)"
            ),
            {"post": post_id, "step": step, "actor": actor, "decision": decision, "at": at},
        )


def _answer(connection: Any, comment_id: str, post_id: str, at: datetime) -> None:
    connection.execute(
        text(
            "INSERT INTO comments (id, post_id, author_id, body, state, readers, version, "
            "created_at, updated_at, official) VALUES (:id, :post, 'sophie', 'Confirmed.', "
            "'published', :readers, 1, :at, :at, :official)"
        ),
        {"id": comment_id, "post": post_id, "readers": '["org"]', "at": at, "official": True},
    )


def test_vouches_an_edit_left_standing_lapse_at_the_migration(database_url: str) -> None:
    run_migrations(database_url, MIGRATIONS, "0003")
    engine = create_engine(normalize_url(database_url))
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO spaces (id, name, kind, visibility, description, created_by, "
                "created_at) VALUES ('eng', 'Eng', 'community', 'public', '', 'bob', :t)"
            ),
            {"t": T0},
        )
        _post(connection, "borrowed", edited=True)
        _post(connection, "held", edited=False)
        _answer(connection, "before-edit", "borrowed", _at(3))
        _answer(connection, "after-edit", "borrowed", _at(5))
        connection.execute(
            text(
                "INSERT INTO content_versions (target_id, target_type, revision, title, body, "
                "edited_by, edited_at) VALUES ('borrowed', 'post', 0, 'T0', 'B0', 'alice', :t)"
            ),
            {"t": T0},
        )

    run_migrations(database_url, MIGRATIONS)

    with engine.connect() as connection:

        def rows(sql: str) -> list[dict[str, Any]]:
            return [dict(row._mapping) for row in connection.execute(text(sql))]

        posts = {p["id"]: p for p in rows("SELECT * FROM posts")}
        steps = rows("SELECT * FROM post_steps WHERE post_id = 'borrowed' ORDER BY id")
        comments = {c["id"]: c["post_revision"] for c in rows("SELECT * FROM comments")}
        versions = rows("SELECT revision FROM content_versions")
    engine.dispose()

    borrowed = posts["borrowed"]
    assert borrowed["revision"] == 2
    assert (borrowed["endorsed_by"], borrowed["pinned_by"], borrowed["feed_rank"]) == (
        None,
        None,
        2,
    )
    by_step = {step["step"]: step for step in steps}
    assert [by_step[s]["revision"] for s in ("publish", "endorse", "pin", "edit")] == [1, 1, 1, 2]
    assert by_step["endorsement-lapsed"]["ends_step_id"] == by_step["endorse"]["id"]
    assert by_step["pin-lapsed"]["ends_step_id"] == by_step["pin"]["id"]
    assert by_step["endorsement-lapsed"]["revision"] == 2
    held = posts["held"]
    assert (held["endorsed_by"], held["endorsed_revision"]) == ("claire", 1)
    assert held["endorsement_decision_id"] == "dec-endorse-held"
    assert (held["pinned_revision"], held["pin_decision_id"]) == (1, "dec-pin-held")
    assert held["feed_rank"] == 0
    assert comments == {"before-edit": 1, "after-edit": 2}
    assert versions == [{"revision": 1}]
