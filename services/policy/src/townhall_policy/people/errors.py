"""Errors of the people search."""

from __future__ import annotations

from townhall_platform.errors import Forbidden, TownhallError


class TooManySearches(TownhallError):
    status = 429
    type_slug = "too-many-searches"
    title = "Too many searches"


class NotInDirectory(Forbidden):
    """The caller is no active person of the directory: they look nobody up."""

    type_slug = "not-in-directory"
    title = "Not an active person of the directory"
