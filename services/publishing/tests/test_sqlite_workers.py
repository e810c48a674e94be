"""Several worker processes on one SQLite file: writers take turns, one relays at a time.

The locks are checked across real processes (`multiprocessing`, spawned): a lock that
held only within one process would let the other process through.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from prometheus_client import CollectorRegistry
from sqlalchemy import text

from townhall_clients import SearchClient
from townhall_platform.db import make_engine, run_migrations
from townhall_platform.testing import EVENTUALLY_SECONDS
from townhall_publishing.cli import MIGRATIONS
from townhall_publishing.database import (
    CHECKPOINT_EVERY,
    FileLock,
    checkpoint_due,
    sqlite_lock,
    sqlite_writer_lock,
    tune_engine,
    write_session,
)
from townhall_publishing.outbox.metrics import RelayMetrics
from townhall_publishing.outbox.relay import OutboxRelay

_TAKE_AND_NOTE = """
import sys
from pathlib import Path
from townhall_publishing.database import FileLock
lock = FileLock(sys.argv[1])
Path(sys.argv[2] + ".started").write_text("")
lock.acquire()
Path(sys.argv[2]).write_text("got it")
lock.release()
"""

_WRITE_ONCE = """
import sys
from pathlib import Path
from sqlalchemy import text
from townhall_platform.db import make_engine
from townhall_publishing.database import write_session
engine = make_engine(sys.argv[1])
Path(sys.argv[2] + ".started").write_text("")
with write_session(engine) as session:
    session.execute(text("INSERT INTO turns (who) VALUES ('child')"))
Path(sys.argv[2]).write_text("written")
"""


def _start(script: str, *args: str) -> subprocess.Popen[bytes]:
    """Another process, running `script` with `args`."""
    return subprocess.Popen([sys.executable, "-c", script, *args])


def _wait_for(process: subprocess.Popen[bytes]) -> None:
    assert process.wait(EVENTUALLY_SECONDS) == 0


def _until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + EVENTUALLY_SECONDS
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert condition()


def test_a_file_lock_held_by_one_process_makes_another_wait(tmp_path: Path) -> None:
    path = str(tmp_path / "db-writer.lock")
    marker = tmp_path / "marker"
    mine = FileLock(path)
    assert mine.acquire()
    child = _start(_TAKE_AND_NOTE, path, str(marker))
    try:
        _until(Path(f"{marker}.started").exists)
        time.sleep(0.5)  # the child goes on to the lock, and waits there
        assert child.poll() is None
        assert not marker.exists()
    finally:
        mine.release()
    _wait_for(child)
    assert marker.read_text() == "got it"


def test_a_file_lock_is_refused_without_waiting_while_another_holder_has_it(
    tmp_path: Path,
) -> None:
    path = str(tmp_path / "db-relay.lock")
    first, second = FileLock(path), FileLock(path)  # two descriptors, as two processes
    assert first.acquire(blocking=False)
    assert not second.acquire(blocking=False)
    first.release()
    assert second.acquire(blocking=False)
    assert not first.acquire(blocking=False)
    second.release()


def test_the_threads_of_one_process_share_the_lock_of_a_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    one, other = make_engine(url), make_engine(url)
    try:
        lock = sqlite_writer_lock(one)
        assert sqlite_writer_lock(other) is lock
        assert sqlite_lock(one, "relay") is not lock
        assert lock.acquire(blocking=False)
        try:
            assert not sqlite_writer_lock(other).acquire(blocking=False)
        finally:
            lock.release()
    finally:
        one.dispose()
        other.dispose()


def test_a_write_in_another_process_waits_for_the_writer_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'turns.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE turns (n INTEGER PRIMARY KEY, who TEXT)"))
    marker = tmp_path / "marker"
    try:
        with write_session(engine) as session:
            child = _start(_WRITE_ONCE, url, str(marker))
            _until(Path(f"{marker}.started").exists)
            time.sleep(0.5)
            # The child waits for the writer lock: nothing written yet.
            assert child.poll() is None
            assert not marker.exists()
            session.execute(text("INSERT INTO turns (who) VALUES ('parent')"))
        _wait_for(child)
        with engine.connect() as connection:
            order = [row[0] for row in connection.execute(text("SELECT who FROM turns ORDER BY n"))]
        assert order == ["parent", "child"]
        assert marker.read_text() == "written"
    finally:
        engine.dispose()


def test_a_relay_steps_aside_while_another_holds_the_relay_lock(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'relay.db'}"
    run_migrations(url, MIGRATIONS)
    engine = make_engine(url)
    relay = OutboxRelay(
        engine=engine,
        search=SearchClient("http://search.invalid", token=lambda: "unused", retries=1),
        metrics=RelayMetrics.register(CollectorRegistry()),
    )
    other_process = FileLock(f"{tmp_path / 'relay.db'}-relay.lock")
    try:
        assert other_process.acquire(blocking=False)
        try:
            assert relay.run_once().locked_out
        finally:
            other_process.release()
        assert not relay.run_once().locked_out  # its turn now (an empty outbox)
        assert other_process.acquire(blocking=False)  # and it let the lock go after its pass
        other_process.release()
    finally:
        engine.dispose()


def _rows_in_main_file(database: Path, tmp_path: Path) -> int:
    """Rows of `turns` in the database file alone, without its write-ahead log."""
    copy = tmp_path / "copy.db"
    shutil.copyfile(database, copy)
    connection = sqlite3.connect(copy)
    try:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE name = 'turns'")
        if tables.fetchone() is None:  # not even the table has left the log yet
            return 0
        return int(connection.execute("SELECT count(*) FROM turns").fetchone()[0])
    finally:
        connection.close()


def test_writers_checkpoint_the_log_every_hundred_commits_after_the_lock(tmp_path: Path) -> None:
    database = tmp_path / "checkpoints.db"
    engine = tune_engine(make_engine(f"sqlite:///{database}"))
    try:
        with engine.begin() as connection:
            connection.execute(text("CREATE TABLE turns (n INTEGER PRIMARY KEY, who TEXT)"))
            # SQLite's own checkpoint (inside commits, lock held) is off on these connections.
            assert connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        for _ in range(CHECKPOINT_EVERY - 1):
            with write_session(engine) as session:
                session.execute(text("INSERT INTO turns (who) VALUES ('writer')"))
        assert _rows_in_main_file(database, tmp_path) < CHECKPOINT_EVERY - 1
        with write_session(engine) as session:
            session.execute(text("INSERT INTO turns (who) VALUES ('writer')"))
        # The hundredth commit of the process copied the log into the database file.
        assert _rows_in_main_file(database, tmp_path) == CHECKPOINT_EVERY
    finally:
        engine.dispose()


def test_a_group_commit_counts_each_of_its_changes_towards_the_checkpoint(
    tmp_path: Path,
) -> None:
    engine = tune_engine(make_engine(f"sqlite:///{tmp_path / 'groups.db'}"))
    try:
        assert not checkpoint_due(engine, CHECKPOINT_EVERY - 1)
        assert checkpoint_due(engine, 2)  # crossed the first hundred
        assert not checkpoint_due(engine, CHECKPOINT_EVERY - 2)
        assert checkpoint_due(engine, 3 * CHECKPOINT_EVERY)
    finally:
        engine.dispose()
