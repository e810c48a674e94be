"""No leak, no miss: search results against an oracle computed from policy decisions.

Hypothesis generates users (employee or contractor, sometimes moderator or
compliance officer), spaces (public or restricted), memberships, posts in every
state and queries. Search gets what it gets in production: documents whose
readers come from the shared readers rule, and principals as policy answers them.
The oracle decides each (user, post) pair from the policy model's rules directly,
without the readers tokens; every page of every search must match it exactly, and
so must the total and the facet counts.
"""

from __future__ import annotations

import itertools
import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall_clients import CachedPolicy, PolicyClient
from townhall_contracts.policy import Principals
from townhall_contracts.readers import post_readers
from townhall_contracts.search import DocumentType, IndexDocument, IndexEvent, IndexOperation
from townhall_search.index import IndexBackend, SortOrder
from townhall_search.queries import service
from townhall_search.queries.cursor import CursorCodec

# Words far apart (more than two edits), so typo tolerance never mixes them.
WORDS = ["budget", "planning", "kiosque", "zebra", "orange", "tulipe"]
BASE_TIME = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
STATES = ["published", "published", "published", "draft", "hidden", "retracted"]


@dataclass(frozen=True)
class User:
    id: str
    employee: bool
    moderator: bool
    auditor: bool


@dataclass(frozen=True)
class Space:
    id: str
    restricted: bool


@dataclass(frozen=True)
class Post:
    id: str
    space: Space
    author: str
    state: str
    kind: str
    words: tuple[str, ...]


@st.composite
def worlds(draw):
    users = [
        User(
            f"u{n}",
            employee=draw(st.booleans()),
            moderator=draw(st.booleans()) and draw(st.booleans()),
            auditor=draw(st.integers(0, 5)) == 0,
        )
        for n in range(draw(st.integers(1, 5)))
    ]
    spaces = [Space(f"s{n}", draw(st.booleans())) for n in range(draw(st.integers(1, 4)))]
    members = draw(
        st.sets(st.tuples(st.sampled_from([u.id for u in users]), st.sampled_from(spaces)))
    )
    posts = [
        Post(
            f"p{n}",
            space=draw(st.sampled_from(spaces)),
            author=draw(st.sampled_from([u.id for u in users])),
            state=draw(st.sampled_from(STATES)),
            kind=draw(st.sampled_from(["social", "official"])),
            words=tuple(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))),
        )
        for n in range(draw(st.integers(0, 25)))
    ]
    query = draw(st.sampled_from(["", *WORDS]))
    space_filter = draw(st.one_of(st.none(), st.sampled_from([s.id for s in spaces])))
    return users, spaces, {(u, s.id) for u, s in members}, posts, query, space_filter


def may_read(user: User, post: Post, members: set[tuple[str, str]]) -> bool:
    """The oracle: the policy model's read rules, decided per user and post."""
    if user.auditor:
        return True
    if post.state == "published":
        if user.id == post.author:
            return True
        if post.space.restricted:
            return (user.id, post.space.id) in members
        return user.employee
    if post.state == "hidden":
        # The org moderator reads what is hidden in public spaces only.
        return user.id == post.author or (user.moderator and not post.space.restricted)
    if post.state in ("draft", "submitted"):
        return user.id == post.author
    return False


def principals_of(user: User, members: set[tuple[str, str]]) -> list[str]:
    """What policy answers for a subject."""
    tokens = [f"user:{user.id}"] + [f"space:{s}" for u, s in members if u == user.id]
    if user.employee:
        tokens.append("org")
    if user.moderator:
        tokens.append("moderator:org")
    if user.auditor:
        tokens.append("auditor:org")
    return tokens


def policy_answering(answers: dict[str, list[str]]) -> CachedPolicy:
    """The principals policy answers, at its HTTP boundary, uncached."""

    def handle(request: httpx.Request) -> httpx.Response:
        subject = request.url.path.split("/")[3]
        answer = Principals(
            subject=subject, active=True, principals=answers[subject], policy_revision=1
        )
        return httpx.Response(200, json=answer.model_dump(mode="json"))

    client = PolicyClient("http://policy", token=lambda: "t", transport=httpx.MockTransport(handle))
    return CachedPolicy(client, ttl_seconds=0.0)


def _index_posts(index: IndexBackend, posts: list[Post]) -> None:
    ids = itertools.count(1)
    events = [
        IndexEvent(
            event_id=next(ids),
            op=IndexOperation.UPSERT,
            doc_id=post.id,
            version=1,
            document=IndexDocument(
                id=post.id,
                doc_type=DocumentType.POST,
                kind=post.kind,
                space_id=post.space.id,
                author_id=post.author,
                title=" ".join(post.words),
                body="",
                state=post.state,
                readers=post_readers(
                    space_id=post.space.id,
                    visibility="restricted" if post.space.restricted else "public",
                    state=post.state,
                    author_id=post.author,
                ),
                created_at=BASE_TIME,
                updated_at=BASE_TIME,
            ),
        )
        for post in posts
    ]
    if events:
        index.apply(events)


def _check(index: IndexBackend, world) -> None:
    users, _spaces, members, posts, query, space_filter = world
    _index_posts(index, posts)
    policy = policy_answering({u.id: principals_of(u, members) for u in users})
    cursors = CursorCodec(b"property-test", max_offset=9_999)
    for user in users:
        expected = {
            post.id
            for post in posts
            if may_read(user, post, members)
            and (not query or query in post.words)
            and (space_filter is None or post.space.id == space_filter)
        }
        seen: list[str] = []
        cursor = None
        while True:
            page = service.search(
                index=index,
                policy=policy,
                cursors=cursors,
                request=service.SearchRequest(
                    subject=user.id,
                    # A trailing space: whole words only, no type-ahead prefix.
                    text=f"+{query} " if query else "",
                    space_id=space_filter,
                    sort=SortOrder.RELEVANCE,
                    cursor=cursor,
                    limit=4,
                    facets=("space_id",),
                ),
                max_result_window=10_000,
            )
            assert page.total == len(expected), (user, query)
            counts = Counter(post.space.id for post in posts if post.id in expected)
            assert {b.value: b.count for b in page.facets["space_id"]} == dict(counts)
            seen += [hit.id for hit in page.hits]
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
        assert sorted(seen) == sorted(expected), (user, query, space_filter)
        suggested = index.suggest(query[:3], frozenset(principals_of(user, members)), 20)
        assert {s.id for s in suggested} <= {p.id for p in posts if may_read(user, p, members)}


@pytest.mark.parametrize(
    ("engine", "examples"), [("tantivy", 60), ("opensearch", 15)], ids=["tantivy", "opensearch"]
)
def test_search_matches_the_policy_oracle(request, index_opener, engine, examples) -> None:
    server = request.getfixturevalue("osmem") if engine == "opensearch" else None

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(world=worlds())
    def check(world) -> None:
        with tempfile.TemporaryDirectory() as tmp:
            index = index_opener(engine, Path(tmp), server)
            try:
                _check(index, world)
            finally:
                index.close()

    check()
