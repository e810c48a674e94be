"""How posts and comments look to search, with their readers.

The live path (every change, through `posts.lifecycle`) and the export a full search
rebuild reads (`export`) build documents with these same functions: readers come from
the shared readers rule (`townhall_contracts.readers`) applied to the same facts of
the post and its space, so a rebuild gives every document the readers the live
events gave it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from townhall_contracts.readers import PostFacts, comment_readers
from townhall_contracts.search import DocumentType, IndexDocument

from ..posts.models import Comment, Post, PostKind


class _Space(Protocol):
    @property
    def visibility(self) -> str: ...


def post_facts(post: Post, space: _Space) -> PostFacts:
    """What the readers rule needs of a post and its space."""
    return PostFacts(
        space_id=post.space_id,
        visibility=space.visibility,
        state=post.state,
        author_id=post.author_id,
        official=post.kind == PostKind.OFFICIAL,
        audience_groups=tuple(post.audience_groups),
        audience_spaces=tuple(post.audience_spaces),
    )


def readers_of_post(post: Post, space: _Space) -> list[str]:
    """The readers rule for the post's current state and audience."""
    return post_facts(post, space).readers()


def readers_of_comment(comment: Comment, post: Post, space: _Space) -> list[str]:
    """The readers rule for a comment in its current state under its post."""
    return comment_readers(
        state=comment.state, author_id=comment.author_id, post=post_facts(post, space)
    )


def post_document(post: Post, space: _Space) -> IndexDocument:
    """The search document of a post in its current state."""
    row = {name: getattr(post, name) for name in _DOCUMENT_COLUMNS}
    return post_row_document({**row, "readers": readers_of_post(post, space)})


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
    "created_at", "updated_at", "revision", "endorsed_by", "pinned_by",
)  # fmt: skip


def comment_document(comment: Comment, post: Post, space: _Space) -> IndexDocument:
    """The search document of a comment in its current state under its post."""
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
        readers=readers_of_comment(comment, post, space),
        created_at=comment.created_at,
        updated_at=comment.updated_at,
        revision=comment.post_revision,
        # An official answer vouches for the revision it answered only.
        post_edited_since=comment.post_revision != post.revision if comment.official else None,
    )
