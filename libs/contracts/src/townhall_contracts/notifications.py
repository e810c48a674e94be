"""The notifications service's public schemas: the inbox, preferences, event ingestion.

The portal's inbox page and header badge read `Inbox` (`GET /v1/inbox`) and
`UnreadCount` (`GET /v1/inbox/unread`); the preferences page reads and writes
`Preferences` (`GET|PUT /v1/preferences`), where `mandatory` says which kinds may not
be switched off and why.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from townhall_platform.params import NonNegativeInt

from .events import Event


class NotificationKind(StrEnum):
    OFFICIAL_POST = "official_post"
    ACKNOWLEDGEMENT_DUE = "acknowledgement_due"
    ACKNOWLEDGEMENT_REMINDER = "acknowledgement_reminder"
    MENTION = "mention"
    REPLY = "reply"
    OFFICIAL_ANSWER = "official_answer"
    ENDORSEMENT = "endorsement"
    APPROVAL_REQUESTED = "approval_requested"
    SUBMISSION_WITHDRAWN = "submission_withdrawn"
    POST_APPROVED = "post_approved"
    POST_REJECTED = "post_rejected"
    POST_PUBLISHED = "post_published"
    REPORT_CREATED = "report_created"
    OBJECTIVE_REPORT = "objective_report"


# The company's official voice must reach everyone it asks to acknowledge: these kinds
# can be moved between channels but never switched off.
MANDATORY_KINDS = frozenset(
    {NotificationKind.ACKNOWLEDGEMENT_DUE, NotificationKind.ACKNOWLEDGEMENT_REMINDER}
)
MANDATORY_REASON = (
    "An official post that requires acknowledgement must reach you: its notice can be "
    "moved to e-mail or the digest, but not switched off."
)


class Channel(StrEnum):
    """Where a kind of notification goes: the inbox is part of every channel but `off`."""

    IN_APP = "in_app"  # the inbox only
    EMAIL = "email"  # the inbox, and an e-mail at once
    DIGEST = "digest"  # the inbox, and the next daily or weekly digest
    OFF = "off"  # nothing


class DigestFrequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


class Language(StrEnum):
    FR = "fr"
    EN = "en"


class InboxItem(BaseModel):
    id: int
    kind: NotificationKind
    post_id: str
    space_id: str
    title: str
    excerpt: str
    actor_id: str | None
    read: bool
    created_at: datetime
    # The portal page of the post (relative to the portal's root).
    link: str


class Inbox(BaseModel):
    unread: int
    items: list[InboxItem]
    # Pass as `cursor` to get the next (older) page; null on the last page.
    next_cursor: str | None = None


class UnreadCount(BaseModel):
    unread: int


class ReadAll(BaseModel):
    marked: int


class Preferences(BaseModel):
    """A user's channel per kind (every kind listed), digest frequency, language and
    address; `mandatory` lists the kinds that cannot be `off`, `mandatory_reason` why."""

    channels: dict[NotificationKind, Channel]
    digest: DigestFrequency
    language: Language
    email: str
    mandatory: list[NotificationKind] = Field(default_factory=lambda: sorted(MANDATORY_KINDS))
    mandatory_reason: str = MANDATORY_REASON


class PreferencesUpdate(BaseModel):
    """What to change; kinds not named keep their channel. Unknown kinds are refused."""

    model_config = ConfigDict(extra="forbid")

    channels: dict[NotificationKind, Channel] = Field(default_factory=dict)
    digest: DigestFrequency | None = None
    language: Language | None = None
    email: str | None = Field(default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")


class EventBatch(BaseModel):
    """Events handed to `POST /v1/events` (a service token only)."""

    model_config = ConfigDict(extra="forbid")

    events: list[Event] = Field(min_length=1, max_length=1000)


class EventBatchResult(BaseModel):
    applied: NonNegativeInt
    duplicates: NonNegativeInt
    notifications: NonNegativeInt


class DevMail(BaseModel):
    """A mail the development SMTP sink received (`GET /v1/dev/mail`)."""

    id: str
    sender: str
    to: str
    subject: str
    date: str
    list_unsubscribe: str
    text: str
    html: str


# Events a webhook may subscribe to: what people are told about (not search's documents).
WEBHOOK_EVENTS = frozenset(
    {
        "post.published",
        "post.submitted",
        "post.approved",
        "post.rejected",
        "post.endorsed",
        "post.acknowledged",
        "comment.created",
        "report.created",
    }
)


class WebhookCreate(BaseModel):
    """A subscription; a `whsec_` secret is generated when none is given (returned once)."""

    model_config = ConfigDict(extra="forbid")

    url: str = Field(min_length=8, max_length=2000)
    events: list[str] = Field(min_length=1, max_length=20)
    space_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")
    secret: str | None = Field(default=None, max_length=200)
    # `standard`: the event, signed. `teams` (an Adaptive Card for a Workflows webhook) or
    # `slack` (Block Kit): an announcement of a public space's official posts.
    format: Literal["standard", "teams", "slack"] = "standard"


class WebhookRead(BaseModel):
    id: str
    owner_id: str
    url: str
    events: list[str]
    space_id: str | None
    active: bool
    disabled_reason: str | None
    created_at: datetime
    format: str = "standard"
    # Only in the answer to its creation.
    secret: str | None = None


class WebhookAttemptRead(BaseModel):
    at: datetime
    status_code: int | None
    error: str | None


class WebhookDeliveryRead(BaseModel):
    id: int
    event_id: int
    event_type: str
    status: str
    attempts: list[WebhookAttemptRead]
    next_attempt_at: datetime | None
