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
    """A role may do `action` in domains of class `domain_class`."""

    __tablename__ = "role_permissions"
    __table_args__ = (ForeignKeyConstraint(["role", "scope"], ["roles.name", "roles.scope"]),)

    role: str = Field(primary_key=True, max_length=64)
    scope: str = Field(primary_key=True, max_length=16)
    domain_class: str = Field(primary_key=True, max_length=64)
    action: str = Field(primary_key=True, max_length=64)
