"""Objectives through the API: define, measure, follow, edit, close, and every refusal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from townhall_publishing.objectives.service import roll_up

from ..conftest import FakePolicy

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]
TODAY = datetime.now(UTC).date()


def objective(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Safety notices acknowledged within 5 days",
        "scope": {"kind": "company"},
        "metric": "acknowledgement_rate",
        "window": 5,
        "target": 0.9,
        "starts_on": (TODAY - timedelta(days=2)).isoformat(),
        "ends_on": (TODAY + timedelta(days=60)).isoformat(),
    }
    body.update(fields)
    return body


async def create(
    client: httpx.AsyncClient, auth: Auth, user: str = "claire", **fields: Any
) -> httpx.Response:
    return await client.post("/v1/objectives", json=objective(**fields), headers=auth(user))


async def test_the_catalogue_lists_every_metric_with_its_formula(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    response = await client.get("/v1/metrics", headers=auth("alice"))
    assert response.status_code == 200
    keys = {m["key"] for m in response.json()}
    assert {"acknowledgement_rate", "official_reach", "cross_silo_exchange"} <= keys
    assert all(m["formula"] and m["privacy_floor"] >= 5 for m in response.json())
    assert (await client.get("/v1/metrics")).status_code == 401


async def test_acknowledgements_move_an_objectives_value(
    client: httpx.AsyncClient, auth: Auth, official
) -> None:
    created = await create(client, auth)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["owner_id"] == "claire"
    assert body["direction"] == "at_least"
    assert [c["reason"] for c in body["history"]] == ["Created"]
    path = f"/v1/objectives/{body['id']}"

    notice = await official(audience_groups=["sales", "engineering"], requires_acknowledgement=True)
    before = (await client.get(path, headers=auth("claire"))).json()["value"]
    for reader in ("david", "gaelle", "alice"):
        answer = await client.post(f"/v1/posts/{notice['id']}/acknowledge", headers=auth(reader))
        assert answer.status_code == 201, answer.text
    after = (await client.get(path, headers=auth("claire"))).json()
    assert after["value"] is not None and (before is None or after["value"] > before)
    assert after["status"] in {"on_track", "at_risk", "off_track"}

    series = await client.get(f"{path}/series", headers=auth("claire"))
    assert series.status_code == 200, series.text
    points = series.json()["points"]
    assert [p["day"] for p in points] == [
        (TODAY - timedelta(days=d)).isoformat() for d in (2, 1, 0)
    ]
    assert points[-1]["value"] == after["value"]
    assert series.json()["status_rule"]


async def test_a_breakdown_never_shows_a_group_under_the_floor(
    client: httpx.AsyncClient, auth: Auth, policy: FakePolicy
) -> None:
    policy.groups["lyon"] = ("site", ("alice", "bob", "chloe", "david", "emma", "farid"))
    policy.groups["nantes"] = ("site", ("gaelle", "hugo"))
    created = (await create(client, auth, metric="participation", window=None, target=0.5)).json()
    await client.post(
        "/v1/posts",
        json={"space_id": "engineering", "kind": "social", "title": "Hello", "body": "Hi"},
        headers=auth("alice"),
    )
    answer = await client.get(
        f"/v1/objectives/{created['id']}/series?by=site", headers=auth("claire")
    )
    assert answer.status_code == 200, answer.text
    cells = {c["group_id"]: c for c in answer.json()["breakdown"]}
    assert cells["lyon"]["population"] == 6 and cells["lyon"]["value"] is not None
    assert cells["nantes"] == {
        "group_id": "nantes",
        "group_name": "Nantes",
        "value": None,
        "population": None,
        "suppressed": True,
        "note": "Fewer than 5 people: not shown.",
    }
    departments = await client.get(
        f"/v1/objectives/{created['id']}/series?by=department", headers=auth("claire")
    )
    # Every demo department has fewer than five people.
    assert all(c["suppressed"] and c["population"] is None for c in departments.json()["breakdown"])


async def test_edits_are_kept_and_a_closed_objective_changes_no_more(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    created = (await create(client, auth)).json()
    path = f"/v1/objectives/{created['id']}"
    edited = await client.patch(
        path, json={"target": 0.8, "reason": "Agreed with HR"}, headers=auth("claire")
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["target"] == 0.8
    assert edited.json()["history"][-1]["changes"] == {"target": [0.9, 0.8]}
    assert edited.json()["history"][-1]["by"] == "claire"

    closed = await client.post(
        f"{path}/close", json={"outcome": "achieved", "reason": "Done"}, headers=auth("claire")
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["state"] == "closed" and closed.json()["outcome"] == "achieved"
    again = await client.patch(path, json={"target": 0.7, "reason": "Late"}, headers=auth("claire"))
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    reclosed = await client.post(
        f"{path}/close", json={"outcome": "missed", "reason": "Too late"}, headers=auth("claire")
    )
    assert reclosed.status_code == 409


@pytest.mark.parametrize(
    ("user", "fields", "status"),
    [
        ("alice", {}, 403),  # an employee defines none
        ("olivier", {}, 403),  # compliance reads, never defines
        ("farid", {"scope": {"kind": "space", "id": "cafe"}}, 201),  # a space's owner, in it
        ("farid", {"scope": {"kind": "space", "id": "engineering"}}, 403),  # not in another
        ("claire", {"scope": {"kind": "space", "id": "hr-confidential"}}, 422),  # cannot see it
        ("claire", {"scope": {"kind": "space", "id": "nowhere"}}, 422),
        ("claire", {"scope": {"kind": "group", "id": "engineers"}}, 422),  # a mistyped group
        ("claire", {"scope": {"kind": "group", "id": "sales"}}, 201),
        ("claire", {"scope": {"kind": "company", "id": "sales"}}, 422),
        ("claire", {"target": 1.5}, 422),  # a share is at most 1
        ("claire", {"target": -1}, 422),
        ("claire", {"metric": "participation", "window": 3}, 422),  # takes no window
        ("claire", {"ends_on": (TODAY - timedelta(days=5)).isoformat()}, 422),
        ("claire", {"ends_on": (TODAY + timedelta(days=4000)).isoformat()}, 422),
        ("claire", {"owner_id": "ghost"}, 422),
        ("claire", {"metric": "happiness"}, 422),
        ("claire", {"colour": "red"}, 422),
        ("claire", {"name": ""}, 422),
    ],
)
async def test_who_may_define_what(
    client: httpx.AsyncClient, auth: Auth, db, user: str, fields: dict[str, Any], status: int
) -> None:
    before = db.count("objectives")
    response = await create(client, auth, user, **fields)
    assert response.status_code == status, response.text
    if status != 201:
        assert response.headers["content-type"].startswith("application/problem+json")
        assert db.count("objectives") == before  # nothing written on a refusal


async def test_who_may_see_and_change_an_objective(client: httpx.AsyncClient, auth: Auth) -> None:
    created = (await create(client, auth, owner_id="marc")).json()
    path = f"/v1/objectives/{created['id']}"
    assert (await client.get(path, headers=auth("marc"))).status_code == 200  # its owner
    assert (await client.get(path, headers=auth("olivier"))).status_code == 200  # compliance
    assert (await client.get(path, headers=auth("alice"))).status_code == 403
    assert (await client.get(f"{path}/series", headers=auth("alice"))).status_code == 403
    listed = (await client.get("/v1/objectives", headers=auth("alice"))).json()["objectives"]
    assert created["id"] not in {o["id"] for o in listed}
    listed = (await client.get("/v1/objectives", headers=auth("olivier"))).json()["objectives"]
    assert created["id"] in {o["id"] for o in listed}
    change = {"target": 0.5, "reason": "Lower"}
    assert (await client.patch(path, json=change, headers=auth("olivier"))).status_code == 403
    assert (await client.patch(path, json=change, headers=auth("alice"))).status_code == 403
    assert (await client.get("/v1/objectives/nope", headers=auth("claire"))).status_code == 404
    assert (await client.get(path)).status_code == 401


async def test_a_space_objective_is_hidden_from_who_cannot_see_the_space(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    created = await create(client, auth, "emma", scope={"kind": "space", "id": "hr-confidential"})
    assert created.status_code == 201, created.text
    path = f"/v1/objectives/{created.json()['id']}"
    assert (await client.get(path, headers=auth("claire"))).status_code == 404
    assert (await client.get(path, headers=auth("emma"))).status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-02-01&to=2026-01-01",
        "from=2020-01-01&to=2026-12-31",
        "by=planet",
        "from=yesterday",
    ],
)
async def test_bad_series_requests(client: httpx.AsyncClient, auth: Auth, query: str) -> None:
    created = (await create(client, auth, starts_on="2025-01-01", ends_on="2027-12-31")).json()
    response = await client.get(
        f"/v1/objectives/{created['id']}/series?{query}", headers=auth("claire")
    )
    assert response.status_code == 422, response.text


async def test_the_daily_rollup_keeps_each_finished_day_once(
    client: httpx.AsyncClient, auth: Auth, app: Any, engine: Any, db: Any
) -> None:
    starts = TODAY - timedelta(days=3)
    created = (await create(client, auth, starts_on=starts.isoformat())).json()
    now = datetime.now(UTC)

    def run() -> int:
        with Session(engine) as session:
            kept = roll_up(session=session, gate=app.state.policy_gate, now=now, floor=5)
            session.commit()
        return kept

    first = run()
    assert first >= 3  # this objective's three finished days (others' too, if any)
    assert run() == 0
    kept = db.count("objective_points", "objective_id = :id", id=created["id"])
    assert kept == 3
    series = await client.get(f"/v1/objectives/{created['id']}/series", headers=auth("claire"))
    assert [p["day"] for p in series.json()["points"]][:3] == [
        (starts + timedelta(days=d)).isoformat() for d in range(3)
    ]
    # Reading today's value keeps nothing: the day is not over.
    assert db.count("objective_points", "objective_id = :id", id=created["id"]) == 3


async def test_what_moves_an_acknowledgement_objective_and_its_csv(
    client: httpx.AsyncClient, auth: Auth, official
) -> None:
    created = (await create(client, auth)).json()
    notice = await official(
        title="Port du casque", audience_groups=["communication"], requires_acknowledgement=True
    )
    await client.post(f"/v1/posts/{notice['id']}/acknowledge", headers=auth("marc"))
    path = f"/v1/objectives/{created['id']}/series"
    levers = (await client.get(path, headers=auth("claire"))).json()["levers"]
    mine = [lever for lever in levers if lever["post_id"] == notice["id"]]
    # sophie and nadia have yet to acknowledge (claire wrote it, marc acknowledged).
    assert mine == [
        {"post_id": notice["id"], "title": "Port du casque", "kind": "notice_pending", "pending": 2}
    ]
    exported = await client.get(f"{path}?format=csv", headers=auth("claire"))
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    lines = exported.text.splitlines()
    assert lines[0] == "day,value,expected,population"
    assert len(lines) == 1 + 3  # the objective started two days ago: three days so far


async def test_anyone_can_see_what_is_collected(client: httpx.AsyncClient, auth: Auth) -> None:
    answer = await client.get("/v1/metrics/collection", headers=auth("hugo"))
    assert answer.status_code == 200
    shown = [c for c in answer.json() if c["shown_per_person"]]
    assert [c["what"] for c in shown] == [
        "Acknowledgements of mandatory notices (who, which notice, when)"
    ]
