"""SCIM 2.0 provisioning against a served policy, driven by scim2-client as a real client
(and by plain HTTP for the shapes Entra ID sends and for the refusals)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from scim2_models import (
    Email,
    EnterpriseUser,
    Error,
    Group,
    GroupMember,
    ListResponse,
    PatchOp,
    PatchOperation,
    ResourceType,
    ScimProvider,
    SearchRequest,
    User,
)
from scim2_tester import Status, check_server
from sqlalchemy import text

from townhall_platform.auth import TokenIssuer
from townhall_platform.db import make_engine

from .conftest import SCIM_SECRET, SERVICE_SECRET, ServedPolicy
from .scim_engine import SyncSCIMClient

ScimUser = User[EnterpriseUser]
SCIM_JSON = {"Content-Type": "application/scim+json"}
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture(scope="module")
def scim(served: ServedPolicy) -> Iterator[SyncSCIMClient]:
    http = httpx.Client(
        base_url=f"{served.url}/scim/v2",
        headers={"Authorization": f"Bearer {served.scim_token()}"},
    )
    provider = ScimProvider(
        [User, EnterpriseUser, Group],
        [ResourceType.from_resource(ScimUser), ResourceType.from_resource(Group)],
    )
    client = SyncSCIMClient(http, provider=provider)
    client.discover()
    try:
        yield client
    finally:
        http.close()


@pytest.fixture(scope="module")
def raw(served: ServedPolicy) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{served.url}/scim/v2",
        headers={"Authorization": f"Bearer {served.scim_token()}", **SCIM_JSON},
    ) as client:
        yield client


def audit_events(served: ServedPolicy, target: str) -> list[tuple[str, str]]:
    engine = make_engine(served.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT actor, event_type FROM audit_events WHERE target = :target ORDER BY seq"
                ),
                {"target": target},
            ).all()
    finally:
        engine.dispose()
    return [(row[0], row[1]) for row in rows]


def decide(served: ServedPolicy, token_issuer: TokenIssuer, subject: str) -> bool:
    answer = httpx.post(
        f"{served.url}/v1/decisions",
        json={"subject": subject, "action": "read", "domain": "space:general"},
        headers={"Authorization": f"Bearer {token_issuer.service_token('publishing')}"},
    )
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["allowed"])


def new_user(user_name: str, **fields: Any) -> ScimUser:
    return ScimUser(user_name=user_name, display_name=user_name.title(), **fields)


def test_the_provisioning_client_gets_a_scim_token_and_others_do_not(
    served: ServedPolicy,
) -> None:
    scim = served.token("entra", SCIM_SECRET, "scim")
    assert scim.status_code == 200 and scim.json()["scope"] == "scim"
    assert served.token("entra", SCIM_SECRET).status_code == 200
    refused = served.token("entra", SCIM_SECRET, "scim publish")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"
    not_scim = served.token("search", SERVICE_SECRET, "scim")
    assert not_scim.status_code == 400 and not_scim.json()["error"] == "invalid_scope"


def test_discovery_describes_users_groups_and_what_is_supported(
    scim: SyncSCIMClient,
) -> None:
    config = scim.provider.config
    assert config is not None
    assert config.patch.supported and config.filter.supported and not config.bulk.supported
    assert {rt.name for rt in scim.provider.resource_types or ()} == {"User", "Group"}


def test_a_user_is_created_found_by_username_replaced_and_deactivated(
    scim: SyncSCIMClient, served: ServedPolicy, token_issuer: TokenIssuer
) -> None:
    user = new_user("Ines.Moreau", emails=[Email(value="ines@example.com", primary=True)])
    user[EnterpriseUser] = EnterpriseUser(department="Finance")
    created = scim.create(user)
    assert isinstance(created, ScimUser)
    assert created.id == "ines.moreau" and created.user_name == "Ines.Moreau"
    assert created[EnterpriseUser].department == "Finance"
    assert created.meta is not None and created.meta.location.endswith("/Users/ines.moreau")

    # userName is matched without regard to case, as RFC 7643 says of it.
    found = scim.query(ScimUser, query_parameters=SearchRequest(filter='userName eq "INES.moreau"'))
    assert isinstance(found, ListResponse) and found.total_results == 1
    assert found.resources[0].id == "ines.moreau"

    created.display_name = "Inès Moreau"
    replaced = scim.replace(created)
    assert isinstance(replaced, ScimUser) and replaced.display_name == "Inès Moreau"
    assert decide(served, token_issuer, "ines.moreau") is False  # no grant yet, but known

    patch = PatchOp[ScimUser](operations=[PatchOperation(op="replace", path="active", value=False)])
    patched = scim.modify(ScimUser, "ines.moreau", patch)
    assert isinstance(patched, ScimUser) and patched.active is False
    events = audit_events(served, "subject:ines.moreau")
    assert ("service:entra", "subject.created") in events
    assert ("service:entra", "subject.deactivated") in events
    assert all(actor == "service:entra" for actor, _ in events)


def test_entra_deactivation_and_group_membership_shapes(
    raw: httpx.Client, served: ServedPolicy, token_issuer: TokenIssuer
) -> None:
    for name in ("zed.one", "zed.two"):
        assert raw.post("/Users", json=new_user(name).model_dump()).status_code == 201
    group = raw.post(
        "/Groups",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Zed Team",
            "externalId": "8a1b-entra-object-id",
            "members": [{"value": "zed.one"}],
        },
    )
    assert group.status_code == 201, group.text
    group_id = group.json()["id"]
    assert group_id == "zed-team"
    # What Entra sends: add members, remove members by value (without a filter), and
    # `active` as the string "False".
    add = {"op": "Add", "path": "members", "value": [{"value": "zed.two"}]}
    remove = {"op": "Remove", "path": "members", "value": [{"value": "zed.one"}]}
    answer = raw.patch(
        f"/Groups/{group_id}", json={"schemas": [PATCH_OP], "Operations": [add, remove]}
    )
    assert answer.status_code == 200, answer.text
    assert [m["value"] for m in answer.json()["members"]] == ["zed.two"]
    by_name = raw.get("/Groups", params={"filter": 'displayName eq "zed team"'}).json()
    assert by_name["totalResults"] == 1 and by_name["Resources"][0]["id"] == group_id
    deactivate = {"op": "Replace", "path": "active", "value": "False"}
    answer = raw.patch("/Users/zed.two", json={"schemas": [PATCH_OP], "Operations": [deactivate]})
    assert answer.status_code == 200 and answer.json()["active"] is False
    assert ("service:entra", "membership.removed") in audit_events(served, "subject:zed.one")


def test_a_member_is_removed_by_a_value_filter_and_users_are_paged(
    scim: SyncSCIMClient, raw: httpx.Client
) -> None:
    for name in ("page.a", "page.b", "page.c"):
        scim.create(new_user(name))
    group = scim.create(Group(display_name="Pagers", members=[GroupMember(value="page.a")]))
    assert isinstance(group, Group) and group.id == "pagers"
    removal = {"op": "remove", "path": 'members[value eq "page.a"]'}
    answer = raw.patch("/Groups/pagers", json={"schemas": [PATCH_OP], "Operations": [removal]})
    assert answer.status_code == 200 and "members" not in answer.json()
    first = raw.get("/Users", params={"startIndex": 1, "count": 2}).json()
    second = raw.get("/Users", params={"startIndex": 3, "count": 2}).json()
    assert first["itemsPerPage"] == 2 and first["totalResults"] == second["totalResults"]
    assert not {u["id"] for u in first["Resources"]} & {u["id"] for u in second["Resources"]}
    general = raw.get("/Users", params={"filter": 'userName sw "page."'}).json()
    assert sorted(u["id"] for u in general["Resources"]) == ["page.a", "page.b", "page.c"]


def test_a_deleted_user_is_gone_from_scim_inactive_and_comes_back_when_created_again(
    scim: SyncSCIMClient, raw: httpx.Client, served: ServedPolicy
) -> None:
    scim.create(new_user("gone.soon"))
    assert raw.delete("/Users/gone.soon").status_code == 204
    missing = raw.get("/Users/gone.soon")
    assert missing.status_code == 404 and missing.json()["schemas"] == [ERROR]
    assert (
        raw.get("/Users", params={"filter": 'userName eq "gone.soon"'}).json()["totalResults"] == 0
    )
    events = [event for _, event in audit_events(served, "subject:gone.soon")]
    assert events[-2:] == ["subject.deactivated", "subject.deprovisioned"]
    again = raw.post("/Users", json=new_user("gone.soon").model_dump())
    assert again.status_code == 201 and again.json()["active"] is True


def scim_error(answer: httpx.Response, status: int, scim_type: str | None = None) -> Error:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/scim+json")
    error = Error.model_validate(answer.json())
    assert error.status == status and error.scim_type == scim_type
    return error


def test_refusals_are_scim_errors(raw: httpx.Client, scim: SyncSCIMClient) -> None:
    scim.create(new_user("taken.name"))
    duplicate = raw.post("/Users", json=new_user("Taken.Name").model_dump())
    scim_error(duplicate, 409, "uniqueness")
    scim_error(raw.get("/Users", params={"filter": 'userName eq "unclosed'}), 400, "invalidFilter")
    scim_error(raw.get("/Users", params={"filter": 'shoeSize eq "42"'}), 400, "invalidFilter")
    scim_error(raw.post("/Users", content=b"{not json"), 400, "invalidSyntax")
    email_name = raw.post("/Users", json=new_user("someone@example.com").model_dump())
    scim_error(email_name, 400, "invalidValue")
    rename = raw.put("/Users/taken.name", json=new_user("other.name").model_dump())
    scim_error(rename, 400, "mutability")
    scim_error(raw.get("/Users/nobody-here"), 404)
    unknown = {"op": "replace", "path": "shoeSize", "value": "42"}
    bad_patch = raw.patch(
        "/Users/taken.name", json={"schemas": [PATCH_OP], "Operations": [unknown]}
    )
    assert bad_patch.status_code == 400 and bad_patch.json()["schemas"] == [ERROR]


def test_a_group_with_an_unknown_member_is_refused_whole(
    raw: httpx.Client, served: ServedPolicy
) -> None:
    body = {"displayName": "Ghosts", "members": [{"value": "no-such-user"}]}
    scim_error(raw.post("/Groups", json=body), 400, "invalidValue")
    assert (
        raw.get("/Groups", params={"filter": 'displayName eq "Ghosts"'}).json()["totalResults"] == 0
    )
    assert audit_events(served, "subject:ghosts") == []


def test_the_last_policy_admin_is_not_deactivated_by_provisioning(raw: httpx.Client) -> None:
    # The demo directory's policy administrator, adopted by the client through its userName.
    admin = raw.get("/Users", params={"filter": 'userName eq "paul"'}).json()
    assert admin["totalResults"] == 1
    deactivate = {"op": "replace", "path": "active", "value": False}
    answer = raw.patch("/Users/paul", json={"schemas": [PATCH_OP], "Operations": [deactivate]})
    assert answer.status_code == 409, answer.text
    assert raw.get("/Users/paul").json()["active"] is True


def test_only_a_provisioning_client_may_call(
    served: ServedPolicy, token_issuer: TokenIssuer
) -> None:
    url = f"{served.url}/scim/v2/Users"
    scim_error(httpx.get(url), 401)
    scim_error(httpx.get(url, headers={"Authorization": "Bearer not-a-token"}), 401)
    service = served.token("search", SERVICE_SECRET).json()["access_token"]
    scim_error(httpx.get(url, headers={"Authorization": f"Bearer {service}"}), 403)
    user = token_issuer.user_token("paul")
    scim_error(httpx.get(url, headers={"Authorization": f"Bearer {user}"}), 401)
    # A SCIM token is good for SCIM only: the other endpoints refuse it.
    scim_token = served.scim_token()
    elsewhere = httpx.get(
        f"{served.url}/v1/directory/subjects", headers={"Authorization": f"Bearer {scim_token}"}
    )
    assert elsewhere.status_code == 401


def test_scim2_tester_finds_no_error(served: ServedPolicy) -> None:
    """The RFC compliance checks of scim2-tester, discovering the service as it publishes
    itself. Skipped by it: POST /.search over every resource type at once (501 here)."""
    with httpx.Client(
        base_url=f"{served.url}/scim/v2",
        headers={"Authorization": f"Bearer {served.scim_token()}"},
    ) as http:
        results = check_server(SyncSCIMClient(http))
    failures = [
        (r.title, r.reason) for r in results if r.status not in (Status.SUCCESS, Status.SKIPPED)
    ]
    assert failures == []
    skipped = {r.title for r in results if r.status is Status.SKIPPED}
    assert skipped <= {"search_with_attributes"}
    assert sum(r.status is Status.SUCCESS for r in results) >= 60
