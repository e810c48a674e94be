"""What every step on a post needs of it: find it, check its reader may read it, its space.

Posts, engagement, the workflow and moderation build on these; this module imports none
of them.
"""

from __future__ import annotations

from collections.abc import Set

from sqlmodel import Session

from townhall_contracts.policy import Action, space_domain
from townhall_contracts.readers import PostState, may_read

from ..policy_gate import PolicyGate
from ..spaces.models import Space
from ..spaces.repository import SpaceRepository
from .errors import CommentNotFound, PostNotFound
from .models import Comment, Post, PostKind
from .repository import CommentRepository, PostRepository

# Official posts that reviewers read before they are published.
_IN_WORKFLOW = (
    PostState.SUBMITTED.value,
    PostState.APPROVED.value,
    PostState.SCHEDULED.value,
    PostState.REJECTED.value,
)


def find_post(session: Session, post_id: str) -> Post:
    post = PostRepository(session).get(post_id) if len(post_id) <= 36 else None
    if post is None:
        raise PostNotFound(f"No post '{post_id}'.")
    return post


def space_of(session: Session, post: Post) -> Space:
    space = SpaceRepository(session).get(post.space_id)
    assert space is not None  # a foreign key guarantees it
    return space


def get_readable_post(
    *, session: Session, gate: PolicyGate, subject: str, post_id: str, lock: bool = False
) -> Post:
    """The post if `subject` may read it; otherwise `PostNotFound`, as if it did not exist.

    Communications staff also see official posts in the workflow (to review them).
    """
    post = find_post(session, post_id)
    principals = gate.principals(subject)
    if not readable(gate, subject, principals, post):
        raise PostNotFound(f"No post '{post_id}'.")
    if lock:
        locked = PostRepository(session).get_for_update(post_id)
        assert locked is not None
        return locked
    return post


def readable(gate: PolicyGate, subject: str, principals: Set[str], post: Post) -> bool:
    """The readers rule, plus reviewers of official posts waiting in the workflow."""
    if may_read(principals, post.readers):
        return True
    if post.kind != PostKind.OFFICIAL or post.state not in _IN_WORKFLOW:
        return False
    domain = space_domain(post.space_id)
    return bool(
        gate.allowed_domains(subject=subject, action=Action.APPROVE_OFFICIAL, domains=[domain])
        or gate.allowed_domains(subject=subject, action=Action.PUBLISH_OFFICIAL, domains=[domain])
    )


def find_comment(session: Session, post: Post, comment_id: str) -> Comment:
    comment = CommentRepository(session).get(comment_id) if len(comment_id) <= 36 else None
    if comment is None or comment.post_id != post.id:
        raise CommentNotFound(f"No comment '{comment_id}' on post '{post.id}'.")
    return comment


def find_readable_comment(
    *, session: Session, gate: PolicyGate, subject: str, post: Post, comment_id: str
) -> Comment:
    """The comment if `subject` may read it; otherwise `CommentNotFound`, as if it did not
    exist (a hidden or deleted comment of someone else is no one's business)."""
    comment = find_comment(session, post, comment_id)
    if not may_read(gate.principals(subject), comment.readers):
        raise CommentNotFound(f"No comment '{comment_id}' on post '{post.id}'.")
    return comment
