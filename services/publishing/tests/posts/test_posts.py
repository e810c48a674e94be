"""Posts: social and official, the readers rule on GET, and nothing half-written."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest
from anyio import to_thread
from sqlalchemy import event, text

from townhall_contracts.readers import may_read

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"
Auth = Callable[[str], dict[str, str]]


async def create_post(
    client: httpx.AsyncClient, auth: Auth, user: str, **fields: Any
) -> httpx.Response:
    body = {"space_id": "engineering", "kind": "social", "title": "Hello", "body": "Bonjour"}
    body.update(fields)
    return await client.post("/v1/posts", json=body, headers=auth(user))


async def test_employee_publishes_a_social_post_with_its_outbox_event(
    client: httpx.AsyncClient, auth: Auth, db, policy
) -> None:
    response = await create_post(
        client, auth, "alice", title="Revue de sécurité", body="La sécurité d'abord."
    )

    assert response.status_code == 201, response.text
    post = response.json()
    assert response.headers["location"] == f"/v1/posts/{post['id']}"
    assert post["space_id"] == "engineering"
    assert post["kind"] == "social"
    assert post["title"] == "Revue de sécurité"
    assert post["author_id"] == "alice"
    assert post["state"] == "published"
    assert post["authority"] is None
    assert post["decision_id"].startswith("dec-")
    assert post["policy_revision"] == 42
    assert policy.decisions[-1] == {
        "subject": "alice",
        "action": "post.social",
        "domain": "space:engineering",
    }
    [stored] = db.rows("SELECT readers, decision_id FROM posts WHERE id = :id", id=post["id"])
    assert stored["decision_id"] == post["decision_id"]
    [event] = db.rows("SELECT * FROM outbox WHERE doc_id = :id", id=post["id"])
    assert event["type"] == "document.upserted"
    assert event["version"] == 1
    assert event["delivered_at"] is None
    payload = db.document(event["data"])
    assert payload["readers"] == ["auditor:org", "org", "user:alice"]
    assert payload["title"] == "Revue de sécurité"
    assert payload["doc_type"] == "post"
    reader_rows = db.rows("SELECT principal FROM post_readers WHERE post_id = :id", id=post["id"])
    assert {row["principal"] for row in reader_rows} == {"auditor:org", "org", "user:alice"}


async def test_more_concurrent_writers_than_worker_threads_all_get_their_answer(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    """On PostgreSQL writers wait for the outbox write lock inside their endpoints, each
    in a worker thread; when they take every thread, the holder of the lock still
    commits (write sessions are closed by threads of their own) and all are answered."""
    threads = to_thread.current_default_thread_limiter()
    saved = threads.total_tokens
    threads.total_tokens = 2
    try:
        with anyio.fail_after(60):
            answers = await asyncio.gather(
                *(create_post(client, auth, "alice", title=f"Concurrent {n}") for n in range(8))
            )
    finally:
        threads.total_tokens = saved

    assert [answer.status_code for answer in answers] == [201] * 8
    for answer in answers:
        assert db.count("outbox", "doc_id = :id", id=answer.json()["id"]) == 1


async def test_refused_social_post_is_403_with_policy_reason_and_writes_nothing(
    client: httpx.AsyncClient, auth: Auth, db, policy
) -> None:
    before = db.counts()

    # hugo sees the public community, and policy refuses him a post there.
    policy.overrides[("hugo", "post.social", "space:engineering")] = False
    response = await create_post(client, auth, "hugo")
    # zoe is a contractor, not an employee: to her, the employees' space does not exist.
    unseen = await create_post(client, auth, "zoe")

    assert unseen.status_code == 404
    assert unseen.json()["type"].endswith("/space-not-found")
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["type"].endswith("/permission-denied")
    assert problem["reason"]["missing"] == "post.social in space:engineering"
    assert problem["reason"]["summary"] == problem["detail"]
    assert problem["decision_id"].startswith("dec-")
    assert problem["policy_revision"] == 42
    assert db.counts() == before


async def test_communicator_drafts_an_official_post_that_waits_for_approval(
    client: httpx.AsyncClient, auth: Auth, db, policy
) -> None:
    response = await create_post(
        client, auth, "claire", space_id="general", kind="official", title="Annonce", body="Texte"
    )

    assert response.status_code == 201, response.text
    post = response.json()
    assert post["kind"] == "official"
    assert post["state"] == "draft"
    assert post["published_at"] is None
    assert post["authority"] == "Direction de la communication"
    assert policy.decisions[-1]["action"] == "post.official"
    assert policy.decisions[-1]["domain"] == "space:general"
    assert db.count("outbox", "doc_id = :id", id=post["id"]) == 1
    # A draft is its author's alone: nobody else reads it, in publishing or search.
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("david"))).status_code == 404
    event = db.rows("SELECT data AS payload FROM outbox WHERE doc_id = :id", id=post["id"])[0]
    assert db.document(event["payload"])["readers"] == ["auditor:org", "user:claire"]

    named = await create_post(
        client,
        auth,
        "marc",
        space_id="general",
        kind="official",
        authority="Direction générale",
    )
    assert named.status_code == 201
    assert named.json()["authority"] == "Direction générale"


async def test_employee_official_post_is_refused_naming_the_missing_permission(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    before = db.counts()

    response = await create_post(client, auth, "alice", space_id="general", kind="official")

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["reason"]["missing"] == "post.official in space:general"
    assert db.counts() == before


async def test_social_post_in_an_announcement_space_is_the_wrong_kind(
    client: httpx.AsyncClient, auth: Auth, db, policy
) -> None:
    before = db.counts()

    response = await create_post(client, auth, "claire", space_id="general", kind="social")

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/wrong-kind-for-space")
    assert policy.decisions == []
    assert db.counts() == before


async def test_unknown_or_unseen_space_is_not_found(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    before = db.counts()

    unknown = await create_post(client, auth, "alice", space_id="no-such-space")
    # david is not a member of the restricted hr-confidential space: it is not found either.
    unseen = await create_post(client, auth, "david", space_id="hr-confidential")

    for response in (unknown, unseen):
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"].endswith("/space-not-found")
    assert db.counts() == before


async def test_member_posts_in_a_restricted_space(client: httpx.AsyncClient, auth: Auth) -> None:
    response = await create_post(client, auth, "emma", space_id="hr-confidential")

    assert response.status_code == 201
    post = await client.get(f"/v1/posts/{response.json()['id']}", headers=auth("chloe"))
    assert post.status_code == 200


async def test_unreadable_post_answers_exactly_like_a_missing_one(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    created = await create_post(client, auth, "alice", space_id="projet-phoenix", body="Secret")
    post_id = created.json()["id"]
    [stored] = db.rows("SELECT readers FROM posts WHERE id = :id", id=post_id)

    hidden = await client.get(f"/v1/posts/{post_id}", headers=auth("david"))
    missing = await client.get(
        "/v1/posts/00000000-0000-0000-0000-000000000000", headers=auth("david")
    )

    assert hidden.status_code == missing.status_code == 404
    assert hidden.headers["content-type"] == PROBLEM
    assert hidden.json()["type"] == missing.json()["type"]
    assert hidden.json()["title"] == missing.json()["title"]
    assert "Secret" not in hidden.text
    principals_of_david = {"org", "user:david", "group:sales", "space:engineering"}
    assert not may_read(principals_of_david, db.json(stored["readers"]))
    for reader in ("bob", "zoe", "alice", "olivier"):
        response = await client.get(f"/v1/posts/{post_id}", headers=auth(reader))
        assert response.status_code == 200, reader
        assert response.json()["body"] == "Secret"


async def test_public_post_is_read_by_employees_but_not_by_an_outsider(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    post_id = (await create_post(client, auth, "bob")).json()["id"]

    async def status_for(user: str) -> int:
        return (await client.get(f"/v1/posts/{post_id}", headers=auth(user))).status_code

    assert await status_for("hugo") == 200
    # zoe is not an employee: `org` is not among her principals.
    assert await status_for("zoe") == 404
    # A valid token for a subject policy does not know reads nothing.
    assert await status_for("mallory") == 404


async def test_policy_outage_fails_closed_and_writes_nothing(
    client: httpx.AsyncClient, auth: Auth, db, policy
) -> None:
    before = db.counts()
    policy.available = False

    response = await create_post(client, auth, "alice")

    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"].endswith("/dependency-unavailable")
    assert db.counts() == before


async def test_post_and_outbox_event_commit_together_or_not_at_all(
    app, serve, auth: Auth, db, backend: str
) -> None:
    """When the outbox insert fails inside the database, the post is not written either."""
    before = db.counts()
    if backend == "sqlite":
        statements = [
            "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox "
            "BEGIN SELECT RAISE(ABORT, 'outbox refused'); END"
        ]
        cleanup = ["DROP TRIGGER refuse_outbox"]
    else:
        statements = [
            "CREATE FUNCTION refuse_outbox() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'outbox refused'; END $$",
            "CREATE TRIGGER refuse_outbox BEFORE INSERT ON outbox "
            "FOR EACH ROW EXECUTE FUNCTION refuse_outbox()",
        ]
        cleanup = ["DROP TRIGGER refuse_outbox ON outbox", "DROP FUNCTION refuse_outbox()"]
    with db.engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))
    try:
        async with serve(app, raise_app_exceptions=False) as client:
            response = await create_post(client, auth, "alice")
    finally:
        with db.engine.begin() as connection:
            for statement in cleanup:
                connection.execute(text(statement))

    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert db.counts() == before


async def test_a_commit_that_fails_answers_500_and_writes_nothing(
    app, serve, auth: Auth, db
) -> None:
    """The endpoint's thread commits before the response is built: a commit refused by
    the database never shows as 201."""
    before = db.counts()
    engine = app.state.engine

    def refuse(connection: object) -> None:
        raise RuntimeError("commit refused")

    async with serve(app, raise_app_exceptions=False) as client:
        event.listen(engine, "commit", refuse)
        try:
            refused = await create_post(client, auth, "alice")
        finally:
            event.remove(engine, "commit", refuse)
        after_refusal = db.counts()
        # Nothing is left holding the writer lock: the next write goes through.
        accepted = await create_post(client, auth, "alice")

    assert refused.status_code == 500
    assert refused.headers["content-type"] == PROBLEM
    assert after_refusal == before
    assert accepted.status_code == 201


async def test_post_fields_are_validated(client: httpx.AsyncClient, auth: Auth, db, policy) -> None:
    before = db.counts()
    invalid = [
        {"title": ""},
        {"title": "   "},
        {"title": "t" * 201},
        {"body": ""},
        {"body": "b" * 20_001},
        {"kind": "rumour"},
        {"authority": "Direction de la communication"},  # only official posts have one
        {"space_id": ""},
    ]
    for fields in invalid:
        response = await create_post(client, auth, "alice", **fields)
        assert response.status_code == 422, fields
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["errors"], fields
    assert db.counts() == before
    assert policy.decisions == []
    longest = await create_post(client, auth, "alice", title="t" * 200, body="b" * 20_000)
    assert longest.status_code == 201
