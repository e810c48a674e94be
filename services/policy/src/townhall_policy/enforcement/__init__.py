"""The loaded view of the policy: indexes (the fast path) and casbin rules, from the tables.

The tables (grants, suspensions, role permissions, domains, subjects) are the source of
truth; a snapshot is derived from them and replaces the previous one atomically
whenever the revision changes or a grant's or suspension's validity starts or ends.
"""

from townhall_policy.enforcement.engine import PolicyEngine
from townhall_policy.enforcement.snapshot import GrantEntry, PolicySnapshot

__all__ = ["GrantEntry", "PolicyEngine", "PolicySnapshot"]
