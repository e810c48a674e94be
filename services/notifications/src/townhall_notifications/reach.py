"""Who is told, and who may still read: every question notifications asks policy.

Recipients are resolved from policy's directory (the audience of reader principals, as
publishing's acknowledgement counting does), then checked at delivery time, all of an
audience in one question to policy (which of them it allows, decided as a decision is):
a member revoked since the post was written gets nothing. Policy being down
raises `ServiceUnavailable`: the event is not applied and comes again.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from townhall_clients import CachedPolicy, PolicyClient
from townhall_contracts.policy import Action, DecisionRequest
from townhall_contracts.readers import (
    AUDITOR,
    ORG,
    ORG_MODERATOR,
    group_principal,
    space_moderator_principal,
    space_principal,
)

# Policy's audience endpoint takes at most this many principals at once.
_BATCH = 1000
# The space of items about no space: an objective's report is its owner's own, read by
# them whatever the spaces they may read.
NO_SPACE = ""


class Reach:
    """Audiences and delivery-time checks through the typed policy client."""

    def __init__(self, policy: PolicyClient, answers: CachedPolicy) -> None:
        self._policy = policy
        self._answers = answers

    def audience(self, principals: Sequence[str]) -> list[str]:
        """The active users holding any of `principals` (compliance officers excluded:
        they read everything and are nobody's audience)."""
        tokens = sorted({p for p in principals if p != AUDITOR})
        if not tokens:
            return []
        subjects: set[str] = set()
        for start in range(0, len(tokens), _BATCH):
            subjects.update(self._policy.audience(tokens[start : start + _BATCH]).subjects)
        return sorted(subjects)

    def post_audience(
        self, space_id: str, audience_groups: Sequence[str], audience_spaces: Sequence[str]
    ) -> list[str]:
        """Who may read a published post now: the members of its chosen groups and spaces
        who may read the space, or, for a post not narrowed, the space's readers."""
        narrowing = [group_principal(g) for g in audience_groups]
        narrowing += [space_principal(s) for s in audience_spaces]
        if narrowing:
            return self.readers(self.audience(narrowing), space_id)
        return self.space_readers(space_id)

    def space_readers(self, space_id: str) -> list[str]:
        """The readers of a space: its members, and the whole company for a public one.

        Compliance officers may read a restricted space without being its audience: when
        no one outside the members but them may read it, they are left out.
        """
        members = set(self.audience([space_principal(space_id)]))
        others = set(self.audience([ORG])) - members
        readers = set(self.allowed(members, Action.READ, space_id))
        outside = set(self.allowed(others, Action.READ, space_id))
        auditors = set(self._policy.audience([AUDITOR]).subjects) if outside else set()
        if outside - auditors:
            readers |= outside
        return sorted(readers)

    def space_moderators(self, space_id: str) -> list[str]:
        candidates = self.audience([space_moderator_principal(space_id), ORG_MODERATOR])
        return self.allowed(candidates, Action.MODERATE, space_id)

    def approvers(self, space_id: str) -> list[str]:
        """Who may approve official posts in the space (asked of every reader of it)."""
        candidates = self.audience([ORG, space_principal(space_id)])
        return self.allowed(candidates, Action.APPROVE_OFFICIAL, space_id)

    def allowed(self, subjects: Iterable[str], action: Action, space_id: str) -> list[str]:
        """The subjects policy allows `action` in the space, now: one question for many
        (policy's yes or no from its snapshot, not an explained decision per person)."""
        wanted = sorted(set(subjects))
        if not wanted:
            return []
        return self._policy.allowed_subjects(wanted, action, space_principal(space_id))

    def allows_any(self, subject: str, candidates: list[tuple[Action, str]]) -> bool:
        """Whether policy allows `subject` any of the (action, domain) `candidates`."""
        batch = self._answers.decide_batch(
            [DecisionRequest(subject=subject, action=a, domain=d) for a, d in candidates]
        )
        return any(d.allowed for d in batch.decisions)

    def may_read(self, subject: str, space_id: str) -> bool:
        """Whether `subject` may read an item of `space_id` now (always, for no space)."""
        return space_id == NO_SPACE or bool(self.readers([subject], space_id))

    def readers_of_items(self, subjects: Iterable[str], space_id: str) -> list[str]:
        """Those of `subjects` who may read an item of `space_id` now (all, for no space):
        `may_read` for many at once."""
        if space_id == NO_SPACE:
            return list(subjects)
        return self.readers(subjects, space_id)

    def readers(
        self, subjects: Iterable[str], space_id: str, narrowing: frozenset[str] = frozenset()
    ) -> list[str]:
        """The subjects who may read a post of the space now: `read` allowed in the space,
        and, for a post narrowed to groups or spaces, holding one of those principals."""
        allowed = self.allowed(subjects, Action.READ, space_id)
        if not narrowing:
            return allowed
        return [s for s in allowed if narrowing & self._answers.readable_by(s)]
