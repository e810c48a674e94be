"""Spaces: who sees which, and creating one through policy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.anyio

PROBLEM = "application/problem+json"
Auth = Callable[[str], dict[str, str]]
PUBLIC = {"general", "engineering", "cafe"}


async def visible_ids(client: httpx.AsyncClient, auth: Auth, user: str) -> set[str]:
    response = await client.get("/v1/spaces", headers=auth(user))
    assert response.status_code == 200
    return {space["id"] for space in response.json()["items"]}


async def create_space(
    client: httpx.AsyncClient, auth: Auth, user: str, **fields: Any
) -> httpx.Response:
    body = {"id": "space-x", "name": "Space X", "kind": "community", "visibility": "public"}
    body.update(fields)
    return await client.post("/v1/spaces", json=body, headers=auth(user))


async def test_users_list_public_spaces_and_the_restricted_ones_they_are_in(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    assert await visible_ids(client, auth, "alice") >= PUBLIC | {"projet-phoenix"}
    assert "hr-confidential" not in await visible_ids(client, auth, "alice")
    assert await visible_ids(client, auth, "emma") >= PUBLIC | {"hr-confidential"}
    hugo = await visible_ids(client, auth, "hugo")
    assert not hugo & {"hr-confidential", "projet-phoenix"}
    # Compliance officers read everything, restricted spaces included.
    assert await visible_ids(client, auth, "olivier") >= PUBLIC | {
        "hr-confidential",
        "projet-phoenix",
    }


async def test_a_restricted_space_is_not_found_by_outsiders(
    client: httpx.AsyncClient, auth: Auth
) -> None:
    member = await client.get("/v1/spaces/hr-confidential", headers=auth("chloe"))
    outsider = await client.get("/v1/spaces/hr-confidential", headers=auth("david"))
    unknown = await client.get("/v1/spaces/no-such-space", headers=auth("david"))

    assert member.status_code == 200
    assert member.json()["visibility"] == "restricted"
    assert member.json()["kind"] == "community"
    assert outsider.status_code == unknown.status_code == 404
    assert outsider.headers["content-type"] == PROBLEM
    assert outsider.json()["type"] == unknown.json()["type"]
    assert outsider.json()["type"].endswith("/space-not-found")


async def test_creating_a_space_registers_its_domain_and_makes_the_creator_owner(
    client: httpx.AsyncClient, auth: Auth, policy, db
) -> None:
    response = await create_space(
        client,
        auth,
        "claire",
        id="comms-lab",
        name="  Comms lab ",
        visibility="restricted",
        description="Experiments",
    )

    assert response.status_code == 201, response.text
    assert response.headers["location"] == "/v1/spaces/comms-lab"
    space = response.json()
    assert space["name"] == "Comms lab"
    assert space["created_by"] == "claire"
    assert [d["action"] for d in policy.decisions] == ["manage.space"]
    assert policy.decisions[0]["domain"] == "org"
    # Policy is told who asked, and checks that they may.
    assert policy.registered["comms-lab"] == {
        "kind": "community",
        "visibility": "restricted",
        "on_behalf_of": "claire",
    }
    [grant] = policy.grants
    assert grant["subject"] == "claire"
    assert grant["role"] == "owner"
    assert grant["domain"] == "space:comms-lab"
    assert grant["on_behalf_of"] == "claire"
    assert grant["justification"]
    assert db.count("spaces", "id = 'comms-lab' AND decision_id IS NOT NULL") == 1
    # The owner (through the grant) sees the restricted space, others do not.
    assert (await client.get("/v1/spaces/comms-lab", headers=auth("claire"))).status_code == 200
    assert (await client.get("/v1/spaces/comms-lab", headers=auth("alice"))).status_code == 404


async def test_a_creation_retried_after_a_half_done_attempt_goes_through(
    client: httpx.AsyncClient, auth: Auth, policy
) -> None:
    # An earlier attempt reached policy (domain and owner grant) but wrote no space.
    policy.grants.append(
        {
            "subject": "claire",
            "role": "owner",
            "domain": "space:second-try",
            "on_behalf_of": "claire",
            "justification": "Created the space 'second-try' (Second try).",
        }
    )

    response = await create_space(client, auth, "claire", id="second-try", name="Second try")

    assert response.status_code == 201, response.text
    assert len(policy.grants) == 1


async def test_announcement_space_needs_official_publishing_rights_too(
    client: httpx.AsyncClient, auth: Auth, policy, db
) -> None:
    before = db.counts()

    # paul may manage spaces but does not publish officially.
    refused = await create_space(client, auth, "paul", id="paul-news", kind="announcement")

    assert refused.status_code == 403
    assert refused.json()["reason"]["missing"] == "publish.official in org"
    assert policy.registered == {}
    assert policy.grants == []
    assert db.counts() == before
    allowed = await create_space(client, auth, "marc", id="marc-news", kind="announcement")
    assert allowed.status_code == 201
    assert allowed.json()["kind"] == "announcement"


async def test_space_creation_refused_by_policy_writes_nothing_anywhere(
    client: httpx.AsyncClient, auth: Auth, policy, db
) -> None:
    before = db.counts()

    response = await create_space(client, auth, "zoe", id="zoe-space")

    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["reason"]["missing"] == "manage.space in org"
    assert response.json()["decision_id"]
    assert policy.registered == {}
    assert policy.grants == []
    assert db.counts() == before


async def test_an_existing_space_id_conflicts_without_touching_policy(
    client: httpx.AsyncClient, auth: Auth, policy
) -> None:
    response = await create_space(client, auth, "claire", id="engineering")

    assert response.status_code == 409
    assert response.json()["type"].endswith("/space-exists")
    assert policy.registered == {}
    assert policy.grants == []


async def test_policy_outage_during_space_creation_fails_closed(
    client: httpx.AsyncClient, auth: Auth, policy, db
) -> None:
    before = db.counts()
    policy.available = False

    response = await create_space(client, auth, "claire", id="never-made")

    assert response.status_code == 503
    assert db.counts() == before


async def test_space_fields_are_validated(client: httpx.AsyncClient, auth: Auth, policy) -> None:
    invalid = [
        {"id": "Not A Slug"},
        {"id": "-leading-dash"},
        {"id": "x" * 64},
        {"name": ""},
        {"kind": "forum"},
        {"visibility": "secret"},
        {"description": "d" * 2001},
        {"owner": "alice"},
    ]
    for fields in invalid:
        response = await create_space(client, auth, "claire", **fields)
        assert response.status_code == 422, fields
        assert response.headers["content-type"] == PROBLEM
    assert policy.decisions == []
