"""The official workflow: draft, submission, four-eyes approval, rejection, publication
now or on schedule, retraction; every step stored with the decision that allowed it."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import Engine

from townhall_platform.testing import EVENTUALLY_SECONDS, ManualClock
from townhall_publishing.scheduler.runner import Scheduler
from townhall_publishing.workflow import service as workflow_service

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"
Auth = Callable[[str], dict[str, str]]


async def draft(
    client: httpx.AsyncClient, auth: Auth, author: str = "claire", **extra: Any
) -> dict[str, Any]:
    body = {"space_id": "general", "kind": "official", "title": "Charte", "body": "Texte", **extra}
    response = await client.post("/v1/posts", json=body, headers=auth(author))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def step(
    client: httpx.AsyncClient, auth: Auth, post_id: str, name: str, user: str, body: Any = None
) -> httpx.Response:
    return await client.post(f"/v1/posts/{post_id}/{name}", json=body, headers=auth(user))


async def test_draft_to_published_with_each_decision_kept(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    post = await draft(client, auth, requires_acknowledgement=True, authority="Direction générale")
    assert post["state"] == "draft"

    submitted = await step(client, auth, post["id"], "submit", "claire")
    assert submitted.json()["state"] == "submitted"
    # In review: the approver reads it, employees still do not.
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("marc"))).status_code == 200
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("alice"))).status_code == 404

    approved = await step(client, auth, post["id"], "approve", "marc")
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    assert approved.json()["approved_by"] == "marc"

    published = await step(client, auth, post["id"], "publish", "claire")
    assert published.status_code == 200, published.text
    answer = published.json()
    assert answer["state"] == "published"
    assert answer["authority"] == "Direction générale"
    assert answer["requires_acknowledgement"] is True
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("alice"))).status_code == 200

    history = (await client.get(f"/v1/posts/{post['id']}/history", headers=auth("claire"))).json()
    steps = [(s["step"], s["actor_id"], s["action"]) for s in history["steps"]]
    assert steps == [
        ("draft", "claire", "post.official"),
        ("submit", "claire", "post.official"),
        ("approve", "marc", "approve.official"),
        ("publish", "claire", "publish.official"),
    ]
    assert all(s["decision_id"] and s["policy_revision"] == 42 for s in history["steps"])
    # Each step is an event; the last one carries the company-wide readers.
    events = db.rows(
        "SELECT version, data AS payload FROM outbox WHERE doc_id = :id ORDER BY id", id=post["id"]
    )
    assert [e["version"] for e in events] == [1, 2, 3, 4]
    assert db.document(events[-1]["payload"])["readers"] == ["auditor:org", "org", "user:claire"]


async def test_an_approver_may_not_approve_their_own_post(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    post = await draft(client, auth, author="marc")
    await step(client, auth, post["id"], "submit", "marc")
    before = db.counts()

    for name, body in (("approve", None), ("reject", {"reason": "Moi-même"})):
        refused = await step(client, auth, post["id"], name, "marc", body)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == PROBLEM
        assert refused.json()["type"].endswith("/four-eyes")
    assert db.counts() == before
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("marc"))).json()[
        "state"
    ] == "submitted"


async def test_rejection_carries_a_reason_and_the_author_may_fix_and_resubmit(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    post = await draft(client, auth)
    await step(client, auth, post["id"], "submit", "claire")
    no_reason = await step(client, auth, post["id"], "reject", "marc", {})
    assert no_reason.status_code == 422

    rejected = await step(client, auth, post["id"], "reject", "marc", {"reason": "Date erronée"})
    assert rejected.json()["state"] == "rejected"
    assert rejected.json()["rejection_reason"] == "Date erronée"

    edited = await client.patch(
        f"/v1/posts/{post['id']}", json={"body": "Texte corrigé"}, headers=auth("claire")
    )
    assert edited.status_code == 200, edited.text
    resubmitted = await step(client, auth, post["id"], "submit", "claire")
    assert resubmitted.json()["state"] == "submitted"
    assert resubmitted.json()["rejection_reason"] is None
    versions = (await client.get(f"/v1/posts/{post['id']}/versions", headers=auth("claire"))).json()
    assert [v["body"] for v in versions["versions"]] == ["Texte"]
    assert versions["current"]["body"] == "Texte corrigé"


async def test_the_author_withdraws_a_submission_to_edit_it_and_an_approval_lapses(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    post = await draft(client, auth)
    submitted = await step(
        client, auth, post["id"], "submit", "claire", {"publish_at": "2999-01-01T08:00:00Z"}
    )
    assert submitted.status_code == 422, "a year at most: the schedule is checked first"
    await step(client, auth, post["id"], "submit", "claire")
    # Only its author withdraws it; an approver who reads it is refused, with why.
    by_approver = await step(client, auth, post["id"], "withdraw", "marc")
    assert by_approver.status_code == 403
    assert by_approver.headers["content-type"] == PROBLEM

    withdrawn = await step(client, auth, post["id"], "withdraw", "claire")
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state"] == "draft"
    assert withdrawn.json()["submitted_at"] is None
    # A draft again: out of the approver's sight, editable, and withdrawn only once.
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("marc"))).status_code == 404
    edited = await client.patch(
        f"/v1/posts/{post['id']}", json={"body": "Texte revu"}, headers=auth("claire")
    )
    assert edited.status_code == 200, edited.text
    before = db.counts()
    again = await step(client, auth, post["id"], "withdraw", "claire")
    assert again.status_code == 409
    assert db.counts() == before

    # An approved post not yet out is withdrawn too; its approval lapses.
    await step(client, auth, post["id"], "submit", "claire")
    await step(client, auth, post["id"], "approve", "marc")
    withdrawn = await step(client, auth, post["id"], "withdraw", "claire")
    assert withdrawn.json()["state"] == "draft"
    assert withdrawn.json()["approved_by"] is None
    history = (await client.get(f"/v1/posts/{post['id']}/history", headers=auth("claire"))).json()
    steps = [(s["step"], s["actor_id"], s["action"]) for s in history["steps"]]
    assert steps[-3:] == [
        ("submit", "claire", "post.official"),
        ("approve", "marc", "approve.official"),
        ("withdraw", "claire", "post.official"),
    ]
    published = await step(client, auth, post["id"], "publish", "claire")
    assert published.status_code == 409, "a withdrawn post is approved again before it goes out"


async def test_steps_out_of_order_are_conflicts_and_change_nothing(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    post = await draft(client, auth)
    before = db.counts()
    for name, user in (("approve", "marc"), ("publish", "claire"), ("retract", "claire")):
        body = {"reason": "Trop tôt"} if name == "retract" else None
        response = await step(client, auth, post["id"], name, user, body)
        assert response.status_code in (404, 409), response.text
        if response.status_code == 409:
            assert response.json()["type"].endswith("/invalid-transition")
            assert response.json()["state"] == "draft"
    assert db.counts() == before
    # A submitted post's content is fixed.
    await step(client, auth, post["id"], "submit", "claire")
    locked = await client.patch(
        f"/v1/posts/{post['id']}", json={"title": "Autre"}, headers=auth("claire")
    )
    assert locked.status_code == 409
    # Social posts have no workflow.
    social = await client.post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": "T", "body": "B"},
        headers=auth("alice"),
    )
    not_official = await step(client, auth, social.json()["id"], "submit", "alice")
    assert not_official.status_code == 422
    assert not_official.json()["type"].endswith("/not-official")


@pytest.mark.parametrize(
    "at",
    [
        "2020-01-01T09:00:00+00:00",  # in the past
        "2031-13-01T09:00:00+00:00",  # not a date
        "2030-01-01T09:00:00",  # no time zone
        "demain",
        "2099-01-01T09:00:00+00:00",  # more than a year away
    ],
)
async def test_bad_schedule_times_are_precise_422s(
    client: httpx.AsyncClient, auth: Auth, db, at: str
) -> None:
    post = await draft(client, auth)
    await step(client, auth, post["id"], "submit", "claire")
    await step(client, auth, post["id"], "approve", "marc")
    before = db.counts()

    response = await step(client, auth, post["id"], "publish", "claire", {"at": at})

    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert db.counts() == before
    again = await client.get(f"/v1/posts/{post['id']}", headers=auth("claire"))
    assert again.json()["state"] == "approved"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """The workflow's idea of now, moved by the test: schedules are checked against it."""
    manual = ManualClock()
    monkeypatch.setattr(workflow_service, "utcnow", manual)
    return manual


async def test_the_scheduler_publishes_on_time(
    client: httpx.AsyncClient, auth: Auth, official, engine: Engine, clock: ManualClock
) -> None:
    post = await official(publish_at=clock.at(60).isoformat())
    assert post["state"] == "scheduled"
    scheduler = Scheduler(engine=engine, interval=0.05, clock=clock)
    # Not before its time...
    assert post["id"] not in scheduler.run_once()
    read = await client.get(f"/v1/posts/{post['id']}", headers=auth("alice"))
    assert read.status_code == 404
    # ...and at the first pass after it.
    clock.advance(61)
    scheduler.start()
    try:
        deadline = time.monotonic() + EVENTUALLY_SECONDS
        while True:
            state = (await client.get(f"/v1/posts/{post['id']}", headers=auth("claire"))).json()
            if state["state"] == "published" or time.monotonic() > deadline:
                break
            time.sleep(0.05)
    finally:
        scheduler.stop()
    assert state["state"] == "published"
    published_at = datetime.fromisoformat(state["published_at"])
    scheduled_at = datetime.fromisoformat(state["scheduled_at"])
    assert published_at == clock.now
    assert scheduled_at < published_at
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("alice"))).status_code == 200


async def test_what_fell_due_during_a_restart_is_published_by_the_next_instance(
    make_app, settings, serve, auth: Auth, engine: Engine, clock: ManualClock
) -> None:
    # The API is told it is an hour ago: the time it accepts, a minute ahead of that, has
    # already passed by the wall clock the next instance's scheduler goes by.
    clock.advance(-3600)
    first = make_app(settings)
    async with serve(first) as client:
        from ..conftest import publish_official_post

        post = await publish_official_post(client, auth, publish_at=clock.at(60).isoformat())
    assert post["state"] == "scheduled"
    second = make_app(
        settings.model_copy(update={"scheduler_enabled": True, "scheduler_interval_seconds": 0.05})
    )
    async with serve(second) as client:
        deadline = time.monotonic() + EVENTUALLY_SECONDS
        state = ""
        while time.monotonic() < deadline and state != "published":
            state = (await client.get(f"/v1/posts/{post['id']}", headers=auth("claire"))).json()[
                "state"
            ]
            time.sleep(0.05)
    assert state == "published"


async def test_the_scheduler_never_publishes_what_is_not_approved(
    client: httpx.AsyncClient, auth: Auth, engine: Engine, db, clock: ManualClock
) -> None:
    post = await draft(client, auth)
    submitted = await step(
        client, auth, post["id"], "submit", "claire", {"publish_at": clock.at(60).isoformat()}
    )
    assert submitted.status_code == 200, submitted.text
    clock.advance(61)
    scheduler = Scheduler(engine=engine, clock=clock)
    # The time came while approval was pending: nothing goes out.
    assert post["id"] not in scheduler.run_once()
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("claire"))).json()[
        "state"
    ] == "submitted"
    # Approved late: it waits for a deliberate publication rather than going out unseen.
    approved = await step(client, auth, post["id"], "approve", "marc")
    assert approved.json()["state"] == "approved"
    assert approved.json()["scheduled_at"] is None
    assert post["id"] not in scheduler.run_once()
    steps = [
        s["step"]
        for s in (
            await client.get(f"/v1/posts/{post['id']}/history", headers=auth("claire"))
        ).json()["steps"]
    ]
    assert steps[-1] == "schedule-missed"
    # A draft or a rejected post with a time in the past is not touched either.
    assert db.count("posts", "state = 'published' AND id = :id", id=post["id"]) == 0


async def test_approval_before_the_requested_time_schedules_it(
    client: httpx.AsyncClient, auth: Auth, engine: Engine, clock: ManualClock
) -> None:
    post = await draft(client, auth)
    submitted = await step(
        client, auth, post["id"], "submit", "claire", {"publish_at": clock.at(60).isoformat()}
    )
    assert submitted.status_code == 200, submitted.text
    approved = await step(client, auth, post["id"], "approve", "marc")
    assert approved.json()["state"] == "scheduled"
    scheduler = Scheduler(engine=engine, clock=clock)
    assert post["id"] not in scheduler.run_once()
    clock.advance(61)
    assert post["id"] in scheduler.run_once()


async def test_retraction_keeps_the_post_marked_and_removes_it_from_readers(
    client: httpx.AsyncClient, auth: Auth, official, db
) -> None:
    post = await official()
    no_reason = await step(client, auth, post["id"], "retract", "claire", {"reason": ""})
    assert no_reason.status_code == 422

    retracted = await step(
        client, auth, post["id"], "retract", "claire", {"reason": "Erreur de chiffres"}
    )

    assert retracted.status_code == 200
    assert retracted.json()["state"] == "retracted"
    assert retracted.json()["retraction_reason"] == "Erreur de chiffres"
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("alice"))).status_code == 404
    feed = (await client.get("/v1/feed", params={"limit": 100}, headers=auth("alice"))).json()
    assert post["id"] not in [item["id"] for item in feed["items"]]
    # Kept for the record: compliance still reads it.
    assert (await client.get(f"/v1/posts/{post['id']}", headers=auth("olivier"))).status_code == 200
    last = db.rows(
        "SELECT data AS payload FROM outbox WHERE doc_id = :id ORDER BY id DESC", id=post["id"]
    )[0]
    assert db.document(last["payload"])["readers"] == ["auditor:org"]
    assert db.document(last["payload"])["state"] == "retracted"


async def test_audiences_of_groups_or_spaces_narrow_the_readers(
    client: httpx.AsyncClient, auth: Auth, official, policy
) -> None:
    to_sales = await official(audience_groups=["sales"])
    assert (
        await client.get(f"/v1/posts/{to_sales['id']}", headers=auth("david"))
    ).status_code == 200
    assert (
        await client.get(f"/v1/posts/{to_sales['id']}", headers=auth("alice"))
    ).status_code == 404

    # An author targets only a space she may see: claire joins projet-phoenix first.
    policy.members["projet-phoenix"].add("claire")
    to_phoenix = await official(audience_spaces=["projet-phoenix"])
    assert (
        await client.get(f"/v1/posts/{to_phoenix['id']}", headers=auth("bob"))
    ).status_code == 200
    assert (
        await client.get(f"/v1/posts/{to_phoenix['id']}", headers=auth("david"))
    ).status_code == 404

    unknown = await client.post(
        "/v1/posts",
        json={
            "space_id": "general",
            "kind": "official",
            "title": "T",
            "body": "B",
            "audience_spaces": ["nowhere"],
        },
        headers=auth("claire"),
    )
    assert unknown.status_code == 422
    assert unknown.json()["type"].endswith("/invalid-audience")
    # A restricted space she is not in gets the very same answer.
    unseen = await client.post(
        "/v1/posts",
        json={
            "space_id": "general",
            "kind": "official",
            "title": "T",
            "body": "B",
            "audience_spaces": ["hr-confidential"],
        },
        headers=auth("claire"),
    )
    assert unseen.status_code == 422
    assert unseen.json()["detail"] == unknown.json()["detail"].replace("nowhere", "hr-confidential")
    social = await client.post(
        "/v1/posts",
        json={
            "space_id": "engineering",
            "kind": "social",
            "title": "T",
            "body": "B",
            "audience_groups": ["hr"],
        },
        headers=auth("alice"),
    )
    assert social.status_code == 422


async def test_the_review_queue_shows_communications_staff_what_waits(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    post = await draft(client, auth)
    await step(client, auth, post["id"], "submit", "claire")
    queue = (await client.get("/v1/workflow/queue", headers=auth("marc"))).json()
    assert post["id"] in [item["id"] for item in queue["items"]]
    employee = (await client.get("/v1/workflow/queue", headers=auth("alice"))).json()
    assert employee["items"] == []


async def test_an_announcement_space_accepts_only_official_posts(
    client: httpx.AsyncClient, auth: Auth, db
) -> None:
    before = db.counts()
    response = await client.post(
        "/v1/posts",
        json={"space_id": "general", "kind": "social", "title": "T", "body": "B"},
        headers=auth("claire"),
    )
    assert response.status_code == 422
    assert response.json()["type"].endswith("/wrong-kind-for-space")
    assert db.counts() == before
