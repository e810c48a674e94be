"""Publishing's events on the bus: one versioned envelope, one subject per aggregate and type.

Publishing writes each event in its outbox, in the transaction of the change; the relay
publishes it to NATS JetStream on `subject_for(event)` with `message_id(event)` as the
`Nats-Msg-Id` header, so that a retried publish is deduplicated by the server. Consumers
(search's indexer, notifications, any later one) read the stream with durable consumers
and must be idempotent: the same event can arrive twice.

Adding an event type: a value of `EventType`, its data model, one line in `_DATA`, and
`SCHEMA_VERSION` stays unless an existing model changes incompatibly.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from townhall_platform.params import Instant, NonNegativeInt

from .search import IndexDocument

# Bumped when an existing event's data changes incompatibly; consumers refuse newer ones.
SCHEMA_VERSION = 1
STREAM = "TOWNHALL_PUBLISHING"
SUBJECT_PREFIX = "townhall.publishing"
# What the stream holds: every subject `subject_for` gives.
STREAM_SUBJECTS = [f"{SUBJECT_PREFIX}.>"]
# The subjects of the search document events (search's indexer consumes these).
DOCUMENT_SUBJECTS = [f"{SUBJECT_PREFIX}.document.>"]
# Poison messages go there after `max_deliver` attempts, with the original subject in a header.
DEAD_LETTER_SUBJECT = "townhall.deadletter.publishing"


class EventType(StrEnum):
    # The search projection of a post or comment changed (or it went): search applies it.
    DOCUMENT_UPSERTED = "document.upserted"
    DOCUMENT_DELETED = "document.deleted"
    # What people are told about.
    POST_PUBLISHED = "post.published"
    POST_SUBMITTED = "post.submitted"
    # Its author took a submission back to a draft: the approvers asked need not look.
    POST_WITHDRAWN = "post.withdrawn"
    POST_APPROVED = "post.approved"
    POST_REJECTED = "post.rejected"
    POST_ENDORSED = "post.endorsed"
    POST_ACKNOWLEDGED = "post.acknowledged"
    COMMENT_CREATED = "comment.created"
    REPORT_CREATED = "report.created"
    # An objective's periodic report to its owner (weekly or monthly, its cadence).
    OBJECTIVE_REPORTED = "objective.reported"


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentUpserted(_Data):
    """A post's or comment's search document now has `version`."""

    doc_id: str
    version: NonNegativeInt
    document: IndexDocument


class DocumentDeleted(_Data):
    doc_id: str
    version: NonNegativeInt


class PostPublished(_Data):
    """A post became visible to its readers (an official post's audience, a space's members)."""

    post_id: str
    space_id: str
    kind: str
    author_id: str
    title: str
    summary: str
    authority: str | None = None
    audience_groups: list[str] = Field(default_factory=list)
    audience_spaces: list[str] = Field(default_factory=list)
    requires_acknowledgement: bool = False
    acknowledge_by: Instant | None = None
    mentions: list[str] = Field(default_factory=list)


class PostSubmitted(_Data):
    """An official post awaits approval in `space_id`."""

    post_id: str
    space_id: str
    author_id: str
    title: str


class PostWithdrawn(_Data):
    """The author of `post_id` withdrew it from approval (it is a draft again)."""

    post_id: str
    space_id: str
    author_id: str
    title: str


class PostDecided(_Data):
    """An approver approved or rejected a post (`reason` for a rejection)."""

    post_id: str
    space_id: str
    author_id: str
    title: str
    by: str
    reason: str | None = None


class PostEndorsed(_Data):
    post_id: str
    space_id: str
    author_id: str
    title: str
    by: str


class PostAcknowledged(_Data):
    post_id: str
    user_id: str


class CommentCreated(_Data):
    """A comment on `post_id`; `parent_author_id` when it replies to another comment."""

    comment_id: str
    post_id: str
    space_id: str
    post_author_id: str
    author_id: str
    parent_author_id: str | None = None
    official_answer: bool = False
    excerpt: str = ""
    mentions: list[str] = Field(default_factory=list)


class ReportCreated(_Data):
    report_id: str
    post_id: str
    space_id: str
    reporter_id: str


class ObjectiveReported(_Data):
    """Where an objective stands, for its owner: today's value against the path and the
    target, and the value a cadence ago (none when not measured or under the floor)."""

    objective_id: str
    name: str
    owner_id: str
    unit: str
    value: float | None
    previous_value: float | None
    expected: float | None
    target: float
    status: str
    day: date
    ends_on: date


_DATA: dict[EventType, type[_Data]] = {
    EventType.DOCUMENT_UPSERTED: DocumentUpserted,
    EventType.DOCUMENT_DELETED: DocumentDeleted,
    EventType.POST_PUBLISHED: PostPublished,
    EventType.POST_SUBMITTED: PostSubmitted,
    EventType.POST_WITHDRAWN: PostWithdrawn,
    EventType.POST_APPROVED: PostDecided,
    EventType.POST_REJECTED: PostDecided,
    EventType.POST_ENDORSED: PostEndorsed,
    EventType.POST_ACKNOWLEDGED: PostAcknowledged,
    EventType.COMMENT_CREATED: CommentCreated,
    EventType.REPORT_CREATED: ReportCreated,
    EventType.OBJECTIVE_REPORTED: ObjectiveReported,
}


class Event(BaseModel):
    """The envelope of every event; `id` is publishing's outbox id (order and dedup key)."""

    model_config = ConfigDict(extra="forbid")

    schema_version: int = SCHEMA_VERSION
    id: NonNegativeInt
    type: EventType
    occurred_at: Instant
    data: dict[str, Any]

    def parsed(self) -> _Data:
        """The data as its typed model; `ValueError` when it does not match its type."""
        return _DATA[self.type].model_validate(self.data)


def aggregate_of(event_type: EventType) -> str:
    return event_type.value.split(".", 1)[0]


def subject_for(event: Event) -> str:
    """`townhall.publishing.<aggregate>.<what>`, e.g. `townhall.publishing.post.published`."""
    return f"{SUBJECT_PREFIX}.{event.type.value}"


def message_id(event: Event) -> str:
    """The JetStream deduplication key: one per outbox event."""
    return f"publishing-{event.id}"
