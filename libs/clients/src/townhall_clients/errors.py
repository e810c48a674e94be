"""Errors the clients raise; they render as problem+json when they reach a handler."""

from __future__ import annotations

from typing import Any

from townhall_platform.errors import BadGateway, DependencyUnavailable


class ServiceUnavailable(DependencyUnavailable):
    """The other service did not answer in time or answered 5xx: callers fail closed."""


class UnexpectedResponse(BadGateway):
    """The other service answered something this client did not expect."""

    def __init__(self, service: str, status_code: int, problem: Any = None) -> None:
        super().__init__(f"{service} answered {status_code}", upstream_status=status_code)
        self.status_code = status_code
        self.problem = problem
