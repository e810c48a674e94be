"""Errors the clients raise; they render as problem+json when they reach a handler."""

from __future__ import annotations

from typing import Any

from townhall_platform.errors import BadGateway, DependencyUnavailable, TownhallError


class ServiceUnavailable(DependencyUnavailable):
    """The other service did not answer in time or answered 5xx: callers fail closed."""


class UnexpectedResponse(BadGateway):
    """The other service answered something this client did not expect."""

    def __init__(self, service: str, status_code: int, problem: Any = None) -> None:
        super().__init__(f"{service} answered {status_code}", upstream_status=status_code)
        self.status_code = status_code
        self.problem = problem


class PassedOn(TownhallError):
    """A refusal another service answered, passed on to the caller as that service said it.

    The user asked for something the other service decides (policy, for a grant): its
    problem (type, title, detail, reason) is the answer, with this request's `instance`.
    """

    def __init__(self, problem: dict[str, Any]) -> None:
        detail = str(problem.get("detail") or problem.get("title") or self.title)
        skipped = ("type", "title", "status", "detail", "instance")
        super().__init__(detail, **{k: v for k, v in problem.items() if k not in skipped})
        self.problem = problem

    def to_problem(self, instance: str | None = None) -> dict[str, Any]:
        answer = super().to_problem(instance)
        for key in ("type", "title"):
            if isinstance(self.problem.get(key), str):
                answer[key] = self.problem[key]
        return answer


class RefusedUpstream(PassedOn):
    """403 from the other service: the human may not do this."""

    status = 403
    type_slug = "forbidden"
    title = "Forbidden"


class ConflictUpstream(PassedOn):
    """409 from the other service: the change clashes with what is there."""

    status = 409
    type_slug = "conflict"
    title = "Conflict"


class InvalidUpstream(PassedOn):
    """422 from the other service: what the human asked for is not valid there."""

    status = 422
    type_slug = "validation-failed"
    title = "Validation failed"


_PASSED_ON: dict[int, type[PassedOn]] = {
    403: RefusedUpstream,
    409: ConflictUpstream,
    422: InvalidUpstream,
}


def passed_on(error: UnexpectedResponse) -> PassedOn | UnexpectedResponse:
    """The refusal to answer the user with, for a 403, 409 or 422 problem; else `error`."""
    kind = _PASSED_ON.get(error.status_code)
    if kind is None or not isinstance(error.problem, dict):
        return error
    return kind(error.problem)
