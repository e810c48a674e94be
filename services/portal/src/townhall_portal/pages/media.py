"""Images and documents of posts: the bytes proxied from publishing (the browser never
learns where they are stored), and the forms that add and remove them.

Every form works without JavaScript. A file publishing refuses (too large, not an
accepted type by its content, unreadable) brings the author back to the post's edit
page with the reason next to the file field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from starlette.responses import RedirectResponse, Response

from townhall_clients import UnexpectedResponse
from townhall_platform.params import ResourceId

from ..forms import FormRefused, plain_refusal, refusal, refusals
from ..templating import TEMPLATES
from ..web import ClientsDep, CsrfChecked, CurrentViewer, Viewer

router = APIRouter(tags=["employees"])

# Publishing's refusal of a file, by its problem type, as the edit page tells it.
MEDIA_ERRORS = {
    "media-too-large": "media.too_large",
    "media-type-refused": "media.type_refused",
    "unreadable-media": "media.unreadable",
    "too-many-media": "media.too_many",
    # Past publishing's limit on an upload's body, refused before it is read.
    "payload-too-large": "media.too_large",
}
_REFUSALS = (400, 403, 404, 409, 413, 415, 422)
# What the edit page may be asked to tell of a file.
FILE_ERRORS = frozenset({*MEDIA_ERRORS.values(), "media.refused", "media.none"})
# Headers of publishing's answer the browser gets as they are.
_PASSED_ON = ("content-type", "content-disposition", "etag", "cache-control")


@dataclass(frozen=True)
class Chosen:
    """A file the user chose in a form, read whole (publishing bounds its size)."""

    filename: str
    data: bytes
    description: str = ""


def chosen(upload: UploadFile | None, description: str = "") -> Chosen | None:
    """The file of a form's file field, or None when none was chosen."""
    if upload is None or not upload.filename:
        return None
    data = upload.file.read()
    if not data:
        return None
    return Chosen(upload.filename, data, description.strip())


def attach_all(clients: ClientsDep, viewer: Viewer, post_id: str, files: list[Chosen]) -> None:
    """Attach each file in turn; the first refusal stops, as `FormRefused` on `file`."""
    for file in files:
        try:
            clients.publishing.attach_media(
                post_id,
                filename=file.filename,
                data=file.data,
                description=file.description,
                user_token=viewer.token,
            )
        except UnexpectedResponse as exc:
            if exc.status_code not in _REFUSALS:
                raise
            raise FormRefused(
                errors={"file": _error_key(exc)},
                refused=plain_refusal(exc),
                status_code=exc.status_code,
                detail=refusal(exc),
            ) from exc


def _error_key(exc: UnexpectedResponse) -> str:
    problem = exc.problem if isinstance(exc.problem, dict) else {}
    slug = str(problem.get("type", "")).rsplit("/", 1)[-1]
    return MEDIA_ERRORS.get(slug, "media.refused")


def edit_page_after(post_id: str, refused: FormRefused) -> RedirectResponse:
    """Back to the post's edit page, telling why the file was refused."""
    key = refused.errors.get("file", "media.refused")
    return RedirectResponse(f"/posts/{post_id}/edit?file_error={key}#file", status_code=303)


def file_size(size: int) -> str:
    """A file's size in the units people read (kB, MB)."""
    if size < 1000:
        return f"{size} B"
    if size < 1_000_000:
        return f"{size / 1000:.0f} kB"
    return f"{size / 1_000_000:.1f} MB"


# The short name of a type, as a list of attachments shows it.
TYPE_NAMES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "OpenDocument",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument",
}


def type_name(content_type: str) -> str:
    return TYPE_NAMES.get(content_type, content_type.rsplit("/", 1)[-1].upper())


TEMPLATES.env.filters["file_size"] = file_size
TEMPLATES.env.filters["type_name"] = type_name


@router.get("/posts/{post_id}/media/{media_id}", summary="An image or document of a post")
def media_bytes(
    post_id: ResourceId, media_id: ResourceId, viewer: CurrentViewer, clients: ClientsDep
) -> Response:
    # Publishing applies the post's readers rule: one who may not read it gets its 404.
    answer = clients.publishing.media_bytes(post_id, media_id, user_token=viewer.token)
    headers = {name: answer.headers[name] for name in _PASSED_ON if name in answer.headers}
    headers["X-Content-Type-Options"] = "nosniff"
    # Opened on its own, a file runs nothing and loads nothing.
    headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return Response(answer.content, headers=headers)


@router.post("/posts/{post_id}/media/add", summary="Attach a file to one's own post")
def add_media(
    post_id: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
    file: Annotated[UploadFile | None, File()] = None,
    description: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    picked = chosen(file, description)
    if picked is None:
        return RedirectResponse(f"/posts/{post_id}/edit?file_error=media.none#file", 303)
    try:
        attach_all(clients, viewer, post_id, [picked])
    except FormRefused as refused:
        return edit_page_after(post_id, refused)
    return RedirectResponse(f"/posts/{post_id}/edit?done=attached#attachments", 303)


@router.post("/posts/{post_id}/media/{media_id}/remove", summary="Remove a file from one's post")
def remove_media(
    post_id: ResourceId,
    media_id: ResourceId,
    _csrf: CsrfChecked,
    viewer: CurrentViewer,
    clients: ClientsDep,
) -> Response:
    try:
        with refusals():
            clients.publishing.detach_media(post_id, media_id, user_token=viewer.token)
    except FormRefused as refused:
        return edit_page_after(post_id, refused)
    return RedirectResponse(f"/posts/{post_id}/edit?done=detached#attachments", 303)
