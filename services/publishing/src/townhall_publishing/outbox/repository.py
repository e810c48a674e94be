"""All SQL about the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, text, update
from sqlmodel import Session, col, select

from townhall_contracts.search import IndexDocument, IndexOperation

from ..database import utcnow
from .models import OutboxEvent

# The advisory lock that lets only one publishing instance relay at a time on PostgreSQL.
RELAY_LOCK_KEY = 0x70_75_62_6C_72_65_6C  # "publrel"
# The advisory lock writers hold from their outbox insert to their commit on PostgreSQL.
OUTBOX_WRITE_LOCK_KEY = 0x70_75_62_6F_75_74_77  # "puboutw"

_MAX_ERROR_LENGTH = 2000

_OUTBOX = OutboxEvent.__table__  # type: ignore[attr-defined]


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append_upsert(self, *, document: IndexDocument, version: int) -> int:
        """Record that `document` now has `version`; written in the caller's transaction.
        Returns the event id.

        Call it last in a unit of work, after the change itself: on PostgreSQL it takes
        the outbox write lock until commit.
        """
        # The change first, so that no row lock is taken under the outbox lock.
        self._session.flush()
        self._serialize_writers()
        written = self._session.connection().execute(
            insert(_OUTBOX),
            {
                "doc_id": document.id,
                "version": version,
                "op": IndexOperation.UPSERT.value,
                "payload": document.model_dump(mode="json"),
                "created_at": utcnow(),
            },
        )
        key = written.inserted_primary_key
        assert key is not None
        return int(key[0])

    def _serialize_writers(self) -> None:
        """Make event ids follow commit order.

        The relay delivers in id order; on PostgreSQL a transaction that took id 10 could
        otherwise commit after one that took id 11, and 11 would go out first. Writers
        hold this lock from their outbox insert to their commit (the insert is the last
        thing they do, so the lock is short). SQLite has one writer at a time anyway.
        """
        bind = self._session.get_bind()
        if bind.dialect.name == "postgresql":
            self._session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": OUTBOX_WRITE_LOCK_KEY}
            )

    def try_lock_relay(self) -> bool:
        """Take the relay lock for this transaction; False when another instance holds it.

        Only PostgreSQL has advisory locks; the embedded SQLite default runs one instance.
        """
        bind = self._session.get_bind()
        if bind.dialect.name != "postgresql":
            return True
        locked = self._session.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": RELAY_LOCK_KEY}
        ).scalar_one()
        return bool(locked)

    def pending(self, limit: int) -> list[OutboxEvent]:
        """The oldest undelivered events, in the order they were written."""
        statement = (
            select(OutboxEvent)
            .where(col(OutboxEvent.delivered_at).is_(None))
            .order_by(col(OutboxEvent.id))
            .limit(limit)
        )
        return list(self._session.exec(statement))

    def mark_delivered(self, event_ids: Sequence[int], at: datetime) -> None:
        self._session.execute(
            update(OutboxEvent)
            .where(col(OutboxEvent.id).in_(event_ids))
            .values(delivered_at=at, next_attempt_at=None)
        )

    def record_failure(
        self, event_ids: Sequence[int], *, error: str, next_attempt_at: datetime
    ) -> None:
        """Keep the events, count the attempt, and say when to try again."""
        self._session.execute(
            update(OutboxEvent)
            .where(col(OutboxEvent.id).in_(event_ids))
            .values(
                attempts=OutboxEvent.attempts + 1,
                last_error=error[:_MAX_ERROR_LENGTH],
                next_attempt_at=next_attempt_at,
            )
        )

    def backlog(self) -> tuple[int, datetime | None]:
        """How many events wait for delivery, and when the oldest was written."""
        statement = select(func.count(), func.min(OutboxEvent.created_at)).where(
            col(OutboxEvent.delivered_at).is_(None)
        )
        count, oldest = self._session.exec(statement).one()
        return int(count), oldest
