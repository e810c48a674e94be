"""Typed client of policy's grant and audit API, called with the signed-in user's token.

Compliance officers read with it (who-can, grant history, access reviews, the audit trail)
and policy admins change grants; policy decides each call as for any other client.
"""

from __future__ import annotations

from typing import Any

import httpx

from townhall_contracts.people import Person, PersonList

from .base import ServiceClient, without_empty

JSON = dict[str, Any]


class PolicyAuditClient(ServiceClient):
    """Grants, who-can, subjects' roles, access reviews, the audit trail and its exports."""

    service_name = "policy"

    def get(self, path: str, *, user_token: str, **params: Any) -> Any:
        """GET a JSON resource of policy's audit API."""
        response = self.request(
            "GET", path, idempotent=True, token=user_token, params=without_empty(params)
        )
        return response.json()

    def people(self, prefix: str, *, user_token: str, limit: int = 8) -> list[Person]:
        """Active people whose id or name starts with `prefix` (to mention them)."""
        response = self.request(
            "GET",
            "/v1/directory/people",
            idempotent=True,
            token=user_token,
            params={"prefix": prefix, "limit": limit},
        )
        return PersonList.model_validate_json(response.content).people

    def export(self, path: str, *, user_token: str, **params: Any) -> httpx.Response:
        """GET an export (CSV or JSON) as policy answers it, to hand to the browser."""
        return self.request(
            "GET", path, idempotent=True, token=user_token, params=without_empty(params)
        )

    def decide(self, *, user_token: str, subject: str, action: str, domain: str) -> JSON:
        """Ask policy about the user itself (e.g. may I publish officially in org?)."""
        response = self.request(
            "POST",
            "/v1/decisions",
            idempotent=True,
            token=user_token,
            json={"subject": subject, "action": action, "domain": domain},
        )
        return dict(response.json())

    def grants(self, *, user_token: str, **filters: Any) -> Any:
        """Grants, filtered by `subject`, `role`, `domain`, `active_at`."""
        return self.get("/v1/grants", user_token=user_token, **filters)

    def grant(self, *, user_token: str, **fields: Any) -> JSON:
        """Grant a role with a justification."""
        response = self.request(
            "POST",
            "/v1/grants",
            idempotent=False,
            token=user_token,
            expected=(200, 201),
            json=without_empty(fields),
        )
        return dict(response.json())

    def revoke(self, grant_id: str, *, user_token: str, justification: str) -> None:
        """Revoke a grant; policy keeps the row, with who, when and why."""
        self.request(
            "DELETE",
            f"/v1/grants/{grant_id}",
            idempotent=False,
            token=user_token,
            expected=(200, 204),
            params={"justification": justification},
        )

    def who_can(self, *, user_token: str, action: str, domain: str, at: str | None) -> Any:
        """Who could do `action` in `domain` at instant `at` (now when empty)."""
        return self.get(
            "/v1/audit/who-can", user_token=user_token, action=action, domain=domain, at=at
        )

    def audit_events(self, *, user_token: str, **params: Any) -> Any:
        """The audit trail, newest first."""
        return self.get("/v1/audit/events", user_token=user_token, **params)

    def verify(self, *, user_token: str) -> JSON:
        """Check the whole hash chain; reports the first broken link."""
        return dict(self.get("/v1/audit/verify", user_token=user_token))

    def post_json(self, path: str, *, user_token: str, body: JSON) -> JSON:
        """POST to policy's audit API (access reviews: open, decide, close)."""
        response = self.request(
            "POST", path, idempotent=False, token=user_token, expected=(200, 201), json=body
        )
        return dict(response.json()) if response.content else {}
