"""The notifications service's public schemas: the inbox, preferences, event ingestion.

The portal's inbox page and header badge read `Inbox` (`GET /v1/inbox`) and
`UnreadCount` (`GET /v1/inbox/unread`); the preferences page reads and writes
`Preferences` (`GET|PUT /v1/preferences`), where `mandatory` says which kinds may not
be switched off and why.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

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
    POST_APPROVED = "post_approved"
    POST_REJECTED = "post_rejected"
    POST_PUBLISHED = "post_published"
    REPORT_CREATED = "report_created"


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
