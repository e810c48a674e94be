"""Errors of the rebuild."""

from __future__ import annotations

from townhall_platform.errors import Conflict, DependencyUnavailable


class ReindexAlreadyRunning(Conflict):
    """Only one rebuild runs at a time."""

    type_slug = "reindex-running"
    title = "A reindex is already running"


class ReindexCannotStart(DependencyUnavailable):
    """The index could not take a new one beside it (the cluster did not answer)."""

    type_slug = "reindex-cannot-start"
    title = "The reindex could not start"
