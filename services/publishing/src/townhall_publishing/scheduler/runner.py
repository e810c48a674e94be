"""A background thread that publishes scheduled posts on time.

The schedule lives in the database, so a restart loses nothing: the first pass after
start publishes whatever fell due while the service was down.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

import structlog
from sqlalchemy.engine import Engine

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
        chores: list[Callable[[], object]] | None = None,
    ) -> None:
        self._engine = engine
        self._interval = interval
        self._clock = clock
        self._on_published = on_published
        # Small background writes done on each pass (views noted by reads).
        self._chores = chores or []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self) -> list[str]:
        """Publish what is due now; answers the ids published."""
        for chore in self._chores:
            chore()
        with write_session(self._engine) as session:
            published = [post.id for post in publish_due(session, now=self._clock())]
        if published:
            log.info("scheduled_posts_published", posts=published)
            if self._on_published is not None:
                self._on_published()
        return published

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, name="townhall-publishing-scheduler", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:
                log.exception("scheduler_pass_failed")
            self._stop.wait(self._interval)
