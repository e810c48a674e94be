"""The portal's pages, one module per group of pages."""

from fastapi import APIRouter

from . import (
    auth,
    compliance,
    editing,
    feeds,
    grants,
    inbox,
    indicators,
    media,
    moderation,
    objectives,
    official,
    official_compose,
    people,
    posts,
    reading,
    search,
    spaces,
    vocabulary,
)

ROUTERS: list[APIRouter] = [
    auth.router,
    reading.router,
    spaces.router,
    # Before `posts` and `official`: their `/{post_id}/{action}` would take these paths.
    editing.router,
    media.router,
    posts.router,
    search.router,
    official_compose.router,
    official.router,
    indicators.router,
    objectives.router,
    moderation.router,
    compliance.router,
    grants.router,
    inbox.router,
    feeds.router,
    people.router,
    vocabulary.router,
]
