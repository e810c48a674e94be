"""Where OpenSearch keeps the index, shared by every search instance of a cluster.

No instance remembers a concrete index: each operation resolves the aliases again, so
an instance never writes into an index another instance has retired.

- `<alias>` (the read alias) names the live index; searches and checks read it.
- `<alias>-write` (the write alias) names every index live events go to: the live one,
  and during a rebuild the new one too, whichever instance receives the events.
  `write_targets` resolves it; it is the one place the write path learns where to write.
- `<alias>-NNNNNN` are the concrete indexes (generations); the one before the live
  index is kept after a switch (a late writer may still hold its name) and deleted
  when the next rebuild starts.
- `<alias>-lock` holds one document while a rebuild runs: one rebuild at a time
  across the cluster (`RebuildLock`).
- `<alias>-vocabulary` holds the vocabulary's versions, one document each (authored,
  never touched by a rebuild: `vocabulary.cluster_store`).

Creating them is idempotent: two instances starting together both succeed
(`resource_already_exists_exception` and an alias added twice are no errors).
OpenSearch must not create a `townhall-*` index by itself when a write names one that
was deleted (it would guess a dynamic mapping): docs/operations.md gives the cluster
setting (`action.auto_create_index`), and writes only ever name resolved indexes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from opensearchpy import NotFoundError, OpenSearch, RequestError

from townhall_platform.errors import DependencyUnavailable

from .opensearch_documents import INDEX_BODY

_GENERATION_DIGITS = 6


class IndexUnavailable(DependencyUnavailable):
    """The cluster did not answer, or holds no alias for the index (deleted by hand)."""

    type_slug = "index-unavailable"
    title = "The search index is unavailable"


@dataclass(frozen=True, slots=True)
class IndexLayout:
    """The names of one index's aliases and indexes, and how new indexes are made."""

    alias: str
    shards: int = 1
    replicas: int = 1

    @property
    def write_alias(self) -> str:
        return f"{self.alias}-write"

    @property
    def lock_index(self) -> str:
        return f"{self.alias}-lock"

    @property
    def vocabulary_index(self) -> str:
        return f"{self.alias}-vocabulary"

    def generation_name(self, number: int) -> str:
        return f"{self.alias}-{number:0{_GENERATION_DIGITS}d}"

    def generation_of(self, index: str) -> int | None:
        """The generation number of a concrete index of this layout, else None."""
        match = re.fullmatch(re.escape(self.alias) + r"-(\d{6})", index)
        return int(match.group(1)) if match else None

    def index_body(self) -> dict[str, Any]:
        """The mapping and analysis of `opensearch_documents`, with this cluster's sizing."""
        settings = {
            **INDEX_BODY["settings"],
            "number_of_shards": self.shards,
            "number_of_replicas": self.replicas,
        }
        return {**INDEX_BODY, "settings": settings}


def live_index(client: OpenSearch, layout: IndexLayout) -> str | None:
    """The concrete index the read alias names now, or None when there is no alias."""
    try:
        return next(iter(client.indices.get_alias(name=layout.alias)), None)
    except NotFoundError:
        return None


def write_targets(client: OpenSearch, layout: IndexLayout) -> list[str]:
    """Every index a live event must reach now, oldest generation first.

    Resolved at each call: the live index, plus the index a rebuild (on any instance)
    is filling. `IndexUnavailable` when the write alias is gone."""
    try:
        named = client.indices.get_alias(name=layout.write_alias)
    except NotFoundError as exc:
        raise IndexUnavailable(f"the write alias {layout.write_alias} does not exist") from exc
    return sorted(named, key=lambda index: (layout.generation_of(index) or 0, index))


def generations(client: OpenSearch, layout: IndexLayout) -> list[str]:
    """The concrete indexes of this layout, oldest first."""
    try:
        found = client.indices.get(index=f"{layout.alias}-*", ignore_unavailable=True)
    except NotFoundError:
        return []
    numbered = [(layout.generation_of(name), name) for name in found]
    return [name for number, name in sorted((n, name) for n, name in numbered if n is not None)]


def create_index(client: OpenSearch, index: str, body: dict[str, Any]) -> None:
    """Create `index`; one that already exists (another instance was first) is fine."""
    try:
        client.indices.create(index=index, body=body)
    except RequestError as exc:
        if exc.error != "resource_already_exists_exception":
            raise


def ensure_layout(client: OpenSearch, layout: IndexLayout) -> str:
    """The live index, creating the first one, its aliases and the lock index when
    missing. Safe when several instances run it at once."""
    create_index(client, layout.lock_index, LOCK_INDEX_BODY)
    live = live_index(client, layout)
    if live is None:
        live = layout.generation_name(1)
        create_index(client, live, layout.index_body())
        # Adding an alias that exists is acknowledged: a racing instance did the same.
        client.indices.update_aliases(
            body={
                "actions": [
                    {"add": {"index": live, "alias": layout.alias}},
                    {"add": {"index": live, "alias": layout.write_alias}},
                ]
            }
        )
        # Another instance may have switched the alias meanwhile: trust the cluster.
        live = live_index(client, layout) or live
    try:
        client.indices.get_alias(name=layout.write_alias)
    except NotFoundError:
        # An index made before the write alias existed: its live index takes writes.
        client.indices.put_alias(index=live, name=layout.write_alias)
    return live


LOCK_INDEX_BODY: dict[str, Any] = {
    "settings": {"number_of_shards": 1},
    "mappings": {
        "dynamic": "strict",
        "properties": {
            "holder": {"type": "keyword"},
            "target": {"type": "keyword"},
            "expires_at": {"type": "double"},
        },
    },
}
