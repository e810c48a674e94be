"""A background worker keeping the unsettled days' counts of every open objective fresh,
so that a dashboard reads kept counts and never pays the recount itself.

It recounts an objective's unsettled days once they are older than half the live delay:
readers, who recount past the whole delay, then find them fresh. The passes run in a
`townhall_platform.workers.Worker` (a failing pass is retried, liveness reported).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_contracts.publishing.objectives import ObjectiveState
from townhall_platform.workers import Worker

from ..database import utcnow, write_session
from ..policy_gate import PolicyGate
from .facts import PolicyFacts
from .repository import ObjectiveRepository
from .rollups import keep_live


def refresh_live(
    *, session: Session, gate: PolicyGate, now: datetime, floor: int, fresher_than: timedelta
) -> int:
    """Recount the unsettled days of every open objective whose counts are older than
    `fresher_than`; how many objectives were looked at."""
    repository = ObjectiveRepository(session)
    facts = PolicyFacts(session, gate, live_for=fresher_than)
    looked = 0
    for objective in repository.all():
        if objective.state != ObjectiveState.OPEN.value or objective.starts_on > now.date():
            continue
        keep_live(facts, repository, objective, now=now, floor=floor)
        looked += 1
    return looked


class LiveCounter:
    """Runs `refresh_live` every half live delay until stopped."""

    def __init__(
        self,
        *,
        engine: Engine,
        gate: PolicyGate,
        live_for: timedelta,
        floor: int,
        clock: Callable[[], datetime] = utcnow,
        stale_after: float | None = None,
    ) -> None:
        self._engine = engine
        self._gate = gate
        self._half = live_for / 2
        self._floor = floor
        self._clock = clock
        interval = max(self._half.total_seconds(), 1.0)
        self.worker = Worker(
            "objectives-live",
            self._tick,
            interval=interval,
            initial_backoff=interval,
            max_backoff=max(interval, 60.0),
            stale_after=stale_after,
        )

    def run_once(self) -> int:
        with write_session(self._engine) as session:
            return refresh_live(
                session=session,
                gate=self._gate,
                now=self._clock(),
                floor=self._floor,
                fresher_than=self._half,
            )

    def _tick(self) -> float | None:
        self.run_once()
        return None
