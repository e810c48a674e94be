"""Settings of the publishing service (environment prefix `TOWNHALL_PUBLISHING_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from townhall_platform.settings import DEFAULT_STATE_DIR, ServiceSettings


class PublishingSettings(ServiceSettings):
    """Where publishing listens, keeps its data and how its outbox relay behaves."""

    model_config = SettingsConfigDict(env_prefix="TOWNHALL_PUBLISHING_", extra="ignore")

    port: int = 8102
    database_url: str = "sqlite:///var/publishing.db"

    # Connections per instance. A request holds one from its first query until its
    # commit, which comes after its endpoint returns: under a burst, more requests than
    # worker threads may hold one (SQLite connections cost only a file handle).
    db_pool_size: int = Field(default=50, ge=1, le=500)
    db_max_overflow: int = Field(default=100, ge=0, le=1000)

    # Threads running the synchronous endpoints of one process. Few on purpose: the work
    # is CPU-bound under one GIL, and many runnable threads take turns for it, which makes
    # every request slower under a burst.
    threads: int = Field(default=4, ge=1, le=200)

    # uvicorn worker processes, on PostgreSQL only (the relay and the scheduler of every
    # worker share it through SKIP LOCKED and advisory locks); on SQLite one process serves.
    workers: int = Field(default=1, ge=1, le=64)

    # Policy's decisions and principals are reused at the revision policy confirmed at
    # most `policy_revision_check_seconds` ago (a revocation takes effect within twice that),
    # and for at most `policy_cache_seconds`, a backstop: the revision check is what keeps
    # answers fresh, and a short lifetime only sends each reader back to policy; 0 asks
    # policy every time.
    policy_cache_seconds: float = Field(default=60.0, ge=0.0, le=3600.0)
    policy_revision_check_seconds: float = Field(default=0.25, ge=0.0, le=1.0)

    # The outbox relay: a background thread that publishes events to NATS JetStream. A
    # commit that wrote events wakes it; the interval is a safety poll behind that.
    relay_enabled: bool = True
    relay_poll_interval_seconds: float = Field(default=2.0, gt=0)
    relay_batch_size: int = Field(default=500, ge=1, le=5000)
    relay_initial_backoff_seconds: float = Field(default=0.2, ge=0)
    relay_max_backoff_seconds: float = Field(default=5.0, gt=0)
    # Under load a relay pass starts at most this often, so that commits close together
    # share one pass and one batch on the bus; a lone commit is relayed at once.
    relay_coalesce_seconds: float = Field(default=0.01, ge=0, le=1.0)

    # Publishing reports itself not ready (`/readyz` 503) when the oldest event the relay
    # has yet to publish is older than this, or when no relay pass succeeded for as long
    # (NATS down, the relay stuck): its writes would reach no one.
    relay_max_lag_seconds: float = Field(default=60.0, gt=0)

    # The events stream: a publish repeating a message id within this window is stored
    # once (a relay retrying after a lost acknowledgement); events are kept this long
    # for consumers that were away (search rebuilds from publishing past that).
    nats_duplicate_window_seconds: float = Field(default=120.0, gt=0, le=86_400)
    nats_max_age_seconds: float = Field(default=7 * 86_400.0, gt=0)

    # The scheduler: a background worker that publishes scheduled posts on time; the view
    # counter (who opened an official post) writes the views reads noted, on the same
    # interval and only where the scheduler runs.
    scheduler_enabled: bool = True
    scheduler_interval_seconds: float = Field(default=1.0, gt=0, le=60)
    # Not ready when the scheduler or the view counter completed no pass for this long.
    worker_stale_after_seconds: float = Field(default=60.0, gt=0)

    # Objectives: no value or breakdown cell over fewer people than this (never below 5).
    objectives_privacy_floor: int = Field(default=5, ge=5, le=1000)
    # A dashboard's value and breakdown read the counts of the days not settled yet as
    # kept at most this long ago, recounting them (once, for every group) when older;
    # 0 counts those days from the raw rows at every read.
    objectives_live_seconds: float = Field(default=60.0, ge=0, le=3600)
    # Search queries (kept without who searched, for the search-success indicator) are
    # dropped by the daily rollup once older than this.
    search_queries_retention_days: int = Field(default=90, ge=1, le=731)

    # The Atom feeds of official posts: where their entries link to (the portal), how many
    # entries a poll shows, and how many feed tokens a user may hold at once.
    portal_url: str = "http://127.0.0.1:8100"
    feed_entries: int = Field(default=50, ge=1, le=500)
    feed_tokens_per_user: int = Field(default=10, ge=1, le=100)

    # Images and attachments of posts: where their bytes are kept (`filesystem`, a
    # directory; `s3`, a bucket of an S3-compatible store), how large a file may be, the
    # longest edge an image keeps (larger ones are scaled down) and the most pixels one may
    # declare before it is decoded (a decompression bomb is refused unread).
    media_backend: Literal["filesystem", "s3"] = "filesystem"
    media_dir: Path = DEFAULT_STATE_DIR / "media"
    media_max_bytes: int = Field(default=10_000_000, ge=1_000, le=100_000_000)
    media_per_post: int = Field(default=10, ge=1, le=100)
    image_max_edge: int = Field(default=2048, ge=64, le=10_000)
    image_max_pixels: int = Field(default=50_000_000, ge=10_000, le=500_000_000)
    # The text of an attachment (PDF, DOCX) that search indexes with its post, at most
    # (and 200,000 characters for all of a post's attachments together).
    media_text_max_chars: int = Field(default=50_000, ge=0, le=200_000)
    # The bucket, with `media_backend=s3`: its name, a prefix for its keys, and the
    # endpoint of an S3-compatible store other than AWS (MinIO, Ceph, ...). Credentials
    # come from boto3's own chain (environment, shared files, instance role).
    s3_bucket: str = ""
    s3_prefix: str = "media/"
    s3_endpoint_url: str | None = None
    s3_region: str | None = None

    @model_validator(mode="after")
    def _bucket_named(self) -> PublishingSettings:
        if self.media_backend == "s3" and not self.s3_bucket:
            raise ValueError("TOWNHALL_PUBLISHING_S3_BUCKET is required with media_backend=s3")
        return self
