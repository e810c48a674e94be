"""All SQL about the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Integer, String, bindparam, func, insert, text, update
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from townhall_contracts.events import DocumentUpserted, EventType
from townhall_contracts.search import IndexDocument
from townhall_platform.db import UTCDateTime
from townhall_platform.tracing import current_headers

from ..database import utcnow
from .models import OutboxEvent
from .wakeup import note_outbox_written

# The advisory lock that lets only one publishing instance relay at a time on PostgreSQL.
RELAY_LOCK_KEY = 0x70_75_62_6C_72_65_6C  # "publrel"
# The advisory lock writers hold from their outbox insert to their commit on PostgreSQL.
OUTBOX_WRITE_LOCK_KEY = 0x70_75_62_6F_75_74_77  # "puboutw"

_MAX_ERROR_LENGTH = 2000

_OUTBOX = OutboxEvent.__table__  # type: ignore[attr-defined]

# Event ids must follow commit order: the relay delivers in id order, and on PostgreSQL
# a transaction that took id 10 could otherwise commit after one that took id 11, which
# would go out first. Writers hold this advisory lock from their outbox insert to their
# commit; the lock is taken by the insert itself (before the row draws its id), so the
# lock needs no round trip of its own while every other writer waits. SQLite has one
# writer at a time anyway.
_LOCKED_INSERT = (
    insert(_OUTBOX)
    .from_select(
        ["type", "data", "doc_id", "version", "created_at", "trace_parent"],
        core_select(
            bindparam("type", type_=String()),
            bindparam("data", type_=JSON()),
            bindparam("doc_id", type_=String()),
            bindparam("version", type_=Integer()),
            bindparam("created_at", type_=UTCDateTime()),
            bindparam("trace_parent", type_=String()),
        ).select_from(
            core_select(func.pg_advisory_xact_lock(OUTBOX_WRITE_LOCK_KEY)).subquery("serialized")
        ),
    )
    .returning(_OUTBOX.c.id)
)
_INSERT_EVENT = insert(_OUTBOX)


class OutboxRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append_upsert(self, *, document: IndexDocument, version: int) -> int:
        """Record that `document` now has `version` (a `document.upserted` event)."""
        data = DocumentUpserted(doc_id=document.id, version=version, document=document)
        return self.append(EventType.DOCUMENT_UPSERTED, data, doc_id=document.id, version=version)

    def append(
        self,
        event_type: EventType,
        data: BaseModel,
        *,
        doc_id: str | None = None,
        version: int | None = None,
    ) -> int:
        """Record an event (its envelope's `data`) in the caller's transaction; returns
        its event id. The relay publishes it once the transaction commits.

        Call it last in a unit of work, after the change itself: on PostgreSQL it takes
        the outbox write lock until commit.
        """
        row: dict[str, Any] = {
            "type": event_type.value,
            "data": data.model_dump(mode="json"),
            "doc_id": doc_id,
            "version": version,
            "created_at": utcnow(),
            "trace_parent": current_headers().get("traceparent"),
        }
        # The change first, so that no row lock is taken under the outbox lock.
        self._session.flush()
        note_outbox_written(self._session)
        connection = self._session.connection()
        if connection.dialect.name == "postgresql":
            return int(connection.execute(_LOCKED_INSERT, row).scalar_one())
        written = connection.execute(_INSERT_EVENT, row)
        key = written.inserted_primary_key
        assert key is not None
        return int(key[0])

    def try_lock_relay(self) -> bool:
        """Take the relay lock for this transaction; False when another instance holds it.

        Only PostgreSQL has advisory locks; on SQLite the relay takes a file lock
        (`OutboxRelay.run_once`).
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
