"""Every route that takes a post, comment, space or report id answers an existing one the
caller may not read exactly as it answers a missing one: same status, same body but
for the id. Decided by the real policy service.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]

MISSING = "00000000-0000-4000-8000-000000000000"
MISSING_COMMENT = "00000000-0000-4000-8000-000000000001"
MISSING_SPACE = "no-such-space"
REASON = {"reason": "Pour voir"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # `{post}`, `{comment}`, `{space}`, `{report}` stand for the ids tried
    body: Any = None
    params: dict[str, str] | None = None


POST_ROUTES = [
    Route("GET", "/v1/posts/{post}"),
    Route("PATCH", "/v1/posts/{post}", {"title": "Nouveau titre"}),
    Route("DELETE", "/v1/posts/{post}"),
    Route("GET", "/v1/posts/{post}/versions"),
    Route("GET", "/v1/posts/{post}/history"),
    Route("POST", "/v1/posts/{post}/submit"),
    Route("POST", "/v1/posts/{post}/withdraw"),
    Route("POST", "/v1/posts/{post}/approve"),
    Route("POST", "/v1/posts/{post}/reject", REASON),
    Route("POST", "/v1/posts/{post}/publish"),
    Route("POST", "/v1/posts/{post}/retract", REASON),
    Route("POST", "/v1/posts/{post}/acknowledge"),
    Route("GET", "/v1/posts/{post}/acknowledgements"),
    Route("POST", "/v1/posts/{post}/pin"),
    Route("DELETE", "/v1/posts/{post}/pin"),
    Route("POST", "/v1/posts/{post}/endorse"),
    Route("DELETE", "/v1/posts/{post}/endorse"),
    Route("POST", "/v1/posts/{post}/comments", {"body": "Un mot"}),
    Route("GET", "/v1/posts/{post}/comments"),
    Route("PATCH", "/v1/posts/{post}/comments/{comment}", {"body": "Corrigé"}),
    Route("DELETE", "/v1/posts/{post}/comments/{comment}"),
    Route("POST", "/v1/posts/{post}/reactions", {"kind": "like"}),
    Route("DELETE", "/v1/posts/{post}/reactions/like"),
    Route("POST", "/v1/posts/{post}/reports", REASON),
    Route("POST", "/v1/posts/{post}/hide", REASON),
    Route("POST", "/v1/posts/{post}/restore", REASON),
    Route("GET", "/v1/moderation/actions", params={"post_id": "{post}"}),
]

# The post is readable; the comment (hidden, of someone else) is not.
COMMENT_ROUTES = [
    Route("PATCH", "/v1/posts/{post}/comments/{comment}", {"body": "Corrigé"}),
    Route("DELETE", "/v1/posts/{post}/comments/{comment}"),
    Route("POST", "/v1/posts/{post}/reports", {**REASON, "comment_id": "{comment}"}),
    Route("POST", "/v1/posts/{post}/hide", {**REASON, "comment_id": "{comment}"}),
    Route("POST", "/v1/posts/{post}/restore", {**REASON, "comment_id": "{comment}"}),
]

SPACE_ROUTES = [
    Route("GET", "/v1/spaces/{space}"),
    Route("PATCH", "/v1/spaces/{space}", {"name": "Renommé"}),
    Route("POST", "/v1/spaces/{space}/archive"),
    Route(
        "POST",
        "/v1/spaces/{space}/members",
        {"subject": "hugo", "role": "member", "justification": "Pour voir"},
    ),
    Route("GET", "/v1/spaces/{space}/posts"),
    Route("GET", "/v1/indicators", params={"space_id": "{space}"}),
    Route("GET", "/v1/moderation/reports", params={"space_id": "{space}"}),
    Route(
        "POST", "/v1/posts", {"space_id": "{space}", "kind": "social", "title": "T", "body": "B"}
    ),
    Route(
        "POST",
        "/v1/posts",
        {"space_id": "{space}", "kind": "official", "title": "T", "body": "B"},
    ),
    Route(
        "POST",
        "/v1/posts",
        {
            "space_id": "general",
            "kind": "official",
            "title": "T",
            "body": "B",
            "audience_spaces": ["{space}"],
        },
    ),
]

REPORT_ROUTES = [Route("POST", "/v1/moderation/reports/{report}/dismiss", REASON)]


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], value)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


async def _call(
    client: httpx.AsyncClient, auth: Auth, user: str, route: Route, ids: dict[str, str]
) -> httpx.Response:
    return await client.request(
        route.method,
        _fill(route.path, ids),
        json=_fill(route.body, ids),
        params=_fill(route.params, ids),
        headers=auth(user),
    )


def _masked(response: httpx.Response, ids: dict[str, str]) -> str:
    text = response.text
    for name, value in ids.items():
        text = text.replace(value, f"<{name}>")
    return text


async def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def _targets(client: httpx.AsyncClient, auth: Auth) -> dict[str, str]:
    """Content that exists and that the callers below may not read."""

    async def post(user: str, **body: Any) -> dict[str, Any]:
        return await _ok(
            await client.post(
                "/v1/posts", json={"title": "Cible", "body": "Texte", **body}, headers=auth(user)
            )
        )

    restricted = await post("chloe", space_id="hr-confidential", kind="social")
    restricted_comment = await _ok(
        await client.post(
            f"/v1/posts/{restricted['id']}/comments", json={"body": "Vu"}, headers=auth("emma")
        )
    )
    public = await post("alice", space_id="engineering", kind="social")
    hidden_comment = await _ok(
        await client.post(
            f"/v1/posts/{public['id']}/comments", json={"body": "Hors charte"}, headers=auth("bob")
        )
    )
    await _ok(
        await client.post(
            f"/v1/posts/{public['id']}/hide",
            json={"reason": "Hors charte", "comment_id": hidden_comment["id"]},
            headers=auth("nadia"),
        )
    )
    draft = await post("claire", space_id="general", kind="official")
    report = await _ok(
        await client.post(
            f"/v1/posts/{restricted['id']}/reports",
            json={"reason": "Hors sujet"},
            headers=auth("emma"),
        )
    )
    return {
        "restricted_post": restricted["id"],
        "restricted_comment": restricted_comment["id"],
        "public_post": public["id"],
        "hidden_comment": hidden_comment["id"],
        "draft": draft["id"],
        "report": report["id"],
    }


# (caller, what they may not read): the org moderator, a communicator, an approver, an
# employee in no restricted space, and a contractor who sees no employee space.
POST_CASES = [
    ("nadia", "restricted_post", "restricted_comment"),
    ("claire", "restricted_post", "restricted_comment"),
    ("hugo", "restricted_post", "restricted_comment"),
    ("zoe", "public_post", "hidden_comment"),
    ("marc", "draft", "restricted_comment"),
    ("hugo", "draft", "restricted_comment"),
]
COMMENT_CASES = [("hugo", "public_post"), ("david", "public_post"), ("alice", "public_post")]
SPACE_CASES = [
    ("nadia", "hr-confidential"),
    ("claire", "hr-confidential"),
    ("hugo", "projet-phoenix"),
    ("zoe", "engineering"),
    ("zoe", "cafe"),
]
REPORT_CASES = ["nadia", "claire", "hugo", "zoe"]


async def test_an_unreadable_id_is_answered_as_a_missing_one_on_every_route(
    real_client: httpx.AsyncClient, auth: Auth
) -> None:
    targets = await _targets(real_client, auth)
    tried: list[tuple[str, Route, dict[str, str], dict[str, str]]] = []
    for user, post, comment in POST_CASES:
        existing = {"post": targets[post], "comment": targets[comment]}
        tried += [
            (user, r, existing, {"post": MISSING, "comment": MISSING_COMMENT}) for r in POST_ROUTES
        ]
    for user, post in COMMENT_CASES:
        existing = {"post": targets[post], "comment": targets["hidden_comment"]}
        missing = {"post": targets[post], "comment": MISSING_COMMENT}
        tried += [(user, r, existing, missing) for r in COMMENT_ROUTES]
    for user, space in SPACE_CASES:
        tried += [(user, r, {"space": space}, {"space": MISSING_SPACE}) for r in SPACE_ROUTES]
    for user in REPORT_CASES:
        tried += [
            (user, r, {"report": targets["report"]}, {"report": MISSING}) for r in REPORT_ROUTES
        ]

    differences = []
    for user, route, existing, missing in tried:
        one = await _call(real_client, auth, user, route, existing)
        other = await _call(real_client, auth, user, route, missing)
        assert one.status_code < 500 and other.status_code < 500, (route, one.text)
        if (one.status_code, _masked(one, existing)) != (
            other.status_code,
            _masked(other, missing),
        ):
            differences.append(
                f"{user} {route.method} {route.path} {existing}: "
                f"{one.status_code} {_masked(one, existing)} != "
                f"{other.status_code} {_masked(other, missing)}"
            )
    assert differences == [], "\n".join(differences)

    # The targets are untouched by all of it.
    restricted = await real_client.get(
        f"/v1/posts/{targets['restricted_post']}", headers=auth("chloe")
    )
    assert (await _ok(restricted))["state"] == "published"
    comments = await _ok(
        await real_client.get(f"/v1/posts/{targets['public_post']}/comments", headers=auth("bob"))
    )
    assert [c["state"] for c in comments["items"]] == ["hidden"]
