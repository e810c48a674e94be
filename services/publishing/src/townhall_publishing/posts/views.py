"""Who opened an official post, for its reach: noted by reads, written in the background."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from townhall_contracts.readers import PostState
from townhall_platform.workers import Worker

from ..database import utcnow, write_session
from .models import Post, PostKind, PostView

_REMEMBERED = 100_000


class ViewRecorder:
    """The first view of a published official post by each reader but its author.

    A read request does not write: it notes the view in memory, and `flush()` (from its
    background worker, `self.worker`) writes what was noted; `pending()` answers what
    still waits, `lag_seconds()` for how long.
    """

    def __init__(
        self, engine: Engine, *, interval: float = 1.0, stale_after: float | None = None
    ) -> None:
        self._engine = engine
        self._seen: set[tuple[str, str]] = set()
        self._pending: dict[tuple[str, str], datetime] = {}
        self._lock = threading.Lock()
        # Not ready when no flush succeeded, or the oldest unwritten view waited, for
        # `stale_after` seconds.
        self.worker = Worker(
            "view-counter",
            self._tick,
            interval=interval,
            initial_backoff=interval,
            max_backoff=max(interval, 30.0),
            stale_after=stale_after,
            max_lag=stale_after,
            lag=self.lag_seconds,
            pending=lambda: len(self._pending),
        )

    def record(self, post: Post, user_id: str) -> None:
        if post.kind != PostKind.OFFICIAL or post.state != PostState.PUBLISHED:
            return
        if user_id == post.author_id:
            return
        key = (post.id, user_id)
        with self._lock:
            if key in self._seen:
                return
            if len(self._seen) > _REMEMBERED:
                self._seen.clear()
            self._seen.add(key)
            self._pending[key] = utcnow()

    def pending(self) -> set[tuple[str, str]]:
        with self._lock:
            return set(self._pending)

    def lag_seconds(self) -> float:
        """How long the oldest view not yet written has waited (0 when none waits)."""
        with self._lock:
            oldest = min(self._pending.values(), default=None)
        if oldest is None:
            return 0.0
        return max((utcnow() - oldest).total_seconds(), 0.0)

    def _tick(self) -> float | None:
        self.flush()
        return None

    def flush(self) -> int:
        """Write the views noted since the last flush (idempotent); answers how many."""
        with self._lock:
            noted, self._pending = self._pending, {}
        if not noted:
            return 0
        rows = [
            {"post_id": post_id, "user_id": user_id, "first_viewed_at": at}
            for (post_id, user_id), at in noted.items()
        ]
        insert = pg_insert if self._engine.dialect.name == "postgresql" else sqlite_insert
        try:
            with write_session(self._engine) as session:
                session.execute(insert(PostView).values(rows).on_conflict_do_nothing())
        except Exception:
            with self._lock:
                noted.update(self._pending)
                self._pending = noted
            raise
        return len(rows)


async def _views(request: Request) -> ViewRecorder:
    views: ViewRecorder = request.app.state.views
    return views


# The app's recorder, for the routes that note or count views.
ViewsDep = Annotated[ViewRecorder, Depends(_views)]
