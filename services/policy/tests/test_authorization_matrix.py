"""Every protected endpoint against every demo role, a service token and no token at all.

Allowed callers may still meet a business refusal (404, 409, 422) but never 401 or 403;
every other caller gets 403 problem+json. Nobody gets in without a token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from townhall_contracts import demo

SERVICE = "service:publishing"
CALLERS = [*demo.user_ids(), SERVICE]
EVERYONE = frozenset(CALLERS)
USERS = frozenset(demo.user_ids())
AUDITORS = frozenset({"olivier", "paul"})
ADMINS = frozenset({"paul"})
ENGINEERING_OWNER = "bob"
ENGINEERING_MODERATORS = frozenset({"paul", ENGINEERING_OWNER, "nadia"})


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    json: Any = None
    params: dict[str, Any] | None = None
    content: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class Endpoint:
    name: str
    allowed: frozenset[str]
    call: Callable[[str, dict[str, str]], Call]


def _grant_body(subject: str, role: str, domain: str) -> dict[str, Any]:
    return {"subject": subject, "role": role, "domain": domain, "justification": "Matrix test"}


ENDPOINTS = [
    Endpoint(
        "decide about oneself",
        EVERYONE,
        lambda who, ids: Call(
            "POST",
            "/v1/decisions",
            json={"subject": who.removeprefix("service:"), "action": "read", "domain": "org"},
        ),
    ),
    Endpoint(
        "decide about another",
        frozenset({SERVICE}),
        lambda who, ids: Call(
            "POST",
            "/v1/decisions",
            json={"subject": "zoe" if who != "zoe" else "alice", "action": "read", "domain": "org"},
        ),
    ),
    Endpoint(
        "decide a batch about another",
        frozenset({SERVICE}),
        lambda who, ids: Call(
            "POST",
            "/v1/decisions/batch",
            json={
                "decisions": [
                    {
                        "subject": "zoe" if who != "zoe" else "alice",
                        "action": "read",
                        "domain": "org",
                    }
                ]
            },
        ),
    ),
    Endpoint(
        "which subjects are allowed",
        frozenset({SERVICE}),
        lambda who, ids: Call(
            "POST",
            "/internal/v1/decisions/allowed",
            json={"subjects": ["alice", "zoe"], "action": "read", "domain": "space:cafe"},
        ),
    ),
    Endpoint(
        "which subjects are allowed, a user asking about itself",
        frozenset({SERVICE}),
        lambda who, ids: Call(
            "POST",
            "/internal/v1/decisions/allowed",
            json={"subjects": [who], "action": "read", "domain": "org"},
        ),
    ),
    Endpoint(
        "principals",
        frozenset({SERVICE}),
        lambda who, ids: Call("GET", "/v1/subjects/alice/principals"),
    ),
    Endpoint("revision", EVERYONE, lambda who, ids: Call("GET", "/v1/revision")),
    Endpoint("list grants", AUDITORS, lambda who, ids: Call("GET", "/v1/grants")),
    Endpoint(
        "grant an org role",
        ADMINS,
        lambda who, ids: Call(
            "POST", "/v1/grants", json=_grant_body("hugo", "spokesperson", "org")
        ),
    ),
    Endpoint(
        "grant a space member",
        ADMINS | {ENGINEERING_OWNER},
        lambda who, ids: Call(
            "POST", "/v1/grants", json=_grant_body("gaelle", "member", "space:engineering")
        ),
    ),
    Endpoint(
        "revoke a space member",
        ADMINS | {ENGINEERING_OWNER},
        lambda who, ids: Call(
            "DELETE", f"/v1/grants/{ids['grant']}", json={"justification": "Matrix test"}
        ),
    ),
    Endpoint(
        "internal grant",
        frozenset({SERVICE}),
        lambda who, ids: Call(
            "POST",
            "/internal/v1/grants",
            json={**_grant_body("hugo", "member", "space:cafe"), "granted_by": "farid"},
        ),
    ),
    Endpoint(
        "register a domain",
        frozenset({SERVICE}),
        lambda who, ids: Call(
            "PUT",
            "/internal/v1/domains/space:matrix",
            json={"kind": "community", "visibility": "public", "on_behalf_of": "hugo"},
        ),
    ),
    Endpoint("list suspensions", AUDITORS, lambda who, ids: Call("GET", "/v1/suspensions")),
    Endpoint(
        "suspend in a space",
        ENGINEERING_MODERATORS,
        lambda who, ids: Call(
            "POST",
            "/v1/suspensions",
            json={
                "subject": "zoe",
                "domain": "space:engineering",
                "action": "comment",
                "justification": "Matrix test",
            },
        ),
    ),
    Endpoint(
        "suspend everywhere",
        ADMINS,
        lambda who, ids: Call(
            "POST",
            "/v1/suspensions",
            json={"subject": "zoe", "domain": "org", "justification": "Matrix test"},
        ),
    ),
    Endpoint(
        "lift a suspension",
        ENGINEERING_MODERATORS,
        lambda who, ids: Call(
            "DELETE", f"/v1/suspensions/{ids['suspension']}", json={"justification": "Matrix"}
        ),
    ),
    Endpoint("audit events", AUDITORS, lambda who, ids: Call("GET", "/v1/audit/events")),
    Endpoint("audit verify", AUDITORS, lambda who, ids: Call("GET", "/v1/audit/verify")),
    Endpoint(
        "who-can",
        AUDITORS,
        lambda who, ids: Call(
            "GET", "/v1/audit/who-can", params={"action": "read", "domain": "space:cafe"}
        ),
    ),
    Endpoint(
        "what-can",
        AUDITORS,
        lambda who, ids: Call("GET", "/v1/audit/what-can", params={"subject": "alice"}),
    ),
    Endpoint(
        "grant history",
        AUDITORS,
        lambda who, ids: Call("GET", "/v1/audit/grant-history", params={"domain": "space:cafe"}),
    ),
    Endpoint("decision log", AUDITORS, lambda who, ids: Call("GET", "/v1/audit/decisions")),
    Endpoint("list reviews", AUDITORS, lambda who, ids: Call("GET", "/v1/audit/reviews")),
    Endpoint(
        "open a review",
        AUDITORS | {ENGINEERING_OWNER},
        lambda who, ids: Call(
            "POST",
            "/v1/audit/reviews",
            json={"domain": "space:engineering", "justification": "Matrix test"},
        ),
    ),
    Endpoint(
        "read a review",
        AUDITORS | {ENGINEERING_OWNER},
        lambda who, ids: Call("GET", f"/v1/audit/reviews/{ids['review']}"),
    ),
    Endpoint(
        "keep in a review",
        AUDITORS | {ENGINEERING_OWNER},
        lambda who, ids: Call(
            "POST",
            f"/v1/audit/reviews/{ids['review']}/items/{ids['reviewed_grant']}",
            json={"outcome": "keep", "justification": "Matrix test"},
        ),
    ),
    Endpoint(
        "close a review",
        AUDITORS | {ENGINEERING_OWNER},
        lambda who, ids: Call(
            "POST",
            f"/v1/audit/reviews/{ids['review']}/close",
            json={"justification": "Matrix test"},
        ),
    ),
    Endpoint(
        "names",
        USERS,
        lambda who, ids: Call("POST", "/v1/directory/names", json={"ids": ["alice", "sales"]}),
    ),
    Endpoint("groups", USERS, lambda who, ids: Call("GET", "/v1/directory/groups")),
    Endpoint("list subjects", AUDITORS, lambda who, ids: Call("GET", "/v1/directory/subjects")),
    Endpoint(
        "read a subject", AUDITORS, lambda who, ids: Call("GET", "/v1/directory/subjects/alice")
    ),
    Endpoint(
        "create a subject",
        ADMINS,
        lambda who, ids: Call(
            "POST",
            "/v1/directory/subjects",
            json={"id": "matrix-user", "display_name": "M", "justification": "Matrix"},
        ),
    ),
    Endpoint(
        "replace a subject",
        ADMINS,
        lambda who, ids: Call(
            "PUT",
            "/v1/directory/subjects/hugo",
            json={
                "display_name": "Hugo Lambert",
                "department": "operations",
                "justification": "Matrix",
            },
        ),
    ),
    Endpoint(
        "patch a subject",
        ADMINS,
        lambda who, ids: Call(
            "PATCH",
            "/v1/directory/subjects/hugo",
            json={"department": "operations", "justification": "Matrix"},
        ),
    ),
    Endpoint(
        "deactivate a subject",
        ADMINS,
        lambda who, ids: Call(
            "DELETE", "/v1/directory/subjects/matrix-user", json={"justification": "Matrix"}
        ),
    ),
    Endpoint(
        "import the directory",
        ADMINS,
        lambda who, ids: Call(
            "POST",
            "/v1/directory/import",
            params={"justification": "Matrix"},
            content="id,display_name\nmatrix-csv,M\n",
            content_type="text/csv",
        ),
    ),
]


@pytest.fixture(scope="module")
def ids(api: Any) -> dict[str, str]:
    """Things some endpoints act on, made by a policy admin beforehand."""
    grant = api.grant("chloe", "member", "space:engineering")
    suspension = api.client.post(
        "/v1/suspensions",
        json={
            "subject": "emma",
            "domain": "space:engineering",
            "action": "react",
            "justification": "Matrix test",
        },
        headers=api.user("paul"),
    ).json()
    review = api.client.post(
        "/v1/audit/reviews",
        json={"domain": "space:engineering", "justification": "Matrix test"},
        headers=api.user("paul"),
    ).json()
    return {
        "grant": grant["id"],
        "suspension": suspension["id"],
        "review": review["id"],
        "reviewed_grant": review["items"][0]["grant"]["id"],
    }


def _send(api: Any, call: Call, headers: dict[str, str]) -> Any:
    if call.content_type:
        headers = {**headers, "Content-Type": call.content_type}
    return api.client.request(
        call.method,
        call.path,
        json=call.json,
        params=call.params,
        content=call.content,
        headers=headers,
    )


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=[e.name for e in ENDPOINTS])
def test_authorization_matrix(api: Any, ids: dict[str, str], endpoint: Endpoint) -> None:
    wrong = []
    for caller in CALLERS:
        headers = api.service if caller == SERVICE else api.user(caller)
        response = _send(api, endpoint.call(caller, ids), headers)
        if caller in endpoint.allowed:
            if response.status_code in (401, 403) or response.status_code >= 500:
                wrong.append((caller, response.status_code, response.text[:200]))
        elif response.status_code != 403 or not response.headers["content-type"].startswith(
            "application/problem+json"
        ):
            wrong.append((caller, response.status_code, response.text[:200]))
    anonymous = _send(api, endpoint.call("alice", ids), {})
    assert anonymous.status_code == 401
    assert wrong == []
