"""The events people are told about: each written with its change, in its transaction,
carrying what a consumer needs (the contract in `townhall_contracts.events`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from townhall_contracts.events import Event, EventType

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]


def events_since(db: Any, after: int) -> list[Event]:
    """The outbox's events after id `after`, as the relay will publish them."""
    rows = db.rows(
        "SELECT id, type, data, created_at FROM outbox WHERE id > :a ORDER BY id", a=after
    )
    return [
        Event(
            id=row["id"], type=row["type"], occurred_at=row["created_at"], data=db.json(row["data"])
        )
        for row in rows
    ]


def head(db: Any) -> int:
    return int(db.rows("SELECT coalesce(max(id), 0) AS n FROM outbox")[0]["n"])


def told(events: list[Event]) -> list[EventType]:
    """The types of the events that are not search documents."""
    return [e.type for e in events if not e.type.value.startswith("document.")]


async def test_the_official_workflow_tells_each_step(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    due = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0)
    start = head(db)
    body = {
        "space_id": "general",
        "kind": "official",
        "title": "Consignes incendie",
        "body": "Lisez   les consignes.\n\nMerci @alice.",
        "authority": "Direction générale",
        "audience_groups": ["sales"],
        "requires_acknowledgement": True,
        "acknowledge_by": due.isoformat(),
    }
    created = await client.post("/v1/posts", json=body, headers=auth("claire"))
    assert created.status_code == 201, created.text
    post = created.json()
    assert post["acknowledge_by"] is not None
    path = f"/v1/posts/{post['id']}"
    for name, user in (("submit", "claire"), ("approve", "marc"), ("publish", "claire")):
        answer = await client.post(f"{path}/{name}", headers=auth(user))
        assert answer.status_code == 200, answer.text
    acknowledged = await client.post(f"{path}/acknowledge", headers=auth("david"))
    assert acknowledged.status_code in (200, 201), acknowledged.text

    events = events_since(db, start)
    assert told(events) == [
        EventType.POST_SUBMITTED,
        EventType.POST_APPROVED,
        EventType.POST_PUBLISHED,
        EventType.POST_ACKNOWLEDGED,
    ]
    published = next(e for e in events if e.type is EventType.POST_PUBLISHED).parsed()
    assert published.model_dump(include={"post_id", "authority", "audience_groups"}) == {
        "post_id": post["id"],
        "authority": "Direction générale",
        "audience_groups": ["sales"],
    }
    assert published.requires_acknowledgement is True  # type: ignore[attr-defined]
    assert published.acknowledge_by == due  # type: ignore[attr-defined]
    assert published.summary == "Lisez les consignes. Merci @alice."  # type: ignore[attr-defined]
    approved = next(e for e in events if e.type is EventType.POST_APPROVED).parsed()
    assert approved.by == "marc"  # type: ignore[attr-defined]
    # Each change's document comes before what people are told about it.
    assert events[-1].data == {"post_id": post["id"], "user_id": "david"}


async def test_a_rejection_tells_the_author_why(client: httpx.AsyncClient, auth: Auth, db) -> None:
    body = {"space_id": "general", "kind": "official", "title": "T", "body": "B"}
    post = (await client.post("/v1/posts", json=body, headers=auth("claire"))).json()
    await client.post(f"/v1/posts/{post['id']}/submit", headers=auth("claire"))
    start = head(db)
    rejected = await client.post(
        f"/v1/posts/{post['id']}/reject", json={"reason": "Date erronée"}, headers=auth("marc")
    )
    assert rejected.status_code == 200, rejected.text

    [event] = [e for e in events_since(db, start) if e.type is EventType.POST_REJECTED]
    assert event.data["reason"] == "Date erronée"
    assert event.data["author_id"] == "claire"


async def test_a_withdrawal_tells_who_took_what_back_and_a_refused_one_tells_nothing(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    body = {"space_id": "general", "kind": "official", "title": "Budget", "body": "B"}
    post = (await client.post("/v1/posts", json=body, headers=auth("claire"))).json()
    await client.post(f"/v1/posts/{post['id']}/submit", headers=auth("claire"))
    start = head(db)
    refused = await client.post(f"/v1/posts/{post['id']}/withdraw", headers=auth("marc"))
    assert refused.status_code == 403
    assert events_since(db, start) == []

    withdrawn = await client.post(f"/v1/posts/{post['id']}/withdraw", headers=auth("claire"))
    assert withdrawn.status_code == 200, withdrawn.text

    [event] = [e for e in events_since(db, start) if e.type is EventType.POST_WITHDRAWN]
    assert event.data == {
        "post_id": post["id"],
        "space_id": "general",
        "author_id": "claire",
        "title": "Budget",
    }


async def test_a_social_post_its_replies_its_endorsement_and_its_report(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    start = head(db)
    body = {"space_id": "engineering", "kind": "social", "title": "Idée", "body": "Et si @bob..."}
    post = (await client.post("/v1/posts", json=body, headers=auth("alice"))).json()
    path = f"/v1/posts/{post['id']}"
    top = (await client.post(f"{path}/comments", json={"body": "Oui"}, headers=auth("bob"))).json()
    reply = await client.post(
        f"{path}/comments",
        json={"body": "D'accord @alice", "parent_id": top["id"]},
        headers=auth("alice"),
    )
    assert reply.status_code == 201, reply.text
    endorsed = await client.post(f"{path}/endorse", headers=auth("claire"))
    assert endorsed.status_code == 200, endorsed.text
    reported = await client.post(
        f"{path}/reports", json={"reason": "Hors sujet"}, headers=auth("bob")
    )
    assert reported.status_code == 201, reported.text

    events = events_since(db, start)
    assert told(events) == [
        EventType.POST_PUBLISHED,
        EventType.COMMENT_CREATED,
        EventType.COMMENT_CREATED,
        EventType.POST_ENDORSED,
        EventType.REPORT_CREATED,
    ]
    first, second = [e.data for e in events if e.type is EventType.COMMENT_CREATED]
    assert first["parent_author_id"] is None and first["post_author_id"] == "alice"
    assert second["parent_author_id"] == "bob" and second["mentions"] == ["alice"]
    published = next(e for e in events if e.type is EventType.POST_PUBLISHED).data
    assert published["mentions"] == ["bob"] and published["kind"] == "social"
    report = next(e for e in events if e.type is EventType.REPORT_CREATED).data
    assert report["reporter_id"] == "bob" and report["space_id"] == "engineering"


async def test_a_refused_change_writes_no_event(client: httpx.AsyncClient, auth: Auth, db) -> None:
    start = head(db)
    refused = await client.post(
        "/v1/posts",
        json={"space_id": "general", "kind": "social", "title": "T", "body": "B"},
        headers=auth("alice"),
    )
    assert refused.status_code in (403, 409, 422)
    assert head(db) == start


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"acknowledge_by": "2020-01-01T00:00:00Z"}, "in the future"),
        ({"requires_acknowledgement": False}, "only with requires_acknowledgement"),
        ({"acknowledge_by": "2999-01-01T00:00:00"}, "timezone"),
    ],
)
async def test_a_bad_acknowledgement_date_is_refused(
    client: httpx.AsyncClient, auth: Auth, db, extra: dict[str, Any], message: str
) -> None:
    body = {
        "space_id": "general",
        "kind": "official",
        "title": "T",
        "body": "B",
        "requires_acknowledgement": True,
        "acknowledge_by": "2999-01-01T00:00:00Z",
        **extra,
    }
    start = head(db)
    answer = await client.post("/v1/posts", json=body, headers=auth("claire"))

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert message in answer.text
    assert head(db) == start
