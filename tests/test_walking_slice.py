"""The walking slice across the three services, as real processes over HTTP."""

from __future__ import annotations

import uuid
from typing import Any

PROBLEM = "application/problem+json"


def _word() -> str:
    """A word no other test or seed post contains, to find exactly our posts."""
    return "zq" + uuid.uuid4().hex[:10]


def _post(system: Any, user: str, **body: Any) -> Any:
    return system.as_user("publishing", user).post("/v1/posts", json=body)


def _ids(results: dict[str, Any]) -> list[str]:
    return [hit["id"] for hit in results["hits"]]


def test_social_post_is_found_by_another_employee_with_an_unaccented_stem(system: Any) -> None:
    tag = _word()
    created = _post(
        system,
        "alice",
        space_id="engineering",
        kind="social",
        title=f"Revue de sécurité {tag}",
        body="Nous renforçons la sécurité des déploiements cette semaine.",
    )
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]

    results = system.wait_for_search(
        "bob", lambda r: post_id in _ids(r), q=f"securite {tag}", space="engineering"
    )
    assert post_id in _ids(results)
    hit = next(h for h in results["hits"] if h["id"] == post_id)
    assert hit["kind"] == "social"
    assert hit["space_id"] == "engineering"
    assert any("<b>" in snippet for snippets in hit["highlights"].values() for snippet in snippets)


def test_official_post_needs_publish_permission(system: Any) -> None:
    refused = _post(
        system,
        "alice",
        space_id="general",
        kind="official",
        title="Nouvelle politique de télétravail",
        body="À partir de lundi…",
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith(PROBLEM)
    problem = refused.json()
    assert problem["status"] == 403
    assert "communicator" in problem["reason"]["missing"]
    assert problem["decision_id"]

    tag = _word()
    accepted = _post(
        system,
        "claire",
        space_id="general",
        kind="official",
        title=f"Nouvelle politique de télétravail {tag}",
        body="À partir de lundi, deux jours de télétravail par semaine.",
    )
    assert accepted.status_code == 201, accepted.text
    post = accepted.json()
    assert post["kind"] == "official"
    assert post["decision_id"]
    assert post["policy_revision"] >= 1
    # An official post goes out only once another person approved it (issue 4).
    assert post["state"] == "draft"
    assert system.as_user("publishing", "david").get(f"/v1/posts/{post['id']}").status_code == 404
    for step, actor in (("submit", "claire"), ("approve", "marc"), ("publish", "claire")):
        answer = system.as_user("publishing", actor).post(f"/v1/posts/{post['id']}/{step}")
        assert answer.status_code == 200, answer.text
    read = system.as_user("publishing", "david").get(f"/v1/posts/{post['id']}")
    assert read.status_code == 200
    assert read.json()["title"].endswith(tag)


def test_restricted_post_is_invisible_to_non_members(system: Any) -> None:
    tag = _word()
    created = _post(
        system,
        "chloe",
        space_id="hr-confidential",
        kind="social",
        title=f"Plan de réorganisation {tag}",
        body=f"Confidentiel : réorganisation {tag} du service paie.",
    )
    assert created.status_code == 201, created.text
    post_id = created.json()["id"]

    member = system.wait_for_search("emma", lambda r: post_id in _ids(r), q=tag)
    assert _ids(member) == [post_id]
    assert member["total"] == 1

    # A non-member: GET answers as if the post did not exist.
    for outsider in ("alice", "hugo", "zoe"):
        response = system.as_user("publishing", outsider).get(f"/v1/posts/{post_id}")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith(PROBLEM)

    # And search reveals nothing: no hit, no count, no facet bucket, no highlight.
    results = system.search("alice", q=tag, facets="kind,space_id,author_id,month")
    assert results["hits"] == []
    assert results["total"] == 0
    buckets = [b["value"] for facet in results["facets"].values() for b in facet]
    assert "hr-confidential" not in buckets
    everything = system.search("alice", q="", limit=100, facets="space_id")
    assert all(hit["space_id"] != "hr-confidential" for hit in everything["hits"])
    space_facet = {b["value"]: b["count"] for b in everything["facets"]["space_id"]}
    assert "hr-confidential" not in space_facet
    assert tag not in str(everything)


def test_posts_written_while_search_is_down_arrive_once_when_it_returns(system: Any) -> None:
    tag = _word()
    search = system.services["search"]
    search.stop()
    try:
        created = []
        for n in range(12):
            response = _post(
                system,
                "bob",
                space_id="cafe" if n % 2 else "engineering",
                kind="social",
                title=f"Note {n} {tag}",
                body=f"Publishing keeps working while search is down ({tag} {n}).",
            )
            assert response.status_code == 201, response.text
            created.append(response.json()["id"])
    finally:
        search.start()

    results = system.wait_for_search(
        "alice",
        lambda r: r["total"] >= len(created),
        q=tag,
        limit=100,
        facets="kind",
    )
    assert sorted(_ids(results)) == sorted(created)
    assert results["total"] == len(created)
    kinds = {b["value"]: b["count"] for b in results["facets"]["kind"]}
    assert kinds == {"social": len(created)}
