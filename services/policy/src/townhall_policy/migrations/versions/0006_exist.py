"""The org moderator moderates (and reads) public spaces only; restricted ones are
moderated by their own moderators and owners.

A restricted space is read by its members: a moderator of the whole company who is not
in it has no business reading it, and moderating means reading. Policy, the readers rule
and publishing now agree on it. The revision is bumped so that every cached decision
made under the old permissions is dropped.

Revision ID: 0006_exist
Revises: 0005_audit
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0006_exist"
down_revision: str | None = "0005_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESTRICTED = ("community-restricted", "announcement-restricted")
ACTIONS = ("read", "moderate")
BEFORE = "Moderates content in every space"
AFTER = "Moderates content in every public space (restricted ones have their own moderators)"

role_permissions = sa.table(
    "role_permissions",
    sa.column("role", sa.String),
    sa.column("scope", sa.String),
    sa.column("domain_class", sa.String),
    sa.column("action", sa.String),
)
roles = sa.table(
    "roles",
    sa.column("name", sa.String),
    sa.column("scope", sa.String),
    sa.column("description", sa.String),
)
policy_revision = sa.table(
    "policy_revision",
    sa.column("id", sa.Integer),
    sa.column("revision", sa.Integer),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def _org_moderator(table: sa.TableClause) -> sa.ColumnElement[bool]:
    return sa.and_(table.c.scope == "org", table.c.name == "moderator")


def _bump_revision() -> None:
    op.execute(
        policy_revision.update()
        .where(policy_revision.c.id == 1)
        .values(revision=policy_revision.c.revision + 1, updated_at=datetime.now(UTC))
    )


def upgrade() -> None:
    op.execute(
        role_permissions.delete().where(
            role_permissions.c.role == "moderator",
            role_permissions.c.scope == "org",
            role_permissions.c.domain_class.in_(RESTRICTED),
            role_permissions.c.action.in_(ACTIONS),
        )
    )
    op.execute(roles.update().where(_org_moderator(roles)).values(description=AFTER))
    _bump_revision()


def downgrade() -> None:
    op.bulk_insert(
        role_permissions,
        [
            {"role": "moderator", "scope": "org", "domain_class": c, "action": a}
            for c in RESTRICTED
            for a in ACTIONS
        ],
    )
    op.execute(roles.update().where(_org_moderator(roles)).values(description=BEFORE))
    _bump_revision()
