"""The readers rule: who may read a post, in one place for publishing and search.

A post or comment carries `readers`, a list of principal tokens. A subject may read
it when its principals (answered by policy) intersect the readers. Publishing applies
this on `GET` and in feeds, search inside the query. Publishing's live writes and its
export for a full search rebuild both call `post_readers` and `comment_readers` with
the same `PostFacts`, so a rebuild can never give a document other readers.

Principal tokens:
- `org`: the readers of public spaces (every employee, and whoever holds an org role
  that reads them);
- `space:<id>`: members (any role) of a space;
- `group:<id>`: members of a directory group (an official audience);
- `user:<id>`: one subject (an author's own drafts and hidden posts);
- `moderator:org`, `moderator:space:<id>`: moderators, who still see hidden content (the
  org moderator in public spaces only: a restricted space has its own moderators);
- `auditor:org`: compliance officers, who read everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

ORG = "org"
AUDITOR = "auditor:org"
ORG_MODERATOR = "moderator:org"


class PostState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    PUBLISHED = "published"
    HIDDEN = "hidden"
    RETRACTED = "retracted"
    DELETED = "deleted"


class Visibility(StrEnum):
    PUBLIC = "public"
    RESTRICTED = "restricted"


def user_principal(subject_id: str) -> str:
    return f"user:{subject_id}"


def space_principal(space_id: str) -> str:
    return f"space:{space_id}"


def group_principal(group_id: str) -> str:
    return f"group:{group_id}"


def space_moderator_principal(space_id: str) -> str:
    return f"moderator:space:{space_id}"


def post_readers(
    *,
    space_id: str,
    visibility: Visibility | str,
    state: PostState | str,
    author_id: str,
    audience_groups: Sequence[str] = (),
    audience_spaces: Sequence[str] = (),
) -> list[str]:
    """The principals that may read a post in the given state.

    Published posts are read by the space's audience (the whole company for a
    public space, its members for a restricted one), narrowed to the chosen groups
    when an official post targets groups or spaces (members of each chosen space;
    both may be combined). Hidden posts stay readable by their
    author and the space's moderators, and by the org moderator in a public space only
    (moderating means reading, and a restricted space is read by its members);
    drafts by their author; retracted and deleted posts by
    nobody but compliance. Compliance officers read everything.
    """
    state = PostState(state)
    author = user_principal(author_id)
    if state is PostState.PUBLISHED:
        if Visibility(visibility) is Visibility.RESTRICTED:
            audience = [space_principal(space_id)]
        elif audience_groups or audience_spaces:
            audience = [group_principal(g) for g in audience_groups]
            audience += [space_principal(s) for s in audience_spaces]
        else:
            audience = [ORG]
        readers = [*audience, author]
    elif state is PostState.HIDDEN:
        readers = [author, space_moderator_principal(space_id)]
        if Visibility(visibility) is Visibility.PUBLIC:
            readers.append(ORG_MODERATOR)
    elif state in (PostState.RETRACTED, PostState.DELETED):
        readers = []
    else:
        readers = [author]
    return sorted({*readers, AUDITOR})


@dataclass(frozen=True, slots=True)
class PostFacts:
    """Everything about a post that its readers, and its comments' readers, depend on."""

    space_id: str
    visibility: Visibility | str
    state: PostState | str
    author_id: str
    official: bool = False
    audience_groups: Sequence[str] = ()
    audience_spaces: Sequence[str] = ()

    def readers(self) -> list[str]:
        """`post_readers` for these facts."""
        return post_readers(
            space_id=self.space_id,
            visibility=self.visibility,
            state=self.state,
            author_id=self.author_id,
            audience_groups=self.audience_groups,
            audience_spaces=self.audience_spaces,
        )


def comment_readers(*, state: PostState | str, author_id: str, post: PostFacts) -> list[str]:
    """The principals that may read a comment in the given state under `post`.

    A live comment is read by its post's audience. The author of a social post is no
    unconditional reader of the discussion under it: they wrote it as a member (of the
    restricted space) or an employee (of a public one) and read the comments through
    that audience only while they hold it, so a revoked member stops reading new
    comments as they stop commenting. An official post's author speaks for the
    company through an org role, not through the space, and keeps reading the
    answers. A hidden comment is read by its author and moderators while the post is
    out; a deleted one, or any comment of a post taken down, by compliance only.
    """
    state = PostState(state)
    post_state = PostState(post.state)
    if state is PostState.PUBLISHED:
        readers = post.readers()
        if post_state is PostState.PUBLISHED and not post.official:
            author = user_principal(post.author_id)
            readers = [reader for reader in readers if reader != author]
        return readers
    if state is PostState.HIDDEN and post_state in (PostState.PUBLISHED, PostState.HIDDEN):
        return post_readers(
            space_id=post.space_id,
            visibility=post.visibility,
            state=PostState.HIDDEN,
            author_id=author_id,
        )
    return [AUDITOR]


def may_read(principals: Iterable[str], readers: Iterable[str]) -> bool:
    """True when any of the subject's principals is among the readers."""
    return not set(principals).isdisjoint(readers)
