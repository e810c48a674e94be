"""The progress of a rebuild, as the admin endpoint and the CLI show it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel


class ReindexState(StrEnum):
    IDLE = "idle"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ReindexStatus(BaseModel):
    state: ReindexState
    backend: str
    processed: int = 0
    total: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    error: str | None = None
    # Why it runs: `requested` (the admin endpoint, the CLI) or what search found wrong.
    reason: str | None = None
