"""Errors of the rebuild."""

from __future__ import annotations

from townhall_platform.errors import Conflict


class ReindexAlreadyRunning(Conflict):
    """Only one rebuild runs at a time."""

    type_slug = "reindex-running"
    title = "A reindex is already running"
