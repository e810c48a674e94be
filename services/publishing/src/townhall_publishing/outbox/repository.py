"""All SQL about the outbox."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, BigInteger, Integer, Row, String, bindparam, func, insert, update
from sqlalchemy import select as core_select
from sqlalchemy.sql.elements import BindParameter
from sqlmodel import Session

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

# An undelivered event as the relay reads it (`id`, `type`, `data`, `created_at`,
# `attempts`, `next_attempt_at`, `trace_parent`).
PendingEvent = Row[*tuple[Any, ...]]

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

    def try_lock_relay(self) -> tuple[bool, Backlog]:
        """Take the relay lock for this transaction (False when another instance holds
        it) and look at the backlog, in one statement.

        Only PostgreSQL has advisory locks; on SQLite the relay takes a thread lock
        (`OutboxRelay.run_once`), and the backlog is left to the pass (`Backlog.unknown`).
        """
        connection = self._session.connection()
        if connection.dialect.name != "postgresql":
            return True, Backlog.unknown()
        locked, count, oldest = connection.execute(_LOCK_RELAY, {"key": RELAY_LOCK_KEY}).one()
        return bool(locked), Backlog(int(count), oldest)

    def pending(self, limit: int) -> Sequence[PendingEvent]:
        """The oldest undelivered events, in the order they were written (rows with the
        columns the relay needs)."""
        return self._session.connection().execute(_PENDING, {"limit": limit}).all()

    def mark_delivered(self, event_ids: Sequence[int], at: datetime) -> None:
        self._session.connection().execute(_MARK_DELIVERED, {"ids": list(event_ids), "at": at})

    def record_failure(
        self, event_ids: Sequence[int], *, error: str, next_attempt_at: datetime
    ) -> None:
        """Keep the events, count the attempt, and say when to try again."""
        self._session.connection().execute(
            _RECORD_FAILURE,
            {
                "ids": list(event_ids),
                "error": error[:_MAX_ERROR_LENGTH],
                "next_attempt_at": next_attempt_at,
            },
        )

    def backlog(self) -> Backlog:
        """How many events wait for delivery, and when the oldest was written."""
        count, oldest = self._session.connection().execute(_BACKLOG).one()
        return Backlog(int(count), oldest)


@dataclass(frozen=True)
class Backlog:
    """How many events wait for delivery, and when the oldest was written; `pending` is
    -1 when it was not looked at."""

    pending: int
    oldest: datetime | None

    @classmethod
    def unknown(cls) -> Backlog:
        return cls(-1, None)

    @property
    def known(self) -> bool:
        return self.pending >= 0


# The relay's statements, built once: a pass runs after every commit that wrote events.
_WAITING = _OUTBOX.c.delivered_at.is_(None)
_BACKLOG = core_select(func.count(), func.min(_OUTBOX.c.created_at)).where(_WAITING)
_LOCK_RELAY = core_select(
    func.pg_try_advisory_xact_lock(bindparam("key", type_=BigInteger())),
    func.count(),
    func.min(_OUTBOX.c.created_at),
).where(_WAITING)
_PENDING = (
    core_select(
        _OUTBOX.c.id,
        _OUTBOX.c.type,
        _OUTBOX.c.data,
        _OUTBOX.c.created_at,
        _OUTBOX.c.attempts,
        _OUTBOX.c.next_attempt_at,
        _OUTBOX.c.trace_parent,
    )
    .where(_WAITING)
    .order_by(_OUTBOX.c.id)
    .limit(bindparam("limit", type_=Integer()))
)
_IDS: BindParameter[int] = bindparam("ids", expanding=True)
_MARK_DELIVERED = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(_IDS))
    .values(delivered_at=bindparam("at", type_=UTCDateTime()), next_attempt_at=None)
)
_RECORD_FAILURE = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(_IDS))
    .values(
        attempts=_OUTBOX.c.attempts + 1,
        last_error=bindparam("error", type_=String()),
        next_attempt_at=bindparam("next_attempt_at", type_=UTCDateTime()),
    )
)
