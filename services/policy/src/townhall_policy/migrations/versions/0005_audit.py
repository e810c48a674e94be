"""The audit chain is keyed: each event records the key whose HMAC its hash is.

Existing events keep their plain SHA-256 hashes (`key_id` NULL). The service, at its
first start with a key (or `townhall-policy migrate`), appends an `audit.chain_keyed`
event whose HMAC covers the last of them, so the old trail is anchored under the key.

Revision ID: 0005_audit
Revises: 0004_authority
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_audit"
down_revision: str | None = "0004_authority"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("key_id", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("key_id")
