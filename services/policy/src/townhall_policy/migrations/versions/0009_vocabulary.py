"""Communicators keep search's vocabulary and best bets (`vocabulary.manage` in `org`).

Communications staff decide which words mean the same thing (télétravail and remote
work, RH and ressources humaines) and which official posts answer a query first.
Compliance officers change nothing, this included.

Revision ID: 0009_vocabulary
Revises: 0008_objectives
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_vocabulary"
down_revision: str | None = "0008_objectives"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ACTION = "vocabulary.manage"
EVERY_CLASS = (
    "org",
    "community-public",
    "community-restricted",
    "announcement-public",
    "announcement-restricted",
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
    op.bulk_insert(
        role_permissions,
        [
            {
                "role": "communicator",
                "scope": "org",
                "domain_class": "org",
                "action": ACTION,
                "effect": "allow",
            },
            *(
                {
                    "role": "compliance_officer",
                    "scope": "org",
                    "domain_class": domain_class,
                    "action": ACTION,
                    "effect": "deny",
                }
                for domain_class in EVERY_CLASS
            ),
        ],
    )


def downgrade() -> None:
    op.execute(role_permissions.delete().where(role_permissions.c.action == ACTION))
