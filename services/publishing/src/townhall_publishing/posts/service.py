"""Posts and comments: create, read, edit, delete, pin, endorse.

Every change asks policy first, then writes the change, the step with its decision,
and the outbox events in the caller's transaction (services never commit).
"""

from __future__ import annotations

import uuid
from collections.abc import Set

from sqlmodel import Session

from townhall_contracts.policy import Action, SpaceKind, space_domain
from townhall_contracts.readers import PostState, may_read
from townhall_platform.errors import DependencyUnavailable, TownhallError

from ..content import extract_mentions, render_markdown
from ..database import utcnow
from ..policy_gate import PolicyGate
from ..spaces.cache import SpaceFactsCache
from ..spaces.errors import SpaceArchived
from ..spaces.models import Space
from ..spaces.repository import SpaceRepository
from ..spaces.service import get_visible_space_facts, space_visible_to
from . import vouches
from .errors import (
    AlreadyDone,
    CommentNotFound,
    InvalidAudience,
    InvalidReply,
    InvalidTransition,
    NotAuthor,
    OfficialAnswerNotAllowed,
    PostNotFound,
    WrongKindForSpace,
)
from .lifecycle import (
    NewPost,
    comment_changed,
    post_changed,
    prepare_new_post,
    record_step,
)
from .models import DEFAULT_AUTHORITY, Comment, Post, PostKind, PostVersion
from .repository import CommentRepository, PostRepository
from .schemas import CommentCreate, CommentUpdate, PostCreate, PostUpdate

# An official post's content is fixed once submitted: edits only before that.
EDITABLE_OFFICIAL = (PostState.DRAFT.value, PostState.REJECTED.value)


def space_of(session: Session, post: Post) -> Space:
    space = SpaceRepository(session).get(post.space_id)
    assert space is not None  # a foreign key guarantees it
    return space


def prepare_post(
    *,
    session: Session,
    gate: PolicyGate,
    author_id: str,
    request: PostCreate,
    spaces: SpaceFactsCache | None = None,
) -> NewPost:
    """A new post, decided and computed but not written: a social post, published at once
    where policy allows `post.social`; or an official draft where it allows
    `post.official`, to go through submission and approval.

    Its request prepares it in a read session, and `write_new_posts` writes it with
    others in a group (`GroupCommit`); if its space changed in between, it is prepared
    again in the writing transaction. Its space's facts may come from `spaces`, since that
    transaction checks them; a refusal is given only on what the space is now."""
    if spaces is not None and spaces.remembers(session, request.space_id):
        try:
            return _prepare_post(session, gate, author_id, request, spaces, fresh=False)
        except DependencyUnavailable:
            raise
        except TownhallError:
            pass  # refused on facts perhaps a moment old: decide on the space as it is
    return _prepare_post(session, gate, author_id, request, spaces, fresh=True)


def _prepare_post(
    session: Session,
    gate: PolicyGate,
    author_id: str,
    request: PostCreate,
    spaces: SpaceFactsCache | None,
    *,
    fresh: bool,
) -> NewPost:
    space = get_visible_space_facts(
        session=session,
        gate=gate,
        subject=author_id,
        space_id=request.space_id,
        remembered=spaces,
        fresh=fresh,
    )
    if space.archived_at is not None:
        raise SpaceArchived(f"The space '{space.id}' is archived and takes no new posts.")
    if space.kind == SpaceKind.ANNOUNCEMENT and request.kind is not PostKind.OFFICIAL:
        raise WrongKindForSpace(
            f"The announcement space '{space.id}' accepts only official posts.",
            space_id=space.id,
            space_kind=space.kind,
        )
    official = request.kind is PostKind.OFFICIAL
    _check_audience(session, gate, author_id, request)
    action = Action.POST_OFFICIAL if official else Action.POST_SOCIAL
    decision = gate.require(subject=author_id, action=action, domain=space_domain(space.id))
    now = utcnow()
    state = PostState.DRAFT if official else PostState.PUBLISHED
    values = {
        "id": str(uuid.uuid4()),
        "space_id": space.id,
        "kind": request.kind.value,
        "title": request.title,
        "body": request.body,
        "body_html": render_markdown(request.body),
        "mentions": extract_mentions(request.body),
        "author_id": author_id,
        "state": state.value,
        "authority": (request.authority or DEFAULT_AUTHORITY) if official else None,
        "audience_groups": sorted(set(request.audience_groups)),
        "audience_spaces": sorted(set(request.audience_spaces)),
        "requires_ack": request.requires_acknowledgement,
        "created_at": now,
        "published_at": None if official else now,
        "published_by": None if official else author_id,
    }
    return prepare_new_post(
        values=values,
        space=space,
        step="draft" if official else "publish",
        actor=author_id,
        at=now,
        decision=decision,
    )


def _check_audience(
    session: Session, gate: PolicyGate, author_id: str, request: PostCreate
) -> None:
    """Each audience space exists and the author may see it: a space she may not see is
    refused as a missing one, so an audience tells nothing of who is in it."""
    if not request.audience_spaces:
        return
    spaces = SpaceRepository(session)
    principals = gate.principals(author_id)
    for space_id in request.audience_spaces:
        space = spaces.get(space_id)
        if (
            space is None
            or space.archived_at is not None
            or not space_visible_to(space, principals)
        ):
            raise InvalidAudience(
                f"The audience space '{space_id}' does not exist.", space_id=space_id
            )


def find_post(session: Session, post_id: str) -> Post:
    post = PostRepository(session).get(post_id) if len(post_id) <= 36 else None
    if post is None:
        raise PostNotFound(f"No post '{post_id}'.")
    return post


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
    in_workflow = post.kind == PostKind.OFFICIAL and post.state in (
        PostState.SUBMITTED.value,
        PostState.APPROVED.value,
        PostState.SCHEDULED.value,
        PostState.REJECTED.value,
    )
    if not in_workflow:
        return False
    domain = space_domain(post.space_id)
    return bool(
        gate.allowed_domains(subject=subject, action=Action.APPROVE_OFFICIAL, domains=[domain])
        or gate.allowed_domains(subject=subject, action=Action.PUBLISH_OFFICIAL, domains=[domain])
    )


def _require_author(post: Post, subject: str, what: str) -> None:
    if post.author_id != subject:
        raise NotAuthor(f"Only the author of post '{post.id}' may {what} it.")


def _creating_action(post: Post) -> Action:
    return Action.POST_OFFICIAL if post.kind == PostKind.OFFICIAL else Action.POST_SOCIAL


def edit_post(
    *, session: Session, gate: PolicyGate, editor: str, post_id: str, request: PostUpdate
) -> Post:
    """The author edits; the previous content goes to the version history."""
    post = get_readable_post(session=session, gate=gate, subject=editor, post_id=post_id, lock=True)
    _require_author(post, editor, "edit")
    if post.kind == PostKind.OFFICIAL and post.state not in EDITABLE_OFFICIAL:
        raise InvalidTransition(
            "An official post is edited only as a draft or after a rejection.", state=post.state
        )
    if post.kind == PostKind.SOCIAL and post.state != PostState.PUBLISHED:
        raise InvalidTransition("Only a live post can be edited.", state=post.state)
    decision = gate.require(
        subject=editor, action=_creating_action(post), domain=space_domain(post.space_id)
    )
    now = utcnow()
    replaced = post.revision
    PostRepository(session).add_version(
        PostVersion(
            target_id=post.id,
            target_type="post",
            revision=replaced,
            title=post.title,
            body=post.body,
            edited_by=post.author_id,
            edited_at=post.updated_at,
        )
    )
    if request.title is not None:
        post.title = request.title
    if request.body is not None:
        post.body = request.body
        post.body_html = render_markdown(request.body)
        post.mentions = extract_mentions(request.body)
    post.edit_count += 1
    post.revision = replaced + 1
    record_step(session, post=post, step="edit", actor=editor, at=now, decision=decision)
    # Nobody vouched for the new text: what vouched for the old one does not carry over.
    answers = vouches.lapse_vouches(session, post=post, actor=editor, at=now, replaced=replaced)
    post_changed(
        session, post=post, space=space_of(session, post), at=now, comments_changed=answers
    )
    return post


def delete_post(*, session: Session, gate: PolicyGate, author_id: str, post_id: str) -> Post:
    """The author deletes: kept for audit, gone for readers and from search."""
    post = get_readable_post(
        session=session, gate=gate, subject=author_id, post_id=post_id, lock=True
    )
    _require_author(post, author_id, "delete")
    if post.state in (PostState.DELETED.value, PostState.RETRACTED.value):
        raise InvalidTransition("The post is already gone.", state=post.state)
    if post.kind == PostKind.OFFICIAL and post.state in (
        PostState.PUBLISHED.value,
        PostState.SCHEDULED.value,
        PostState.HIDDEN.value,
    ):
        raise InvalidTransition(
            "A published or scheduled official post is retracted, not deleted.", state=post.state
        )
    decision = gate.require(
        subject=author_id, action=_creating_action(post), domain=space_domain(post.space_id)
    )
    now = utcnow()
    post.state = PostState.DELETED.value
    post.deleted_at = now
    vouches.clear_pin(post)
    record_step(session, post=post, step="delete", actor=author_id, at=now, decision=decision)
    post_changed(session, post=post, space=space_of(session, post), at=now)
    return post


def set_pinned(
    *,
    session: Session,
    gate: PolicyGate,
    actor: str,
    post_id: str,
    pinned: bool,
    revision: int | None = None,
) -> Post:
    """Pin a published post in its space (owners and communicators), or unpin it.

    A pin holds for the revision of the text it was given at (`revision`, the one the
    actor read, when given: refused if the post was edited since)."""
    post = get_readable_post(session=session, gate=gate, subject=actor, post_id=post_id, lock=True)
    if post.state != PostState.PUBLISHED:
        raise InvalidTransition("Only a published post can be pinned.", state=post.state)
    decision = gate.require(subject=actor, action=Action.PIN, domain=space_domain(post.space_id))
    if pinned == (post.pinned_at is not None):
        raise AlreadyDone("The post is already pinned." if pinned else "The post is not pinned.")
    vouches.require_revision(post, revision)
    now = utcnow()
    ends = None if pinned else PostRepository(session).last_step(post.id, vouches.PIN)
    if pinned:
        vouches.pin(post, actor=actor, at=now, decision=decision)
    else:
        vouches.clear_pin(post)
    record_step(
        session,
        post=post,
        step=vouches.PIN if pinned else "unpin",
        actor=actor,
        at=now,
        decision=decision,
        ends=ends,
    )
    post_changed(session, post=post, space=space_of(session, post), at=now)
    return post


def set_endorsed(
    *,
    session: Session,
    gate: PolicyGate,
    actor: str,
    post_id: str,
    endorsed: bool,
    revision: int | None = None,
) -> Post:
    """A communicator endorses a social post: it stays the author's, marked as endorsed.

    The endorsement holds for the revision of the text it was given at (`revision`, the
    one the actor read, when given: refused if the post was edited since)."""
    post = get_readable_post(session=session, gate=gate, subject=actor, post_id=post_id, lock=True)
    if post.kind != PostKind.SOCIAL:
        raise InvalidTransition("Only a social post is endorsed.", state=post.state)
    if post.state != PostState.PUBLISHED:
        raise InvalidTransition("Only a published post can be endorsed.", state=post.state)
    decision = gate.require(
        subject=actor, action=Action.ENDORSE, domain=space_domain(post.space_id)
    )
    if endorsed == (post.endorsed_by is not None):
        raise AlreadyDone(
            "The post is already endorsed." if endorsed else "The post is not endorsed."
        )
    vouches.require_revision(post, revision)
    now = utcnow()
    ends = None if endorsed else PostRepository(session).last_step(post.id, vouches.ENDORSE)
    if endorsed:
        vouches.endorse(post, actor=actor, at=now, decision=decision)
    else:
        vouches.clear_endorsement(post)
    record_step(
        session,
        post=post,
        step=vouches.ENDORSE if endorsed else "unendorse",
        actor=actor,
        at=now,
        decision=decision,
        ends=ends,
    )
    post_changed(session, post=post, space=space_of(session, post), at=now)
    return post


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
    return comment


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
