"""Typed httpx clients for the Townhall services."""

from .errors import ServiceUnavailable, UnexpectedResponse
from .policy import PolicyClient, RevisionState
from .policy_cache import CachedPolicy
from .publishing import PublishingClient
from .search import SearchClient

__all__ = [
    "CachedPolicy",
    "PolicyClient",
    "PublishingClient",
    "RevisionState",
    "SearchClient",
    "ServiceUnavailable",
    "UnexpectedResponse",
]
