"""SCIM provisioning: the userName and externalId a provisioning client gave a subject,
and when it deleted the subject (kept, deactivated, for the audit trail's history).

Revision ID: 0010_scim
Revises: 0009_vocabulary
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_scim"
down_revision: str | None = "0009_vocabulary"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(sa.Column("user_name", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("external_id", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("deprovisioned_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_subjects_external_id", "subjects", ["external_id"])
    op.create_index("ix_subjects_display_name", "subjects", ["display_name"])


def downgrade() -> None:
    op.drop_index("ix_subjects_display_name", table_name="subjects")
    op.drop_index("ix_subjects_external_id", table_name="subjects")
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("deprovisioned_at")
        batch.drop_column("external_id")
        batch.drop_column("user_name")
