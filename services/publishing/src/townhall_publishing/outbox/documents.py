"""How posts and comments look to search."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from townhall_contracts.search import DocumentType, IndexDocument

from ..posts.models import Comment, Post, PostKind


def post_document(post: Post) -> IndexDocument:
    """The search document of a post in its current state."""
    return post_row_document({name: getattr(post, name) for name in _DOCUMENT_COLUMNS})


def post_row_document(row: Mapping[str, Any]) -> IndexDocument:
    """The search document of a post given as its row (a new post: `new_post_row`)."""
    return IndexDocument(
        id=row["id"],
        doc_type=DocumentType.POST,
        kind=row["kind"],
        space_id=row["space_id"],
        author_id=row["author_id"],
        title=row["title"],
        body=row["body"],
        authority=row["authority"],
        mentions=list(row["mentions"]),
        state=row["state"],
        readers=list(row["readers"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        revision=row["revision"],
        endorsed_by=row["endorsed_by"],
        pinned_by=row["pinned_by"],
    )


_DOCUMENT_COLUMNS = (
    "id", "kind", "space_id", "author_id", "title", "body", "authority", "mentions", "state",
    "readers", "created_at", "updated_at", "revision", "endorsed_by", "pinned_by",
)  # fmt: skip


def comment_document(comment: Comment, post: Post) -> IndexDocument:
    """The search document of a comment; it is read by whoever may read its post."""
    return IndexDocument(
        id=comment.id,
        doc_type=DocumentType.COMMENT,
        post_id=post.id,
        # A comment is its author's own voice, unless it is a spokesperson's official answer.
        kind=PostKind.OFFICIAL.value if comment.official else PostKind.SOCIAL.value,
        space_id=post.space_id,
        author_id=comment.author_id,
        # No title: a comment should not match every search for its post's title.
        title="",
        body=comment.body,
        authority=comment.authority,
        mentions=list(comment.mentions),
        state=comment.state,
        readers=list(comment.readers),
        created_at=comment.created_at,
        updated_at=comment.updated_at,
        revision=comment.post_revision,
        # An official answer vouches for the revision it answered only.
        post_edited_since=comment.post_revision != post.revision if comment.official else None,
    )
