"""Spokespeople may endorse social posts in communities, as communicators may.

The official voice inside a discussion is the spokesperson's: an official answer, or an
endorsement that leaves a post its author's while saying the company stands behind it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COMMUNITY = ("community-public", "community-restricted")

role_permissions = sa.table(
    "role_permissions",
    sa.column("role", sa.String),
    sa.column("scope", sa.String),
    sa.column("domain_class", sa.String),
    sa.column("action", sa.String),
)


def upgrade() -> None:
    op.bulk_insert(
        role_permissions,
        [
            {"role": "spokesperson", "scope": "org", "domain_class": c, "action": "endorse"}
            for c in COMMUNITY
        ],
    )


def downgrade() -> None:
    op.execute(
        role_permissions.delete().where(
            role_permissions.c.role == "spokesperson",
            role_permissions.c.scope == "org",
            role_permissions.c.action == "endorse",
        )
    )
