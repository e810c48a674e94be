"""Audit trail, suspensions, access reviews, decision log, directory history.

Existing memberships get an open membership period from their creation, so audits at
a past instant see the directory as it was from then on.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)
GENESIS = "0" * 64


def upgrade() -> None:
    with op.batch_alter_table("subjects") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
        batch.add_column(sa.Column("group_type", sa.String(32), nullable=True))
    with op.batch_alter_table("policy_revision") as batch:
        batch.add_column(sa.Column("audit_seq", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(
            sa.Column("audit_hash", sa.String(64), nullable=False, server_default=GENESIS)
        )
    with op.batch_alter_table("policy_revision") as batch:
        batch.alter_column("audit_seq", server_default=None)
        batch.alter_column("audit_hash", server_default=None)

    op.create_table(
        "directory_periods",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(128), sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("group_id", sa.String(128), sa.ForeignKey("subjects.id"), nullable=True),
        sa.Column("valid_from", TS, nullable=False),
        sa.Column("valid_to", TS, nullable=True),
        sa.CheckConstraint("kind IN ('membership', 'inactive')", name="ck_directory_periods_kind"),
    )
    op.create_index("ix_directory_periods_subject_id", "directory_periods", ["subject_id"])
    op.execute(
        "INSERT INTO directory_periods (kind, subject_id, group_id, valid_from, valid_to) "
        "SELECT 'membership', member_id, group_id, created_at, NULL FROM group_memberships"
    )

    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(36), nullable=False, unique=True),
        sa.Column("occurred_at", TS, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("domain", sa.String(80), nullable=True),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("policy_revision", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    for column in ("occurred_at", "actor", "event_type", "target", "domain"):
        op.create_index(f"ix_audit_events_{column}", "audit_events", [column])

    op.create_table(
        "suspensions",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("subject_id", sa.String(128), sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("domain", sa.String(80), sa.ForeignKey("domains.id"), nullable=False),
        sa.Column("action", sa.String(64), nullable=True),
        sa.Column("valid_from", TS, nullable=False),
        sa.Column("valid_to", TS, nullable=True),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("justification", sa.String(1000), nullable=False),
        sa.Column("lifted_at", TS, nullable=True),
        sa.Column("lifted_by", sa.String(128), nullable=True),
        sa.Column("lift_justification", sa.String(1000), nullable=True),
    )
    op.create_index("ix_suspensions_subject_id", "suspensions", ["subject_id"])

    op.create_table(
        "access_reviews",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("domain", sa.String(80), sa.ForeignKey("domains.id"), nullable=False),
        sa.Column("opened_by", sa.String(128), nullable=False),
        sa.Column("opened_at", TS, nullable=False),
        sa.Column("justification", sa.String(1000), nullable=False),
        sa.Column("closed_at", TS, nullable=True),
        sa.Column("closed_by", sa.String(128), nullable=True),
        sa.Column("closing_note", sa.String(1000), nullable=True),
    )
    op.create_index("ix_access_reviews_domain", "access_reviews", ["domain"])
    op.create_table(
        "access_review_items",
        sa.Column("review_id", sa.String(36), sa.ForeignKey("access_reviews.id"), primary_key=True),
        sa.Column("grant_id", sa.String(36), sa.ForeignKey("grants.id"), primary_key=True),
        sa.Column("outcome", sa.String(16), nullable=True),
        sa.Column("decided_by", sa.String(128), nullable=True),
        sa.Column("decided_at", TS, nullable=True),
        sa.Column("justification", sa.String(1000), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('keep', 'revoke')", name="ck_review_items_outcome"
        ),
    )

    op.create_table(
        "decision_log",
        sa.Column("decision_id", sa.String(36), primary_key=True),
        sa.Column("timestamp", TS, nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("domain", sa.String(80), nullable=False),
        sa.Column("allowed", sa.Boolean(), nullable=False),
        sa.Column("policy_revision", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(128), nullable=False),
        sa.Column("input", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
    )
    for column in ("timestamp", "subject", "domain"):
        op.create_index(f"ix_decision_log_{column}", "decision_log", [column])
    op.create_table(
        "grant_usage",
        sa.Column("grant_id", sa.String(36), primary_key=True),
        sa.Column("last_used_at", TS, nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("grant_usage")
    for column in ("timestamp", "subject", "domain"):
        op.drop_index(f"ix_decision_log_{column}", table_name="decision_log")
    op.drop_table("decision_log")
    op.drop_table("access_review_items")
    op.drop_index("ix_access_reviews_domain", table_name="access_reviews")
    op.drop_table("access_reviews")
    op.drop_index("ix_suspensions_subject_id", table_name="suspensions")
    op.drop_table("suspensions")
    for column in ("occurred_at", "actor", "event_type", "target", "domain"):
        op.drop_index(f"ix_audit_events_{column}", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_directory_periods_subject_id", table_name="directory_periods")
    op.drop_table("directory_periods")
    with op.batch_alter_table("policy_revision") as batch:
        batch.drop_column("audit_hash")
        batch.drop_column("audit_seq")
    with op.batch_alter_table("subjects") as batch:
        batch.drop_column("group_type")
        batch.drop_column("email")
