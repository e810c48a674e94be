"""Errors of the public search API."""

from __future__ import annotations

from townhall_platform.errors import BadRequest


class InvalidCursor(BadRequest):
    """The cursor was not issued by this service for this query and caller."""

    type_slug = "invalid-cursor"
    title = "Invalid cursor"


class CursorExpired(BadRequest):
    """The index was rebuilt since the cursor was issued: its snapshot is gone."""

    type_slug = "cursor-expired"
    title = "Cursor expired"


class InvalidDateRange(BadRequest):
    """`from` is after `to`."""

    type_slug = "invalid-date-range"
    title = "Invalid date range"


class UnknownFacet(BadRequest):
    """`facets` names a facet the search does not count."""

    type_slug = "unknown-facet"
    title = "Unknown facet"


class QueryTooComplex(BadRequest):
    """The query holds more words than a search takes."""

    type_slug = "query-too-complex"
    title = "Query too complex"
