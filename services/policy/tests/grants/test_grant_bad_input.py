"""Every bad grant request gets its precise problem, and writes nothing at all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from townhall_platform.testing import ManualClock


def _head(api: Any) -> tuple[int, int]:
    verify = api.client.get("/v1/audit/verify", headers=api.user("olivier")).json()
    return api.revision(), verify["head_seq"]


def _later(hours: int) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).isoformat()


BASE = {
    "subject": "hugo",
    "role": "spokesperson",
    "domain": "org",
    "justification": "Speaks for operations",
}
CASES = [
    ("unknown role", {"role": "emperor"}, 422, "validation-failed"),
    ("unknown subject", {"subject": "nobody"}, 422, "unknown-subject"),
    ("unknown domain", {"domain": "space:nowhere"}, 422, "unknown-domain"),
    ("malformed domain", {"domain": "Space X"}, 422, "validation-failed"),
    ("org role in a space", {"domain": "space:cafe"}, 422, "role-domain-mismatch"),
    ("space role in org", {"role": "member"}, 422, "role-domain-mismatch"),
    (
        "valid_to before valid_from",
        {"valid_from": _later(2), "valid_to": _later(1)},
        422,
        "invalid-validity",
    ),
    ("backdated", {"valid_from": "2020-01-01T00:00:00Z"}, 422, "invalid-validity"),
    ("justification missing", {"justification": None}, 422, "validation-failed"),
    ("justification blank", {"justification": "   "}, 422, "validation-failed"),
    ("justification too long", {"justification": "x" * 1001}, 422, "validation-failed"),
    ("unknown field", {"because": "I said so"}, 422, "validation-failed"),
    ("duplicate", {"subject": "claire", "role": "communicator"}, 409, "duplicate-grant"),
    ("self-grant", {"subject": "paul", "role": "moderator"}, 403, "self-grant"),
]


@pytest.mark.parametrize(("case", "change", "status", "slug"), CASES, ids=[c[0] for c in CASES])
def test_a_bad_grant_is_a_precise_problem_and_writes_nothing(
    api: Any, case: str, change: dict[str, Any], status: int, slug: str
) -> None:
    before = _head(api)
    body = {k: v for k, v in {**BASE, **change}.items() if v is not None}

    response = api.client.post("/v1/grants", json=body, headers=api.user("paul"))

    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith("/" + slug)
    assert _head(api) == before


def test_revoking_twice_writes_one_event(api: Any) -> None:
    grant = api.grant("hugo", "spokesperson", "org")
    api.revoke(grant["id"])
    before = _head(api)

    again = api.client.request(
        "DELETE",
        f"/v1/grants/{grant['id']}",
        json={"justification": "Again"},
        headers=api.user("paul"),
    )

    assert again.status_code == 409
    assert again.json()["type"].endswith("/grant-already-revoked")
    assert _head(api) == before


def test_a_future_grant_takes_effect_and_expires_on_time(
    clocked_api: tuple[Any, ManualClock],
) -> None:
    api, clock = clocked_api
    starts = clock.at(3600)
    ends = starts + timedelta(seconds=60)
    api.grant(
        "hugo",
        "member",
        "space:projet-phoenix",
        valid_from=starts.isoformat(),
        valid_to=ends.isoformat(),
    )
    assert api.decide("hugo", "post.social", "space:projet-phoenix")["allowed"] is False

    clock.now = starts
    assert api.decide("hugo", "post.social", "space:projet-phoenix")["allowed"] is True

    clock.now = ends
    assert api.decide("hugo", "post.social", "space:projet-phoenix")["allowed"] is False
