"""Every table of the policy service, registered on one metadata (for Alembic and tests)."""

from __future__ import annotations

from townhall_policy.database import metadata
from townhall_policy.directory.models import GroupMembership, Subject
from townhall_policy.domains.models import Domain
from townhall_policy.grants.models import Grant
from townhall_policy.revision.models import PolicyRevision
from townhall_policy.roles.models import RoleDefinition, RolePermission

TABLES = (Subject, GroupMembership, Domain, RoleDefinition, RolePermission, Grant, PolicyRevision)

__all__ = ["TABLES", "metadata"]
