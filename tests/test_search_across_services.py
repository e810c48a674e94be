"""Search with the three services as real processes: revocation, reindex, suggestions."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from typing import Any

PROBLEM = "application/problem+json"


def _ids(results: dict[str, Any]) -> list[str]:
    return [hit["id"] for hit in results["hits"]]


def _word() -> str:
    return "zq" + uuid.uuid4().hex[:10]


def _publish(system: Any, user: str, space: str, title: str) -> str:
    created = system.as_user("publishing", user).post(
        "/v1/posts", json={"space_id": space, "kind": "social", "title": title, "body": title}
    )
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def test_revoked_membership_leaves_results_within_a_second(system: Any) -> None:
    tag = _word()
    post_id = _publish(system, "bob", "projet-phoenix", f"Feuille de route {tag}")
    seen = system.wait_for_search(
        "alice", lambda r: post_id in _ids(r), q=f"{tag} ", facets="space_id"
    )
    assert post_id in _ids(seen)
    assert "projet-phoenix" in {b["value"] for b in seen["facets"]["space_id"]}

    with system.grants_revoked("alice", "space:projet-phoenix", "Left the project"):
        gone = system.wait_for_search(
            "alice", lambda r: post_id not in _ids(r), q=tag, facets="space_id"
        )

        assert post_id not in _ids(gone)
        assert gone["total"] == 0
        assert "projet-phoenix" not in {b["value"] for b in gone["facets"]["space_id"]}
        # Still visible to a remaining member.
        assert post_id in _ids(system.search("bob", q=tag))


def test_suggestions_across_services(system: Any) -> None:
    tag = _word()
    post_id = _publish(system, "alice", "engineering", f"Tutoriel {tag}")
    system.wait_for_search("bob", lambda r: post_id in _ids(r), q=tag)

    response = system.as_user("search", "bob").get(
        "/v1/search/suggestions", params={"q": f"tutoriel {tag[:6]}"}
    )

    assert response.status_code == 200, response.text
    assert [s["id"] for s in response.json()["suggestions"]] == [post_id]


def test_reindex_from_publishing_with_the_cli(system: Any) -> None:
    tag = _word()
    post_id = _publish(system, "alice", "engineering", f"Avant reconstruction {tag}")
    system.wait_for_search("bob", lambda r: post_id in _ids(r), q=tag)
    before = system.search("olivier", limit=1)["total"]
    env = dict(system.services["search"].env)

    result = subprocess.run(
        [sys.executable, "-m", "townhall_search.cli", "reindex", "--poll", "0.1"],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "the new index is live" in result.stdout
    # Everything came back from publishing, with the same permissions.
    assert post_id in _ids(system.search("bob", q=tag))
    assert system.search("olivier", limit=1)["total"] == before
    assert system.search("zoe", q=tag)["total"] == 0
    status = system.as_user("search", "alice").get("/internal/v1/index/reindex")
    assert status.status_code == 403
    assert status.headers["content-type"].startswith(PROBLEM)


def test_a_post_is_found_by_the_words_of_its_pdf_and_served_to_its_readers(
    system: Any, sample_files: Any
) -> None:
    tag = _word()
    post_id = _publish(system, "alice", "projet-phoenix", "Compte rendu")
    pdf = sample_files.pdf(f"Inventaire {tag}")
    alice = system.as_user("publishing", "alice")

    attached = alice.post(
        f"/v1/posts/{post_id}/media", files={"file": ("inventaire.pdf", pdf, "application/pdf")}
    )

    assert attached.status_code == 201, attached.text
    found = system.wait_for_search("bob", lambda r: post_id in _ids(r), q=f"{tag} ")
    assert post_id in _ids(found)
    # david may not read projet-phoenix: neither the hit nor the bytes.
    assert post_id not in _ids(system.search("david", q=f"{tag} "))
    url = f"/v1/posts/{post_id}/media/{attached.json()['id']}"
    assert system.as_user("publishing", "bob").get(url).content == pdf
    assert system.as_user("publishing", "david").get(url).status_code == 404
