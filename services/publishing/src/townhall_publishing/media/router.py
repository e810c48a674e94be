"""HTTP endpoints of attachments: upload (multipart), list, read the bytes, remove."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile

from townhall_contracts.publishing.media import MediaList, MediaRead
from townhall_platform.app import CurrentUser
from townhall_platform.errors import problem_responses

from ..deps import PolicyGateDep, SessionDep, SettingsDep, UnitOfWorkRoute
from ..posts.access import get_readable_post
from ..posts.presenters import present_media
from ..posts.repository import PostRepository
from . import service
from .storage import BlobStore

router = APIRouter(prefix="/v1/posts", tags=["media"], route_class=UnitOfWorkRoute)

# The path uploads take: the service's body limit is raised for it alone.
UPLOAD_PATH = re.compile(r"^/v1/posts/[^/]+/media$")
_NAME_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]+")


async def _store(request: Request) -> BlobStore:
    store: BlobStore = request.app.state.media_store
    return store


_BYTES: dict[int | str, dict[str, Any]] = {200: {"content": {"application/octet-stream": {}}}}
StoreDep = Annotated[BlobStore, Depends(_store)]


def display_name(sent: str | None) -> str:
    """The name shown for a file: its last path part, no control characters, bounded."""
    name = _NAME_UNSAFE.sub(" ", (sent or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return name[:200] or "file"


@router.post(
    "/{post_id}/media",
    summary="Attach an image or a document to one's own post (multipart, field `file`)",
    status_code=201,
    response_model=MediaRead,
    responses=problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 503),
)
def attach(
    post_id: str,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    settings: SettingsDep,
    store: StoreDep,
    file: Annotated[UploadFile, File(description="The image, PDF or office document")],
    description: Annotated[
        str, Form(max_length=500, description="What the image shows, for those who cannot see it")
    ] = "",
) -> Response:
    # One byte past the limit is enough to know it is too large.
    data = file.file.read(settings.media_max_bytes + 1)
    upload = service.Upload(
        filename=display_name(file.filename), data=data, description=description.strip()
    )
    media = service.attach_media(
        session=session,
        gate=gate,
        store=store,
        settings=settings,
        actor=user.subject,
        post_id=post_id,
        upload=upload,
    )
    return Response(
        present_media(media).model_dump_json(),
        status_code=201,
        media_type="application/json",
        headers={"Location": f"/v1/posts/{post_id}/media/{media.id}"},
    )


@router.get(
    "/{post_id}/media",
    summary="The post's attachments, if the caller may read it",
    response_model=MediaList,
    responses=problem_responses(401, 404, 503),
)
def list_media(
    post_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> MediaList:
    post = get_readable_post(session=session, gate=gate, subject=user.subject, post_id=post_id)
    return MediaList(items=[present_media(m) for m in PostRepository(session).media(post.id)])


@router.get(
    "/{post_id}/media/{media_id}",
    summary="An attachment's bytes, if the caller may read its post (otherwise not found)",
    response_class=Response,
    responses=_BYTES | problem_responses(401, 404, 503),
)
def read_media(
    post_id: str,
    media_id: str,
    request: Request,
    user: CurrentUser,
    session: SessionDep,
    gate: PolicyGateDep,
    store: StoreDep,
) -> Response:
    media, data = service.read_media(
        session=session,
        gate=gate,
        store=store,
        subject=user.subject,
        post_id=post_id,
        media_id=media_id,
    )
    etag = f'"{media.sha256}"'
    headers = {
        # Images show in the page; documents download, never render in publishing's origin.
        "Content-Disposition": _disposition(
            "inline" if media.kind == "image" else "attachment", media.filename
        ),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        # Only the caller's own browser may keep it: readers change when the post does.
        "Cache-Control": "private, max-age=300",
        "ETag": etag,
    }
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=media.content_type, headers=headers)


@router.delete(
    "/{post_id}/media/{media_id}",
    summary="Remove an attachment from one's own post (kept for the record)",
    status_code=204,
    responses=problem_responses(401, 403, 404, 409, 503),
)
def detach(
    post_id: str, media_id: str, user: CurrentUser, session: SessionDep, gate: PolicyGateDep
) -> Response:
    service.detach_media(
        session=session, gate=gate, actor=user.subject, post_id=post_id, media_id=media_id
    )
    return Response(status_code=204)


def _disposition(kind: str, filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
