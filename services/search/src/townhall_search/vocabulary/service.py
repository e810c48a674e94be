"""Reading and replacing the vocabulary; what a query expands with; best bets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from townhall_clients import CachedPolicy
from townhall_contracts.policy import Action
from townhall_contracts.search import BestBet, VocabularyHistory, VocabularyRead, VocabularyUpdate
from townhall_platform.errors import PermissionDenied

from ..index.expansion import Vocabulary, default_vocabulary
from ..index.query_text import fold, words_of
from .store import VocabularyStore

ORG = "org"


@dataclass(frozen=True, slots=True)
class Current:
    """The vocabulary queries expand with now, and its best bets."""

    vocabulary: Vocabulary
    best_bets: tuple[BestBet, ...] = ()


def _shipped() -> VocabularyRead:
    return VocabularyRead(
        version=0,
        groups=[list(group) for group in default_vocabulary().groups],
        best_bets=[],
    )


def current(store: VocabularyStore) -> Current:
    """The latest stored version, or the shipped default before the first edit."""
    versions = store.versions()
    if not versions:
        return Current(default_vocabulary())
    latest = versions[-1]
    # Built once per version: a search should not rebuild the term index.
    built = store.memo.get(latest.version)
    if not isinstance(built, Current):
        built = Current(
            Vocabulary(tuple(tuple(g) for g in latest.groups), latest.version),
            tuple(latest.best_bets),
        )
        store.memo = {latest.version: built}
    return built


def _require(policy: CachedPolicy, subject: str) -> None:
    decision = policy.decide(subject, Action.VOCABULARY_MANAGE, ORG)
    if not decision.allowed:
        raise PermissionDenied(
            decision.reason.summary,
            reason=decision.reason.model_dump(mode="json"),
            decision_id=decision.decision_id,
            policy_revision=decision.policy_revision,
        )


def read(*, store: VocabularyStore, policy: CachedPolicy, subject: str) -> VocabularyRead:
    """The current version (best bets name posts: only their keepers read it)."""
    _require(policy, subject)
    versions = store.versions()
    return versions[-1] if versions else _shipped()


def history(*, store: VocabularyStore, policy: CachedPolicy, subject: str) -> VocabularyHistory:
    """Every version, newest first, the shipped default last."""
    _require(policy, subject)
    return VocabularyHistory(versions=[*reversed(store.versions()), _shipped()])


def replace(
    *, store: VocabularyStore, policy: CachedPolicy, subject: str, update: VocabularyUpdate
) -> VocabularyRead:
    """A new version, if `update.version` is still the current one."""
    _require(policy, subject)
    groups = [_clean(group) for group in update.groups]
    kept = [group for group in groups if len(group) > 1]

    def build(version: int) -> VocabularyRead:
        return VocabularyRead(
            version=version,
            groups=kept,
            best_bets=update.best_bets,
            updated_by=subject,
            updated_at=datetime.now(UTC),
        )

    written = store.append(update.version, build)
    return written


def _clean(group: list[str]) -> list[str]:
    """Terms trimmed, each once (accents and case ignored)."""
    kept: dict[str, str] = {}
    for term in group:
        key = " ".join(fold(w) for w in words_of(term))
        if key and key not in kept:
            kept[key] = " ".join(term.split())
    return list(kept.values())


def best_bet_posts(current: Current, parsed_words: tuple[str, ...]) -> tuple[str, ...]:
    """The posts of every best bet a keyword of which the query's words hold, in order."""
    folded = tuple(fold(w) for w in parsed_words)
    found: list[str] = []
    for bet in current.best_bets:
        for keyword in bet.keywords:
            words = tuple(fold(w) for w in words_of(keyword))
            if words and _holds(folded, words):
                found += bet.post_ids
                break
    return tuple(dict.fromkeys(found))


def _holds(sequence: tuple[str, ...], part: tuple[str, ...]) -> bool:
    return any(sequence[i : i + len(part)] == part for i in range(len(sequence) - len(part) + 1))
