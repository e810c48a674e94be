"""The outbox relay: publishes events to NATS JetStream, in order, until stored.

A pass takes the oldest unpublished events (up to the batch size), publishes them in
that order, and marks those JetStream acknowledged as delivered: the stored ones are
always a prefix of the batch (the server refuses a message whose predecessor it did not
store), so the stream keeps their order. When NATS is down or does not
answer, the events stay, their attempts and error are recorded, and the relay tries
again after an exponential backoff: an event is never dropped, skipped or overtaken,
and publishing goes on writing meanwhile. Each event is published with its event id
as `Nats-Msg-Id`, so one published twice after a lost acknowledgement is stored once.

The relay is woken by the commit of every transaction that wrote events
(`outbox.wakeup`); its interval is only a safety poll. Wakes that come while a pass runs
make one more pass, which takes everything committed by then; under load a pass starts
at most every `coalesce` seconds, so that bursts of commits share passes. A batch goes
to NATS pipelined (`BusThread.publish_all`: one round trip, order kept by the server)
and is marked delivered in one statement.

Several publishing instances share the outbox with one relaying at a time: on
PostgreSQL each pass holds a transaction-scoped advisory lock; on SQLite, which one
publishing process serves, the relay's threads take turns through a lock.

The passes run in a `townhall_platform.workers.Worker`: a pass that fails, even to
write its log, is retried; a thread that dies is restarted; the backlog (how many
events wait, since when) is reported by every instance, the relaying one or not.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.engine import Engine
from sqlmodel import Session

from townhall_contracts.events import Event, EventType, message_id, subject_for
from townhall_platform.bus import PartialPublish
from townhall_platform.workers import RetryLater, Worker

from ..database import sqlite_lock, utcnow, write_session
from .metrics import RelayMetrics
from .repository import Backlog, OutboxRepository, PendingEvent
from .wakeup import wake_on_commit

# How soon a relay shut out by another instance's pass looks again while events wait.
_LOCKED_OUT_RETRY_SECONDS = 0.05


class EventPublisher(Protocol):
    """Where the relay publishes (a `townhall_platform.bus.BusThread`)."""

    def publish_all(
        self,
        messages: Sequence[tuple[str, bytes, str]],
        *,
        timeout: float = ...,
        trace_parents: Sequence[str | None] = ...,
    ) -> int: ...


@dataclass(frozen=True)
class RelayPass:
    """What one pass did."""

    delivered: int = 0
    pending: int = 0
    error: str | None = None
    # Seconds until the head of the outbox may be tried again (after a failure).
    retry_in: float | None = None
    # Another instance holds the relay lock.
    locked_out: bool = False
    # A full batch went out: more events may be waiting right now.
    batch_full: bool = False


def bus_event(row: PendingEvent) -> Event:
    """The outbox row as the bus carries it; its id is the event id."""
    return Event(id=row.id, type=EventType(row.type), occurred_at=row.created_at, data=row.data)


def bus_message(row: PendingEvent) -> tuple[str, bytes, str]:
    """`(subject, body, message id)` of the row's event."""
    event = bus_event(row)
    return subject_for(event), event.model_dump_json().encode(), message_id(event)


class OutboxRelay:
    """Publishes the outbox to the bus, from a background thread or one pass at a time."""

    def __init__(
        self,
        *,
        engine: Engine,
        publisher: EventPublisher,
        metrics: RelayMetrics,
        batch_size: int = 500,
        poll_interval: float = 2.0,
        publish_timeout: float = 5.0,
        initial_backoff: float = 0.2,
        max_backoff: float = 5.0,
        max_lag: float | None = None,
        coalesce: float = 0.0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._engine = engine
        self._coalesce = coalesce
        self._last_pass_at = 0.0
        self._publisher = publisher
        self._publish_timeout = publish_timeout
        self._metrics = metrics
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        self._clock = clock
        self._sqlite = engine.dialect.name == "sqlite"
        self._pass_lock = sqlite_lock(engine, "relay") if self._sqlite else None
        # The backlog as last seen: how many events wait, and when the oldest was written.
        self._pending = 0
        self._oldest_pending_at: datetime | None = None
        # Readiness fails when the oldest undelivered event is older than `max_lag`, or
        # when no pass has succeeded for as long.
        self.worker = Worker(
            "outbox-relay",
            self.tick,
            interval=poll_interval,
            initial_backoff=initial_backoff,
            max_backoff=max_backoff,
            stale_after=max_lag,
            max_lag=max_lag,
            lag=self.lag_seconds,
            pending=lambda: self._pending,
        )
        metrics.lag_seconds.set_function(self.lag_seconds)
        wake_on_commit(engine, self.worker.wake)

    def backoff(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failure in a row (capped): the worker's."""
        return self.worker.backoff(attempts)

    def run_once(self, *, respect_backoff: bool = True) -> RelayPass:
        """Deliver the next batch, or record why it could not be delivered.

        `respect_backoff=False` tries at once even when the last failure asked to wait
        (an operator's `relay-once`).
        """
        if self._pass_lock is None:
            return self._pass(respect_backoff=respect_backoff)
        if not self._pass_lock.acquire(blocking=False):
            # Another thread relays; this one still reports the backlog it sees.
            with Session(self._engine) as session:
                self._observe(OutboxRepository(session).backlog())
            return RelayPass(locked_out=True)
        try:
            return self._pass(respect_backoff=respect_backoff)
        finally:
            self._pass_lock.release()

    def _pass(self, *, respect_backoff: bool) -> RelayPass:
        with Session(self._engine, expire_on_commit=False) as session:
            outbox = OutboxRepository(session)
            locked, backlog = outbox.try_lock_relay()
            if not locked or backlog.pending == 0:
                pending = self._observe(backlog)
                session.rollback()
                return RelayPass(locked_out=not locked, pending=pending)
            events = outbox.pending(self._batch_size)
            now = self._clock()
            if not events:
                self._observe(Backlog(0, None))
                session.rollback()
                return RelayPass()
            head = events[0]
            if respect_backoff and head.next_attempt_at is not None and head.next_attempt_at > now:
                pending = self._observe(self._left(outbox, events, delivered=0))
                session.rollback()
                return RelayPass(
                    pending=pending, retry_in=(head.next_attempt_at - now).total_seconds()
                )
            if self._sqlite:
                # No transaction stays open while NATS is called: SQLite's writers
                # would otherwise be shut out, or this one fail to write afterwards.
                session.rollback()
            return self._deliver(session, events, now)

    def _deliver(
        self, session: Session, events: Sequence[PendingEvent], now: datetime
    ) -> RelayPass:
        """Publish `events` in order; record those stored and the failure, if any."""
        event_ids = [int(event.id) for event in events]
        error: str | None = None
        try:
            stored = self._publisher.publish_all(
                [bus_message(event) for event in events],
                timeout=self._publish_timeout,
                trace_parents=[event.trace_parent for event in events],
            )
        except PartialPublish as exc:
            stored, error = exc.stored, f"{type(exc.cause).__name__}: {exc.cause}"
        except Exception as exc:
            # Whatever went wrong, the events stay where they are and go again later.
            stored, error = 0, f"{type(exc).__name__}: {exc}"
        published, kept = event_ids[:stored], event_ids[stored:]
        attempts = events[stored].attempts + 1 if kept else 0
        delay = self.backoff(attempts)
        with self._writing(session) as writer:
            outbox = OutboxRepository(writer)
            if published:
                outbox.mark_delivered(published, now)
            if kept and error is not None:
                outbox.record_failure(
                    kept, error=error, next_attempt_at=now + timedelta(seconds=delay)
                )
            pending = self._observe(self._left(outbox, events, delivered=stored))
        if published:
            self._metrics.delivered.inc(len(published))
            self._metrics.last_delivered_event_id.set(published[-1])
        if error is not None:
            self._metrics.failures.inc()
            return RelayPass(
                delivered=len(published),
                pending=pending,
                error=(
                    f"events {kept[0]}-{kept[-1]} not published to NATS "
                    f"(attempt {attempts}): {error}"
                ),
                retry_in=delay,
            )
        return RelayPass(
            delivered=len(published),
            pending=pending,
            batch_full=len(published) == self._batch_size,
        )

    def _left(
        self, outbox: OutboxRepository, events: Sequence[PendingEvent], *, delivered: int
    ) -> Backlog:
        """The backlog once the first `delivered` of `events` are out: known without a
        query when the pass read everything that waited (events committed since then
        wake the relay again)."""
        if len(events) < self._batch_size:
            rest = events[delivered:]
            return Backlog(len(rest), rest[0].created_at if rest else None)
        return outbox.backlog()

    @contextmanager
    def _writing(self, session: Session) -> Iterator[Session]:
        """Where a pass records its outcome, committed at the end.

        On PostgreSQL the pass's own transaction, which holds the relay lock; on SQLite
        a fresh write transaction (the read one was closed before calling NATS).
        """
        if self._sqlite:
            with write_session(self._engine) as writer:
                yield writer
            return
        yield session
        session.commit()

    def _observe(self, backlog: Backlog) -> int:
        """Remember the backlog (for the metrics and readiness); answers how many wait."""
        if not backlog.known:
            return self._pending
        self._pending, self._oldest_pending_at = backlog.pending, backlog.oldest
        self._metrics.pending.set(backlog.pending)
        return backlog.pending

    def lag_seconds(self) -> float:
        """Age of the oldest undelivered event last seen (0 when none waited); it grows
        while no pass looks again, so a stalled relay shows."""
        oldest = self._oldest_pending_at
        if oldest is None:
            return 0.0
        return max((self._clock() - oldest).total_seconds(), 0.0)

    def tick(self) -> float | None:
        """One pass as the worker runs it: answers when to pass again; a delivery that
        failed raises `RetryLater` (counted, logged, retried after the backoff)."""
        self._settle()
        outcome = self.run_once()
        if outcome.error is not None:
            raise RetryLater(outcome.error, after=outcome.retry_in)
        if outcome.batch_full:
            return 0.0
        if outcome.locked_out and outcome.pending:
            # The instance relaying may have read the outbox before these events were
            # committed, and their commit woke this instance, not that one.
            return min(_LOCKED_OUT_RETRY_SECONDS, self._poll_interval)
        if outcome.retry_in is not None:
            return min(max(outcome.retry_in, 0.0), self._max_backoff)
        return None

    def _settle(self) -> None:
        """Start a pass at most every `coalesce` seconds: under load, the commits of the
        next few milliseconds share a pass (and a batch on the bus) instead of each
        paying for its own; a commit after a quiet spell goes out at once."""
        wait = self._last_pass_at + self._coalesce - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_pass_at = time.monotonic()

    def start(self) -> None:
        """Relay from the worker's thread until `stop()`."""
        self.worker.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to finish its pass and wait for it."""
        self.worker.stop(timeout)

    @property
    def running(self) -> bool:
        return self.worker.alive
