"""The production index: OpenSearch through opensearch-py.

An alias (`settings.opensearch_index`) names the live index; a rebuild fills a new
concrete index (`<alias>-<n>`) while searches read the alias, then one
`_aliases` call moves the alias atomically and the old index is deleted.

Versions use OpenSearch's external versioning: each event is written with
`version_type=external` and the document's version, so OpenSearch itself refuses
a version that is not newer (a 409 per item, counted as skipped). What is stored
and how texts are analyzed: `opensearch_documents`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from opensearchpy import NotFoundError, OpenSearch, helpers

from townhall_contracts.search import IndexEvent

from .backend import (
    ApplyOutcome,
    NoRebuild,
    RebuildInProgress,
    SearchPage,
    SearchQuery,
    Suggestion,
    no_facets,
)
from .opensearch_documents import INDEX_BODY, actions_of, watermark_action
from .opensearch_pages import page_of, suggestions_of
from .opensearch_queries import TEXT_SOURCE, held_body, search_body, suggest_body, texts_body
from .query_text import fold, words_of
from .shared import WATERMARK_ID

log = structlog.get_logger("townhall.search.opensearch")

_GENERATION = re.compile(r"-(\d{6})$")
_CHUNK = 1000


class OpenSearchIndex:
    """An `IndexBackend` on an OpenSearch cluster, behind an alias."""

    name = "opensearch"

    def __init__(self, client: OpenSearch, alias: str, live: str) -> None:
        self._client = client
        self._alias = alias
        self._live = live
        self._building: str | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, url: str, *, alias: str, timeout: float = 10.0) -> OpenSearchIndex:
        """Connect, and create the first index behind the alias when there is none."""
        client = OpenSearch(hosts=[url], timeout=timeout, http_compress=False)
        try:
            live = next(iter(client.indices.get_alias(name=alias)))
        except NotFoundError:
            live = f"{alias}-000001"
            if not client.indices.exists(index=live):
                client.indices.create(index=live, body=INDEX_BODY)
            client.indices.put_alias(index=live, name=alias)
        log.info("index_opened", url=url, alias=alias, index=live)
        return cls(client, alias, live)

    # -- writing ---------------------------------------------------------------------------

    def apply(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Write every event with its version; OpenSearch refuses the stale ones. The
        batch's last event id goes last, as the version of the watermark document."""
        actions = actions_of(events)
        watermark = max((event.event_id for event in events), default=0)
        if watermark:
            actions.append(watermark_action(watermark))
        with self._lock:
            outcome = self._bulk(self._live, actions)
            if self._building is not None:
                self._bulk(self._building, actions)

        log.info("index_events_applied", applied=outcome.applied, skipped=outcome.skipped)
        return outcome

    def _bulk(self, index: str, actions: list[dict[str, Any]]) -> ApplyOutcome:
        applied = skipped = 0
        failures = []
        for ok, item in helpers.streaming_bulk(
            self._client,
            ({**action, "_index": index} for action in actions),
            chunk_size=_CHUNK,
            raise_on_error=False,
            refresh="wait_for",
        ):
            result = item.get("index", {})
            if result.get("_id") == WATERMARK_ID:
                # Not an event: an older watermark (409) is simply kept.
                if not ok and result.get("status") != 409:
                    failures.append(result)
                continue
            if ok:
                applied += 1
            elif result.get("status") == 409:
                skipped += 1
            else:
                failures.append(result)
        if failures:
            raise RuntimeError(f"OpenSearch refused {len(failures)} documents: {failures[:3]}")
        return ApplyOutcome(applied=applied, skipped=skipped)

    def versions(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """The stored (external) version of each known document, tombstones included."""
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        answer = self._client.mget(index=self._live, body={"ids": ids}, _source=False)
        return {doc["_id"]: int(doc["_version"]) for doc in answer["docs"] if doc.get("found")}

    def count(self) -> int:
        """Documents in the live index, tombstones included."""
        return self.watermark()[1]

    def watermark(self) -> tuple[int, int]:
        """The last event id applied and the documents the live index holds with it."""
        with self._lock:
            self._client.indices.refresh(index=self._live)
            watermark = self.versions([WATERMARK_ID]).get(WATERMARK_ID, 0)
            documents = int(self._client.count(index=self._live)["count"])
        return watermark, documents - (1 if watermark else 0)

    def damage(self) -> str | None:
        """None: OpenSearch keeps its own indexes whole (a lost one is found by the
        watermark check)."""
        return None

    # -- rebuilding ------------------------------------------------------------------------

    def start_rebuild(self) -> None:
        """Create the next concrete index; the alias still names the live one."""
        with self._lock:
            if self._building is not None:
                raise RebuildInProgress("a rebuild is already in progress")
            match = _GENERATION.search(self._live)
            number = int(match.group(1)) + 1 if match else 2
            target = f"{self._alias}-{number:06d}"
            if self._client.indices.exists(index=target):
                self._client.indices.delete(index=target)
            self._client.indices.create(index=target, body=INDEX_BODY)
            self._building = target
        log.info("index_rebuild_started", index=target)

    def load_rebuild(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Write events to the index being built only."""
        actions = actions_of(events)
        with self._lock:
            if self._building is None:
                raise NoRebuild("no rebuild is in progress")
            return self._bulk(self._building, actions)

    def finish_rebuild(self, watermark: int = 0) -> None:
        """Move the alias in one atomic `_aliases` call, then delete the old index."""
        with self._lock:
            building, old = self._building, self._live
            if building is None:
                raise NoRebuild("no rebuild is in progress")
            live_watermark = self.versions([WATERMARK_ID]).get(WATERMARK_ID, 0)
            later = max(watermark, live_watermark)
            if later:
                self._bulk(building, [watermark_action(later)])
            self._client.indices.refresh(index=building)
            self._client.indices.update_aliases(
                body={
                    "actions": [
                        {"remove": {"index": old, "alias": self._alias}},
                        {"add": {"index": building, "alias": self._alias}},
                    ]
                }
            )
            self._live, self._building = building, None
        self._client.indices.delete(index=old, ignore_unavailable=True)
        log.info("index_rebuild_switched", index=building)

    def abort_rebuild(self) -> None:
        """Delete the index being built."""
        with self._lock:
            building, self._building = self._building, None
        if building is not None:
            self._client.indices.delete(index=building, ignore_unavailable=True)

    # -- reading ---------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        """One page of hits, the total and the facets, all within the readers filter."""
        if not query.principals:
            return SearchPage(total=0, hits=[], facets=no_facets(query.facets))
        body, by_date = search_body(query)
        answer = self._client.search(index=self._alias, body=body)
        return page_of(answer, query.facets, by_date)

    def texts(self, doc_ids: Sequence[str], principals: frozenset[str]) -> list[str]:
        """The title and body of each readable one of `doc_ids`."""
        if not principals or not doc_ids:
            return []
        answer = self._client.search(index=self._alias, body=texts_body(doc_ids, principals))
        return [
            "\n".join(str(hit["_source"].get(name, "")) for name in ("title", *TEXT_SOURCE))
            for hit in answer["hits"]["hits"]
        ]

    def unknown_words(self, words: Sequence[str], principals: frozenset[str]) -> frozenset[str]:
        """The words no readable document holds (asked within the readers filter)."""
        if not principals:
            return frozenset(words)
        unknown = set()
        for word in words:
            answer = self._client.search(index=self._alias, body=held_body(word, principals))
            if not answer["hits"]["total"]["value"]:
                unknown.add(word)
        return frozenset(unknown)

    def suggest(self, text: str, principals: frozenset[str], limit: int) -> list[Suggestion]:
        """Readable titles whose words start with what is typed."""
        words = [fold(word) for word in words_of(text)]
        if not principals or not words:
            return []
        body = suggest_body(words, principals, limit * 3)
        return suggestions_of(self._client.search(index=self._alias, body=body), limit)

    # -- lifecycle -------------------------------------------------------------------------

    def ready(self) -> bool:
        """True when the cluster answers and the alias exists."""
        try:
            return bool(self._client.indices.exists_alias(name=self._alias))
        except Exception:
            return False

    def close(self) -> None:
        """Drop a rebuild in progress and close the connections."""
        self.abort_rebuild()
        self._client.close()
