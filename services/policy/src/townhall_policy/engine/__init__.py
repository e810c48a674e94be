"""Keeping the policy snapshot current: reading the tables, applying changes, watching.

The tables (grants, suspensions, role permissions, domains, subjects) are the source of
truth; a snapshot (`enforcement`) is derived from them and replaces the previous one
atomically whenever the revision changes or a grant's or suspension's validity starts
or ends. This package reads every domain's tables, so nothing below it imports it: the
endpoints reach the engine through `deps.Policy`.
"""

from townhall_policy.engine.engine import PolicyEngine

__all__ = ["PolicyEngine"]
