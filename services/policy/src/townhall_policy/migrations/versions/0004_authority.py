"""Compliance officers read everything and change nothing: deny rules held by a role.

`role_permissions` gains an `effect`: `allow` as before, or `deny`, which overrides
every allow its holder has from other roles (as a suspension does). Compliance
officers hold a deny for every action but `read` and `audit.read`, in every class of
domain: being an employee, or a space's owner, gives them no way to change anything.

Revision ID: 0004_authority
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_authority"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVERY_CLASS = (
    "org",
    "community-public",
    "community-restricted",
    "announcement-public",
    "announcement-restricted",
)
# Every action but reading and auditing: the actions that change something.
CHANGES = (
    "post.social",
    "comment",
    "react",
    "post.official",
    "approve.official",
    "publish.official",
    "answer.official",
    "pin",
    "endorse",
    "moderate",
    "manage.members",
    "manage.space",
    "grants.manage",
)

role_permissions = sa.table(
    "role_permissions",
    sa.column("role", sa.String),
    sa.column("scope", sa.String),
    sa.column("domain_class", sa.String),
    sa.column("action", sa.String),
    sa.column("effect", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("role_permissions") as batch:
        batch.add_column(sa.Column("effect", sa.String(8), nullable=False, server_default="allow"))
        batch.create_check_constraint("ck_role_permissions_effect", "effect IN ('allow', 'deny')")
    op.bulk_insert(
        role_permissions,
        [
            {
                "role": "compliance_officer",
                "scope": "org",
                "domain_class": domain_class,
                "action": action,
                "effect": "deny",
            }
            for domain_class in EVERY_CLASS
            for action in CHANGES
        ],
    )


def downgrade() -> None:
    op.execute(role_permissions.delete().where(role_permissions.c.effect == "deny"))
    with op.batch_alter_table("role_permissions") as batch:
        batch.drop_constraint("ck_role_permissions_effect", type_="check")
        batch.drop_column("effect")
