"""Several notifications workers on one PostgreSQL database: who does which work.

The batched jobs (reminders, immediate mails, sending mails and webhooks) take their rows
with `FOR UPDATE SKIP LOCKED`: two workers passing at once take disjoint rows, and a row
a worker handled is seen changed by the next, so nothing goes out twice. The digest pass
reads every user's whole pending set, so it runs on one worker at a time under a
transaction-scoped advisory lock; another worker skips it, and its next pass finds the
work done. SQLite (one process) renders no `FOR UPDATE` and needs no lock.
"""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import text
from sqlmodel import Session
from sqlmodel.sql.expression import SelectOfScalar

# Advisory lock keys are shared by everything in the database: one of notifications' own.
DIGEST_LOCK_KEY = 0x74_68_6E_64_69_67  # "thndig"

S = TypeVar("S")


def claimed(statement: SelectOfScalar[S]) -> SelectOfScalar[S]:
    """`statement` taking its rows for this transaction, past those another worker holds."""
    return statement.with_for_update(skip_locked=True)


def hold_pass(session: Session, key: int) -> bool:
    """Whether this transaction holds the pass named by `key` (released at its end)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    taken = session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": key})
    return bool(taken.scalar_one())
