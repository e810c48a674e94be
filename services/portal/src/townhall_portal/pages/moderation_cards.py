"""What a moderator needs on a report's card: the post's title and author, the text that
was reported, and what moderators already did to that post."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from townhall_clients import UnexpectedResponse
from townhall_contracts.publishing.moderation import ModerationActionRead, ReportRead
from townhall_contracts.publishing.posts import PostRead

from ..web import ClientsDep, Viewer

EXCERPT = 280  # characters of the reported text on a card


@dataclass(frozen=True)
class Card:
    report: ReportRead
    # None when the post is no longer readable (deleted since it was reported).
    title: str | None
    author_id: str | None
    excerpt: str
    history: list[ModerationActionRead] = field(default_factory=list)


def excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[: EXCERPT - 1] + "…"


def _post(clients: ClientsDep, viewer: Viewer, post_id: str) -> PostRead | None:
    try:
        return clients.publishing.post(post_id, user_token=viewer.token)
    except UnexpectedResponse as exc:
        if exc.status_code != 404:
            raise
        return None


def _reported_text(
    clients: ClientsDep, viewer: Viewer, report: ReportRead, post: PostRead
) -> tuple[str | None, str]:
    """The author and the text of what was reported: the post, or one of its comments."""
    if report.comment_id is None:
        return post.author_id, post.body
    for comment in clients.publishing.comments(post.id, user_token=viewer.token):
        if comment.id == report.comment_id:
            return comment.author_id, comment.body
    return None, ""


def cards(clients: ClientsDep, viewer: Viewer, reports: Sequence[ReportRead]) -> list[Card]:
    """One card per report; each post is fetched once, however many reports it has."""
    posts: dict[str, PostRead | None] = {}
    histories: dict[str, list[ModerationActionRead]] = {}
    result = []
    for report in reports:
        if report.post_id not in posts:
            posts[report.post_id] = _post(clients, viewer, report.post_id)
            histories[report.post_id] = clients.publishing.moderation_history(
                report.post_id, user_token=viewer.token
            )
        post = posts[report.post_id]
        if post is None:
            result.append(Card(report, None, None, "", histories[report.post_id]))
            continue
        author, text = _reported_text(clients, viewer, report, post)
        result.append(Card(report, post.title, author, excerpt(text), histories[report.post_id]))
    return result
