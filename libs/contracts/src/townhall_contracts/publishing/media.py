"""Images and documents attached to posts: what `/v1/posts/{id}/media` answers."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class MediaKind(StrEnum):
    # Shown in the post, re-encoded without its metadata.
    IMAGE = "image"
    # Listed with the post, to download (PDF, office documents).
    DOCUMENT = "document"


class MediaRead(BaseModel):
    """One attachment of a post. Its bytes are at `url`, under the post's readers rule;
    `content_type` was detected from the bytes, never taken from the name."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    post_id: str
    kind: MediaKind
    content_type: str
    filename: str
    # What the image shows, for those who cannot see it (an image's `alt` text).
    description: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None
    created_at: datetime
    # Whether text was found in it for search (PDF and DOCX).
    has_text: bool = False

    @property
    def url(self) -> str:
        """Publishing's path to the bytes (relative to its base URL)."""
        return f"/v1/posts/{self.post_id}/media/{self.id}"


class MediaList(BaseModel):
    """A post's attachments, oldest first."""

    items: list[MediaRead]
