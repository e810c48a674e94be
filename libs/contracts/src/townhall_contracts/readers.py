"""The readers rule: who may read a post, in one place for publishing and search.

A post carries `readers`, a list of principal tokens. A subject may read it when
its principals (answered by policy) intersect the readers. Publishing applies this
on `GET`, search inside the query.

Principal tokens:
- `org`: every employee;
- `space:<id>`: members (any role) of a space;
- `group:<id>`: members of a directory group (an official audience);
- `user:<id>`: one subject (an author's own drafts and hidden posts);
- `moderator:org`, `moderator:space:<id>`: moderators, who still see hidden content;
- `auditor:org`: compliance officers, who read everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
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
    author and moderators; drafts by their author; retracted and deleted posts by
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
        readers = [author, ORG_MODERATOR, space_moderator_principal(space_id)]
    elif state in (PostState.RETRACTED, PostState.DELETED):
        readers = []
    else:
        readers = [author]
    return sorted({*readers, AUDITOR})


def may_read(principals: Iterable[str], readers: Iterable[str]) -> bool:
    """True when any of the subject's principals is among the readers."""
    return not set(principals).isdisjoint(readers)
