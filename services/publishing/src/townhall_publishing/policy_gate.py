"""Every question publishing asks the policy service, in one place.

Publishing asks policy before every state change and records the decision it got;
it asks for a subject's principals to apply the readers rule. Policy being down
surfaces as `ServiceUnavailable` (503): callers fail closed and write nothing.
"""

from __future__ import annotations

from townhall_clients import PolicyClient, UnexpectedResponse
from townhall_contracts.policy import Action, Decision, DomainRegistration, Role, SpaceKind
from townhall_contracts.readers import Visibility
from townhall_platform.errors import PermissionDenied


class PolicyGate:
    """Decisions, principals and space registration, through the typed policy client."""

    def __init__(self, policy: PolicyClient) -> None:
        self._policy = policy

    def require(self, *, subject: str, action: Action, domain: str) -> Decision:
        """The decision allowing `action`, or `PermissionDenied` carrying policy's reason."""
        decision = self._policy.decide(subject, action, domain)
        if not decision.allowed:
            raise PermissionDenied(
                decision.reason.summary,
                reason=decision.reason.model_dump(mode="json"),
                decision_id=decision.decision_id,
                policy_revision=decision.policy_revision,
            )
        return decision

    def principals(self, subject: str) -> frozenset[str]:
        """The principal tokens of `subject`; none for a subject policy does not know."""
        try:
            answer = self._policy.principals(subject)
        except UnexpectedResponse as exc:
            # A valid token for a subject outside the directory reads nothing.
            if exc.status_code == 404:
                return frozenset()
            raise
        if not answer.active:
            return frozenset()
        return frozenset(answer.principals)

    def register_space(self, *, space_id: str, kind: SpaceKind, visibility: Visibility) -> None:
        """Tell policy the kind and visibility of a space domain (idempotent)."""
        self._policy.register_domain(
            f"space:{space_id}",
            DomainRegistration(kind=kind, visibility=visibility.value),
        )

    def grant_space_owner(self, *, space_id: str, owner: str, justification: str) -> None:
        """Make `owner` the owner of a new space; policy is the only writer of grants.

        Policy answers 200 with the grant already in force when it is asked twice, so a
        creation retried after a half-done attempt goes through.
        """
        self._policy.grant_space_role(
            subject=owner,
            role=Role.OWNER.value,
            domain=f"space:{space_id}",
            granted_by=owner,
            justification=justification,
        )
