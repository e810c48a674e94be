"""Who may not read a space or a post learns nothing of it, not even that it exists.

The three services as processes: moderation, search, indicators, audiences, the
acknowledgement report, the spaces listing and policy's decisions, each tried with an
existing id the caller may not read and with a missing one.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

MISSING_POST = "00000000-0000-4000-8000-000000000000"


def _word() -> str:
    return "zx" + uuid.uuid4().hex[:10]


def _ids(results: dict[str, Any]) -> list[str]:
    return [hit["id"] for hit in results["hits"]]


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code in (200, 201), response.text
    return dict(response.json())


def _same_answer(
    existing: httpx.Response, missing: httpx.Response, existing_id: str, missing_id: str
) -> None:
    """The same status and problem, but for the id each names."""
    assert existing.status_code == missing.status_code, (existing.text, missing.text)
    assert existing.headers["content-type"] == missing.headers["content-type"]
    assert existing.text.replace(existing_id, "ID") == missing.text.replace(missing_id, "ID")


def _hr_post(system: Any, tag: str) -> dict[str, Any]:
    return _ok(
        system.as_user("publishing", "chloe").post(
            "/v1/posts",
            json={
                "space_id": "hr-confidential",
                "kind": "social",
                "title": f"Entretiens {tag}",
                "body": f"Grilles {tag}",
            },
        )
    )


def test_the_org_moderator_cannot_read_a_restricted_post_by_hiding_it(system: Any) -> None:
    tag = _word()
    post = _hr_post(system, tag)
    comment = _ok(
        system.as_user("publishing", "emma").post(
            f"/v1/posts/{post['id']}/comments", json={"body": f"Vu {tag}"}
        )
    )
    nadia = system.as_user("publishing", "nadia")
    assert nadia.get(f"/v1/posts/{post['id']}").status_code == 404

    for verb in ("hide", "restore"):
        tried = nadia.post(f"/v1/posts/{post['id']}/{verb}", json={"reason": "Curiosité"})
        missing = nadia.post(f"/v1/posts/{MISSING_POST}/{verb}", json={"reason": "Curiosité"})
        _same_answer(tried, missing, post["id"], MISSING_POST)
        assert tried.status_code == 404
    assert nadia.get(f"/v1/posts/{post['id']}").status_code == 404
    assert nadia.get(f"/v1/posts/{post['id']}/comments").status_code == 404

    # The space's own moderator (its owner) moderates it; hidden, the post stays
    # out of the org moderator's reach in publishing and in search alike.
    emma = system.as_user("publishing", "emma")
    _ok(emma.post(f"/v1/posts/{post['id']}/hide", json={"reason": "Données personnelles"}))
    assert nadia.get(f"/v1/posts/{post['id']}").status_code == 404
    assert nadia.get(f"/v1/posts/{post['id']}/comments").status_code == 404
    for reader in ("chloe", "emma"):
        found = system.wait_for_search(reader, lambda r: post["id"] in _ids(r), q=tag)
        assert post["id"] in _ids(found)
    # The comments of the hidden post followed it: their update reached search too.
    system.wait_for_search("emma", lambda r: comment["id"] not in _ids(r), q=tag)
    assert system.search("nadia", q=tag)["total"] == 0
    assert system.search("hugo", q=tag)["total"] == 0

    tried = nadia.post(f"/v1/posts/{post['id']}/restore", json={"reason": "Curiosité"})
    assert tried.status_code == 404
    _ok(emma.post(f"/v1/posts/{post['id']}/restore", json={"reason": "Corrigé"}))
    assert nadia.get(f"/v1/posts/{post['id']}").status_code == 404

    # Policy says the same: the org moderator neither reads nor moderates a restricted
    # space she is not in, and still moderates public ones.
    policy = system.as_user("policy", "nadia")
    for action in ("read", "moderate"):
        decision = _ok(
            policy.post(
                "/v1/decisions",
                json={"subject": "nadia", "action": action, "domain": "space:hr-confidential"},
            )
        )
        assert decision["allowed"] is False
    public = _ok(
        policy.post(
            "/v1/decisions",
            json={"subject": "nadia", "action": "moderate", "domain": "space:engineering"},
        )
    )
    assert public["allowed"] is True


def test_dismissing_a_report_one_cannot_read_is_not_found(system: Any) -> None:
    post = _hr_post(system, _word())
    report = _ok(
        system.as_user("publishing", "emma").post(
            f"/v1/posts/{post['id']}/reports", json={"reason": "Hors sujet"}
        )
    )
    nadia = system.as_user("publishing", "nadia")
    missing_id = str(uuid.uuid4())
    tried = nadia.post(f"/v1/moderation/reports/{report['id']}/dismiss", json={"reason": "Rien"})
    missing = nadia.post(f"/v1/moderation/reports/{missing_id}/dismiss", json={"reason": "Rien"})
    _same_answer(tried, missing, report["id"], missing_id)
    assert tried.status_code == 404
    queue = _ok(nadia.get("/v1/moderation/reports"))
    assert report["id"] not in [r["id"] for r in queue["items"]]
    _ok(
        system.as_user("publishing", "emma").post(
            f"/v1/moderation/reports/{report['id']}/dismiss", json={"reason": "Réglé"}
        )
    )


def test_indicators_and_decisions_do_not_tell_a_restricted_space_from_a_missing_one(
    system: Any,
) -> None:
    hugo = system.as_user("publishing", "hugo")
    tried = hugo.get("/v1/indicators", params={"space_id": "hr-confidential"})
    missing = hugo.get("/v1/indicators", params={"space_id": "no-such-space"})
    _same_answer(tried, missing, "hr-confidential", "no-such-space")
    assert tried.status_code == 404
    # Who may read the space gets the honest refusal.
    assert (
        system.as_user("publishing", "chloe")
        .get("/v1/indicators", params={"space_id": "hr-confidential"})
        .status_code
        == 403
    )

    policy = system.as_user("policy", "hugo")
    for action in ("read", "post.social", "moderate"):
        answers = [
            _ok(
                policy.post(
                    "/v1/decisions",
                    json={"subject": "hugo", "action": action, "domain": f"space:{space}"},
                )
            )
            for space in ("hr-confidential", "no-such-space")
        ]
        for answer, space in zip(answers, ("hr-confidential", "no-such-space"), strict=True):
            answer.pop("decision_id")
            answer["domain"] = answer["domain"].replace(space, "S")
            answer["reason"]["summary"] = answer["reason"]["summary"].replace(space, "S")
        assert answers[0] == answers[1]
        assert answers[0]["allowed"] is False
    batch = _ok(
        policy.post(
            "/v1/decisions/batch",
            json={
                "decisions": [
                    {"subject": "hugo", "action": "read", "domain": "space:hr-confidential"},
                    {"subject": "hugo", "action": "read", "domain": "space:no-such-space"},
                ]
            },
        )
    )
    summaries = [d["reason"]["summary"] for d in batch["decisions"]]
    assert summaries[0].replace("hr-confidential", "S") == summaries[1].replace(
        "no-such-space", "S"
    )
    # A member is told the truth about her own space.
    chloe = _ok(
        system.as_user("policy", "chloe").post(
            "/v1/decisions",
            json={"subject": "chloe", "action": "moderate", "domain": "space:hr-confidential"},
        )
    )
    assert "unknown" not in chloe["reason"]["summary"]


def test_an_audience_is_only_a_space_the_author_may_read(system: Any) -> None:
    claire = system.as_user("publishing", "claire")
    answers = {
        space: claire.post(
            "/v1/posts",
            json={
                "space_id": "general",
                "kind": "official",
                "title": "Annonce",
                "body": "Texte",
                "audience_spaces": [space],
                "requires_acknowledgement": True,
            },
        )
        for space in ("hr-confidential", "no-such-space")
    }
    _same_answer(
        answers["hr-confidential"], answers["no-such-space"], "hr-confidential", "no-such-space"
    )
    assert answers["hr-confidential"].status_code == 422


def test_the_acknowledgement_report_names_nobody_of_a_space_its_reader_may_not_read(
    system: Any,
) -> None:
    # claire, a communicator, is a member of hr-confidential for a while: she may target it.
    paul = system.as_user("policy", "paul")
    grant = _ok(
        paul.post(
            "/v1/grants",
            json={
                "subject": "claire",
                "role": "member",
                "domain": "space:hr-confidential",
                "justification": "Campagne RH des entretiens annuels",
            },
        )
    )
    claire = system.as_user("publishing", "claire")
    post = _ok(
        claire.post(
            "/v1/posts",
            json={
                "space_id": "general",
                "kind": "official",
                "title": "Entretiens annuels",
                "body": "Merci de confirmer",
                "audience_spaces": ["hr-confidential"],
                "requires_acknowledgement": True,
            },
        )
    )
    _ok(claire.post(f"/v1/posts/{post['id']}/submit"))
    _ok(system.as_user("publishing", "marc").post(f"/v1/posts/{post['id']}/approve"))
    _ok(claire.post(f"/v1/posts/{post['id']}/publish"))
    _ok(system.as_user("publishing", "chloe").post(f"/v1/posts/{post['id']}/acknowledge"))
    report = _ok(claire.get(f"/v1/posts/{post['id']}/acknowledgements"))
    assert report["pending_subjects"] == ["emma"]
    assert [a["user_id"] for a in report["acknowledged_by"]] == ["chloe"]
    assert report["names_withheld"] is False

    # Out of the space, she still reads her post and its numbers, and no name.
    _ok(
        paul.request(
            "DELETE", f"/v1/grants/{grant['id']}", json={"justification": "Campagne terminée"}
        )
    )
    report = _ok(claire.get(f"/v1/posts/{post['id']}/acknowledgements"))
    assert (report["audience"], report["acknowledged"], report["pending"]) == (2, 1, 1)
    assert report["pending_subjects"] == []
    assert report["acknowledged_by"] == []
    assert report["names_withheld"] is True
    # Compliance reads every space, and every name.
    audit = _ok(
        system.as_user("publishing", "olivier").get(f"/v1/posts/{post['id']}/acknowledgements")
    )
    assert audit["pending_subjects"] == ["emma"]
    assert audit["names_withheld"] is False


def test_who_is_no_employee_lists_no_public_employee_space(system: Any) -> None:
    zoe = system.as_user("publishing", "zoe")
    spaces = [s["id"] for s in _ok(zoe.get("/v1/spaces"))["items"]]
    assert spaces == ["projet-phoenix"]
    for space in ("engineering", "general"):
        tried = zoe.get(f"/v1/spaces/{space}")
        missing = zoe.get("/v1/spaces/no-such-space")
        _same_answer(tried, missing, space, "no-such-space")
        assert tried.status_code == 404

    paul = system.as_user("policy", "paul")
    _ok(
        paul.request(
            "DELETE",
            "/v1/directory/subjects/gaelle",
            json={"justification": "Départ de l'entreprise"},
        )
    )
    gaelle = system.as_user("publishing", "gaelle")
    assert _ok(gaelle.get("/v1/spaces"))["items"] == []
    tried = gaelle.get("/v1/spaces/cafe")
    missing = gaelle.get("/v1/spaces/no-such-space")
    _same_answer(tried, missing, "cafe", "no-such-space")
