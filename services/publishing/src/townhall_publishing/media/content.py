"""What a file is, from its bytes alone: its name and the type its sender declared are
never trusted. Office documents are zip archives: their declared uncompressed size is
bounded before anything inflates them (a zip bomb is refused unread)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import filetype  # type: ignore[import-untyped]

from townhall_contracts.publishing.media import MediaKind

from .errors import MediaTypeRefused, UnreadableMedia

IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ARCHIVES = frozenset(
    {
        DOCX,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
DOCUMENTS = frozenset({PDF}) | _ARCHIVES
# An office document inflates to at most this many times the largest upload.
_INFLATION = 20


@dataclass(frozen=True)
class Detected:
    content_type: str
    kind: MediaKind


def detect(data: bytes, *, max_bytes: int) -> Detected:
    """The accepted type of `data`, or `MediaTypeRefused`."""
    content_type = filetype.guess_mime(data)
    if content_type in IMAGES:
        return Detected(content_type, MediaKind.IMAGE)
    if content_type in _ARCHIVES:
        _check_archive(data, limit=max_bytes * _INFLATION)
    if content_type in DOCUMENTS:
        return Detected(content_type, MediaKind.DOCUMENT)
    accepted = "images (JPEG, PNG, GIF, WebP), PDF and office documents (DOCX, XLSX, PPTX, ODF)"
    raise MediaTypeRefused(
        f"The file's content is {content_type or 'of no known type'}; accepted: {accepted}.",
        detected=content_type,
    )


def _check_archive(data: bytes, *, limit: int) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableMedia("The document is not a readable archive.") from exc
    if inflated > limit:
        raise UnreadableMedia(f"The document would inflate to {inflated} bytes (at most {limit}).")
