"""Posting and commenting: ask policy, then write the change and its outbox event together."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from townhall_contracts.policy import Action, SpaceKind, space_domain
from townhall_contracts.readers import PostState, may_read, post_readers

from ..database import utcnow
from ..outbox.documents import comment_document, post_document
from ..outbox.repository import OutboxRepository
from ..policy_gate import PolicyGate
from ..spaces.errors import SpaceArchived
from ..spaces.service import get_visible_space
from .errors import PostNotFound, WrongKindForSpace
from .models import DEFAULT_AUTHORITY, Comment, Post, PostKind
from .repository import CommentRepository, PostRepository
from .schemas import CommentCreate, PostCreate


def create_post(*, session: Session, gate: PolicyGate, author_id: str, request: PostCreate) -> Post:
    """Publish a post where policy allows it; the post and its outbox event share one commit.

    Social posts need `post.social` in the space, official ones `publish.official`
    (published at once for now; the approval workflow comes later).
    """
    space = get_visible_space(
        session=session, gate=gate, subject=author_id, space_id=request.space_id
    )
    if space.archived_at is not None:
        raise SpaceArchived(f"The space '{space.id}' is archived and takes no new posts.")
    if space.kind == SpaceKind.ANNOUNCEMENT and request.kind is not PostKind.OFFICIAL:
        raise WrongKindForSpace(
            f"The announcement space '{space.id}' accepts only official posts.",
            space_id=space.id,
            space_kind=space.kind,
        )
    action = Action.PUBLISH_OFFICIAL if request.kind is PostKind.OFFICIAL else Action.POST_SOCIAL
    decision = gate.require(subject=author_id, action=action, domain=space_domain(space.id))
    now = utcnow()
    state = PostState.PUBLISHED
    post = Post(
        id=str(uuid.uuid4()),
        space_id=space.id,
        kind=request.kind.value,
        title=request.title,
        body=request.body,
        author_id=author_id,
        state=state.value,
        readers=post_readers(
            space_id=space.id, visibility=space.visibility, state=state, author_id=author_id
        ),
        authority=(
            (request.authority or DEFAULT_AUTHORITY) if request.kind is PostKind.OFFICIAL else None
        ),
        version=1,
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
        created_at=now,
        updated_at=now,
        published_at=now,
    )
    PostRepository(session).add(post)
    OutboxRepository(session).append_upsert(document=post_document(post), version=post.version)
    return post


def get_readable_post(*, session: Session, gate: PolicyGate, subject: str, post_id: str) -> Post:
    """The post if `subject` may read it; otherwise `PostNotFound`, as if it did not exist."""
    post = PostRepository(session).get(post_id)
    if post is None or not may_read(gate.principals(subject), post.readers):
        raise PostNotFound(f"No post '{post_id}'.")
    return post


def add_comment(
    *, session: Session, gate: PolicyGate, author_id: str, post_id: str, request: CommentCreate
) -> Comment:
    """Comment on a post the author may read, where policy allows `comment` in its space."""
    post = get_readable_post(session=session, gate=gate, subject=author_id, post_id=post_id)
    decision = gate.require(
        subject=author_id, action=Action.COMMENT, domain=space_domain(post.space_id)
    )
    now = utcnow()
    comment = Comment(
        id=str(uuid.uuid4()),
        post_id=post.id,
        author_id=author_id,
        body=request.body,
        state=PostState.PUBLISHED.value,
        readers=list(post.readers),
        version=1,
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
        created_at=now,
        updated_at=now,
    )
    CommentRepository(session).add(comment)
    OutboxRepository(session).append_upsert(
        document=comment_document(comment, post), version=comment.version
    )
    return comment
