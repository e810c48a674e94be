"""Every table of the policy service, registered on one metadata (for Alembic and tests)."""

from __future__ import annotations

from townhall_policy.audit.models import AuditEvent
from townhall_policy.database import metadata
from townhall_policy.decision_log.models import DecisionLogEntry, GrantUsage
from townhall_policy.domains.models import Domain
from townhall_policy.holdings.directory.models import DirectoryPeriod, GroupMembership, Subject
from townhall_policy.holdings.grants.models import Grant
from townhall_policy.holdings.suspensions.models import Suspension
from townhall_policy.reviews.models import AccessReview, AccessReviewItem
from townhall_policy.revision.models import PolicyRevision
from townhall_policy.roles.models import RoleDefinition, RolePermission

TABLES = (
    Subject,
    GroupMembership,
    DirectoryPeriod,
    Domain,
    RoleDefinition,
    RolePermission,
    Grant,
    PolicyRevision,
    AuditEvent,
    Suspension,
    AccessReview,
    AccessReviewItem,
    DecisionLogEntry,
    GrantUsage,
)

__all__ = ["TABLES", "metadata"]
