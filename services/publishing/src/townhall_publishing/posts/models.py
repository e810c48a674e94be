"""The tables of posts and what hangs on them: readers, comments, versions, steps,
reactions, acknowledgements and first views."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlmodel import Field, col

from townhall_contracts.publishing.engagement import ReactionKind as ReactionKind
from townhall_contracts.publishing.posts import PostKind as PostKind
from townhall_platform.db import UTCDateTime

from ..database import PublishingModel, no_strings, utcnow

# The authority an official post speaks with when its author names none.
DEFAULT_AUTHORITY = "Direction de la communication"

_STATES = "'draft', 'submitted', 'approved', 'rejected', 'scheduled', 'published', " + (
    "'hidden', 'retracted', 'deleted'"
)


class FeedRank:
    """Where a post sorts in feeds: pinned first, then official, then social."""

    PINNED = 0
    OFFICIAL = 1
    SOCIAL = 2


def _false() -> Column[bool]:
    return Column(Boolean(), nullable=False, default=False, server_default="0")


def _json_list() -> Column[list[str]]:
    return Column(JSON, nullable=False, default=list)


def _moment() -> Column[datetime]:
    return Column(UTCDateTime())


class Post(PublishingModel, table=True):
    """A social or official post; `readers` is the readers rule's answer for its state."""

    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint("kind IN ('social', 'official')", name="ck_posts_kind"),
        CheckConstraint(f"state IN ({_STATES})", name="ck_posts_state"),
        CheckConstraint("version >= 1", name="ck_posts_version"),
        Index("ix_posts_space_id", "space_id"),
        Index("ix_posts_scheduled", "state", "scheduled_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    space_id: str = Field(sa_column=Column(String(63), ForeignKey("spaces.id"), nullable=False))
    kind: str = Field(max_length=16)
    title: str = Field(max_length=200)
    body: str
    author_id: str = Field(max_length=128)
    state: str = Field(max_length=16)
    readers: list[str] = Field(default_factory=no_strings, sa_column=Column(JSON, nullable=False))
    authority: str | None = Field(default=None, max_length=200)
    audience_groups: list[str] = Field(
        default_factory=no_strings, sa_column=Column(JSON, nullable=False)
    )
    # Grows with every change; search never lets a document's version go backwards.
    version: int = 1
    decision_id: str | None = Field(default=None, max_length=64)
    policy_revision: int | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))

    # Rendered, sanitized HTML of `body`, and the subjects it mentions.
    body_html: str = Field(default="", sa_column=Column(Text(), nullable=False, server_default=""))
    mentions: list[str] = Field(default_factory=no_strings, sa_column=_json_list())
    # An official audience narrowed to chosen spaces (with or instead of groups).
    audience_spaces: list[str] = Field(default_factory=no_strings, sa_column=_json_list())
    requires_ack: bool = Field(default=False, sa_column=_false())
    # When readers must have acknowledged by (official posts requiring acknowledgement).
    acknowledge_by: datetime | None = Field(default=None, sa_column=_moment())
    feed_rank: int = Field(default=FeedRank.SOCIAL)
    # Edits of the body or title (the history is in `post_versions`).
    edit_count: int = 0
    # The revision of the text: 1 as first written, one more per edit by its author. An
    # endorsement, a pin and an official answer vouch for one revision (`posts.vouches`).
    revision: int = Field(
        default=1, sa_column=Column(Integer(), nullable=False, server_default="1")
    )
    # The official workflow.
    submitted_at: datetime | None = Field(default=None, sa_column=_moment())
    approved_by: str | None = Field(default=None, max_length=128)
    approved_at: datetime | None = Field(default=None, sa_column=_moment())
    rejected_by: str | None = Field(default=None, max_length=128)
    rejection_reason: str | None = Field(default=None, max_length=2000)
    scheduled_at: datetime | None = Field(default=None, sa_column=_moment())
    published_by: str | None = Field(default=None, max_length=128)
    retracted_by: str | None = Field(default=None, max_length=128)
    retracted_at: datetime | None = Field(default=None, sa_column=_moment())
    retraction_reason: str | None = Field(default=None, max_length=2000)
    # The official voice inside discussions.
    pinned_by: str | None = Field(default=None, max_length=128)
    pinned_at: datetime | None = Field(default=None, sa_column=_moment())
    pinned_revision: int | None = None
    pin_decision_id: str | None = Field(default=None, max_length=64)
    endorsed_by: str | None = Field(default=None, max_length=128)
    endorsed_at: datetime | None = Field(default=None, sa_column=_moment())
    endorsed_revision: int | None = None
    endorsement_decision_id: str | None = Field(default=None, max_length=64)
    # Moderation and deletion.
    hidden_by: str | None = Field(default=None, max_length=128)
    hidden_at: datetime | None = Field(default=None, sa_column=_moment())
    hidden_reason: str | None = Field(default=None, max_length=2000)
    deleted_at: datetime | None = Field(default=None, sa_column=_moment())
    comment_count: int = 0


# Feeds walk these in order (rank, then newest) and stop after a page; the state is
# checked on the way (see the feed query), so it is not part of them.
Index(
    "ix_posts_feed",
    col(Post.feed_rank),
    col(Post.published_at).desc(),
    col(Post.id).desc(),
)
Index(
    "ix_posts_space_feed",
    col(Post.space_id),
    col(Post.feed_rank),
    col(Post.published_at).desc(),
    col(Post.id).desc(),
)


class PostReader(PublishingModel, table=True):
    """One principal among a post's readers, so that feeds filter inside the query.

    The post's `readers` column stays the list sent to search; these rows mirror it and
    are rewritten together with it.
    """

    __tablename__ = "post_readers"
    __table_args__ = (Index("ix_post_readers_principal", "principal", "post_id"),)

    post_id: str = Field(
        sa_column=Column(String(36), ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    )
    principal: str = Field(primary_key=True, max_length=200)


class Comment(PublishingModel, table=True):
    """A comment on a post; it is read by whoever may read the post."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint(f"state IN ({_STATES})", name="ck_comments_state"),
        CheckConstraint("version >= 1", name="ck_comments_version"),
        Index("ix_comments_post_id", "post_id", "created_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    post_id: str = Field(sa_column=Column(String(36), ForeignKey("posts.id"), nullable=False))
    author_id: str = Field(max_length=128)
    body: str
    state: str = Field(max_length=16)
    readers: list[str] = Field(default_factory=no_strings, sa_column=Column(JSON, nullable=False))
    version: int = 1
    decision_id: str | None = Field(default=None, max_length=64)
    policy_revision: int | None = None
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    updated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    # A reply's top-level comment (one level of replies only).
    parent_id: str | None = Field(
        default=None, sa_column=Column(String(36), ForeignKey("comments.id"), nullable=True)
    )
    body_html: str = Field(default="", sa_column=Column(Text(), nullable=False, server_default=""))
    mentions: list[str] = Field(default_factory=no_strings, sa_column=_json_list())
    # An official answer by a spokesperson, labelled with the authority it speaks for.
    official: bool = Field(default=False, sa_column=_false())
    authority: str | None = Field(default=None, max_length=200)
    # The revision of the post's text this comment was written under: an official answer
    # vouches for that revision only.
    post_revision: int = Field(
        default=1, sa_column=Column(Integer(), nullable=False, server_default="1")
    )
    edit_count: int = 0
    hidden_by: str | None = Field(default=None, max_length=128)
    hidden_at: datetime | None = Field(default=None, sa_column=_moment())
    hidden_reason: str | None = Field(default=None, max_length=2000)
    deleted_at: datetime | None = Field(default=None, sa_column=_moment())


class PostVersion(PublishingModel, table=True):
    """One past content of a post or comment: what it said before an edit."""

    __tablename__ = "content_versions"
    __table_args__ = (Index("ix_content_versions_target", "target_id", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    target_id: str = Field(max_length=36)
    target_type: str = Field(max_length=16)
    revision: int
    title: str = Field(default="", max_length=200)
    body: str = Field(sa_column=Column(Text(), nullable=False))
    edited_by: str = Field(max_length=128)
    edited_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class PostStep(PublishingModel, table=True):
    """A step of a post's life and the policy decision that allowed it."""

    __tablename__ = "post_steps"
    __table_args__ = (Index("ix_post_steps_post_id", "post_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    post_id: str = Field(sa_column=Column(String(36), ForeignKey("posts.id"), nullable=False))
    step: str = Field(max_length=32)
    actor_id: str = Field(max_length=128)
    action: str | None = Field(default=None, max_length=64)
    decision_id: str | None = Field(default=None, max_length=64)
    policy_revision: int | None = None
    note: str | None = Field(default=None, max_length=2000)
    at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # The revision of the post's text when the step was taken.
    revision: int | None = None
    # The endorsement or pin this step ends (withdrawn, or lapsed with an edit).
    ends_step_id: int | None = Field(
        default=None, sa_column=Column(Integer(), ForeignKey("post_steps.id"), nullable=True)
    )


class Reaction(PublishingModel, table=True):
    """One reaction of one user of one kind on a post: the primary key makes it unique."""

    __tablename__ = "reactions"

    post_id: str = Field(
        sa_column=Column(String(36), ForeignKey("posts.id"), primary_key=True, nullable=False)
    )
    user_id: str = Field(primary_key=True, max_length=128)
    kind: str = Field(primary_key=True, max_length=16)
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    decision_id: str | None = Field(default=None, max_length=64)
    policy_revision: int | None = None


class Acknowledgement(PublishingModel, table=True):
    """A reader acknowledged an official post; once per reader and post."""

    __tablename__ = "acknowledgements"
    __table_args__ = (Index("ix_acknowledgements_at", "acknowledged_at"),)

    post_id: str = Field(
        sa_column=Column(String(36), ForeignKey("posts.id"), primary_key=True, nullable=False)
    )
    user_id: str = Field(primary_key=True, max_length=128)
    acknowledged_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    decision_id: str | None = Field(default=None, max_length=64)
    policy_revision: int | None = None


class PostView(PublishingModel, table=True):
    """The first time a user opened an official post: the readers of its reach."""

    __tablename__ = "post_views"

    post_id: str = Field(
        sa_column=Column(String(36), ForeignKey("posts.id"), primary_key=True, nullable=False)
    )
    user_id: str = Field(primary_key=True, max_length=128)
    first_viewed_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class PostMedia(PublishingModel, table=True):
    """An image or a document attached to a post; its bytes are in the media store under
    `storage_key`. Read by whoever may read the post. A removed one is kept, as a deleted
    post is, for the record (`deleted_at`)."""

    __tablename__ = "post_media"
    __table_args__ = (
        CheckConstraint("kind IN ('image', 'document')", name="ck_post_media_kind"),
        Index("ix_post_media_post_id", "post_id", "created_at"),
    )

    id: str = Field(primary_key=True, max_length=36)
    post_id: str = Field(sa_column=Column(String(36), ForeignKey("posts.id"), nullable=False))
    owner_id: str = Field(max_length=128)
    kind: str = Field(max_length=16)
    # Detected from the bytes, never from the name or the client's word.
    content_type: str = Field(max_length=128)
    filename: str = Field(max_length=200)
    description: str = Field(default="", max_length=500)
    size: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=300)
    width: int | None = None
    height: int | None = None
    # What search indexes with the post (PDF and DOCX), bounded by the settings.
    text: str = Field(default="", sa_column=Column(Text(), nullable=False, server_default=""))
    created_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    deleted_at: datetime | None = Field(default=None, sa_column=_moment())
