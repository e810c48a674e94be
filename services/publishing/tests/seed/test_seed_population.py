"""`townhall-publishing seed --population N`: a plausible history, once, that objectives read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from typer.testing import CliRunner

from townhall_contracts import demo_population
from townhall_platform.db import make_engine
from townhall_publishing.cli import main

SIZE = 60


@pytest.fixture(scope="module")
def seeded(database_url: str) -> Iterator[tuple[Engine, list[str]]]:
    runner = CliRunner()
    env = {"TOWNHALL_PUBLISHING_DATABASE_URL": database_url}
    outputs = []
    for _ in range(2):
        result = runner.invoke(main, ["seed", "--population", str(SIZE)], env=env)
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    engine = make_engine(database_url)
    yield engine, outputs
    engine.dispose()


def scalar(engine: Engine, sql: str) -> Any:
    with engine.connect() as connection:
        return connection.execute(text(sql)).scalar_one()


def test_the_history_is_written_once(seeded: tuple[Engine, list[str]]) -> None:
    engine, (first, second) = seeded
    assert "6 notices" in first
    assert "already there" in second
    assert scalar(engine, "SELECT count(*) FROM spaces WHERE id = 'entraide'") == 1
    notices = scalar(engine, "SELECT count(*) FROM posts WHERE requires_ack AND kind = 'official'")
    assert notices >= 6
    acks = scalar(engine, "SELECT count(*) FROM acknowledgements")
    # Most people acknowledge, not everyone.
    assert 0.5 * 6 * SIZE < acks < 6 * SIZE
    # Every acknowledgement is by a generated person, after the notice went out.
    people = {m.id for m in demo_population.population(SIZE)}
    with engine.connect() as connection:
        late = connection.execute(
            text(
                "SELECT a.user_id, a.acknowledged_at >= p.published_at FROM acknowledgements a "
                "JOIN posts p ON p.id = a.post_id"
            )
        ).all()
    assert {user for user, _ in late} <= people
    assert all(after for _, after in late)
    questions = scalar(engine, "SELECT count(*) FROM posts WHERE space_id = 'entraide'")
    assert questions == SIZE // 10
    pending = scalar(engine, "SELECT count(*) FROM outbox WHERE delivered_at IS NULL")
    assert pending >= 6 + questions  # each post goes to search


def test_lyon_lags_as_the_walkthrough_says(seeded: tuple[Engine, list[str]]) -> None:
    engine, _ = seeded
    site = {m.id: m.site for m in demo_population.population(SIZE)}
    with engine.connect() as connection:
        users = [row[0] for row in connection.execute(text("SELECT user_id FROM acknowledgements"))]
    rate = {
        name: sum(site[u] == name for u in users) / (6 * sum(s == name for s in site.values()))
        for name in demo_population.SITES
    }
    assert rate["lyon"] < rate["nantes"] and rate["lyon"] < rate["paris"]
