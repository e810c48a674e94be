"""Tables of the role definitions."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKeyConstraint
from sqlmodel import Field

from townhall_policy.database import PolicyTable


class RoleScope(StrEnum):
    """Where a role is held: org roles count in every domain, space roles in their space."""

    ORG = "org"
    SPACE = "space"


class RoleDefinition(PolicyTable, table=True):
    """A role; `rank` orders the roles of a scope from least to most privileged."""

    __tablename__ = "roles"
    __table_args__ = (CheckConstraint("scope IN ('org', 'space')", name="ck_roles_scope"),)

    name: str = Field(primary_key=True, max_length=64)
    scope: str = Field(primary_key=True, max_length=16)
    rank: int
    description: str = Field(max_length=500)


class RolePermission(PolicyTable, table=True):
    """A role may (`allow`) or may never (`deny`) do `action` in domains of `domain_class`.

    A deny overrides every allow the holder has from other roles: it keeps duties apart
    (compliance officers read everything and change nothing, whatever else they hold).
    """

    __tablename__ = "role_permissions"
    __table_args__ = (
        ForeignKeyConstraint(["role", "scope"], ["roles.name", "roles.scope"]),
        CheckConstraint("effect IN ('allow', 'deny')", name="ck_role_permissions_effect"),
    )

    role: str = Field(primary_key=True, max_length=64)
    scope: str = Field(primary_key=True, max_length=16)
    domain_class: str = Field(primary_key=True, max_length=64)
    action: str = Field(primary_key=True, max_length=64)
    effect: str = Field(default="allow", max_length=8)
