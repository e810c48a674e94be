"""Display names for the portal: any signed-in user, unknown and inactive ids left out."""

from __future__ import annotations

from typing import Any


def test_names_of_users_and_groups_with_each_groups_reach(api: Any) -> None:
    answer = api.client.post(
        "/v1/directory/names",
        json={"ids": ["alice", "engineering", "engineers", "sales", "alice"]},
        headers=api.user("zoe"),
    )
    assert answer.status_code == 200, answer.text
    named = {s["id"]: s for s in answer.json()["subjects"]}
    assert set(named) == {"alice", "engineering", "sales"}, "a mistyped group is left out"
    assert named["alice"] == {
        "id": "alice", "kind": "user", "display_name": "Alice Dubois", "members": None
    }  # fmt: skip
    assert named["engineering"]["kind"] == "group"
    assert named["engineering"]["members"] == 2
    assert named["sales"]["members"] == 2


def test_names_refuses_services_anonymous_callers_and_too_many_ids(api: Any) -> None:
    body = {"ids": ["alice"]}
    assert api.client.post("/v1/directory/names", json=body).status_code == 401
    service = api.client.post("/v1/directory/names", json=body, headers=api.service)
    assert service.status_code == 403
    assert service.headers["content-type"].startswith("application/problem+json")
    for bad in ({"ids": []}, {"ids": ["x"] * 201}, {"ids": [""]}, {"ids": ["a"], "extra": 1}):
        refused = api.client.post("/v1/directory/names", json=bad, headers=api.user("alice"))
        assert refused.status_code == 422, bad


def test_the_groups_an_audience_is_chosen_from_with_their_reach(api: Any) -> None:
    answer = api.client.get("/v1/directory/groups", headers=api.user("claire"))
    assert answer.status_code == 200, answer.text
    groups = {s["id"]: s for s in answer.json()["subjects"]}
    assert {s["kind"] for s in groups.values()} == {"group"}
    assert groups["engineering"]["members"] == 2
    assert groups["sales"]["members"] == 2
    assert "alice" not in groups
    assert api.client.get("/v1/directory/groups").status_code == 401
    service = api.client.get("/v1/directory/groups", headers=api.service)
    assert service.status_code == 403
    assert service.headers["content-type"].startswith("application/problem+json")
