"""Every post and comment as search sees it, page by page, with its version.

Readers are computed again from the post's state and space with the shared readers
rule, so a rebuild reflects the rule as it is now. A comment is read by whoever may
read its post, and by nobody once it is removed (no readers: a tombstone in search).
The page cursor `after` is `post:<id>` or `comment:<id>`: posts first, then comments.
"""

from __future__ import annotations

from sqlmodel import Session

from townhall_contracts.readers import post_readers
from townhall_contracts.search import DocumentExportPage, ExportedDocument, IndexDocument
from townhall_platform.errors import BadRequest

from ..outbox.documents import comment_document, post_document
from ..posts.models import Post
from ..spaces.models import Space
from .repository import ExportRepository

_POST = "post:"
_COMMENT = "comment:"


class InvalidExportCursor(BadRequest):
    type_slug = "invalid-export-cursor"
    title = "Invalid export cursor"


def export_documents(*, session: Session, after: str | None, limit: int) -> DocumentExportPage:
    """One page of documents in a stable order, and where the next page starts."""
    repository = ExportRepository(session)
    documents: list[ExportedDocument] = []
    last: str | None = None
    if after is None or after.startswith(_POST):
        post_after = after[len(_POST) :] if after else None
        for post, space in repository.posts_after(post_after, limit):
            documents.append(ExportedDocument(version=post.version, document=_post(post, space)))
            last = _POST + post.id
        after = None if len(documents) < limit else after
    elif not after.startswith(_COMMENT):
        raise InvalidExportCursor("`after` must be `post:<id>` or `comment:<id>`.")
    if len(documents) < limit:
        comment_after = after[len(_COMMENT) :] if after else None
        for comment, post, space in repository.comments_after(
            comment_after, limit - len(documents)
        ):
            document = comment_document(comment, post)
            readers = _readers(post, space) if comment.readers else []
            documents.append(
                ExportedDocument(
                    version=comment.version,
                    document=document.model_copy(update={"readers": readers}),
                )
            )
            last = _COMMENT + comment.id
    return DocumentExportPage(
        documents=documents,
        total=repository.count(),
        next_after=last if len(documents) == limit else None,
    )


def _readers(post: Post, space: Space) -> list[str]:
    return post_readers(
        space_id=post.space_id,
        visibility=space.visibility,
        state=post.state,
        author_id=post.author_id,
        audience_groups=post.audience_groups,
    )


def _post(post: Post, space: Space) -> IndexDocument:
    return post_document(post).model_copy(update={"readers": _readers(post, space)})
