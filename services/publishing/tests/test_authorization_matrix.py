"""Every mutating endpoint against every demo user, decided by the real policy service.

Each case prepares a fresh target with the users whose job it is, then lets one demo
user try the step. The expected answer comes from the demo roles: 2xx for who may,
403 for who may read the target but not do the step, 404 for who may not even read it.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from townhall_contracts.demo import USERS

from .conftest import publish_official_post

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]
EVERYONE = [user.id for user in USERS]
EMPLOYEES = [u for u in EVERYONE if u != "zoe"]


@dataclass
class Case:
    """One step: `prepare` builds its target and answers the request to try."""

    prepare: Callable[[httpx.AsyncClient, Auth, str], Awaitable[tuple[str, str, Any]]]
    allowed: set[str]
    not_found: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Upload:
    """A multipart body with one file, for the steps that take one."""

    name: str
    data: bytes


# The smallest PNG: one transparent pixel.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6300010000050001b0d4c7b00000000049454e44ae426082"
)


async def _call(
    client: httpx.AsyncClient, auth: Auth, user: str, method: str, path: str, body: Any
):
    if isinstance(body, Upload):
        files = {"file": (body.name, body.data, "image/png")}
        return await client.request(method, path, files=files, headers=auth(user))
    return await client.request(method, path, json=body, headers=auth(user))


async def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


async def _social(
    client: httpx.AsyncClient, auth: Auth, author: str = "alice", space: str = "engineering"
) -> dict[str, Any]:
    return await _ok(
        await client.post(
            "/v1/posts",
            json={"space_id": space, "kind": "social", "title": "Matrix", "body": "Un texte"},
            headers=auth(author),
        )
    )


async def _draft(client: httpx.AsyncClient, auth: Auth, **extra: Any) -> dict[str, Any]:
    body = {"space_id": "general", "kind": "official", "title": "Note", "body": "Texte", **extra}
    return await _ok(await client.post("/v1/posts", json=body, headers=auth("claire")))


async def _step(
    client: httpx.AsyncClient, auth: Auth, post_id: str, step: str, user: str, body: Any = None
) -> None:
    await _ok(await client.post(f"/v1/posts/{post_id}/{step}", json=body, headers=auth(user)))


def _slug() -> str:
    return f"m-{uuid.uuid4().hex[:10]}"


async def create_space(client, auth, user):
    return (
        "POST",
        "/v1/spaces",
        {"id": _slug(), "name": "M", "kind": "community", "visibility": "public"},
    )


async def update_space(client, auth, user):
    return "PATCH", "/v1/spaces/engineering", {"description": f"Engineering ({user})"}


async def archive_space(client, auth, user):
    space = _slug()
    await _ok(
        await client.post(
            "/v1/spaces",
            json={"id": space, "name": "M", "kind": "community", "visibility": "public"},
            headers=auth("bob"),
        )
    )
    return "POST", f"/v1/spaces/{space}/archive", None


async def add_member(client, auth, user):
    return (
        "POST",
        "/v1/spaces/engineering/members",
        {
            "subject": "hugo",
            "role": "member",
            "justification": "Joins the team",
        },
    )


async def create_social(client, auth, user):
    return (
        "POST",
        "/v1/posts",
        {"space_id": "engineering", "kind": "social", "title": "T", "body": "B"},
    )


async def create_official(client, auth, user):
    return (
        "POST",
        "/v1/posts",
        {"space_id": "general", "kind": "official", "title": "T", "body": "B"},
    )


async def edit_post(client, auth, user):
    post = await _social(client, auth)
    return "PATCH", f"/v1/posts/{post['id']}", {"body": "Corrigé"}


async def delete_post(client, auth, user):
    post = await _social(client, auth)
    return "DELETE", f"/v1/posts/{post['id']}", None


async def attach_media(client, auth, user):
    post = await _social(client, auth)
    return "POST", f"/v1/posts/{post['id']}/media", Upload("pixel.png", PIXEL)


async def detach_media(client, auth, user):
    post = await _social(client, auth)
    media = await _ok(
        await _call(
            client, auth, "alice", "POST", f"/v1/posts/{post['id']}/media", Upload("p.png", PIXEL)
        )
    )
    return "DELETE", f"/v1/posts/{post['id']}/media/{media['id']}", None


async def submit(client, auth, user):
    post = await _draft(client, auth)
    return "POST", f"/v1/posts/{post['id']}/submit", None


async def _submitted(client, auth) -> str:
    post = await _draft(client, auth)
    await _step(client, auth, post["id"], "submit", "claire")
    return str(post["id"])


async def withdraw(client, auth, user):
    return "POST", f"/v1/posts/{await _submitted(client, auth)}/withdraw", None


async def approve(client, auth, user):
    return "POST", f"/v1/posts/{await _submitted(client, auth)}/approve", None


async def reject(client, auth, user):
    return "POST", f"/v1/posts/{await _submitted(client, auth)}/reject", {"reason": "Pas clair"}


async def publish(client, auth, user):
    post_id = await _submitted(client, auth)
    await _step(client, auth, post_id, "approve", "marc")
    return "POST", f"/v1/posts/{post_id}/publish", None


async def retract(client, auth, user):
    post = await publish_official_post(client, auth)
    return "POST", f"/v1/posts/{post['id']}/retract", {"reason": "Erreur de date"}


async def acknowledge(client, auth, user):
    post = await publish_official_post(client, auth, requires_acknowledgement=True)
    return "POST", f"/v1/posts/{post['id']}/acknowledge", None


async def comment(client, auth, user):
    post = await _social(client, auth)
    return "POST", f"/v1/posts/{post['id']}/comments", {"body": "Bien vu"}


async def official_answer(client, auth, user):
    post = await _social(client, auth)
    return "POST", f"/v1/posts/{post['id']}/comments", {"body": "Réponse", "official": True}


async def _comment_of_alice(client, auth) -> tuple[str, str]:
    post = await _social(client, auth)
    made = await _ok(
        await client.post(
            f"/v1/posts/{post['id']}/comments", json={"body": "x"}, headers=auth("alice")
        )
    )
    return str(post["id"]), str(made["id"])


async def edit_comment(client, auth, user):
    post_id, comment_id = await _comment_of_alice(client, auth)
    return "PATCH", f"/v1/posts/{post_id}/comments/{comment_id}", {"body": "y"}


async def delete_comment(client, auth, user):
    post_id, comment_id = await _comment_of_alice(client, auth)
    return "DELETE", f"/v1/posts/{post_id}/comments/{comment_id}", None


async def react(client, auth, user):
    post = await _social(client, auth)
    return "POST", f"/v1/posts/{post['id']}/reactions", {"kind": "like"}


async def unreact(client, auth, user):
    post = await _social(client, auth)
    # Who may react does, so that taking it back is what is tried.
    await client.post(
        f"/v1/posts/{post['id']}/reactions", json={"kind": "like"}, headers=auth(user)
    )
    return "DELETE", f"/v1/posts/{post['id']}/reactions/like", None


async def report(client, auth, user):
    post = await _social(client, auth)
    return "POST", f"/v1/posts/{post['id']}/reports", {"reason": "Hors sujet"}


async def hide(client, auth, user):
    post = await _social(client, auth)
    return "POST", f"/v1/posts/{post['id']}/hide", {"reason": "Propos déplacés"}


async def restore(client, auth, user):
    post = await _social(client, auth)
    await _step(client, auth, post["id"], "hide", "nadia", {"reason": "Propos déplacés"})
    return "POST", f"/v1/posts/{post['id']}/restore", {"reason": "Erreur de modération"}


async def dismiss(client, auth, user):
    post = await _social(client, auth)
    made = await _ok(
        await client.post(
            f"/v1/posts/{post['id']}/reports", json={"reason": "Spam?"}, headers=auth("david")
        )
    )
    return "POST", f"/v1/moderation/reports/{made['id']}/dismiss", {"reason": "Rien à redire"}


async def pin(client, auth, user):
    post = await _social(client, auth)
    return "POST", f"/v1/posts/{post['id']}/pin", None


async def unpin(client, auth, user):
    post = await _social(client, auth)
    await _step(client, auth, post["id"], "pin", "bob")
    return "DELETE", f"/v1/posts/{post['id']}/pin", None


async def endorse(client, auth, user):
    post = await _social(client, auth)
    return "POST", f"/v1/posts/{post['id']}/endorse", None


async def unendorse(client, auth, user):
    post = await _social(client, auth)
    await _step(client, auth, post["id"], "endorse", "claire")
    return "DELETE", f"/v1/posts/{post['id']}/endorse", None


ZOE = {"zoe"}  # not an employee, not in engineering nor general: reads none of it
# Compliance officers read everything and change nothing (issue 14, case 4): policy's
# decisions refuse them every change, whatever else they hold.
CHANGERS = set(EMPLOYEES) - {"olivier"}
REVIEW_HIDDEN = set(EVERYONE) - {"claire", "marc", "olivier"}

CASES: dict[str, Case] = {
    "create space": Case(create_space, allowed=CHANGERS),
    # A contractor sees no public employee space: to her, it does not exist.
    "update space": Case(update_space, allowed={"bob"}, not_found=ZOE),
    "archive space": Case(archive_space, allowed={"bob"}, not_found=ZOE),
    # engineering's owner, and the policy admin (policy decides the grant itself).
    "add member": Case(add_member, allowed={"bob", "paul"}, not_found=ZOE),
    "create social post": Case(create_social, allowed=CHANGERS, not_found=ZOE),
    "create official draft": Case(create_official, allowed={"claire", "marc"}, not_found=ZOE),
    "edit post": Case(edit_post, allowed={"alice"}, not_found=ZOE),
    "delete post": Case(delete_post, allowed={"alice"}, not_found=ZOE),
    "attach media": Case(attach_media, allowed={"alice"}, not_found=ZOE),
    "detach media": Case(detach_media, allowed={"alice"}, not_found=ZOE),
    # A draft is read by its author (and compliance) only.
    "submit": Case(submit, allowed={"claire"}, not_found=set(EVERYONE) - {"claire", "olivier"}),
    # In review, communications staff read it too; only its author withdraws it.
    "withdraw": Case(withdraw, allowed={"claire"}, not_found=REVIEW_HIDDEN),
    "approve": Case(approve, allowed={"marc"}, not_found=REVIEW_HIDDEN),
    "reject": Case(reject, allowed={"marc"}, not_found=REVIEW_HIDDEN),
    "publish": Case(publish, allowed={"claire", "marc"}, not_found=REVIEW_HIDDEN),
    "retract": Case(retract, allowed={"claire", "marc"}, not_found=ZOE),
    "acknowledge": Case(acknowledge, allowed=set(EMPLOYEES), not_found=ZOE),
    "comment": Case(comment, allowed=CHANGERS, not_found=ZOE),
    "official answer": Case(official_answer, allowed={"sophie"}, not_found=ZOE),
    "edit comment": Case(edit_comment, allowed={"alice"}, not_found=ZOE),
    "delete comment": Case(delete_comment, allowed={"alice"}, not_found=ZOE),
    "react": Case(react, allowed=CHANGERS, not_found=ZOE),
    # olivier could not react, so he has no reaction to take back.
    "unreact": Case(unreact, allowed=CHANGERS, not_found=ZOE | {"olivier"}),
    "report": Case(report, allowed=set(EMPLOYEES), not_found=ZOE),
    # Moderation answers 403 to a reader who does not moderate the space, and 404 to
    # whoever may not read the content (moderating means reading).
    "hide": Case(hide, allowed={"nadia", "bob"}, not_found=ZOE),
    # Hidden, a post is read by its author, its moderators and compliance only.
    "restore": Case(
        restore,
        allowed={"nadia", "bob"},
        not_found=set(EVERYONE) - {"nadia", "bob", "alice", "olivier"},
    ),
    "dismiss report": Case(dismiss, allowed={"nadia", "bob"}, not_found=ZOE),
    "pin": Case(pin, allowed={"claire", "bob"}, not_found=ZOE),
    "unpin": Case(unpin, allowed={"claire", "bob"}, not_found=ZOE),
    "endorse": Case(endorse, allowed={"claire", "sophie"}, not_found=ZOE),
    "unendorse": Case(unendorse, allowed={"claire", "sophie"}, not_found=ZOE),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_every_demo_user_gets_what_their_roles_allow(
    real_client: httpx.AsyncClient, auth: Auth, name: str
) -> None:
    case = CASES[name]
    outcomes: dict[str, int] = {}
    expected: dict[str, int | str] = {}
    for user in EVERYONE:
        method, path, body = await case.prepare(real_client, auth, user)
        response = await _call(real_client, auth, user, method, path, body)
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json", response.text
        outcomes[user] = response.status_code
        if user in case.allowed:
            expected[user] = response.status_code if 200 <= response.status_code < 300 else "2xx"
        elif user in case.not_found:
            expected[user] = 404
        else:
            expected[user] = 403
    assert outcomes == expected
