"""Errors of access reviews."""

from __future__ import annotations

from townhall_platform.errors import Conflict, NotFound


class ReviewNotFound(NotFound):
    type_slug = "review-not-found"
    title = "Access review not found"


class ReviewItemNotFound(NotFound):
    type_slug = "review-item-not-found"
    title = "Grant not under this review"


class ReviewClosed(Conflict):
    type_slug = "review-closed"
    title = "Access review closed"


class ReviewItemDecided(Conflict):
    type_slug = "review-item-decided"
    title = "Review item already decided"


class ReviewIncomplete(Conflict):
    type_slug = "review-incomplete"
    title = "Access review incomplete"
