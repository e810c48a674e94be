"""Typed httpx clients for the Townhall services."""

from .breaker import BreakerMetrics, BreakerState, CircuitBreaker
from .errors import (
    ConflictUpstream,
    InvalidUpstream,
    RefusedUpstream,
    ServiceUnavailable,
    UnexpectedResponse,
)
from .notifications import NotificationsClient
from .policy import PolicyClient, RevisionState
from .policy_cache import CachedPolicy
from .publishing import PublishingClient
from .search import SearchClient

__all__ = [
    "BreakerMetrics",
    "BreakerState",
    "CachedPolicy",
    "CircuitBreaker",
    "ConflictUpstream",
    "InvalidUpstream",
    "NotificationsClient",
    "PolicyClient",
    "PublishingClient",
    "RefusedUpstream",
    "RevisionState",
    "SearchClient",
    "ServiceUnavailable",
    "UnexpectedResponse",
]
