"""Attachments: add one to a post, remove one, read one's bytes.

Adding or removing one changes the post's content: only its author may, when its text
may be edited, as policy allows (`posts.service.require_editable`). The step is
recorded with its decision, and the post's search document, which carries the text of
its attachments, gets a new version in the same transaction.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

import structlog
from sqlmodel import Session

from townhall_contracts.policy import Decision
from townhall_contracts.publishing.media import MediaKind

from ..database import utcnow
from ..policy_gate import PolicyGate
from ..posts.access import get_readable_post, space_of
from ..posts.lifecycle import post_changed, record_step
from ..posts.models import Post, PostMedia
from ..posts.service import require_editable
from ..settings import PublishingSettings
from .content import detect
from .errors import MediaNotFound, MediaTooLarge, TooManyMedia
from .images import reencode
from .repository import MediaRepository
from .storage import BlobNotFound, BlobStore
from .text import extract_text

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class Upload:
    """A file as sent: only its bytes are trusted; the name is shown, never believed."""

    filename: str
    data: bytes
    description: str = ""


@dataclass(frozen=True)
class Prepared:
    data: bytes
    content_type: str
    kind: MediaKind
    width: int | None = None
    height: int | None = None
    text: str = ""


def prepare(data: bytes, settings: PublishingSettings) -> Prepared:
    """What is kept of an uploaded file: an image re-encoded clean, a document as sent with
    its text; refused when too large, of no accepted type or unreadable."""
    if len(data) > settings.media_max_bytes:
        raise MediaTooLarge(
            f"The file is larger than {settings.media_max_bytes} bytes.",
            max_bytes=settings.media_max_bytes,
        )
    detected = detect(data, max_bytes=settings.media_max_bytes)
    if detected.kind is MediaKind.IMAGE:
        image = reencode(
            data,
            content_type=detected.content_type,
            max_edge=settings.image_max_edge,
            max_pixels=settings.image_max_pixels,
        )
        return Prepared(image.data, image.content_type, detected.kind, image.width, image.height)
    text = extract_text(
        data, content_type=detected.content_type, max_chars=settings.media_text_max_chars
    )
    return Prepared(data, detected.content_type, detected.kind, text=text)


def attach_media(
    *,
    session: Session,
    gate: PolicyGate,
    store: BlobStore,
    settings: PublishingSettings,
    actor: str,
    post_id: str,
    upload: Upload,
) -> PostMedia:
    """The author attaches a file to their post."""
    post = get_readable_post(session=session, gate=gate, subject=actor, post_id=post_id, lock=True)
    decision = require_editable(gate, post, actor)
    if MediaRepository(session).live_count(post.id) >= settings.media_per_post:
        raise TooManyMedia(
            f"A post holds at most {settings.media_per_post} attachments.",
            max_media=settings.media_per_post,
        )
    kept = prepare(upload.data, settings)
    now = utcnow()
    media = PostMedia(
        id=str(uuid.uuid4()),
        post_id=post.id,
        owner_id=actor,
        kind=kept.kind.value,
        content_type=kept.content_type,
        filename=upload.filename,
        description=upload.description,
        size=len(kept.data),
        sha256=hashlib.sha256(kept.data).hexdigest(),
        storage_key="",
        width=kept.width,
        height=kept.height,
        text=kept.text,
        created_at=now,
    )
    media.storage_key = f"{post.id}/{media.id}"
    store.put(media.storage_key, kept.data, content_type=kept.content_type)
    MediaRepository(session).add(media)
    _content_changed(session, post, actor, "attach", media, decision)
    return media


def detach_media(
    *, session: Session, gate: PolicyGate, actor: str, post_id: str, media_id: str
) -> PostMedia:
    """The author removes an attachment: gone for readers and from search, its row and
    bytes kept for the record, as a deleted post's are."""
    post = get_readable_post(session=session, gate=gate, subject=actor, post_id=post_id, lock=True)
    media = _find(session, post, media_id)
    decision = require_editable(gate, post, actor)
    media.deleted_at = utcnow()
    _content_changed(session, post, actor, "detach", media, decision)
    return media


def read_media(
    *,
    session: Session,
    gate: PolicyGate,
    store: BlobStore,
    subject: str,
    post_id: str,
    media_id: str,
) -> tuple[PostMedia, bytes]:
    """The attachment and its bytes, for whoever may read its post (others: not found)."""
    post = get_readable_post(session=session, gate=gate, subject=subject, post_id=post_id)
    media = _find(session, post, media_id)
    try:
        return media, store.get(media.storage_key)
    except BlobNotFound as exc:
        # The store lost what the database holds: an operator's matter, a reader's 404.
        log.error("media_bytes_missing", media_id=media.id, key=media.storage_key)
        raise MediaNotFound(f"No attachment '{media_id}' on post '{post.id}'.") from exc


def _find(session: Session, post: Post, media_id: str) -> PostMedia:
    media = MediaRepository(session).get(post.id, media_id)
    if media is None:
        raise MediaNotFound(f"No attachment '{media_id}' on post '{post.id}'.")
    return media


def _content_changed(
    session: Session, post: Post, actor: str, step: str, media: PostMedia, decision: Decision
) -> None:
    """The step, with the file's name as its note, and the post's new search document."""
    now = utcnow()
    session.flush()
    record_step(
        session, post=post, step=step, actor=actor, at=now, decision=decision, note=media.filename
    )
    post_changed(session, post=post, space=space_of(session, post), at=now)
