"""The loaded view of the policy: a casbin enforcer built from the service's own tables.

The tables (grants, role permissions, domains, subjects) are the source of truth;
casbin's rules are derived from them into a fresh enforcer, which replaces the
previous one atomically whenever the revision changes or a grant's validity
starts or ends.
"""

from townhall_policy.enforcement.engine import PolicyEngine
from townhall_policy.enforcement.snapshot import GrantEntry, PolicySnapshot

__all__ = ["GrantEntry", "PolicyEngine", "PolicySnapshot"]
