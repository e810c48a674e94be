"""Comments: add, list, edit, delete, each decided by policy; a spokesperson's official
answer in a social discussion vouches for the revision of the post it answers."""

from __future__ import annotations

import uuid

from sqlmodel import Session

from townhall_contracts.policy import Action, space_domain
from townhall_contracts.readers import PostState, may_read

from ..content import extract_mentions, render_markdown
from ..database import utcnow
from ..policy_gate import PolicyGate
from ..posts import events, vouches
from ..posts.access import find_readable_comment, get_readable_post, space_of
from ..posts.errors import InvalidTransition, NotAuthor
from ..posts.lifecycle import comment_changed
from ..posts.models import DEFAULT_AUTHORITY, Comment, Post, PostKind, PostVersion
from ..posts.repository import CommentRepository, PostRepository
from ..posts.schemas import CommentCreate, CommentUpdate
from ..spaces.errors import SpaceArchived
from .errors import InvalidReply, OfficialAnswerNotAllowed


def add_comment(
    *, session: Session, gate: PolicyGate, author_id: str, post_id: str, request: CommentCreate
) -> Comment:
    """Comment (or reply once) on a post the author may read, where policy allows `comment`;
    a spokesperson's official answer needs `answer.official` and a social discussion."""
    post = get_readable_post(
        session=session, gate=gate, subject=author_id, post_id=post_id, lock=True
    )
    if post.state != PostState.PUBLISHED:
        raise InvalidTransition("Only a published post takes comments.", state=post.state)
    space = space_of(session, post)
    if space.archived_at is not None:
        raise SpaceArchived(f"The space '{space.id}' is archived and takes no new comments.")
    comments = CommentRepository(session)
    parent = None
    if request.parent_id is not None:
        parent = comments.get(request.parent_id)
        if parent is None or parent.post_id != post.id or parent.state != PostState.PUBLISHED:
            raise InvalidReply(
                f"No live comment '{request.parent_id}' on this post to reply to.",
                parent_id=request.parent_id,
            )
        if parent.parent_id is not None:
            raise InvalidReply(
                "Replies go one level deep: reply to the top-level comment instead.",
                parent_id=request.parent_id,
            )
    if request.official and post.kind != PostKind.SOCIAL:
        raise OfficialAnswerNotAllowed("An official answer is given in a social discussion.")
    action = Action.ANSWER_OFFICIAL if request.official else Action.COMMENT
    decision = gate.require(subject=author_id, action=action, domain=space_domain(post.space_id))
    vouches.require_revision(post, request.post_revision)
    now = utcnow()
    comment = Comment(
        id=str(uuid.uuid4()),
        post_id=post.id,
        parent_id=request.parent_id,
        author_id=author_id,
        body=request.body,
        body_html=render_markdown(request.body),
        mentions=extract_mentions(request.body),
        official=request.official,
        authority=(request.authority or DEFAULT_AUTHORITY) if request.official else None,
        state=PostState.PUBLISHED.value,
        readers=list(post.readers),
        post_revision=post.revision,
        version=0,
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
        created_at=now,
        updated_at=now,
    )
    comments.add(comment)
    post.comment_count += 1
    comment_changed(session, comment=comment, post=post, space=space, at=now)
    events.comment_created(session, comment, post, parent=parent)
    return comment


def list_comments(
    *, session: Session, gate: PolicyGate, subject: str, post_id: str
) -> tuple[Post, list[Comment]]:
    """A readable post and its comments that the subject may read (hidden ones only to
    their author and moderators), oldest first."""
    post = get_readable_post(session=session, gate=gate, subject=subject, post_id=post_id)
    principals = gate.principals(subject)
    return post, [
        c for c in CommentRepository(session).of_post(post.id) if may_read(principals, c.readers)
    ]


def edit_comment(
    *,
    session: Session,
    gate: PolicyGate,
    editor: str,
    post_id: str,
    comment_id: str,
    request: CommentUpdate,
) -> Comment:
    """The author edits a live comment; the previous text goes to the version history."""
    post = get_readable_post(session=session, gate=gate, subject=editor, post_id=post_id, lock=True)
    comment = find_readable_comment(
        session=session, gate=gate, subject=editor, post=post, comment_id=comment_id
    )
    if comment.author_id != editor:
        raise NotAuthor(f"Only the author of comment '{comment_id}' may edit it.")
    if comment.state != PostState.PUBLISHED:
        raise InvalidTransition("Only a live comment can be edited.", state=comment.state)
    action = Action.ANSWER_OFFICIAL if comment.official else Action.COMMENT
    decision = gate.require(subject=editor, action=action, domain=space_domain(post.space_id))
    now = utcnow()
    PostRepository(session).add_version(
        PostVersion(
            target_id=comment.id,
            target_type="comment",
            revision=comment.edit_count + 1,
            body=comment.body,
            edited_by=comment.author_id,
            edited_at=comment.updated_at,
        )
    )
    comment.body = request.body
    comment.body_html = render_markdown(request.body)
    comment.mentions = extract_mentions(request.body)
    comment.edit_count += 1
    comment.decision_id = decision.decision_id
    comment.policy_revision = decision.policy_revision
    comment_changed(session, comment=comment, post=post, space=space_of(session, post), at=now)
    return comment


def delete_comment(
    *, session: Session, gate: PolicyGate, author_id: str, post_id: str, comment_id: str
) -> Comment:
    """The author deletes a comment: kept for audit, gone for readers and search."""
    post = get_readable_post(
        session=session, gate=gate, subject=author_id, post_id=post_id, lock=True
    )
    comment = find_readable_comment(
        session=session, gate=gate, subject=author_id, post=post, comment_id=comment_id
    )
    if comment.author_id != author_id:
        raise NotAuthor(f"Only the author of comment '{comment_id}' may delete it.")
    if comment.state == PostState.DELETED:
        raise InvalidTransition("The comment is already deleted.", state=comment.state)
    action = Action.ANSWER_OFFICIAL if comment.official else Action.COMMENT
    decision = gate.require(subject=author_id, action=action, domain=space_domain(post.space_id))
    now = utcnow()
    comment.state = PostState.DELETED.value
    comment.deleted_at = now
    comment.decision_id = decision.decision_id
    comment.policy_revision = decision.policy_revision
    post.comment_count = max(post.comment_count - 1, 0)
    comment_changed(session, comment=comment, post=post, space=space_of(session, post), at=now)
    return comment
