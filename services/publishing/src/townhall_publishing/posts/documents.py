"""How posts and comments look to search, with their readers.

The live path (every change, through `lifecycle`) and the export a full search
rebuild reads (`export`) build documents with these same functions: readers come from
the shared readers rule (`townhall_contracts.readers`) applied to the same facts of
the post and its space, so a rebuild gives every document the readers the live
events gave it.
"""

from __future__ import annotations

from townhall_contracts.readers import PostFacts, comment_readers
from townhall_contracts.search import DocumentType, IndexDocument

from ..spaces.models import Space
from .models import Comment, Post, PostKind


def post_facts(post: Post, space: Space) -> PostFacts:
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


def readers_of_post(post: Post, space: Space) -> list[str]:
    """The readers rule for the post's current state and audience."""
    return post_facts(post, space).readers()


def readers_of_comment(comment: Comment, post: Post, space: Space) -> list[str]:
    """The readers rule for a comment in its current state under its post."""
    return comment_readers(
        state=comment.state, author_id=comment.author_id, post=post_facts(post, space)
    )


def post_document(post: Post, space: Space, *, attachment_text: str = "") -> IndexDocument:
    """The search document of a post in its current state, with the text of its
    attachments (`PostRepository.media_texts`)."""
    return IndexDocument(
        id=post.id,
        doc_type=DocumentType.POST,
        kind=post.kind,
        space_id=post.space_id,
        author_id=post.author_id,
        title=post.title,
        body=post.body,
        attachment_text=attachment_text,
        authority=post.authority,
        mentions=list(post.mentions),
        state=post.state,
        readers=readers_of_post(post, space),
        created_at=post.created_at,
        updated_at=post.updated_at,
        revision=post.revision,
        endorsed_by=post.endorsed_by,
        pinned_by=post.pinned_by,
    )


def comment_document(comment: Comment, post: Post, space: Space) -> IndexDocument:
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
