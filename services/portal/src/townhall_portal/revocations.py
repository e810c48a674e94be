"""Sessions ended by signing out, remembered until they would have expired anyway.

A session cookie is self-contained (encrypted, see `session`): without this list, a copy
taken before sign-out would keep working until it expires. Each session carries a random
id; signing out records it here, and a cookie naming a recorded id is refused.

In process by default (one portal instance: a restart forgets, so run one instance or give
a file); with `session_revocations_file`, a SQLite file that every instance on the same
machine shares and that survives restarts. A file that cannot be read or written fails
closed: the page answers 503 rather than accept a session it cannot check.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Protocol

from townhall_clients import ServiceUnavailable


class SessionRevocations(Protocol):
    def revoke(self, session_id: str, *, until: float) -> None:
        """Refuse the session `session_id` from now until `until` (a Unix time)."""

    def revoked(self, session_id: str) -> bool:
        """Whether the session was ended."""


class MemoryRevocations:
    """The list in this process."""

    def __init__(self) -> None:
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def revoke(self, session_id: str, *, until: float) -> None:
        now = time.time()
        with self._lock:
            # Forget what expired on its own: the list stays as long as the live sessions.
            self._until = {sid: end for sid, end in self._until.items() if end > now}
            self._until[session_id] = until

    def revoked(self, session_id: str) -> bool:
        with self._lock:
            return session_id in self._until


class FileRevocations:
    """The list in a SQLite file, shared by the portal instances of one machine."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        with self._connect() as connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS revoked_sessions "
                "(session_id TEXT PRIMARY KEY, until REAL NOT NULL)"
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for one transaction, closed after it."""
        try:
            with closing(sqlite3.connect(self._path, timeout=1.0)) as connection, connection:
                yield connection
        except sqlite3.Error as exc:
            raise ServiceUnavailable(
                "The list of signed-out sessions cannot be read.", service="session store"
            ) from exc

    def revoke(self, session_id: str, *, until: float) -> None:
        with self._connect() as connection:
            connection.execute("DELETE FROM revoked_sessions WHERE until <= ?", (time.time(),))
            connection.execute(
                "INSERT OR REPLACE INTO revoked_sessions (session_id, until) VALUES (?, ?)",
                (session_id, until),
            )

    def revoked(self, session_id: str) -> bool:
        with self._connect() as connection:
            row = connection.execute(
                "SELECT 1 FROM revoked_sessions WHERE session_id = ?", (session_id,)
            ).fetchone()
        return row is not None


def session_revocations(path: Path | None) -> SessionRevocations:
    """The list in `path`, or in this process when none is given."""
    return FileRevocations(path) if path is not None else MemoryRevocations()
