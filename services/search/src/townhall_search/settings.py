"""Settings of the search service (environment prefix `TOWNHALL_SEARCH_`)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from townhall_platform.settings import DEFAULT_STATE_DIR, PLACEHOLDER_SECRETS, ServiceSettings

DEV_CURSOR_SECRET = "townhall-search-development-cursor-secret"


class SearchSettings(ServiceSettings):
    """Where the index lives, how long principals are trusted, how cursors are signed."""

    model_config = SettingsConfigDict(env_prefix="TOWNHALL_SEARCH_", extra="ignore")

    port: int = 8103
    # Index batches from the relay are the largest bodies any service receives.
    max_body_bytes: int = 8_000_000
    # The embedded default is tantivy in `index_dir`; production uses OpenSearch.
    backend: Literal["tantivy", "opensearch"] = "tantivy"
    index_dir: Path = DEFAULT_STATE_DIR / "search-index"
    opensearch_url: str = "http://127.0.0.1:9200"
    # The alias searches read; a rebuild moves it to a new concrete index.
    opensearch_index: str = Field(default="townhall-documents", pattern=r"^[a-z0-9][a-z0-9_-]*$")
    # Sizing of each concrete index a rebuild creates (an existing index keeps its own).
    opensearch_shards: int = Field(default=1, ge=1, le=1024)
    opensearch_replicas: int = Field(default=1, ge=0, le=16)
    # How long the cluster-wide rebuild lock outlives its last renewal (each page of the
    # export renews it), so a rebuild whose instance died is taken over after that.
    reindex_lock_seconds: float = Field(default=120.0, ge=5.0, le=3600.0)
    # Memory of the single index writer; tantivy refuses less than 15 MB per thread.
    writer_heap_bytes: int = Field(default=50_000_000, ge=15_000_000)
    # Memory of the writer filling a new generation during a rebuild (one indexing thread):
    # the more it holds, the fewer and larger the segments, and the faster the searches
    # of the rebuilt index. Used only while a rebuild runs, as its documents fill it.
    rebuild_heap_bytes: int = Field(default=1_000_000_000, ge=15_000_000)
    # How long a reader's principals are reused at the confirmed revision: a backstop, since
    # the revision check below is what keeps the design's promise (a revoked member stops
    # seeing a space within a second).
    principals_cache_seconds: float = Field(default=60.0, ge=0.0, le=3600.0)
    # How often policy's revision is confirmed (the rule: `townhall_clients.policy_cache`).
    revision_check_seconds: float = Field(default=0.25, ge=0.0, le=1.0)
    # Documents asked of publishing per page during a rebuild.
    reindex_page_size: int = Field(default=500, ge=1, le=5000)
    # How often the index is checked against publishing's outbox (a lost or damaged
    # index is then rebuilt); also the retry delay when publishing cannot be asked.
    index_check_seconds: float = Field(default=30.0, gt=0.0, le=3600.0)
    # The indexer: a durable consumer of publishing's document events on NATS JetStream
    # (`nats_url`). Off, the index only changes by a rebuild or the internal bulk endpoint.
    bus_enabled: bool = True
    bus_batch_size: int = Field(default=500, ge=1, le=5000)
    # Deliveries of an event that fails to apply before it goes to the dead-letter subject.
    bus_max_deliver: int = Field(default=5, ge=1, le=100)
    # Signs pagination cursors so a client cannot forge or reuse them on another query.
    cursor_secret: SecretStr = SecretStr(DEV_CURSOR_SECRET)
    # Deepest result reachable by paging (like OpenSearch's max_result_window).
    max_result_window: int = Field(default=10_000, ge=100, le=100_000)

    # The vocabulary's versions (authored, unlike the index) with tantivy; beside the index
    # by default. With OpenSearch they are kept in the cluster, for every instance.
    vocabulary_file: Path | None = None
    # With OpenSearch, how often an instance asks the cluster for versions saved through
    # another instance (an edit applies everywhere within this delay).
    vocabulary_check_seconds: float = Field(default=1.0, ge=0.0, le=300.0)

    # Report each search (its words and how many results, never who searched) and each
    # opened result to publishing, for the search-success indicator.
    record_queries: bool = True
    # Search keeps no relational database: its state is the index, rebuilt from publishing.
    requires_database: ClassVar[bool] = False

    @property
    def vocabulary_path(self) -> Path:
        return self.vocabulary_file or self.index_dir.with_name(
            self.index_dir.name + "-vocabulary.json"
        )

    @model_validator(mode="after")
    def _refuse_placeholder_cursor_secret(self) -> SearchSettings:
        if self.is_development:
            return self
        secret = self.cursor_secret.get_secret_value()
        if secret.strip().lower() in PLACEHOLDER_SECRETS or secret == DEV_CURSOR_SECRET:
            raise ValueError("cursor_secret is missing or a placeholder")
        return self
