"""Errors of attachments, each with a stable problem type."""

from __future__ import annotations

from townhall_platform.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)


class MediaNotFound(NotFound):
    """No such attachment on the post, or one removed (the same answer)."""

    type_slug = "media-not-found"
    title = "Attachment not found"


class MediaTooLarge(PayloadTooLarge):
    type_slug = "media-too-large"
    title = "The file is too large"


class MediaTypeRefused(UnsupportedMediaType):
    """The bytes are of no accepted type, whatever the file's name or declared type say."""

    type_slug = "media-type-refused"
    title = "This kind of file is not accepted"


class UnreadableMedia(ValidationFailed):
    """The bytes look like an accepted type but cannot be read as one (broken, a
    decompression bomb, an image of too many pixels)."""

    type_slug = "unreadable-media"
    title = "The file cannot be read"


class TooManyMedia(Conflict):
    type_slug = "too-many-media"
    title = "The post has as many attachments as it may"
