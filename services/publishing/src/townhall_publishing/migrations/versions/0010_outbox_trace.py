"""The outbox keeps the trace of the request that wrote each event (W3C `traceparent`),
so that its bus message continues that trace; empty while tracing is off.

Revision ID: 0010_outbox_trace
Revises: 0009_feed_tokens
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_outbox_trace"
down_revision: str | None = "0009_feed_tokens"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("trace_parent", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("trace_parent")
