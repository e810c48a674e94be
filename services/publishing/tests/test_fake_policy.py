"""The fake policy decides from policy's own role-permission rows, as policy does.

Its answers follow the rows it loads (a row removed or added changes them), and for every
demo user, action and domain they are the real policy service's answers.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from townhall_contracts.demo import SPACES, USERS
from townhall_contracts.policy import Action
from townhall_platform.auth import TokenIssuer
from townhall_platform.testing import EVENTUALLY_SECONDS

from .conftest import ALLOW, DENY, ORG, FakePolicy, PermissionRow, RolePermissions

DOMAINS = [ORG, *(f"space:{space.id}" for space in SPACES)]
# A space moderator, a role no demo user holds: granted on both sides before comparing.
MODERATOR_GRANT = {
    "subject": "hugo",
    "role": "moderator",
    "domain": "space:cafe",
    "on_behalf_of": "farid",
    "justification": "Moderates the café while its owner is away",
}


@pytest.fixture
def service_headers(token_issuer: TokenIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {token_issuer.service_token('publishing')}"}


def _ask(fake: FakePolicy, headers: dict[str, str], subject: str, action: str, domain: str) -> bool:
    """The fake's answer, asked over its HTTP boundary as publishing asks it."""
    with httpx.Client(transport=httpx.MockTransport(fake.handle), base_url="http://policy") as c:
        body = {"subject": subject, "action": action, "domain": domain}
        answer = c.post("/v1/decisions", json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return bool(answer.json()["allowed"])


def _changed(
    permissions: RolePermissions,
    *,
    drop: frozenset[PermissionRow] = frozenset(),
    add: frozenset[PermissionRow] = frozenset(),
) -> FakePolicy:
    """A fake on policy's rows with `drop` taken out and `add` put in."""
    assert drop <= permissions.rows
    return FakePolicy(RolePermissions((permissions.rows - drop) | add))


def test_the_rows_are_policys_as_migrated(role_permissions: RolePermissions) -> None:
    assert ("communicator", ORG, ORG, "publish.official", ALLOW) in role_permissions.rows
    assert ("compliance_officer", ORG, "community-public", "comment", DENY) in role_permissions.rows
    # Migration 0006 took reading restricted spaces from the org moderator.
    assert ("moderator", ORG, "community-restricted", "read", ALLOW) not in role_permissions.rows


def test_removing_the_row_that_allows_refuses(
    role_permissions: RolePermissions, service_headers: dict[str, str]
) -> None:
    row = ("communicator", ORG, ORG, "publish.official", ALLOW)

    assert _ask(FakePolicy(role_permissions), service_headers, "claire", "publish.official", ORG)
    refused = _changed(role_permissions, drop=frozenset({row}))
    assert not _ask(refused, service_headers, "claire", "publish.official", ORG)


def test_adding_an_allow_row_allows(
    role_permissions: RolePermissions, service_headers: dict[str, str]
) -> None:
    row = ("employee", ORG, "community-public", "pin", ALLOW)

    assert not _ask(FakePolicy(role_permissions), service_headers, "hugo", "pin", "space:cafe")
    allowed = _changed(role_permissions, add=frozenset({row}))
    assert _ask(allowed, service_headers, "hugo", "pin", "space:cafe")


def test_a_deny_row_refuses_whatever_else_allows(
    role_permissions: RolePermissions, service_headers: dict[str, str]
) -> None:
    # bob is an employee, a member and the owner of engineering: three roles allow it.
    row = ("employee", ORG, "community-public", "comment", DENY)

    assert _ask(
        FakePolicy(role_permissions), service_headers, "bob", "comment", "space:engineering"
    )
    denied = _changed(role_permissions, add=frozenset({row}))
    assert not _ask(denied, service_headers, "bob", "comment", "space:engineering")
    assert _ask(denied, service_headers, "bob", "comment", "space:projet-phoenix")


@pytest.fixture(scope="module")
def real_policy(real_policy_url: str, token_issuer: TokenIssuer) -> Iterator[httpx.Client]:
    """The real policy service, seeded with the demo directory and `MODERATOR_GRANT`, as
    publishing calls it (once the grant is in the decisions)."""
    headers = {"Authorization": f"Bearer {token_issuer.service_token('publishing')}"}
    with httpx.Client(base_url=real_policy_url, headers=headers, timeout=30) as client:
        granted = client.post("/internal/v1/grants", json=MODERATOR_GRANT)
        assert granted.status_code == 201, granted.text
        moderates = {"subject": "hugo", "action": "moderate", "domain": "space:cafe"}
        deadline = time.monotonic() + EVENTUALLY_SECONDS
        while not client.post("/v1/decisions", json=moderates).json()["allowed"]:
            assert time.monotonic() < deadline, "policy did not apply the moderator grant"
            time.sleep(0.1)
        yield client


@pytest.fixture
def fake(role_permissions: RolePermissions, service_headers: dict[str, str]) -> FakePolicy:
    """The fake on policy's rows, with `MODERATOR_GRANT` relayed to it as to the real one."""
    fake = FakePolicy(role_permissions)
    with httpx.Client(transport=httpx.MockTransport(fake.handle), base_url="http://policy") as c:
        granted = c.post("/internal/v1/grants", json=MODERATOR_GRANT, headers=service_headers)
    assert granted.status_code == 201, granted.text
    return fake


def _decisions(policy: httpx.Client, domain: str) -> dict[tuple[str, str], bool]:
    """The real policy's answer for every demo user and action in `domain`."""
    asked = [
        {"subject": user.id, "action": action.value, "domain": domain}
        for user in USERS
        for action in Action
    ]
    answer = policy.post("/v1/decisions/batch", json={"decisions": asked})
    assert answer.status_code == 200, answer.text
    return {(d["subject"], d["action"]): d["allowed"] for d in answer.json()["decisions"]}


def test_every_role_of_the_rows_is_held_by_someone_compared(
    role_permissions: RolePermissions,
) -> None:
    # A role no demo user holds would go unchecked by the comparisons below.
    held = {(role, ORG) for user in USERS for role in user.org_roles}
    held |= {("member", "space"), ("owner", "space"), (MODERATOR_GRANT["role"], "space")}
    assert {(role, scope) for role, scope, *_ in role_permissions.rows} <= held


def test_the_fake_answers_as_the_real_policy_for_every_user_action_and_domain(
    real_policy: httpx.Client, fake: FakePolicy, service_headers: dict[str, str]
) -> None:
    disagreements = []
    for domain in DOMAINS:
        for (subject, action), real in _decisions(real_policy, domain).items():
            if _ask(fake, service_headers, subject, action, domain) != real:
                disagreements.append(f"{subject} {action} {domain}: policy says {real}")
    assert disagreements == []


def test_the_fake_gives_each_user_the_real_policys_principals(
    real_policy: httpx.Client, fake: FakePolicy, service_headers: dict[str, str]
) -> None:
    with httpx.Client(transport=httpx.MockTransport(fake.handle), base_url="http://policy") as c:
        for user in USERS:
            path = f"/v1/subjects/{user.id}/principals"
            real = real_policy.get(path)
            assert real.status_code == 200, real.text
            answer = c.get(path, headers=service_headers).json()
            assert answer["principals"] == real.json()["principals"], user.id
