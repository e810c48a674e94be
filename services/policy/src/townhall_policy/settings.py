"""Settings of the policy service (environment prefix `TOWNHALL_POLICY_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from townhall_platform.settings import DEFAULT_STATE_DIR, ServiceSettings


class PolicySettings(ServiceSettings):
    """The policy service's settings: the shared ones plus how it keeps its view fresh."""

    model_config = SettingsConfigDict(env_prefix="TOWNHALL_POLICY_", extra="ignore")

    port: int = 8101
    database_url: str = f"sqlite:///{DEFAULT_STATE_DIR / 'policy.db'}"
    # How often each instance checks the revision row, so instances sharing a database
    # agree within about a second after a change made through any of them.
    revision_poll_seconds: float = Field(default=0.5, gt=0, le=30)
    # uvicorn worker processes; each is an instance kept in step by the revision poll.
    workers: int = Field(default=1, ge=1, le=64)
