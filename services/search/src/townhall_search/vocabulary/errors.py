"""Errors of the vocabulary endpoints."""

from __future__ import annotations

from townhall_platform.errors import Conflict


class StaleVocabulary(Conflict):
    """The update was written against an older version than the current one."""

    type_slug = "stale-vocabulary"
    title = "The vocabulary changed since it was read"

    @classmethod
    def at(cls, latest: int, asked: int) -> StaleVocabulary:
        return cls(f"The vocabulary is at version {latest}, not {asked}: read it again.")
