"""The production index: OpenSearch through opensearch-py, safe on many instances.

Searches read an alias; live events go to every index a write alias names, resolved
at each batch; a rebuild fills a new concrete index under a cluster-wide lock, then
one `_aliases` call moves both aliases atomically (`opensearch_layout`,
`opensearch_lock`). Any number of search instances may apply events and start
rebuilds: an instance's events reach the index another instance is building, and a
second rebuild is refused while one runs anywhere.

Versions use OpenSearch's external versioning: each event is written with
`version_type=external` and the document's version, so OpenSearch itself refuses
a version that is not newer (a 409 per item, counted as skipped). What is stored
and how texts are analyzed: `opensearch_documents`.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from opensearchpy import OpenSearch, TransportError, helpers

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
from .opensearch_documents import actions_of, watermark_action
from .opensearch_layout import (
    IndexLayout,
    IndexUnavailable,
    create_index,
    ensure_layout,
    generations,
    live_index,
    write_targets,
)
from .opensearch_lock import RebuildLock
from .opensearch_pages import page_of, suggestions_of
from .opensearch_queries import TEXT_SOURCE, held_body, search_body, suggest_body, texts_body
from .query_text import fold, words_of
from .shared import WATERMARK_ID

log = structlog.get_logger("townhall.search.opensearch")

_CHUNK = 1000


class IndexIncomplete(RuntimeError):
    """The new index holds fewer documents than the rebuild loaded: the old one stays."""


class _IndexGone(RuntimeError):
    """A write target was deleted between resolving the write alias and writing."""


class OpenSearchIndex:
    """An `IndexBackend` on an OpenSearch cluster, behind a read and a write alias."""

    name = "opensearch"

    def __init__(self, client: OpenSearch, layout: IndexLayout, lock: RebuildLock) -> None:
        self._client = client
        self._layout = layout
        self._alias = layout.alias
        self._rebuild_lock = lock
        # The index this instance is building, when it holds the rebuild lock.
        self._building: str | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls,
        url: str,
        *,
        alias: str,
        timeout: float = 10.0,
        shards: int = 1,
        replicas: int = 1,
        lock_seconds: float = 120.0,
    ) -> OpenSearchIndex:
        """Connect, and create the first index and its aliases when there are none."""
        client = OpenSearch(hosts=[url], timeout=timeout, http_compress=False)
        layout = IndexLayout(alias=alias, shards=shards, replicas=replicas)
        live = ensure_layout(client, layout)
        log.info("index_opened", url=url, alias=alias, index=live)
        lock = RebuildLock(client, layout, lease_seconds=lock_seconds)
        return cls(client, layout, lock)

    @property
    def client(self) -> OpenSearch:
        """The cluster's client, for what search keeps there beside the index."""
        return self._client

    @property
    def layout(self) -> IndexLayout:
        return self._layout

    # -- writing ---------------------------------------------------------------------------

    def write_targets(self) -> list[str]:
        """The indexes a live event goes to now (see `opensearch_layout.write_targets`)."""
        return write_targets(self._client, self._layout)

    def apply(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Write every event with its version to every write target; OpenSearch refuses
        the stale ones. The batch's last event id goes last, as the version of the
        watermark document. The outcome is the live index's."""
        actions = actions_of(events)
        watermark = max((event.event_id for event in events), default=0)
        if watermark:
            actions.append(watermark_action(watermark))
        try:
            try:
                outcome = self._write_everywhere(actions)
            except _IndexGone:
                # A rebuild retired a target meanwhile: resolve again (versions make the
                # second write of the same events harmless).
                outcome = self._write_everywhere(actions)
        except (TransportError, _IndexGone) as exc:
            # The relay retries the batch: unavailable, not a fault of the request.
            raise IndexUnavailable(f"OpenSearch could not apply the batch: {exc}"[:300]) from exc
        log.info("index_events_applied", applied=outcome.applied, skipped=outcome.skipped)
        return outcome

    def _write_everywhere(self, actions: list[dict[str, Any]]) -> ApplyOutcome:
        outcomes = [self._bulk(index, actions) for index in self.write_targets()]
        return outcomes[0]

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
        if any(_error_type(failure) == "index_not_found_exception" for failure in failures):
            raise _IndexGone(index)
        if failures:
            raise RuntimeError(f"OpenSearch refused {len(failures)} documents: {failures[:3]}")
        return ApplyOutcome(applied=applied, skipped=skipped)

    def versions(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """The stored (external) version of each known document, tombstones included."""
        ids = sorted(set(doc_ids))
        if not ids:
            return {}
        answer = self._client.mget(index=self._alias, body={"ids": ids}, _source=False)
        return {doc["_id"]: int(doc["_version"]) for doc in answer["docs"] if doc.get("found")}

    def count(self) -> int:
        """Documents in the live index, tombstones included."""
        return self.watermark()[1]

    def watermark(self) -> tuple[int, int]:
        """The last event id applied and the documents the live index holds with it."""
        return self._watermark_of(self._alias)

    def _watermark_of(self, index: str) -> tuple[int, int]:
        self._client.indices.refresh(index=index)
        answer = self._client.mget(index=index, body={"ids": [WATERMARK_ID]}, _source=False)
        found = [doc for doc in answer["docs"] if doc.get("found")]
        watermark = int(found[0]["_version"]) if found else 0
        documents = int(self._client.count(index=index)["count"])
        return watermark, documents - (1 if watermark else 0)

    def damage(self) -> str | None:
        """None: OpenSearch keeps its own indexes whole (a lost one is found by the
        watermark check)."""
        return None

    def generation(self) -> str | None:
        """The concrete index searches read now."""
        return live_index(self._client, self._layout)

    # -- rebuilding ------------------------------------------------------------------------

    def start_rebuild(self) -> None:
        """Take the cluster's rebuild lock, create the next concrete index and add it to
        the write alias, so every instance's live events reach it from now on."""
        with self._lock:
            if self._building is not None:
                raise RebuildInProgress("a rebuild is already in progress")
            live = live_index(self._client, self._layout)
            if live is None:
                raise IndexUnavailable(f"the alias {self._alias} does not exist")
            existing = generations(self._client, self._layout)
            number = max(self._layout.generation_of(name) or 0 for name in [live, *existing])
            target = self._layout.generation_name(number + 1)
            self._rebuild_lock.acquire(target)
            try:
                # Older generations (the one kept at the last switch, one a failed
                # rebuild left behind) go now, under the lock.
                for stale in existing:
                    if stale != live:
                        self._client.indices.delete(index=stale, ignore_unavailable=True)
                create_index(self._client, target, self._layout.index_body())
                self._client.indices.put_alias(index=target, name=self._layout.write_alias)
            except Exception:
                self._rebuild_lock.release()
                raise
            self._building = target
        log.info("index_rebuild_started", index=target, previous=live)

    def load_rebuild(self, events: Sequence[IndexEvent]) -> ApplyOutcome:
        """Write events to the index being built only, renewing the rebuild lock."""
        actions = actions_of(events)
        with self._lock:
            if self._building is None:
                raise NoRebuild("no rebuild is in progress")
            self._rebuild_lock.renew(self._building)
            return self._bulk(self._building, actions)

    def finish_rebuild(self, watermark: int = 0, documents: int = 0) -> None:
        """Check the new index holds the `documents` loaded, then move both aliases in
        one atomic `_aliases` call. The old index stays (deleted by the next rebuild)."""
        with self._lock:
            building = self._building
            if building is None:
                raise NoRebuild("no rebuild is in progress")
            self._rebuild_lock.renew(building)
            old = live_index(self._client, self._layout)
            live_watermark = self._watermark_of(self._alias)[0] if old else 0
            later = max(watermark, live_watermark)
            if later:
                self._bulk(building, [watermark_action(later)])
            held = self._watermark_of(building)[1]
            if held < documents:
                raise IndexIncomplete(
                    f"the new index {building} holds {held} of the {documents} documents "
                    "loaded; the live index is kept"
                )
            self._client.indices.update_aliases(
                body={"actions": _switch(self._layout, old, building)}
            )
            self._building = None
            self._rebuild_lock.release()
        log.info("index_rebuild_switched", index=building, previous=old)

    def abort_rebuild(self) -> None:
        """Delete the index being built (leaving the write alias with it) and release
        the lock; the live index is untouched."""
        with self._lock:
            building, self._building = self._building, None
            if building is not None:
                try:
                    self._client.indices.delete(index=building, ignore_unavailable=True)
                finally:
                    self._rebuild_lock.release()

    # -- reading ---------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchPage:
        """One page of hits, the total and the facets, all within the readers filter."""
        if not query.principals:
            return SearchPage(total=0, hits=[], facets=no_facets(query.facets))
        body, by_date = search_body(query)
        answer = self._client.search(index=self._alias, body=body)
        hits = answer["hits"]["hits"]
        # The index this page came from, so a cursor can tell a switch happened.
        generation = str(hits[0]["_index"]) if hits else None
        return dataclasses.replace(page_of(answer, query.facets, by_date), generation=generation)

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
        """True when the cluster answers and both aliases exist."""
        try:
            return bool(
                self._client.indices.exists_alias(name=self._alias)
                and self._client.indices.exists_alias(name=self._layout.write_alias)
            )
        except Exception:
            return False

    def close(self) -> None:
        """Drop a rebuild in progress and close the connections."""
        self.abort_rebuild()
        self._client.close()


def _switch(layout: IndexLayout, old: str | None, new: str) -> list[dict[str, Any]]:
    """The alias actions of a switch: reads and writes move from `old` to `new`."""
    actions: list[dict[str, Any]] = [{"add": {"index": new, "alias": layout.alias}}]
    if old is not None and old != new:
        actions[:0] = [
            {"remove": {"index": old, "alias": layout.alias}},
            {"remove": {"index": old, "alias": layout.write_alias}},
        ]
    return actions


def _error_type(failure: dict[str, Any]) -> str | None:
    error = failure.get("error")
    return str(error.get("type")) if isinstance(error, dict) else None
