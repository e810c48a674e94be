"""Every post and comment as search sees it, page by page, with its version.

Documents are built by the functions the live path builds its outbox events with
(`posts.documents`): readers come from the shared readers rule applied to the same
facts of each post, its comments and its space, so a rebuild gives every document the
readers the live events gave it. The page cursor `after` is `post:<id>` or
`comment:<id>`: posts first, then comments.
"""

from __future__ import annotations

from sqlmodel import Session

from townhall_contracts.search import DocumentExportPage, ExportedDocument, ExportSummary
from townhall_platform.errors import BadRequest

from ..posts.documents import comment_document, post_document
from ..posts.repository import PostRepository
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
        page = repository.posts_after(post_after, limit)
        texts = PostRepository(session).media_texts([post.id for post, _ in page])
        for post, space in page:
            document = post_document(post, space, attachment_text=texts.get(post.id, ""))
            documents.append(ExportedDocument(version=post.version, document=document))
            last = _POST + post.id
        after = None if len(documents) < limit else after
    elif not after.startswith(_COMMENT):
        raise InvalidExportCursor("`after` must be `post:<id>` or `comment:<id>`.")
    if len(documents) < limit:
        comment_after = after[len(_COMMENT) :] if after else None
        for comment, post, space in repository.comments_after(
            comment_after, limit - len(documents)
        ):
            documents.append(
                ExportedDocument(
                    version=comment.version, document=comment_document(comment, post, space)
                )
            )
            last = _COMMENT + comment.id
    return DocumentExportPage(
        documents=documents,
        total=repository.count(),
        next_after=last if len(documents) == limit else None,
    )


def export_summary(*, session: Session, through: int | None) -> ExportSummary:
    """What search must hold: the delivered watermark and, for `through`, the number of
    documents named by the events up to it."""
    repository = ExportRepository(session)
    return ExportSummary(
        head=repository.outbox_head(),
        delivered_through=repository.delivered_through(),
        through=through,
        documents_through=repository.documents_through(through) if through is not None else None,
    )
