"""How posts and comments look to search."""

from __future__ import annotations

from townhall_contracts.search import DocumentType, IndexDocument

from ..posts.models import Comment, Post, PostKind


def post_document(post: Post) -> IndexDocument:
    """The search document of a post in its current state."""
    return IndexDocument(
        id=post.id,
        doc_type=DocumentType.POST,
        kind=post.kind,
        space_id=post.space_id,
        author_id=post.author_id,
        title=post.title,
        body=post.body,
        authority=post.authority,
        mentions=list(post.mentions),
        state=post.state,
        readers=list(post.readers),
        created_at=post.created_at,
        updated_at=post.updated_at,
    )


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
    )
