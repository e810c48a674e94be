"""`townhall-publishing seed`: the demo content, consistent with the demo permissions, once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
import structlog
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from townhall_contracts.demo import EMPLOYEES, SPACES
from townhall_platform.db import make_engine
from townhall_platform.logs import dropped_log_lines
from townhall_platform.testing import free_port
from townhall_publishing.cli import main
from townhall_publishing.database import sqlite_lock
from townhall_publishing.outbox.repository import RELAY_LOCK_KEY

MEMBERS = {space.id: set(space.members) for space in SPACES}
RESTRICTED = {space.id for space in SPACES if space.visibility == "restricted"}


@pytest.fixture(scope="module")
def seeded(database_url: str) -> Iterator[tuple[Engine, list[str]]]:
    """A fresh database seeded twice through the command line; the outputs of both runs."""
    runner = CliRunner()
    env = {"TOWNHALL_PUBLISHING_DATABASE_URL": database_url}
    outputs = []
    for _ in range(2):
        result = runner.invoke(main, ["seed"], env=env)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    engine = make_engine(database_url)
    yield engine, outputs
    engine.dispose()


def rows(engine: Engine, sql: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(sql))]


def decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def test_seed_writes_the_demo_content_with_its_outbox_events(
    seeded: tuple[Engine, list[str]],
) -> None:
    engine, (first, _) = seeded
    spaces = rows(engine, "SELECT * FROM spaces")
    posts = rows(engine, "SELECT * FROM posts")
    comments = rows(engine, "SELECT * FROM comments")
    outbox = rows(engine, "SELECT * FROM outbox ORDER BY id")

    assert {space["id"] for space in spaces} == {space.id for space in SPACES}
    assert len(posts) >= 40
    assert len(comments) >= 20
    assert {space["id"] for space in spaces} == {post["space_id"] for post in posts}
    assert "spaces: 5 created" in first
    assert f"posts: {len(posts)} created" in first
    assert f"comments: {len(comments)} created" in first
    assert sorted(event["doc_id"] for event in outbox) == sorted(
        [post["id"] for post in posts] + [comment["id"] for comment in comments]
    )
    assert all(event["version"] == 1 and event["delivered_at"] is None for event in outbox)
    assert all(event["type"] == "document.upserted" for event in outbox)
    assert all(decoded(event["data"])["document"]["state"] == "published" for event in outbox)


def test_seeding_twice_adds_nothing(seeded: tuple[Engine, list[str]]) -> None:
    engine, (_, second) = seeded

    assert "spaces: 0 created, 5 already there" in second
    assert "posts: 0 created" in second
    assert "comments: 0 created" in second
    assert "0 records added" in second
    [counts] = rows(
        engine,
        "SELECT (SELECT count(*) FROM posts) AS posts, (SELECT count(*) FROM outbox) AS events,"
        " (SELECT count(*) FROM comments) AS comments",
    )
    assert counts["events"] == counts["posts"] + counts["comments"]


def test_seeded_authors_follow_the_demo_permissions(seeded: tuple[Engine, list[str]]) -> None:
    engine, _ = seeded
    posts = {post["id"]: post for post in rows(engine, "SELECT * FROM posts")}
    comments = rows(engine, "SELECT * FROM comments")

    for post in posts.values():
        readers = set(decoded(post["readers"]))
        if post["kind"] == "official":
            assert post["space_id"] == "general"
            assert post["author_id"] in {"claire", "marc"}
            assert post["authority"] == "Direction de la communication"
        else:
            assert post["space_id"] != "general"
            assert post["author_id"] in MEMBERS[post["space_id"]]
            assert post["authority"] is None
        if post["space_id"] in RESTRICTED:
            assert f"space:{post['space_id']}" in readers
            assert "org" not in readers
        else:
            assert "org" in readers
    for comment in comments:
        post = posts[comment["post_id"]]
        # The post's audience; a social post's author reads it through that audience only.
        audience = set(decoded(post["readers"]))
        if post["kind"] == "social":
            audience.discard(f"user:{post['author_id']}")
        assert set(decoded(comment["readers"])) == audience
        if post["space_id"] in RESTRICTED:
            assert comment["author_id"] in MEMBERS[post["space_id"]]
        else:
            assert comment["author_id"] in EMPLOYEES


def test_seeded_content_speaks_french_and_english(seeded: tuple[Engine, list[str]]) -> None:
    engine, _ = seeded
    texts = [
        f"{post['title']} {post['body']}".lower() for post in rows(engine, "SELECT * FROM posts")
    ]

    for word in ("sécurité", "télétravail", "données", "security", "onboarding", "release"):
        assert sum(word in text for text in texts) >= 2, word


def _relay_env(database_url: str, signing_key_file: Path) -> dict[str, str]:
    """`relay-once`'s settings, NATS on a port nobody listens on."""
    return {
        "TOWNHALL_PUBLISHING_DATABASE_URL": database_url,
        "TOWNHALL_PUBLISHING_ENVIRONMENT": "test",
        "TOWNHALL_PUBLISHING_SIGNING_KEY_FILE": str(signing_key_file),
        "TOWNHALL_PUBLISHING_NATS_URL": f"nats://127.0.0.1:{free_port()}",
    }


def test_relay_once_reports_an_unreachable_nats_and_keeps_the_events(
    seeded: tuple[Engine, list[str]], database_url: str, signing_key_file: Path
) -> None:
    engine, _ = seeded
    env = _relay_env(database_url, signing_key_file)

    result = CliRunner().invoke(main, ["relay-once"], env=env)

    assert result.exit_code == 1
    assert "0 events delivered" in result.output
    assert "NATS did not take the next batch" in result.output
    [pending] = rows(engine, "SELECT count(*) AS n FROM outbox WHERE delivered_at IS NULL")
    [failed] = rows(engine, "SELECT count(*) AS n FROM outbox WHERE attempts = 1")
    assert pending["n"] == failed["n"] > 0


def test_relay_once_steps_aside_while_another_instance_relays(
    seeded: tuple[Engine, list[str]], database_url: str, signing_key_file: Path, backend: str
) -> None:
    engine, _ = seeded
    env = _relay_env(database_url, signing_key_file)
    [before] = rows(engine, "SELECT count(*) AS n FROM outbox WHERE attempts > 0")

    # Another relay holds the relay lock (SQLite: the process's; PostgreSQL: the advisory
    # lock, in an open transaction).
    with ExitStack() as holding:
        if backend == "sqlite":
            lock = sqlite_lock(engine, "relay")
            assert lock.acquire(blocking=False)
            holding.callback(lock.release)
        else:
            connection = holding.enter_context(engine.connect())
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RELAY_LOCK_KEY})
        result = CliRunner().invoke(main, ["relay-once"], env=env)

    assert result.exit_code == 0, result.output
    assert "another instance is relaying" in result.output
    # It did not try NATS (unreachable here): no attempt recorded.
    [after] = rows(engine, "SELECT count(*) AS n FROM outbox WHERE attempts > 0")
    assert after["n"] == before["n"]


@pytest.mark.parametrize(
    "url", ["sqlite:///var/publishing.db", "sqlite://", "sqlite:///file:x?mode=memory"]
)
def test_serve_refuses_several_workers_on_sqlite(url: str) -> None:
    env = {"TOWNHALL_PUBLISHING_DATABASE_URL": url, "TOWNHALL_PUBLISHING_WORKERS": "2"}

    result = CliRunner().invoke(main, ["serve"], env=env)

    assert result.exit_code == 2
    assert "Several workers" in result.output
    assert "PostgreSQL" in result.output


def test_logs_after_a_command_line_run_are_not_lost() -> None:
    # The command configures logging while the runner has replaced stderr with a stream
    # it closes afterwards: what is logged after it (by the next tests) must be written.
    env = {"TOWNHALL_PUBLISHING_DATABASE_URL": "sqlite://", "TOWNHALL_PUBLISHING_WORKERS": "2"}
    assert CliRunner().invoke(main, ["serve"], env=env).exit_code == 2
    before = dropped_log_lines()

    structlog.get_logger("townhall.test").warning("after_the_command_line")

    assert dropped_log_lines() == before
