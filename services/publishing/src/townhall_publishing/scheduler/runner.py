"""A background worker that publishes scheduled posts on time.

The schedule lives in the database, so a restart loses nothing: the first pass after
start publishes whatever fell due while the service was down. The passes run in a
`townhall_platform.workers.Worker` (a failing pass is retried, a dead thread restarted,
liveness reported).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog
from sqlalchemy.engine import Engine

from townhall_platform.workers import Worker

from ..database import utcnow, write_session
from ..workflow.service import publish_due

log = structlog.get_logger("townhall.publishing.scheduler")


class Scheduler:
    """Runs `publish_due` every `interval` seconds until stopped."""

    def __init__(
        self,
        *,
        engine: Engine,
        interval: float = 1.0,
        clock: Callable[[], datetime] = utcnow,
        on_published: Callable[[], None] | None = None,
        stale_after: float | None = None,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self._on_published = on_published
        # Not ready when no pass succeeded for `stale_after` seconds.
        self.worker = Worker(
            "scheduler",
            self._tick,
            interval=interval,
            initial_backoff=interval,
            max_backoff=max(interval, 30.0),
            stale_after=stale_after,
        )

    def run_once(self) -> list[str]:
        """Publish what is due now; answers the ids published."""
        with write_session(self._engine) as session:
            published = [post.id for post in publish_due(session, now=self._clock())]
        if published:
            log.info("scheduled_posts_published", posts=published)
            if self._on_published is not None:
                self._on_published()
        return published

    def _tick(self) -> float | None:
        self.run_once()
        return None

    def start(self) -> None:
        self.worker.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.worker.stop(timeout)
