"""Settings of the search service (environment prefix `TOWNHALL_SEARCH_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from townhall_platform.settings import (
    DEFAULT_STATE_DIR,
    DEV_PRIVATE_KEY,
    PLACEHOLDER_SECRETS,
    ServiceSettings,
)

DEV_CURSOR_SECRET = "townhall-search-development-cursor-secret"


class SearchSettings(ServiceSettings):
    """Where the index lives, how long principals are trusted, how cursors are signed."""

    model_config = SettingsConfigDict(env_prefix="TOWNHALL_SEARCH_", extra="ignore")

    port: int = 8103
    index_dir: Path = DEFAULT_STATE_DIR / "search-index"
    # Memory of the single index writer; tantivy refuses less than 15 MB per thread.
    writer_heap_bytes: int = Field(default=50_000_000, ge=15_000_000)
    # The design promises a revoked member stops seeing a space within a second.
    principals_cache_seconds: float = Field(default=1.0, ge=0.0, le=1.0)
    # Signs pagination cursors so a client cannot forge or reuse them on another query.
    cursor_secret: SecretStr = SecretStr(DEV_CURSOR_SECRET)
    # Deepest result reachable by paging (like OpenSearch's max_result_window).
    max_result_window: int = Field(default=10_000, ge=100, le=100_000)

    @model_validator(mode="after")
    def _refuse_placeholders_outside_development(self) -> SearchSettings:
        # Replaces the shared check: search keeps no relational database, so it must
        # not demand a PostgreSQL URL, but every other production rule still applies.
        if self.is_development:
            return self
        if not self.jwks_url:
            raise ValueError("jwks_url is required outside development")
        if self.signing_key_file.resolve() == DEV_PRIVATE_KEY.resolve():
            raise ValueError("the development signing key must not be used outside development")
        token = self.service_token.get_secret_value() if self.service_token else ""
        if token.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError("service_token is missing or a placeholder")
        secret = self.cursor_secret.get_secret_value()
        if secret.strip().lower() in PLACEHOLDER_SECRETS or secret == DEV_CURSOR_SECRET:
            raise ValueError("cursor_secret is missing or a placeholder")
        return self
