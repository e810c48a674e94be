"""The policy service's own SQLModel registry.

A registry of its own keeps the policy tables apart from other services' tables
when several services are imported in one process (the workspace's test run).
"""

from __future__ import annotations

from sqlalchemy.orm import registry
from sqlmodel import SQLModel

policy_registry = registry()


class PolicyTable(SQLModel, registry=policy_registry):
    """Base class of every table the policy service owns."""


metadata = policy_registry.metadata
