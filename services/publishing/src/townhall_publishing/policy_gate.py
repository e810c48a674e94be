"""Every question publishing asks the policy service, in one place.

Publishing asks policy before every state change and records the decision it got;
it asks for a subject's principals to apply the readers rule. Policy being down
surfaces as `ServiceUnavailable` (503): callers fail closed and write nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import Session

from townhall_clients import PolicyClient, UnexpectedResponse
from townhall_contracts.policy import (
    Action,
    Decision,
    DecisionRequest,
    DomainRegistration,
    Role,
    SpaceKind,
)
from townhall_contracts.readers import Visibility
from townhall_platform.errors import PermissionDenied

if TYPE_CHECKING:
    from .roster.service import Roster


class PolicyGate:
    """Decisions, principals and space registration, through the typed policy client."""

    def __init__(self, policy: PolicyClient, *, roster: Roster | None = None) -> None:
        self._policy = policy
        # Every subject whose principals are asked joins the audience roster.
        self._roster = roster

    def known_subjects(self, session: Session) -> list[str]:
        """The subjects publishing knows (the candidates of an audience)."""
        if self._roster is None:
            from .roster.service import known_subjects

            return known_subjects(session)
        return self._roster.subjects(session)

    def decide(self, *, subject: str, action: Action, domain: str) -> Decision:
        """Policy's decision, allowed or not."""
        return self._policy.decide(subject, action, domain)

    def require(self, *, subject: str, action: Action, domain: str) -> Decision:
        """The decision allowing `action`, or `PermissionDenied` carrying policy's reason."""
        return self.require_any(subject=subject, candidates=[(action, domain)])

    def require_any(self, *, subject: str, candidates: list[tuple[Action, str]]) -> Decision:
        """The first decision allowing one of `candidates` (action, domain) at one revision.

        When none allows, `PermissionDenied` carries the first refusal's reason.
        """
        if len(candidates) == 1:
            action, domain = candidates[0]
            decisions = [self._policy.decide(subject, action, domain)]
        else:
            batch = self._policy.decide_batch(
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
        batch = self._policy.decide_batch(
            [DecisionRequest(subject=subject, action=action, domain=d) for d in domains]
        )
        return {d.domain for d in batch.decisions if d.allowed}

    def principals(self, subject: str) -> frozenset[str]:
        """The principal tokens of `subject`; none for a subject policy does not know."""
        if self._roster is not None:
            self._roster.note(subject)
        return self.principals_of(subject)

    def principals_of(self, subject: str) -> frozenset[str]:
        """Like `principals`, without noting the subject in the roster."""
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

    def grant_space_role(
        self, *, space_id: str, subject: str, role: Role, granted_by: str, justification: str
    ) -> None:
        """Grant a space role (member, moderator, owner); policy keeps it and its history."""
        self._policy.grant_space_role(
            subject=subject,
            role=role.value,
            domain=f"space:{space_id}",
            granted_by=granted_by,
            justification=justification,
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
