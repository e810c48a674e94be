"""SQL of the audit trail and of the chain head kept on the revision row."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from townhall_policy.audit.models import AuditEvent, StoredEvent
from townhall_policy.revision.models import REVISION_ROW_ID, PolicyRevision

MAX_SEQ = 2**31 - 1  # `audit_events.seq` is a 32-bit integer


def claim_next_seq(session: Session) -> tuple[int, str, int]:
    """Take the next sequence number under the revision row's lock.

    Returns (seq, previous head hash, current policy revision). The row lock held until
    commit serialises appends from every instance sharing the database.
    """
    session.execute(
        update(PolicyRevision)
        .where(col(PolicyRevision.id) == REVISION_ROW_ID)
        .values(audit_seq=col(PolicyRevision.audit_seq) + 1)
    )
    row = session.execute(
        select(
            col(PolicyRevision.audit_seq),
            col(PolicyRevision.audit_hash),
            col(PolicyRevision.revision),
        ).where(col(PolicyRevision.id) == REVISION_ROW_ID)
    ).one()
    return int(row[0]), str(row[1]), int(row[2])


def lock_head(session: Session) -> None:
    """Take the revision row's lock (as an append does) without changing anything."""
    session.execute(
        update(PolicyRevision)
        .where(col(PolicyRevision.id) == REVISION_ROW_ID)
        .values(audit_seq=col(PolicyRevision.audit_seq))
    )


def set_head_hash(session: Session, head_hash: str) -> None:
    session.execute(
        update(PolicyRevision)
        .where(col(PolicyRevision.id) == REVISION_ROW_ID)
        .values(audit_hash=head_hash)
    )


def read_head(session: Session) -> tuple[int, str]:
    row = session.execute(
        select(col(PolicyRevision.audit_seq), col(PolicyRevision.audit_hash)).where(
            col(PolicyRevision.id) == REVISION_ROW_ID
        )
    ).one()
    return int(row[0]), str(row[1])


def last_event(session: Session) -> AuditEvent | None:
    """The stored event with the highest sequence number."""
    return session.exec(select(AuditEvent).order_by(col(AuditEvent.seq).desc()).limit(1)).first()


def first_event_id(session: Session) -> str | None:
    """The id of event 1, which names the trail (its checkpoints are filed under it)."""
    return session.exec(select(AuditEvent.id).where(AuditEvent.seq == 1)).first()


def add_event(session: Session, event: AuditEvent) -> AuditEvent:
    session.add(event)
    session.flush()
    return event


_STORED_COLUMNS = [col(getattr(AuditEvent, f)) for f in StoredEvent.__slots__]


def iter_stored_events(session: Session, *, batch: int = 5000) -> Iterator[StoredEvent]:
    """Every event in sequence order as plain values, read in batches (for verification)."""
    after = 0
    while True:
        rows = session.execute(
            select(*_STORED_COLUMNS)
            .where(col(AuditEvent.seq) > after)
            .order_by(col(AuditEvent.seq))
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield StoredEvent(*row)
        after = int(rows[-1][0])


def list_events(
    session: Session,
    *,
    actor: str | None = None,
    event_type: str | None = None,
    target: str | None = None,
    domain: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    after_seq: int = 0,
    limit: int = 100,
) -> Sequence[AuditEvent]:
    """Events matching every given filter, in sequence order, after `after_seq`."""
    # No sequence number exceeds the column's range (a larger bound would not bind).
    statement = select(AuditEvent).where(col(AuditEvent.seq) > min(after_seq, MAX_SEQ))
    if actor is not None:
        statement = statement.where(AuditEvent.actor == actor)
    if event_type is not None:
        statement = statement.where(AuditEvent.event_type == event_type)
    if target is not None:
        statement = statement.where(AuditEvent.target == target)
    if domain is not None:
        statement = statement.where(AuditEvent.domain == domain)
    if since is not None:
        statement = statement.where(col(AuditEvent.occurred_at) >= since)
    if until is not None:
        statement = statement.where(col(AuditEvent.occurred_at) < until)
    return session.exec(statement.order_by(col(AuditEvent.seq)).limit(limit)).all()


def events_after(
    session: Session, seq: int, *, up_to: int, limit: int
) -> list[tuple[int, str, str, str]]:
    """(policy revision, type, target, payload) of the events after `seq` up to `up_to`."""
    statement = (
        select(
            col(AuditEvent.policy_revision),
            col(AuditEvent.event_type),
            col(AuditEvent.target),
            col(AuditEvent.payload),
        )
        .where(col(AuditEvent.seq) > seq, col(AuditEvent.seq) <= up_to)
        .order_by(col(AuditEvent.seq))
        .limit(limit)
    )
    return [(int(r), str(t), str(g), str(p)) for r, t, g, p in session.exec(statement)]
