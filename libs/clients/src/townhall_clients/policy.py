"""Typed client of the policy service."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import httpx

from townhall_contracts.policy import (
    MAX_ALLOWED_SUBJECTS,
    Action,
    AllowedSubjects,
    AllowedSubjectsRequest,
    Audience,
    AudienceRequest,
    Decision,
    DecisionBatch,
    DecisionRequest,
    DomainRegistration,
    GroupList,
    Principals,
    Revision,
)
from townhall_platform.settings import ServiceSettings

from .base import ServiceClient, TokenSource
from .breaker import CircuitBreaker
from .errors import UnexpectedResponse, passed_on


@dataclass(frozen=True, slots=True)
class RevisionState:
    """Policy's current revision, and when answers change next without a new revision."""

    policy_revision: int
    next_validity_boundary: datetime | None


class PolicyClient(ServiceClient):
    service_name = "policy"

    @classmethod
    def for_service(
        cls,
        settings: ServiceSettings,
        *,
        token: TokenSource,
        transport: httpx.BaseTransport | None = None,
    ) -> PolicyClient:
        """The client a service calls policy with: a total deadline and a circuit breaker."""
        return cls(
            settings.policy_url,
            token=token,
            timeout=settings.http_timeout_seconds,
            deadline=settings.policy_deadline_seconds,
            breaker=CircuitBreaker(
                cls.service_name,
                failure_threshold=settings.policy_breaker_failures,
                reset_seconds=settings.policy_breaker_reset_seconds,
            ),
            transport=transport,
        )

    def decide(self, subject: str, action: Action | str, domain: str) -> Decision:
        """Ask whether `subject` may do `action` in `domain` (fails closed on outage)."""
        body = DecisionRequest(subject=subject, action=Action(action), domain=domain)
        response = self.request(
            "POST", "/v1/decisions", idempotent=True, json=body.model_dump(mode="json")
        )
        return Decision.model_validate_json(response.content)

    def decide_batch(self, requests: list[DecisionRequest]) -> DecisionBatch:
        response = self.request(
            "POST",
            "/v1/decisions/batch",
            idempotent=True,
            json={"decisions": [r.model_dump(mode="json") for r in requests]},
        )
        return DecisionBatch.model_validate_json(response.content)

    def allowed_subjects(
        self, subjects: Sequence[str], action: Action | str, domain: str
    ) -> list[str]:
        """Those of `subjects` policy allows `action` in `domain` now, in the order given,
        each once: a whole audience checked in one request per 10,000 (fails closed)."""
        wanted = list(dict.fromkeys(subjects))
        allowed: list[str] = []
        for start in range(0, len(wanted), MAX_ALLOWED_SUBJECTS):
            body = AllowedSubjectsRequest(
                action=Action(action),
                domain=domain,
                subjects=wanted[start : start + MAX_ALLOWED_SUBJECTS],
            )
            response = self.request(
                "POST",
                "/internal/v1/decisions/allowed",
                idempotent=True,
                json=body.model_dump(mode="json"),
            )
            allowed += AllowedSubjects.model_validate_json(response.content).subjects
        return allowed

    def principals(self, subject: str) -> Principals:
        """The principal tokens of a subject, for the readers rule."""
        response = self.request("GET", f"/v1/subjects/{subject}/principals", idempotent=True)
        return Principals.model_validate_json(response.content)

    def audience(self, principals: list[str]) -> Audience:
        """The active users holding any of `principals` (a post's readers)."""
        body = AudienceRequest(principals=principals)
        response = self.request(
            "POST", "/internal/v1/audiences", idempotent=True, json=body.model_dump(mode="json")
        )
        return Audience.model_validate_json(response.content)

    def groups(self, group_type: str | None = None) -> GroupList:
        """The active directory groups, of one type (`site`, `department`, `team`) if given."""
        params = {"type": group_type} if group_type else None
        response = self.request("GET", "/internal/v1/groups", idempotent=True, params=params)
        return GroupList.model_validate_json(response.content)

    def register_domain(self, domain: str, registration: DomainRegistration) -> None:
        """Tell policy a space's kind and visibility (idempotent)."""
        self.request(
            "PUT",
            f"/internal/v1/domains/{domain}",
            idempotent=True,
            expected=(200, 201),
            json=registration.model_dump(mode="json"),
        )

    def grant_space_role(
        self, *, subject: str, role: str, domain: str, on_behalf_of: str, justification: str
    ) -> None:
        """Relay the human `on_behalf_of`'s request to grant a space role.

        Policy authorizes the grant as if that human asked it directly (a space's creator
        becomes its first owner; an owner adds members and moderators). Its refusal (403,
        409, 422) is raised as a `RefusedUpstream`, `ConflictUpstream` or `InvalidUpstream`
        carrying policy's problem. Policy answers 200 with the grant already in force when
        asked twice, so retrying is safe.
        """
        try:
            self.request(
                "POST",
                "/internal/v1/grants",
                idempotent=True,
                expected=(200, 201),
                json={
                    "subject": subject,
                    "role": role,
                    "domain": domain,
                    "on_behalf_of": on_behalf_of,
                    "justification": justification,
                },
            )
        except UnexpectedResponse as exc:
            raise passed_on(exc) from exc

    def revoke_space_role(
        self, *, subject: str, role: str, domain: str, on_behalf_of: str, justification: str
    ) -> bool:
        """Relay the human `on_behalf_of`'s request to revoke a space role (someone leaving
        a public community). False when `subject` holds no grant of it in force (policy's
        404); policy's refusals are raised as for `grant_space_role`."""
        try:
            self.request(
                "POST",
                "/internal/v1/grants/revocations",
                idempotent=True,
                json={
                    "subject": subject,
                    "role": role,
                    "domain": domain,
                    "on_behalf_of": on_behalf_of,
                    "justification": justification,
                },
            )
        except UnexpectedResponse as exc:
            if exc.status_code == 404:
                return False
            raise passed_on(exc) from exc
        return True

    def revision(self) -> int:
        return self.revision_state().policy_revision

    def revision_state(self) -> RevisionState:
        """The revision and the next validity boundary (a grant starting or ending)."""
        response = self.request("GET", "/v1/revision", idempotent=True)
        answer = Revision.model_validate_json(response.content)
        boundary = answer.details.get("next_validity_boundary")
        return RevisionState(
            policy_revision=answer.policy_revision,
            next_validity_boundary=datetime.fromisoformat(boundary) if boundary else None,
        )
