"""What the vocabulary's versions are kept in: a file beside tantivy's index, or a
document per version in the OpenSearch cluster every instance reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from townhall_contracts.search import VocabularyRead


class VocabularyStore(Protocol):
    # What callers derive from the latest version, by version (see `service.current`).
    memo: dict[int, object]

    def versions(self) -> list[VocabularyRead]:
        """Every stored version, oldest first; none before the first edit."""
        ...

    def append(self, expected: int, build: Callable[[int], VocabularyRead]) -> VocabularyRead:
        """Store `build(expected + 1)` if `expected` is still the latest version (0 when
        none), else `StaleVocabulary`: of two writers at once, exactly one wins."""
        ...
