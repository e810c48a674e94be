"""Initial policy schema and the built-in role definitions.

The role definitions (roles and role_permissions) are data inserted here, so that
changing what a role may do is a migration, reviewed and recorded like any other.

Revision ID: 0001
Revises:
Create Date: 2026-01-05
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)

ORG = "org"
COMMUNITY = ("community-public", "community-restricted")
ANNOUNCEMENT = ("announcement-public", "announcement-restricted")
PUBLIC = ("community-public", "announcement-public")
EVERY_CLASS = (ORG, *COMMUNITY, *ANNOUNCEMENT)

MEMBER_COMMUNITY = ("read", "post.social", "comment", "react")
MEMBER_ANNOUNCEMENT = ("read", "comment", "react")

# (name, scope, rank, description): rank orders a scope's roles from least to most
# privileged; a refusal suggests the lowest-ranked role that would allow the action.
ROLES = (
    (
        "employee",
        "org",
        10,
        "Every employee: reads the company, posts socially in public communities",
    ),
    ("spokesperson", "org", 20, "Answers officially inside community discussions"),
    ("communicator", "org", 30, "Communications staff: drafts, publishes and pins official posts"),
    ("approver", "org", 40, "Approves official posts before they are published"),
    ("moderator", "org", 50, "Moderates content in every space"),
    ("compliance_officer", "org", 60, "Reads everything and audits; changes nothing"),
    ("policy_admin", "org", 70, "Grants and revokes roles"),
    ("member", "space", 10, "Member of one space"),
    ("moderator", "space", 20, "Moderates one space"),
    ("owner", "space", 30, "Owns one space: manages its members and settings"),
)

# (role, scope, domain classes, actions): expanded to one row per class and action.
PERMISSIONS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...]], ...] = (
    ("employee", "org", (ORG,), ("read", "manage.space")),
    ("employee", "org", ("community-public",), MEMBER_COMMUNITY),
    ("employee", "org", ("announcement-public",), MEMBER_ANNOUNCEMENT),
    ("member", "space", COMMUNITY, MEMBER_COMMUNITY),
    ("member", "space", ANNOUNCEMENT, MEMBER_ANNOUNCEMENT),
    ("moderator", "space", COMMUNITY, (*MEMBER_COMMUNITY, "moderate")),
    ("moderator", "space", ANNOUNCEMENT, (*MEMBER_ANNOUNCEMENT, "moderate")),
    (
        "owner",
        "space",
        COMMUNITY,
        (*MEMBER_COMMUNITY, "moderate", "pin", "manage.members", "manage.space"),
    ),
    (
        "owner",
        "space",
        ANNOUNCEMENT,
        (*MEMBER_ANNOUNCEMENT, "moderate", "pin", "manage.members", "manage.space"),
    ),
    (
        "communicator",
        "org",
        EVERY_CLASS,
        ("read", "post.official", "publish.official", "endorse", "pin"),
    ),
    ("communicator", "org", (ORG,), ("manage.space",)),
    (
        "approver",
        "org",
        EVERY_CLASS,
        ("read", "post.official", "approve.official", "publish.official"),
    ),
    ("spokesperson", "org", COMMUNITY, ("answer.official",)),
    ("spokesperson", "org", PUBLIC, ("read",)),
    ("moderator", "org", EVERY_CLASS, ("read", "moderate")),
    ("compliance_officer", "org", EVERY_CLASS, ("read",)),
    ("compliance_officer", "org", (ORG,), ("audit.read",)),
    ("policy_admin", "org", (ORG,), ("grants.manage", "read")),
)


def _permission_rows() -> list[dict[str, str]]:
    rows: dict[tuple[str, str, str, str], dict[str, str]] = {}
    for role, scope, classes, actions in PERMISSIONS:
        for domain_class in classes:
            for action in actions:
                key = (role, scope, domain_class, action)
                rows[key] = {
                    "role": role,
                    "scope": scope,
                    "domain_class": domain_class,
                    "action": action,
                }
    return list(rows.values())


def upgrade() -> None:
    now = datetime.now(UTC)
    op.create_table(
        "subjects",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("department", sa.String(100), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("kind IN ('user', 'group')", name="ck_subjects_kind"),
    )
    op.create_table(
        "group_memberships",
        sa.Column("group_id", sa.String(128), sa.ForeignKey("subjects.id"), primary_key=True),
        sa.Column("member_id", sa.String(128), sa.ForeignKey("subjects.id"), primary_key=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_group_memberships_member_id", "group_memberships", ["member_id"])
    domains = op.create_table(
        "domains",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("visibility", sa.String(16), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.CheckConstraint("kind IN ('org', 'community', 'announcement')", name="ck_domains_kind"),
        sa.CheckConstraint(
            "(kind = 'org' AND visibility IS NULL)"
            " OR (kind <> 'org' AND visibility IN ('public', 'restricted'))",
            name="ck_domains_visibility",
        ),
    )
    roles = op.create_table(
        "roles",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.CheckConstraint("scope IN ('org', 'space')", name="ck_roles_scope"),
    )
    role_permissions = op.create_table(
        "role_permissions",
        sa.Column("role", sa.String(64), primary_key=True),
        sa.Column("scope", sa.String(16), primary_key=True),
        sa.Column("domain_class", sa.String(64), primary_key=True),
        sa.Column("action", sa.String(64), primary_key=True),
        sa.ForeignKeyConstraint(["role", "scope"], ["roles.name", "roles.scope"]),
    )
    op.create_table(
        "grants",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("subject_id", sa.String(128), sa.ForeignKey("subjects.id"), nullable=False),
        sa.Column("role", sa.String(64), nullable=False),
        sa.Column("domain", sa.String(80), sa.ForeignKey("domains.id"), nullable=False),
        sa.Column("valid_from", TS, nullable=False),
        sa.Column("valid_to", TS, nullable=True),
        sa.Column("granted_by", sa.String(128), nullable=False),
        sa.Column("granted_at", TS, nullable=False),
        sa.Column("justification", sa.String(1000), nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
        sa.Column("revoked_by", sa.String(128), nullable=True),
        sa.Column("revocation_justification", sa.String(1000), nullable=True),
    )
    op.create_index("ix_grants_subject_id", "grants", ["subject_id"])
    op.create_index("ix_grants_role", "grants", ["role"])
    op.create_index("ix_grants_domain", "grants", ["domain"])
    policy_revision = op.create_table(
        "policy_revision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )

    op.bulk_insert(
        domains,
        [{"id": ORG, "kind": "org", "visibility": None, "created_at": now, "updated_at": now}],
    )
    op.bulk_insert(
        roles,
        [
            {"name": name, "scope": scope, "rank": rank, "description": description}
            for name, scope, rank, description in ROLES
        ],
    )
    op.bulk_insert(role_permissions, _permission_rows())
    op.bulk_insert(policy_revision, [{"id": 1, "revision": 1, "updated_at": now}])


def downgrade() -> None:
    op.drop_table("policy_revision")
    op.drop_index("ix_grants_domain", table_name="grants")
    op.drop_index("ix_grants_role", table_name="grants")
    op.drop_index("ix_grants_subject_id", table_name="grants")
    op.drop_table("grants")
    op.drop_table("role_permissions")
    op.drop_table("roles")
    op.drop_table("domains")
    op.drop_index("ix_group_memberships_member_id", table_name="group_memberships")
    op.drop_table("group_memberships")
    op.drop_table("subjects")
