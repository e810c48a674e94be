"""SQL of the revision row."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from townhall_policy.revision.models import REVISION_ROW_ID, PolicyRevision


def current_revision(session: Session) -> int:
    """The revision stored in the database."""
    statement = select(col(PolicyRevision.revision)).where(PolicyRevision.id == REVISION_ROW_ID)
    return int(session.exec(statement).one())


def current_revision_and_audit_seq(session: Session) -> tuple[int, int]:
    """The stored revision and the audit trail's head sequence number, read together."""
    statement = select(col(PolicyRevision.revision), col(PolicyRevision.audit_seq)).where(
        PolicyRevision.id == REVISION_ROW_ID
    )
    revision, audit_seq = session.exec(statement).one()
    return int(revision), int(audit_seq)


def increment_revision(session: Session, *, now: datetime) -> int:
    """Add one to the revision (the row lock serialises concurrent changes) and return it."""
    session.execute(
        update(PolicyRevision)
        .where(col(PolicyRevision.id) == REVISION_ROW_ID)
        .values(revision=col(PolicyRevision.revision) + 1, updated_at=now)
    )
    return current_revision(session)
