"""Which pages the navigation offers, decided per request from the user's current roles.

Policy bumps its revision on every grant or revocation. The portal asks that revision at
most every `revision_check_seconds` (one small call for all users), and asks a user's
capabilities again (their spaces, then one batch of decisions) only when the revision moved
since it last asked; so a grant or a revocation shows on the next page, without signing out.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import structlog

from townhall_clients import PublishingClient, ServiceUnavailable, UnexpectedResponse
from townhall_clients.policy_audit import PolicyAuditClient

log = structlog.get_logger("townhall.portal.navigation")

# Actions asked of policy in the company and in every space the user can see.
NAVIGATION_ACTIONS = (
    "post.official",
    "approve.official",
    "answer.official",
    "endorse",
    "moderate",
    "audit.read",
    "grants.manage",
    "objective.define",
    "objective.read",
    "vocabulary.manage",
)
# Past this many users between two revisions, start again (memory stays bounded).
MAX_REMEMBERED = 10_000


class Navigation:
    """The org-level actions each user may take, remembered while policy's revision holds."""

    def __init__(
        self,
        *,
        policy: PolicyAuditClient,
        publishing: PublishingClient,
        revision_check_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._policy = policy
        self._publishing = publishing
        self._check_every = revision_check_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._revision: int | None = None
        self._checked_at = float("-inf")
        self._by_subject: dict[str, frozenset[str]] = {}

    def capabilities(self, *, subject: str, token: str) -> frozenset[str]:
        """What the navigation may offer `subject` now; empty when policy does not answer."""
        try:
            self._follow_revision(token)
            with self._lock:
                known = self._by_subject.get(subject)
            if known is not None:
                return known
            found, revision = self._ask(subject=subject, token=token)
        except (ServiceUnavailable, UnexpectedResponse) as exc:
            log.warning("navigation_unknown", subject=subject, error=str(exc))
            return self.remembered(subject)
        with self._lock:
            if len(self._by_subject) >= MAX_REMEMBERED:
                self._by_subject.clear()
            # An answer from another revision than the one followed is used, not kept.
            if revision == self._revision:
                self._by_subject[subject] = found
        return found

    def remembered(self, subject: str) -> frozenset[str]:
        """What was last found for `subject`, without asking (for error pages)."""
        with self._lock:
            return self._by_subject.get(subject, frozenset())

    def _follow_revision(self, token: str) -> None:
        now = self._clock()
        with self._lock:
            if now - self._checked_at < self._check_every:
                return
        answer: dict[str, Any] = self._policy.get("/v1/revision", user_token=token)
        revision = int(answer["policy_revision"])
        with self._lock:
            self._checked_at = now
            if revision != self._revision:
                self._revision = revision
                self._by_subject.clear()

    def _ask(self, *, subject: str, token: str) -> tuple[frozenset[str], int | None]:
        domains = ["org"]
        with contextlib.suppress(UnexpectedResponse):
            domains += [f"space:{s.id}" for s in self._publishing.spaces(user_token=token)]
        body = {
            "decisions": [
                {"subject": subject, "action": action, "domain": domain}
                for action in NAVIGATION_ACTIONS
                for domain in domains
            ]
        }
        answer = self._policy.post_json("/v1/decisions/batch", user_token=token, body=body)
        allowed = frozenset(d["action"] for d in answer.get("decisions", []) if d.get("allowed"))
        revision = answer.get("policy_revision")
        return allowed, int(revision) if isinstance(revision, int) else None
