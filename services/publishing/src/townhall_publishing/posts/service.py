"""Posts: create, edit, delete, pin, endorse.

Every change asks policy first, then writes the change, the step with its decision,
and the outbox events in the caller's transaction (services never commit).
"""

from __future__ import annotations

import uuid

from sqlmodel import Session

from townhall_contracts.policy import Action, Decision, SpaceKind, space_domain
from townhall_contracts.readers import PostState

from ..content import extract_mentions, render_markdown
from ..database import utcnow
from ..outbox.repository import OutboxRepository
from ..policy_gate import PolicyGate
from ..spaces.errors import SpaceArchived
from ..spaces.repository import SpaceRepository
from ..spaces.service import get_visible_space, space_visible_to
from . import events, vouches
from .access import get_readable_post, space_of
from .documents import post_document, readers_of_post
from .errors import InvalidAudience, InvalidTransition, NotAuthor, WrongKindForSpace
from .lifecycle import feed_rank_of, post_changed, record_step
from .models import DEFAULT_AUTHORITY, Post, PostKind, PostStep, PostVersion
from .repository import PostRepository
from .schemas import PostCreate, PostUpdate

# An official post's content is fixed once submitted: edits only before that.
EDITABLE_OFFICIAL = (PostState.DRAFT.value, PostState.REJECTED.value)


def create_post(*, session: Session, gate: PolicyGate, author_id: str, request: PostCreate) -> Post:
    """A social post, published at once where policy allows `post.social`; or an official
    draft where it allows `post.official`, to go through submission and approval."""
    space = get_visible_space(
        session=session, gate=gate, subject=author_id, space_id=request.space_id
    )
    if space.archived_at is not None:
        raise SpaceArchived(f"The space '{space.id}' is archived and takes no new posts.")
    official = request.kind is PostKind.OFFICIAL
    if space.kind == SpaceKind.ANNOUNCEMENT and not official:
        raise WrongKindForSpace(
            f"The announcement space '{space.id}' accepts only official posts.",
            space_id=space.id,
            space_kind=space.kind,
        )
    _check_audience(session, gate, author_id, request)
    action = Action.POST_OFFICIAL if official else Action.POST_SOCIAL
    decision = gate.require(subject=author_id, action=action, domain=space_domain(space.id))
    now = utcnow()
    post = Post(
        id=str(uuid.uuid4()),
        space_id=space.id,
        kind=request.kind.value,
        title=request.title,
        body=request.body,
        body_html=render_markdown(request.body),
        mentions=extract_mentions(request.body),
        author_id=author_id,
        state=(PostState.DRAFT if official else PostState.PUBLISHED).value,
        authority=(request.authority or DEFAULT_AUTHORITY) if official else None,
        audience_groups=sorted(set(request.audience_groups)),
        audience_spaces=sorted(set(request.audience_spaces)),
        requires_ack=request.requires_acknowledgement,
        acknowledge_by=request.acknowledge_by,
        created_at=now,
        updated_at=now,
        published_at=None if official else now,
        published_by=None if official else author_id,
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
    )
    post.feed_rank = feed_rank_of(post)
    post.readers = readers_of_post(post, space)
    first_step = PostStep(
        post_id=post.id,
        step="draft" if official else "publish",
        actor_id=author_id,
        action=decision.action,
        decision_id=decision.decision_id,
        policy_revision=decision.policy_revision,
        at=now,
        revision=post.revision,
    )
    PostRepository(session).add(post, first_step)
    OutboxRepository(session).append_upsert(
        document=post_document(post, space), version=post.version
    )
    if not official:
        events.post_published(session, post)
    return post


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


def _require_author(post: Post, subject: str, what: str) -> None:
    if post.author_id != subject:
        raise NotAuthor(f"Only the author of post '{post.id}' may {what} it.")


def _creating_action(post: Post) -> Action:
    return Action.POST_OFFICIAL if post.kind == PostKind.OFFICIAL else Action.POST_SOCIAL


def require_editable(gate: PolicyGate, post: Post, editor: str) -> Decision:
    """Policy's decision that `editor` may change the post's content now (its text or its
    attachments): only its author, in a state that takes edits, as policy still allows."""
    _require_author(post, editor, "edit")
    if post.kind == PostKind.OFFICIAL and post.state not in EDITABLE_OFFICIAL:
        raise InvalidTransition(
            "An official post is edited only as a draft or after a rejection.", state=post.state
        )
    if post.kind == PostKind.SOCIAL and post.state != PostState.PUBLISHED:
        raise InvalidTransition("Only a live post can be edited.", state=post.state)
    return gate.require(
        subject=editor, action=_creating_action(post), domain=space_domain(post.space_id)
    )


def edit_post(
    *, session: Session, gate: PolicyGate, editor: str, post_id: str, request: PostUpdate
) -> Post:
    """The author edits; the previous content goes to the version history."""
    post = get_readable_post(session=session, gate=gate, subject=editor, post_id=post_id, lock=True)
    decision = require_editable(gate, post, editor)
    if request.audience_groups is not None and post.kind != PostKind.OFFICIAL:
        raise InvalidAudience("Only an official post chooses an audience.")
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
    if request.audience_groups is not None:
        # The readers follow in `post_changed`, as they do for a state change.
        post.audience_groups = sorted(set(request.audience_groups))
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
    now = utcnow()
    vouches.set_vouch(
        session,
        post=post,
        vouch=vouches.PINNED,
        on=pinned,
        actor=actor,
        at=now,
        decision=decision,
        revision=revision,
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
    now = utcnow()
    vouches.set_vouch(
        session,
        post=post,
        vouch=vouches.ENDORSED,
        on=endorsed,
        actor=actor,
        at=now,
        decision=decision,
        revision=revision,
    )
    post_changed(session, post=post, space=space_of(session, post), at=now)
    if endorsed:
        events.post_endorsed(session, post, by=actor)
    return post
