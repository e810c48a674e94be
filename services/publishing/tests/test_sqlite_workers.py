"""One process writes to a SQLite file: its writers take turns, one thread relays at a time
(the command line refuses several worker processes on SQLite: `test_seed`)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import text

from townhall_platform.db import make_engine, run_migrations
from townhall_platform.testing import EVENTUALLY_SECONDS
from townhall_publishing.app import event_publisher
from townhall_publishing.cli import MIGRATIONS
from townhall_publishing.database import sqlite_lock, tune_engine, write_session
from townhall_publishing.outbox.metrics import RelayMetrics
from townhall_publishing.outbox.relay import OutboxRelay
from townhall_publishing.settings import PublishingSettings


def test_the_engines_of_one_process_share_the_locks_of_a_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one, other = make_engine(url), make_engine(url)
    try:
        writer = sqlite_lock(one, "writer")
        assert sqlite_lock(other, "writer") is writer
        assert sqlite_lock(one, "relay") is not writer
    finally:
        one.dispose()
        other.dispose()


def test_a_write_waits_for_the_writer_before_it_and_the_lock_is_let_go_after(
    tmp_path: Path,
) -> None:
    engine = tune_engine(make_engine(f"sqlite:///{tmp_path / 'turns.db'}"))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE turns (n INTEGER PRIMARY KEY, who TEXT)"))
    started, written = threading.Event(), threading.Event()

    def other_writer() -> None:
        started.set()
        with write_session(engine) as session:
            session.execute(text("INSERT INTO turns (who) VALUES ('second')"))
        written.set()

    try:
        with write_session(engine) as session:
            session.execute(text("INSERT INTO turns (who) VALUES ('first')"))
            thread = threading.Thread(target=other_writer)
            thread.start()
            assert started.wait(EVENTUALLY_SECONDS)
            # The other writer waits for the lock: nothing written yet.
            assert not written.wait(0.3)
        thread.join(EVENTUALLY_SECONDS)
        assert written.is_set()
        with engine.connect() as connection:
            order = [row[0] for row in connection.execute(text("SELECT who FROM turns ORDER BY n"))]
        assert order == ["first", "second"]
        # Committed, rolled back or failed: each write lets the lock go.
        with pytest.raises(RuntimeError), write_session(engine) as session:
            session.execute(text("INSERT INTO turns (who) VALUES ('undone')"))
            raise RuntimeError("undone")
        assert sqlite_lock(engine, "writer").acquire(blocking=False)
        sqlite_lock(engine, "writer").release()
    finally:
        engine.dispose()


def test_a_relay_steps_aside_while_another_holds_the_relay_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'relay.db'}"
    run_migrations(url, MIGRATIONS)
    engine = make_engine(url)
    relay = OutboxRelay(
        engine=engine,
        publisher=event_publisher(PublishingSettings(nats_url="nats://127.0.0.1:9")),
        metrics=RelayMetrics.register(CollectorRegistry()),
    )
    other = sqlite_lock(engine, "relay")
    try:
        assert other.acquire(blocking=False)
        try:
            assert relay.run_once().locked_out
        finally:
            other.release()
        assert not relay.run_once().locked_out  # its turn now (an empty outbox)
        assert other.acquire(blocking=False)  # and it let the lock go after its pass
        other.release()
    finally:
        engine.dispose()
