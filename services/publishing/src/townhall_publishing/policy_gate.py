"""Every question publishing asks the policy service, in one place.

Publishing asks policy before every state change and records the decision it got;
it asks for a subject's principals to apply the readers rule. Decisions and
principals go through `CachedPolicy`: reused only at the policy revision confirmed
within the last `policy_revision_check_seconds` (see `townhall_clients.policy_cache`).
Policy being down surfaces as `ServiceUnavailable` (503): callers fail closed and
write nothing.
"""

from __future__ import annotations

from townhall_clients import CachedPolicy, PolicyClient, UnexpectedResponse
from townhall_contracts.policy import (
    Action,
    Decision,
    DecisionRequest,
    DomainRegistration,
    GroupSummary,
    GroupType,
    Role,
    SpaceKind,
)
from townhall_contracts.readers import AUDITOR, Visibility, user_principal
from townhall_platform.errors import PermissionDenied


class PolicyGate:
    """Decisions, principals and space registration, through the typed policy client."""

    def __init__(
        self,
        policy: PolicyClient,
        *,
        answers: CachedPolicy | None = None,
    ) -> None:
        self._policy = policy
        # Decisions and principals, cached by policy revision (no cache: ttl 0).
        self._answers = answers or CachedPolicy(policy, ttl_seconds=0)

    def audience(self, readers: list[str], *, author: str) -> list[str]:
        """The active users a published post with these `readers` is meant for (sorted ids).

        Policy expands the principals over its whole directory. Compliance officers read
        everything but are no audience, and the author is none of their own post.
        """
        meant_for = [r for r in readers if r not in (AUDITOR, user_principal(author))]
        if not meant_for:
            return []
        answer = self._answers.audience(meant_for)
        return [s for s in answer.subjects if s != author]

    def groups(self, group_type: GroupType | None = None) -> list[GroupSummary]:
        """The directory's active groups (of one type if given), for breakdowns."""
        return self._policy.groups(group_type.value if group_type else None).groups

    def decide(self, *, subject: str, action: Action, domain: str) -> Decision:
        """Policy's decision, allowed or not."""
        return self._answers.decide(subject, action, domain)

    def require(self, *, subject: str, action: Action, domain: str) -> Decision:
        """The decision allowing `action`, or `PermissionDenied` carrying policy's reason."""
        return self.require_any(subject=subject, candidates=[(action, domain)])

    def require_any(self, *, subject: str, candidates: list[tuple[Action, str]]) -> Decision:
        """The first decision allowing one of `candidates` (action, domain) at one revision.

        When none allows, `PermissionDenied` carries the first refusal's reason.
        """
        if len(candidates) == 1:
            action, domain = candidates[0]
            decisions = [self._answers.decide(subject, action, domain)]
        else:
            batch = self._answers.decide_batch(
                [DecisionRequest(subject=subject, action=a, domain=d) for a, d in candidates]
            )
            decisions = batch.decisions
        for decision in decisions:
            if decision.allowed:
                return decision
        refusal = decisions[0]
        raise PermissionDenied(
            refusal.reason.summary,
            reason=refusal.reason.model_dump(mode="json"),
            decision_id=refusal.decision_id,
            policy_revision=refusal.policy_revision,
        )

    def allowed_domains(self, *, subject: str, action: Action, domains: list[str]) -> set[str]:
        """The domains among `domains` where policy allows `subject` to do `action`."""
        if not domains:
            return set()
        batch = self._answers.decide_batch(
            [DecisionRequest(subject=subject, action=action, domain=d) for d in domains]
        )
        return {d.domain for d in batch.decisions if d.allowed}

    def principals(self, subject: str) -> frozenset[str]:
        """The principal tokens of `subject`; none for a subject policy does not know."""
        try:
            answer = self._answers.principals(subject)
        except UnexpectedResponse as exc:
            # A valid token for a subject outside the directory reads nothing.
            if exc.status_code == 404:
                return frozenset()
            raise
        if not answer.active:
            return frozenset()
        return frozenset(answer.principals)

    def register_space(
        self, *, space_id: str, kind: SpaceKind, visibility: Visibility, on_behalf_of: str
    ) -> None:
        """Tell policy the kind and visibility of a space domain (idempotent), on behalf
        of the human who asked: policy checks that they may create or manage it."""
        self._policy.register_domain(
            f"space:{space_id}",
            DomainRegistration(kind=kind, visibility=visibility.value, on_behalf_of=on_behalf_of),
        )

    def grant_space_role(
        self, *, space_id: str, subject: str, role: Role, on_behalf_of: str, justification: str
    ) -> None:
        """Relay `on_behalf_of`'s request to grant a space role; policy decides and keeps it.

        Policy runs the checks of its own `/v1/grants` with that human as the granter
        (owners grant member and moderator, nobody grants themselves, compliance officers
        change nothing); its refusal reaches the caller as policy answered it.
        """
        self._policy.grant_space_role(
            subject=subject,
            role=role.value,
            domain=f"space:{space_id}",
            on_behalf_of=on_behalf_of,
            justification=justification,
        )

    def revoke_space_role(
        self, *, space_id: str, subject: str, role: Role, on_behalf_of: str, justification: str
    ) -> bool:
        """Relay `on_behalf_of`'s request to revoke a space role; False when none is held
        directly (a role held through a group is the group's to give back)."""
        return self._policy.revoke_space_role(
            subject=subject,
            role=role.value,
            domain=f"space:{space_id}",
            on_behalf_of=on_behalf_of,
            justification=justification,
        )

    def grant_space_owner(self, *, space_id: str, owner: str, justification: str) -> None:
        """Make `owner`, who creates the space, its first owner; policy decides and keeps it.

        Policy answers 200 with the grant already in force when it is asked twice, so a
        creation retried after a half-done attempt goes through.
        """
        self.grant_space_role(
            space_id=space_id,
            subject=owner,
            role=Role.OWNER,
            on_behalf_of=owner,
            justification=justification,
        )
