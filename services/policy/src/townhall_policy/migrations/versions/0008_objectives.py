"""Objectives: who may define them and who may see them.

Communications staff define and read objectives anywhere; a space's owners for their
space. Compliance officers read them (they audit what is measured) and define none.

Revision ID: 0008_objectives
Revises: 0007_mayread
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_objectives"
down_revision: str | None = "0007_mayread"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

EVERY_CLASS = (
    "org",
    "community-public",
    "community-restricted",
    "announcement-public",
    "announcement-restricted",
)
SPACE_CLASSES = EVERY_CLASS[1:]
ACTIONS = ("objective.define", "objective.read")

role_permissions = sa.table(
    "role_permissions",
    sa.column("role", sa.String),
    sa.column("scope", sa.String),
    sa.column("domain_class", sa.String),
    sa.column("action", sa.String),
    sa.column("effect", sa.String),
)


def _row(role: str, scope: str, domain_class: str, action: str, effect: str) -> dict[str, str]:
    return {
        "role": role,
        "scope": scope,
        "domain_class": domain_class,
        "action": action,
        "effect": effect,
    }


def upgrade() -> None:
    rows = [_row("communicator", "org", c, a, "allow") for c in EVERY_CLASS for a in ACTIONS]
    rows += [_row("owner", "space", c, a, "allow") for c in SPACE_CLASSES for a in ACTIONS]
    rows += [_row("compliance_officer", "org", c, "objective.read", "allow") for c in EVERY_CLASS]
    rows += [_row("compliance_officer", "org", c, "objective.define", "deny") for c in EVERY_CLASS]
    op.bulk_insert(role_permissions, rows)


def downgrade() -> None:
    op.execute(role_permissions.delete().where(role_permissions.c.action.in_(ACTIONS)))
