"""Posts: what publishing's `/v1/posts` API accepts and answers, and the workflow's steps."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from townhall_platform.params import AwareInstant, PositiveInt

from ..readers import PostState
from .fields import Authority, Reason, SpaceId
from .media import MediaRead

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PostBody = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
GroupId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,126}$")]


class PostKind(StrEnum):
    SOCIAL = "social"
    OFFICIAL = "official"


class PostCreate(BaseModel):
    """A new post: social where policy allows `post.social` (published at once); official
    where it allows `post.official` (a draft, to submit for approval)."""

    model_config = ConfigDict(extra="forbid")

    space_id: Annotated[str, StringConstraints(min_length=1, max_length=63)]
    kind: PostKind
    title: Title
    body: PostBody
    authority: Authority | None = None
    audience_groups: list[GroupId] = Field(default_factory=list, max_length=50)
    audience_spaces: list[SpaceId] = Field(default_factory=list, max_length=50)
    requires_acknowledgement: bool = False
    # When readers must have acknowledged by: reminders are sent before it.
    acknowledge_by: AwareInstant | None = None

    @model_validator(mode="after")
    def _official_only_fields(self) -> PostCreate:
        if self.kind is not PostKind.OFFICIAL:
            if self.authority is not None:
                raise ValueError("only an official post speaks with an authority")
            if self.audience_groups or self.audience_spaces:
                raise ValueError("only an official post chooses an audience")
            if self.requires_acknowledgement:
                raise ValueError("only an official post may require acknowledgement")
        if self.acknowledge_by is not None:
            if not self.requires_acknowledgement:
                raise ValueError("acknowledge_by is given only with requires_acknowledgement")
            if self.acknowledge_by <= datetime.now(UTC):
                raise ValueError("acknowledge_by must be in the future")
        return self


class PostUpdate(BaseModel):
    """An edit by the author; the previous content is kept in the version history."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    body: PostBody | None = None
    # An official draft's (or rejected post's) new audience; `[]` means every reader of
    # the space. A social post has no audience to change.
    audience_groups: list[GroupId] | None = Field(default=None, max_length=50)

    @model_validator(mode="after")
    def _something(self) -> PostUpdate:
        if self.title is None and self.body is None and self.audience_groups is None:
            raise ValueError("give a new title, a new body or a new audience")
        return self


class SubmitRequest(BaseModel):
    """Submit for approval, optionally asking for publication at a time once approved."""

    model_config = ConfigDict(extra="forbid")

    publish_at: AwareInstant | None = None


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class PublishRequest(BaseModel):
    """Publish now (no `at`) or schedule for `at`, a future time with a time zone."""

    model_config = ConfigDict(extra="forbid")

    at: AwareInstant | None = None


class ReasonRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


class VouchRequest(BaseModel):
    """An endorsement or pin of the revision of the text the caller read (`revision`):
    refused with 409 if the post was edited since. Without it, the current revision."""

    model_config = ConfigDict(extra="forbid")

    revision: PositiveInt | None = None


class Vouch(BaseModel):
    """An endorsement or pin: who gave it, when, for which revision of the text, and the
    policy decision that allowed it."""

    by: str
    at: datetime
    revision: int
    decision_id: str | None


class PostRead(BaseModel):
    """A post as readers get it: `body` is the Markdown as written, `body_html` the
    sanitized HTML every client shows."""

    # Publishing builds it from its rows (`requires_ack`); clients read it by its name.
    model_config = ConfigDict(from_attributes=True, validate_by_name=True)

    id: str
    space_id: str
    kind: PostKind
    title: str
    body: str
    body_html: str
    mentions: list[str]
    author_id: str
    state: PostState
    authority: str | None
    audience_groups: list[str]
    audience_spaces: list[str]
    requires_acknowledgement: bool = Field(validation_alias="requires_ack")
    acknowledge_by: datetime | None = None
    # The document's version: grows with every change (search never goes back).
    version: int
    # The revision of the text: 1 as first written, one more per edit by its author.
    revision: int = 1
    edit_count: int
    decision_id: str | None
    policy_revision: int | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    submitted_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    rejected_by: str | None
    rejection_reason: str | None
    scheduled_at: datetime | None
    retracted_by: str | None
    retracted_at: datetime | None
    retraction_reason: str | None
    pinned: bool = False
    pinned_by: str | None
    endorsed_by: str | None
    endorsed_at: datetime | None
    # The current revision's endorsement and pin; an edit by the author ends both (the
    # history keeps them).
    endorsement: Vouch | None = None
    pin: Vouch | None = None
    # The columns `endorsement` and `pin` are built from (not answered as such).
    pinned_at: datetime | None = Field(default=None, exclude=True)
    pinned_revision: int | None = Field(default=None, exclude=True)
    pin_decision_id: str | None = Field(default=None, exclude=True)
    endorsed_revision: int | None = Field(default=None, exclude=True)
    endorsement_decision_id: str | None = Field(default=None, exclude=True)
    hidden_at: datetime | None
    hidden_reason: str | None
    comment_count: int
    reactions: dict[str, int] = Field(default_factory=dict)
    # Whether the caller acknowledged the post: given by the feed, a space's posts and
    # GET /v1/posts/{id}; null in the answers of writes and of the review queue.
    acknowledged: bool | None = None
    # The kinds of reaction the caller gave: given by GET /v1/posts/{id} (so a page can say
    # whether its Like button likes or takes the like back); null elsewhere.
    my_reactions: list[str] | None = None
    # Its images and documents: given by GET /v1/posts/{id} and the answers of its edits;
    # empty in feeds and lists.
    media: list[MediaRead] = Field(default_factory=list)

    @model_validator(mode="after")
    def _vouches(self) -> PostRead:
        self.pinned = self.pinned_by is not None
        if self.endorsement is None and self.endorsed_by and self.endorsed_at:
            self.endorsement = Vouch(
                by=self.endorsed_by,
                at=self.endorsed_at,
                revision=self.endorsed_revision or self.revision,
                decision_id=self.endorsement_decision_id,
            )
        if self.pin is None and self.pinned_by and self.pinned_at:
            self.pin = Vouch(
                by=self.pinned_by,
                at=self.pinned_at,
                revision=self.pinned_revision or self.revision,
                decision_id=self.pin_decision_id,
            )
        return self


class PostStepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    step: str
    actor_id: str
    action: str | None
    decision_id: str | None
    policy_revision: int | None
    note: str | None
    at: datetime
    # The revision of the text the step was taken at.
    revision: int | None = None
    # For a step ending an endorsement or pin (withdrawn, or lapsed with an edit by the
    # author): that endorsement or pin.
    ends: Vouch | None = None


class PostHistory(BaseModel):
    """The post's steps with the decision behind each, and the revision of its text."""

    post_id: str
    steps: list[PostStepRead]


class VersionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    # 1 for the text as first written.
    revision: int
    title: str
    body: str
    edited_by: str
    edited_at: datetime


class VersionList(BaseModel):
    """Past contents, oldest first; `current` is what readers see now."""

    target_id: str
    versions: list[VersionRead]
    current: VersionRead
