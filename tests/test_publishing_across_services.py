"""Publishing's changes as search and readers see them, the three services as processes."""

from __future__ import annotations

import time
import uuid
from typing import Any

PROBLEM = "application/problem+json"


def _word() -> str:
    return "zp" + uuid.uuid4().hex[:10]


def _ids(results: dict[str, Any]) -> list[str]:
    return [hit["id"] for hit in results["hits"]]


def _ok(response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def _social(system: Any, user: str, tag: str) -> dict[str, Any]:
    return _ok(
        system.as_user("publishing", user).post(
            "/v1/posts",
            json={
                "space_id": "engineering",
                "kind": "social",
                "title": f"Sujet {tag}",
                "body": f"Texte {tag}",
            },
        )
    )


def test_hidden_content_leaves_search_for_all_but_its_author_and_moderators(system: Any) -> None:
    tag = _word()
    post = _social(system, "alice", tag)
    found = system.wait_for_search("david", lambda r: post["id"] in _ids(r), q=tag)
    assert post["id"] in _ids(found)

    _ok(
        system.as_user("publishing", "nadia").post(
            f"/v1/posts/{post['id']}/hide", json={"reason": "Hors charte"}
        )
    )

    gone = system.wait_for_search("david", lambda r: post["id"] not in _ids(r), q=tag)
    assert post["id"] not in _ids(gone)
    assert gone["total"] == 0
    # Its author, the org moderator and the space's owner (a space moderator) still find it.
    for reader in ("alice", "nadia", "bob"):
        assert post["id"] in _ids(system.search(reader, q=tag))
    assert system.as_user("publishing", "david").get(f"/v1/posts/{post['id']}").status_code == 404

    _ok(
        system.as_user("publishing", "nadia").post(
            f"/v1/posts/{post['id']}/restore", json={"reason": "Contexte clarifié"}
        )
    )
    back = system.wait_for_search("david", lambda r: post["id"] in _ids(r), q=tag)
    assert post["id"] in _ids(back)


def test_an_official_post_is_searchable_once_published_and_gone_once_retracted(system: Any) -> None:
    tag = _word()
    claire = system.as_user("publishing", "claire")
    post = _ok(
        claire.post(
            "/v1/posts",
            json={
                "space_id": "general",
                "kind": "official",
                "title": f"Annonce {tag}",
                "body": "Texte",
            },
        )
    )
    _ok(claire.post(f"/v1/posts/{post['id']}/submit"))
    # Not approved yet: employees find nothing.
    time.sleep(0.5)
    assert post["id"] not in _ids(system.search("david", q=tag))
    _ok(system.as_user("publishing", "marc").post(f"/v1/posts/{post['id']}/approve"))
    _ok(claire.post(f"/v1/posts/{post['id']}/publish"))
    found = system.wait_for_search("david", lambda r: post["id"] in _ids(r), q=tag)
    assert post["id"] in _ids(found)
    assert found["hits"][0]["kind"] == "official"

    _ok(claire.post(f"/v1/posts/{post['id']}/retract", json={"reason": "Publiée par erreur"}))
    gone = system.wait_for_search("david", lambda r: post["id"] not in _ids(r), q=tag)
    assert post["id"] not in _ids(gone)


def test_a_deleted_post_and_its_comments_leave_search(system: Any) -> None:
    tag = _word()
    post = _social(system, "bob", tag)
    comment = _ok(
        system.as_user("publishing", "alice").post(
            f"/v1/posts/{post['id']}/comments", json={"body": f"Réponse {tag}"}
        )
    )
    system.wait_for_search("david", lambda r: comment["id"] in _ids(r), q=tag)

    deleted = system.as_user("publishing", "bob").delete(f"/v1/posts/{post['id']}")
    assert deleted.status_code == 204

    gone = system.wait_for_search("david", lambda r: r["total"] == 0, q=tag)
    assert gone["total"] == 0


def test_policy_down_means_503_and_nothing_written(system: Any) -> None:
    tag = _word()
    policy = system.services["policy"]
    policy.stop()
    try:
        refused = system.as_user("publishing", "alice").post(
            "/v1/posts",
            json={
                "space_id": "engineering",
                "kind": "social",
                "title": f"Sujet {tag}",
                "body": "x",
            },
        )
        assert refused.status_code == 503
        assert refused.headers["content-type"].startswith(PROBLEM)
    finally:
        policy.start()
    feed = system.as_user("publishing", "alice").get(
        "/v1/spaces/engineering/posts", params={"limit": 100}
    )
    assert feed.status_code == 200
    assert all(tag not in item["title"] for item in feed.json()["items"])
