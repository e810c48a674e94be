"""The relay is woken by the commit of a transaction that wrote outbox events.

A unit of work that appends an event marks its session; when that session commits, the
waker registered for its engine runs (the relay's `Worker.wake`), so an event goes out
at once instead of at the relay's next safety poll.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

_WRITTEN = "townhall_outbox_written"
# Keyed by the engine's pool: a writer's session binds a copy of the engine with other
# execution options (`database.WriteSession`), which shares the pool.
_wakers: weakref.WeakKeyDictionary[Pool, Callable[[], None]] = weakref.WeakKeyDictionary()


def note_outbox_written(session: Session) -> None:
    session.info[_WRITTEN] = True


def wake_on_commit(engine: Engine, waker: Callable[[], None]) -> None:
    """Call `waker` after each commit, on `engine`, of a session that wrote events."""
    _wakers[engine.pool] = waker


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.info.pop(_WRITTEN, False):
        return
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    waker = _wakers.get(engine.pool)
    if waker is not None:
        waker()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(_WRITTEN, None)
