"""Property: a full rebuild gives every document the readers the live events gave it.

Random content is driven through the API into every state (draft, submitted, approved,
rejected, scheduled, published, hidden, restored, retracted, deleted; official posts
narrowed to groups and spaces; comments published, hidden, restored, deleted, under
posts that then change state). Then, for every post and comment, the readers of its
last outbox event (what search applied live), the readers stored with it (what `GET`
and the feed filter by) and the readers of the export a rebuild reads must be one and
the same list, at the same version.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from townhall_contracts.demo import GROUPS
from townhall_platform.auth import TokenIssuer
from townhall_publishing.settings import PublishingSettings

from ..conftest import Database, serving

EXPORT = "/internal/v1/export/documents"
Auth = Callable[[str], dict[str, str]]

# (space, who may post socially there, who may comment there)
_COMMUNITIES = {
    "engineering": ("alice", "bob", "david"),
    "projet-phoenix": ("alice", "bob", "zoe"),
}
_SPACES = ("general", "engineering", "projet-phoenix")
_POST_ENDS = (
    "draft",
    "submitted",
    "approved",
    "rejected",
    "scheduled",
    "published",
    "hidden",
    "restored",
    "retracted",
    "deleted",
)
_COMMENT_ENDS = ("published", "hidden", "restored", "deleted")


@dataclass(frozen=True)
class CommentPlan:
    author: int
    end: str


@dataclass(frozen=True)
class PostPlan:
    space: str
    official: bool
    author: int
    groups: tuple[str, ...]
    audience_spaces: tuple[str, ...]
    comments: tuple[CommentPlan, ...]
    end: str


_comment_plans = st.builds(
    CommentPlan, author=st.integers(0, 2), end=st.sampled_from(_COMMENT_ENDS)
)
_post_plans = st.builds(
    PostPlan,
    space=st.sampled_from(_SPACES),
    official=st.booleans(),
    author=st.integers(0, 2),
    groups=st.lists(st.sampled_from(sorted(GROUPS)), max_size=2, unique=True).map(tuple),
    audience_spaces=st.lists(
        st.sampled_from(["projet-phoenix", "hr-confidential", "engineering"]),
        max_size=2,
        unique=True,
    ).map(tuple),
    comments=st.lists(_comment_plans, max_size=3).map(tuple),
    end=st.sampled_from(_POST_ENDS),
)


class _Driver:
    """Plays a plan through the API; a step the service refuses ends that post's plan."""

    def __init__(self, client: httpx.AsyncClient, auth: Auth) -> None:
        self.client = client
        self.auth = auth

    async def call(self, method: str, path: str, user: str, body: Any = None) -> bool:
        response = await self.client.request(method, path, json=body, headers=self.auth(user))
        assert response.status_code < 500, response.text
        return response.status_code < 300

    async def play(self, plan: PostPlan) -> None:
        official = plan.official or plan.space == "general"
        if official:
            author = "claire"
            body: dict[str, Any] = {
                "space_id": plan.space,
                "kind": "official",
                "title": "Annonce",
                "body": "Texte officiel",
                "audience_groups": list(plan.groups),
                "audience_spaces": list(plan.audience_spaces),
            }
        else:
            author = _COMMUNITIES[plan.space][plan.author]
            body = {"space_id": plan.space, "kind": "social", "title": "Sujet", "body": "Texte"}
        created = await self.client.post("/v1/posts", json=body, headers=self.auth(author))
        if created.status_code in (400, 403, 404, 422):
            return  # a space or audience the service refuses to this author: nothing written
        assert created.status_code == 201, created.text
        post = f"/v1/posts/{created.json()['id']}"
        if official and not await self._workflow(post, author, plan.end):
            return
        if plan.end in ("draft", "submitted", "approved", "rejected", "scheduled"):
            return
        commenters = _COMMUNITIES.get(plan.space, ("alice", "hugo", "zoe"))
        comment_ids: list[tuple[str, str, CommentPlan]] = []
        for comment in plan.comments:
            commenter = commenters[comment.author]
            answer = await self.client.post(
                f"{post}/comments", json={"body": "Un avis"}, headers=self.auth(commenter)
            )
            assert answer.status_code < 500, answer.text
            if answer.status_code == 201:
                comment_ids.append((answer.json()["id"], commenter, comment))
        for comment_id, commenter, comment in comment_ids:
            await self._end_comment(post, comment_id, commenter, comment.end)
        await self._end_post(post, author, plan.end, official)

    async def _workflow(self, post: str, author: str, end: str) -> bool:
        approver = "marc"  # four eyes: never the author
        if end == "draft":
            return True
        if not await self.call("POST", f"{post}/submit", author):
            return False
        if end == "submitted":
            return True
        if end == "rejected":
            return await self.call("POST", f"{post}/reject", approver, {"reason": "Non"})
        if not await self.call("POST", f"{post}/approve", approver):
            return False
        if end == "approved":
            return True
        at = (datetime.now(UTC) + timedelta(days=3)).isoformat() if end == "scheduled" else None
        return await self.call("POST", f"{post}/publish", author, {"at": at} if at else None)

    async def _end_comment(self, post: str, comment_id: str, commenter: str, end: str) -> None:
        hide = {"reason": "Hors charte", "comment_id": comment_id}
        if end in ("hidden", "restored"):
            await self.call("POST", f"{post}/hide", "nadia", hide)
        if end == "restored":
            await self.call("POST", f"{post}/restore", "nadia", hide)
        if end == "deleted":
            await self.call("DELETE", f"{post}/comments/{comment_id}", commenter)

    async def _end_post(self, post: str, author: str, end: str, official: bool) -> None:
        if end in ("hidden", "restored"):
            await self.call("POST", f"{post}/hide", "nadia", {"reason": "Hors charte"})
        if end == "restored":
            await self.call("POST", f"{post}/restore", "nadia", {"reason": "Revu"})
        if end == "retracted" and official:
            await self.call("POST", f"{post}/retract", author, {"reason": "Erreur"})
        if end == "deleted" or (end == "retracted" and not official):
            await self.call("DELETE", post, author)


async def _export(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    exported: dict[str, Any] = {}
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 7, **({"after": after} if after else {})}
        page = await client.get(EXPORT, params=params, headers=headers)
        assert page.status_code == 200, page.text
        for item in page.json()["documents"]:
            exported[item["document"]["id"]] = item
        after = page.json()["next_after"]
        if after is None:
            return exported


def _live(db: Database) -> dict[str, tuple[int, list[str]]]:
    """Each document's last outbox event: its version and readers, as search applied them."""
    live: dict[str, tuple[int, list[str]]] = {}
    for row in db.rows(
        "SELECT doc_id, version, data AS payload FROM outbox WHERE doc_id IS NOT NULL ORDER BY id"
    ):
        payload = db.document(row["payload"])
        live[row["doc_id"]] = (row["version"], payload["readers"] if payload else [])
    return live


def _stored(db: Database) -> dict[str, tuple[int, list[str]]]:
    stored: dict[str, tuple[int, list[str]]] = {}
    for table in ("posts", "comments"):
        for row in db.rows(f"SELECT id, version, readers FROM {table}"):
            stored[row["id"]] = (row["version"], db.json(row["readers"]))
    return stored


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plans=st.lists(_post_plans, min_size=1, max_size=3))
def test_a_rebuild_gives_every_document_the_readers_the_live_events_gave_it(
    plans: list[PostPlan],
    make_app: Callable[[PublishingSettings], FastAPI],
    settings: PublishingSettings,
    auth: Auth,
    token_issuer: TokenIssuer,
    db: Database,
) -> None:
    service = {"Authorization": f"Bearer {token_issuer.service_token('search')}"}

    async def scenario() -> dict[str, Any]:
        # A fresh app per example: an app's lifespan runs once.
        async with serving(make_app(settings)) as client:
            driver = _Driver(client, auth)
            for plan in plans:
                await driver.play(plan)
            return await _export(client, service)

    exported = asyncio.run(scenario())
    live = _live(db)
    stored = _stored(db)

    assert set(exported) == set(stored)
    for doc_id, item in exported.items():
        rebuilt = (item["version"], item["document"]["readers"])
        assert live[doc_id] == rebuilt, (doc_id, item["document"]["state"])
        assert stored[doc_id] == rebuilt, (doc_id, item["document"]["state"])
