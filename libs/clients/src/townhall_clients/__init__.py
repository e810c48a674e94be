"""Typed httpx clients for the Townhall services."""

from .errors import ServiceUnavailable, UnexpectedResponse
from .policy import PolicyClient
from .publishing import PublishingClient
from .search import SearchClient

__all__ = [
    "PolicyClient",
    "PublishingClient",
    "SearchClient",
    "ServiceUnavailable",
    "UnexpectedResponse",
]
