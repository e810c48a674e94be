from __future__ import annotations

import pytest

from townhall_contracts.readers import (
    AUDITOR,
    PostFacts,
    PostState,
    comment_readers,
    may_read,
    post_readers,
)


def readers(state: str, visibility: str = "public", groups: tuple[str, ...] = ()) -> list[str]:
    return post_readers(
        space_id="s1",
        visibility=visibility,
        state=state,
        author_id="alice",
        audience_groups=groups,
    )


def test_published_post_in_public_space_is_read_by_every_employee() -> None:
    assert readers("published") == sorted(["org", "user:alice", AUDITOR])
    assert may_read({"user:bob", "org"}, readers("published"))
    assert not may_read({"user:zoe", "space:phoenix"}, readers("published"))


def test_restricted_space_posts_are_read_by_members_only() -> None:
    r = readers("published", "restricted")
    assert "org" not in r
    assert may_read({"space:s1"}, r)
    assert not may_read({"org", "user:bob"}, r)


def test_official_audience_groups_narrow_the_readers() -> None:
    r = readers("published", groups=("hr", "sales"))
    assert {"group:hr", "group:sales"} <= set(r)
    assert "org" not in r


def test_hidden_posts_stay_visible_to_author_and_moderators_only() -> None:
    r = readers("hidden")
    assert may_read({"user:alice"}, r)
    assert may_read({"moderator:org"}, r)
    assert may_read({"moderator:space:s1"}, r)
    assert not may_read({"org", "space:s1", "user:bob"}, r)


def test_a_hidden_post_of_a_restricted_space_is_not_the_org_moderators() -> None:
    # Moderating means reading: the org moderator reads no restricted space she is not in.
    r = readers("hidden", "restricted")
    assert not may_read({"moderator:org", "org", "user:nadia"}, r)
    assert may_read({"moderator:space:s1"}, r)
    assert may_read({"user:alice"}, r)


@pytest.mark.parametrize("state", ["draft", "submitted", "approved", "rejected", "scheduled"])
def test_unpublished_posts_are_the_authors_alone(state: str) -> None:
    assert readers(state) == sorted(["user:alice", AUDITOR])


@pytest.mark.parametrize("state", [PostState.RETRACTED, PostState.DELETED])
def test_gone_posts_are_read_by_compliance_only(state: PostState) -> None:
    assert readers(state) == [AUDITOR]


def test_unknown_state_is_an_error() -> None:
    with pytest.raises(ValueError):
        readers("lost")


def test_an_official_audience_of_spaces_and_groups_is_their_members() -> None:
    published = post_readers(
        space_id="general",
        visibility="public",
        state=PostState.PUBLISHED,
        author_id="claire",
        audience_groups=["sales"],
        audience_spaces=["projet-phoenix"],
    )
    assert published == sorted([AUDITOR, "group:sales", "space:projet-phoenix", "user:claire"])
    # Without either, the whole company, as before.
    everyone = post_readers(
        space_id="general", visibility="public", state="published", author_id="claire"
    )
    assert "org" in everyone


def _post(state: str = "published", *, official: bool = False) -> PostFacts:
    return PostFacts(
        space_id="phoenix",
        visibility="restricted",
        state=state,
        author_id="alice",
        official=official,
    )


def test_a_live_comment_is_read_by_its_posts_audience_not_by_a_social_authors_own_token() -> None:
    r = comment_readers(state="published", author_id="bob", post=_post())
    assert r == sorted([AUDITOR, "space:phoenix"])
    # alice revoked from the space keeps only her own token: she reads no comment.
    assert not may_read({"user:alice", "org"}, r)
    assert may_read({"space:phoenix"}, r)


def test_an_official_posts_author_keeps_reading_the_answers() -> None:
    r = comment_readers(state="published", author_id="bob", post=_post(official=True))
    assert "user:alice" in r


def test_comments_follow_their_post_out_and_their_own_removal() -> None:
    assert comment_readers(state="deleted", author_id="bob", post=_post()) == [AUDITOR]
    for post_state in ("retracted", "deleted"):
        assert comment_readers(state="published", author_id="bob", post=_post(post_state)) == [
            AUDITOR
        ]
    hidden = comment_readers(state="hidden", author_id="bob", post=_post())
    assert may_read({"user:bob"}, hidden)
    assert may_read({"moderator:space:phoenix"}, hidden)
    assert not may_read({"space:phoenix", "user:alice"}, hidden)
    assert comment_readers(state="hidden", author_id="bob", post=_post("retracted")) == [AUDITOR]


def test_post_facts_carry_the_audience_spaces() -> None:
    published_public = PostFacts(
        space_id="general",
        visibility="public",
        state="published",
        author_id="claire",
        official=True,
        audience_groups=("hr",),
        audience_spaces=("lab",),
    )
    assert published_public.readers() == sorted([AUDITOR, "group:hr", "space:lab", "user:claire"])
