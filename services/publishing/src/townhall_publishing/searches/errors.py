"""Errors of the kept search queries, each with a stable problem type."""

from __future__ import annotations

from townhall_platform.errors import NotFound


class SearchNotFound(NotFound):
    """No such search: never reported, or dropped after the retention period."""

    type_slug = "search-not-found"
    title = "Search not found"
