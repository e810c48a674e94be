"""Write the demo content directly, with its outbox events, without asking policy.

This is an operator's seed: the policy service seeds its own side (grants, domains).
Ids are derived from stable keys, so running the seed again adds nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from townhall_contracts.demo import SPACES
from townhall_contracts.readers import PostState, post_readers

from ..content import extract_mentions, render_markdown
from ..database import utcnow
from ..outbox.repository import OutboxRepository
from ..posts.documents import comment_document, post_document, readers_of_comment
from ..posts.lifecycle import feed_rank_of
from ..posts.models import Comment, Post
from ..posts.repository import CommentRepository, PostRepository
from ..spaces.models import Space
from ..spaces.repository import SpaceRepository
from .content import COMMENTS, POSTS, SPACE_DESCRIPTIONS

# Seeded ids are uuid5 of a stable key in this namespace.
SEED_NAMESPACE = uuid.UUID("5f1b7c8e-2a4d-4e61-9c3a-7d0f6b2e9a15")


def seed_post_id(key: str) -> str:
    """The stable id of a seeded post."""
    return str(uuid.uuid5(SEED_NAMESPACE, f"post:{key}"))


def seed_comment_id(key: str) -> str:
    """The stable id of a seeded comment."""
    return str(uuid.uuid5(SEED_NAMESPACE, f"comment:{key}"))


@dataclass
class SeedReport:
    spaces_created: int = 0
    spaces_existing: int = 0
    posts_created: int = 0
    posts_existing: int = 0
    comments_created: int = 0
    comments_existing: int = 0


def seed_demo(
    session: Session,
    *,
    progress: Callable[[str], None] = lambda _line: None,
    now: datetime | None = None,
) -> SeedReport:
    """Insert the demo spaces, posts and comments that are missing; report what it did."""
    now = now or utcnow()
    report = SeedReport()
    spaces = _seed_spaces(session, report, now)
    progress(f"spaces: {report.spaces_created} created, {report.spaces_existing} already there")
    posts = _seed_posts(session, report, spaces, now)
    progress(f"posts: {report.posts_created} created, {report.posts_existing} already there")
    _seed_comments(session, report, spaces, posts)
    progress(
        f"comments: {report.comments_created} created, {report.comments_existing} already there"
    )
    return report


def _seed_spaces(session: Session, report: SeedReport, now: datetime) -> dict[str, Space]:
    """The demo spaces by id, those missing added."""
    repository = SpaceRepository(session)
    spaces = {}
    for demo in SPACES:
        space = repository.get(demo.id)
        if space is not None:
            report.spaces_existing += 1
        else:
            space = Space(
                id=demo.id,
                name=demo.name,
                kind=demo.kind,
                visibility=demo.visibility,
                description=SPACE_DESCRIPTIONS.get(demo.id, ""),
                created_by=demo.owner,
                created_at=now - timedelta(days=30),
            )
            repository.add(space)
            report.spaces_created += 1
        spaces[space.id] = space
    return spaces


def _seed_posts(
    session: Session, report: SeedReport, spaces: dict[str, Space], now: datetime
) -> dict[str, Post]:
    """The demo posts by key, those missing added with their outbox events."""
    post_ids = {seed.key: seed_post_id(seed.key) for seed in POSTS}
    existing = set(session.exec(select(Post.id).where(col(Post.id).in_(post_ids.values()))))
    by_key: dict[str, Post] = {}
    posts = PostRepository(session)
    outbox = OutboxRepository(session)
    for index, seed in enumerate(POSTS):
        post_id = post_ids[seed.key]
        if post_id in existing:
            report.posts_existing += 1
            found = posts.get(post_id)
            assert found is not None
            by_key[seed.key] = found
            continue
        # Spread the demo over the last weeks, the first post oldest.
        moment = now - timedelta(hours=6 * (len(POSTS) - index))
        space = spaces[seed.space_id]
        post = Post(
            id=post_id,
            space_id=seed.space_id,
            kind=seed.kind,
            title=seed.title,
            body=seed.body,
            body_html=render_markdown(seed.body),
            mentions=extract_mentions(seed.body),
            author_id=seed.author_id,
            state=PostState.PUBLISHED.value,
            readers=post_readers(
                space_id=seed.space_id,
                visibility=space.visibility,
                state=PostState.PUBLISHED,
                author_id=seed.author_id,
            ),
            authority=seed.authority,
            version=1,
            created_at=moment,
            updated_at=moment,
            published_at=moment,
            published_by=seed.author_id,
        )
        post.feed_rank = feed_rank_of(post)
        posts.add(post)
        outbox.append_upsert(document=post_document(post, space), version=post.version)
        by_key[seed.key] = post
        report.posts_created += 1
    return by_key


def _seed_comments(
    session: Session, report: SeedReport, spaces: dict[str, Space], posts: dict[str, Post]
) -> None:
    """The demo comments that are missing, added with their outbox events."""
    comment_ids = {seed.key: seed_comment_id(seed.key) for seed in COMMENTS}
    existing = set(
        session.exec(select(Comment.id).where(col(Comment.id).in_(comment_ids.values())))
    )
    comments = CommentRepository(session)
    outbox = OutboxRepository(session)
    for position, seed in enumerate(COMMENTS, start=1):
        comment_id = comment_ids[seed.key]
        if comment_id in existing:
            report.comments_existing += 1
            continue
        parent = posts[seed.post_key]
        moment = parent.created_at + timedelta(minutes=17 * position % 300 + 5)
        comment = Comment(
            id=comment_id,
            post_id=parent.id,
            author_id=seed.author_id,
            body=seed.body,
            body_html=render_markdown(seed.body),
            mentions=extract_mentions(seed.body),
            state=PostState.PUBLISHED.value,
            version=1,
            created_at=moment,
            updated_at=moment,
        )
        space = spaces[parent.space_id]
        comment.readers = readers_of_comment(comment, parent, space)
        comments.add(comment)
        parent.comment_count += 1
        outbox.append_upsert(
            document=comment_document(comment, parent, space), version=comment.version
        )
        report.comments_created += 1
