"""SQL of the role definitions."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from townhall_policy.roles.models import RoleDefinition, RolePermission


def list_roles(session: Session) -> Sequence[RoleDefinition]:
    return session.exec(select(RoleDefinition)).all()


def get_role(session: Session, name: str, scope: str) -> RoleDefinition | None:
    return session.get(RoleDefinition, (name, scope))


def list_permissions(session: Session) -> Sequence[RolePermission]:
    return session.exec(select(RolePermission)).all()
