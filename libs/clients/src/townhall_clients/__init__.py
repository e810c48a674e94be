"""Typed httpx clients for the Townhall services."""

from .errors import ServiceUnavailable, UnexpectedResponse
from .policy import PolicyClient
from .search import SearchClient

__all__ = ["PolicyClient", "SearchClient", "ServiceUnavailable", "UnexpectedResponse"]
