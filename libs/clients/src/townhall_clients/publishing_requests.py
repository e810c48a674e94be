"""The requests every part of the publishing client makes: as a user, typed answers."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from .base import ServiceClient, without_empty

Answer = TypeVar("Answer", bound=BaseModel)


class PublishingRequests(ServiceClient):
    """GET and POST on publishing with a user's token, answered as one of its models."""

    service_name = "publishing"

    def _get(self, answer: type[Answer], path: str, user_token: str, **params: Any) -> Answer:
        response = self.request(
            "GET", path, idempotent=True, token=user_token, params=without_empty(params)
        )
        return answer.model_validate_json(response.content)

    def _post(
        self,
        answer: type[Answer],
        path: str,
        user_token: str,
        body: BaseModel | None = None,
        *,
        method: str = "POST",
    ) -> Answer:
        # Only the fields the caller set: publishing fills in its own defaults.
        response = self.request(
            method,
            path,
            idempotent=False,
            token=user_token,
            expected=(200, 201),
            json=body.model_dump(mode="json", exclude_unset=True) if body is not None else {},
        )
        return answer.model_validate_json(response.content)
