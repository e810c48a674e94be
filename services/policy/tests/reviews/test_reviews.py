"""Access reviews: open on a domain, keep or revoke each grant, close."""

from __future__ import annotations

from typing import Any


def _post(api: Any, path: str, by: str, body: dict[str, Any]) -> Any:
    return api.client.post(path, json=body, headers=api.user(by))


def test_a_review_of_a_space_from_open_to_close(api: Any) -> None:
    api.decide("zoe", "read", "space:projet-phoenix")  # a use of zoe's grant
    opened = _post(
        api,
        "/v1/audit/reviews",
        "olivier",
        {"domain": "space:projet-phoenix", "justification": "Quarterly access review"},
    )
    assert opened.status_code == 201, opened.text
    review = opened.json()
    by_subject = {
        i["grant"]["subject"]: i for i in review["items"] if i["grant"]["role"] == "member"
    }
    assert {"alice", "bob", "zoe"} <= set(by_subject)
    zoe = by_subject["zoe"]
    assert zoe["granted_by"] == "system" and zoe["age_days"] == 0
    assert zoe["uses"] >= 1 and zoe["last_used_at"] is not None
    review_path = f"/v1/audit/reviews/{review['id']}"

    # Compliance officers record keeps; revoking takes the authority to revoke.
    keep = _post(
        api,
        f"{review_path}/items/{by_subject['alice']['grant']['id']}",
        "olivier",
        {"outcome": "keep", "justification": "Still on the project"},
    )
    assert keep.status_code == 200
    refused = _post(
        api,
        f"{review_path}/items/{zoe['grant']['id']}",
        "olivier",
        {"outcome": "revoke", "justification": "Contract ended"},
    )
    assert refused.status_code == 403
    early = _post(api, f"{review_path}/close", "olivier", {"justification": "Done"})
    assert early.status_code == 409
    assert early.json()["type"].endswith("/review-incomplete")

    revision = api.revision()
    revoked = _post(
        api,
        f"{review_path}/items/{zoe['grant']['id']}",
        "alice",
        {"outcome": "revoke", "justification": "Contract ended"},
    )
    assert revoked.status_code == 200, revoked.text
    assert api.revision() == revision + 1
    assert api.decide("zoe", "read", "space:projet-phoenix")["allowed"] is False
    twice = _post(
        api,
        f"{review_path}/items/{zoe['grant']['id']}",
        "alice",
        {"outcome": "keep", "justification": "Changed my mind"},
    )
    assert twice.status_code == 409

    for item in revoked.json()["items"]:
        if item["outcome"] is None:
            _post(
                api,
                f"{review_path}/items/{item['grant']['id']}",
                "olivier",
                {"outcome": "keep", "justification": "Reviewed"},
            )
    closed = _post(api, f"{review_path}/close", "olivier", {"justification": "Review complete"})
    assert closed.status_code == 200
    assert closed.json()["closed_by"] == "olivier" and closed.json()["pending"] == 0
    late = _post(
        api,
        f"{review_path}/items/{zoe['grant']['id']}",
        "olivier",
        {"outcome": "keep", "justification": "Too late"},
    )
    assert late.status_code == 409

    exported = api.client.get(review_path, params={"format": "csv"}, headers=api.user("olivier"))
    assert "Contract ended" in exported.text
    events = api.client.get(
        "/v1/audit/events",
        params={"target": f"review:{review['id']}", "limit": 1000},
        headers=api.user("olivier"),
    ).json()["events"]
    assert events[0]["event_type"] == "review.opened"
    assert events[-1]["event_type"] == "review.closed"


def test_who_may_review(api: Any) -> None:
    body = {"domain": "space:hr-confidential", "justification": "Review"}
    assert _post(api, "/v1/audit/reviews", "alice", body).status_code == 403
    assert _post(api, "/v1/audit/reviews", "emma", body).status_code == 201  # the owner
    assert _post(api, "/v1/audit/reviews", "paul", body).status_code == 201
    unknown = _post(
        api, "/v1/audit/reviews", "olivier", {"domain": "space:nowhere", "justification": "Review"}
    )
    assert unknown.status_code == 422
    missing = api.client.get("/v1/audit/reviews/nope", headers=api.user("olivier"))
    assert missing.status_code == 404
