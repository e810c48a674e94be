"""Reading means what the readers rule says: a restricted space is read by its members
(and compliance), a public space by the company.

The readers rule gives an org role nothing in a restricted space but `auditor:org`, so
publishing and search already treated such a space as invisible to a communicator or an
approver who is not a member, while a decision said `read` allowed: those rows go. A
published post of a public space is read through `org`, never through the space's own
token, so a space role's `read` in a public space (which only mattered to someone who
is no employee) goes too. The revision is bumped so that every cached decision made
under the old permissions is dropped.

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
PUBLIC = ("community-public", "announcement-public")
# (role, scope, domain classes) whose `read` goes.
DROPPED = (
    *(("communicator", "org", c) for c in RESTRICTED),
    *(("approver", "org", c) for c in RESTRICTED),
    *((r, "space", c) for r in ("member", "moderator", "owner") for c in PUBLIC),
)

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
    for role, scope, domain_class in DROPPED:
        op.execute(
            role_permissions.delete().where(
                role_permissions.c.role == role,
                role_permissions.c.scope == scope,
                role_permissions.c.domain_class == domain_class,
                role_permissions.c.action == "read",
                role_permissions.c.effect == "allow",
            )
        )
    _bump_revision()


def downgrade() -> None:
    op.bulk_insert(
        role_permissions,
        [
            {"role": r, "scope": s, "domain_class": c, "action": "read", "effect": "allow"}
            for r, s, c in DROPPED
        ],
    )
    _bump_revision()
