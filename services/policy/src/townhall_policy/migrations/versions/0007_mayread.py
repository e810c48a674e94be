"""Communicators and approvers read public spaces only; a restricted space is read by
its members (and compliance).

The readers rule gives an org role nothing in a restricted space but `auditor:org`, so
publishing and search already treated such a space as invisible to a communicator or an
approver who is not a member, while a decision said `read` allowed. Dropping the rows
makes a decision say what the readers rule says; the revision is bumped so that every
cached decision made under the old permissions is dropped.

Revision ID: 0007_mayread
Revises: 0006_exist
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0007_mayread"
down_revision: str | None = "0006_exist"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESTRICTED = ("community-restricted", "announcement-restricted")
ROLES = ("communicator", "approver")

role_permissions = sa.table(
    "role_permissions",
    sa.column("role", sa.String),
    sa.column("scope", sa.String),
    sa.column("domain_class", sa.String),
    sa.column("action", sa.String),
    sa.column("effect", sa.String),
)
policy_revision = sa.table(
    "policy_revision",
    sa.column("id", sa.Integer),
    sa.column("revision", sa.Integer),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def _bump_revision() -> None:
    op.execute(
        policy_revision.update()
        .where(policy_revision.c.id == 1)
        .values(revision=policy_revision.c.revision + 1, updated_at=datetime.now(UTC))
    )


def upgrade() -> None:
    op.execute(
        role_permissions.delete().where(
            role_permissions.c.role.in_(ROLES),
            role_permissions.c.scope == "org",
            role_permissions.c.domain_class.in_(RESTRICTED),
            role_permissions.c.action == "read",
            role_permissions.c.effect == "allow",
        )
    )
    _bump_revision()


def downgrade() -> None:
    op.bulk_insert(
        role_permissions,
        [
            {"role": r, "scope": "org", "domain_class": c, "action": "read", "effect": "allow"}
            for r in ROLES
            for c in RESTRICTED
        ],
    )
    _bump_revision()
