"""Versions of the vocabulary with OpenSearch: one document per version in the cluster.

Every search instance of a cluster reads the same vocabulary: version N is the document
`_id` N of `<alias>-vocabulary`, written with `op_type=create`, so of two instances
saving on top of the same version exactly one succeeds and the other answers 409, as
the file's lock does on one machine. A search must not ask the cluster each time: the
versions read are kept and only newer ones asked for, at most every `check_seconds`,
so an edit made through another instance applies within that delay.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import structlog
from opensearchpy import ConflictError, OpenSearch, TransportError

from townhall_contracts.search import VocabularyRead

from ..index.opensearch_layout import IndexUnavailable, create_index
from .errors import StaleVocabulary

log = structlog.get_logger("townhall.search.vocabulary")

# The versions are only ever read whole, in order: nothing but the version is indexed.
VOCABULARY_INDEX_BODY: dict[str, Any] = {
    "settings": {"number_of_shards": 1},
    "mappings": {"dynamic": False, "properties": {"version": {"type": "long"}}},
}
# Versions asked for per request to the cluster (a history longer than this pages).
_PAGE = 500


class ClusterVocabulary:
    """The vocabulary's versions in the cluster, with the ones already read kept."""

    def __init__(
        self,
        client: OpenSearch,
        index: str,
        *,
        check_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self._index = index
        self._check_seconds = check_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._versions: list[VocabularyRead] = []
        self._checked_at = float("-inf")
        self.memo: dict[int, object] = {}
        create_index(client, index, VOCABULARY_INDEX_BODY)

    def versions(self) -> list[VocabularyRead]:
        with self._lock:
            if self._clock() - self._checked_at >= self._check_seconds:
                self._catch_up()
            return list(self._versions)

    def append(self, expected: int, build: Callable[[int], VocabularyRead]) -> VocabularyRead:
        with self._lock:
            self._catch_up()
            latest = self._versions[-1].version if self._versions else 0
            if expected != latest:
                raise StaleVocabulary.at(latest, expected)
            written = build(latest + 1)
            try:
                self._client.index(
                    index=self._index,
                    id=str(written.version),
                    body=written.model_dump(mode="json"),
                    op_type="create",
                    refresh="true",
                )
            except ConflictError:
                # Another instance stored this version first.
                self._catch_up()
                raise StaleVocabulary.at(self._versions[-1].version, expected) from None
            except TransportError as exc:
                raise IndexUnavailable(f"The vocabulary could not be saved: {exc}") from exc
            self._versions.append(written)
            return written

    def _catch_up(self) -> None:
        """Read the versions newer than the last one read; on a cluster that does not
        answer, searches go on with the versions read before (logged)."""
        after = self._versions[-1].version if self._versions else 0
        try:
            while True:
                page = self._newer_than(after)
                self._versions += page
                if len(page) < _PAGE:
                    break
                after = page[-1].version
        except TransportError as exc:
            log.warning("vocabulary_unavailable", index=self._index, error=str(exc))
            return
        self._checked_at = self._clock()

    def _newer_than(self, after: int) -> list[VocabularyRead]:
        answer = self._client.search(
            index=self._index,
            body={
                "query": {"range": {"version": {"gt": after}}},
                "sort": [{"version": "asc"}],
                "size": _PAGE,
            },
        )
        return [VocabularyRead.model_validate(hit["_source"]) for hit in answer["hits"]["hits"]]
