"""GET /v1/search: user tokens only, principals from policy, filtered inside the query."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from townhall_search.app import create_app

BULK = "/internal/v1/index/bulk"
SEARCH = "/v1/search"
PROBLEM = "application/problem+json"
HR_ONLY = ["auditor:org", "space:hr-confidential", "user:chloe"]
ALL_FACETS = "kind,space_id,author_id,month"


@pytest.fixture
def seeded(client, events, as_service):
    batch = events.batch(
        events.upsert(
            "welcome",
            title="Bienvenue : la sécurité au bureau",
            body="Les badges <b>doivent</b> être portés.",
            space_id="cafe",
            author_id="bob",
            created_at=events.at(1),
        ),
        events.upsert(
            "salaries",
            title="Sécurité des salaires",
            body="Grille confidentielle, sécurité renforcée.",
            kind="official",
            space_id="hr-confidential",
            author_id="chloe",
            readers=HR_ONLY,
            created_at=events.at(2),
        ),
        events.upsert(
            "release",
            title="Release notes",
            body="Security fixes and faster builds.",
            space_id="engineering",
            author_id="alice",
            created_at=events.at(3),
        ),
    )
    response = client.post(BULK, json=batch.model_dump(mode="json"), headers=as_service())
    assert response.status_code == 200
    return client


def _problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"].endswith("/" + slug)
    return response.json()


def test_search_answers_the_contract(seeded, as_user) -> None:
    response = seeded.get(
        SEARCH, params={"q": "securite", "facets": ALL_FACETS}, headers=as_user("david")
    )

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"total", "hits", "facets", "next_cursor", "did_you_mean", "search_id"}
    # The French post, then the English one through the vocabulary (sécurité | security).
    assert body["total"] == 2
    assert body["did_you_mean"] is None
    assert body["next_cursor"] is None
    hit = body["hits"][0]
    assert {k: hit[k] for k in ("id", "kind", "space_id", "author_id", "doc_type")} == {
        "id": "welcome",
        "kind": "social",
        "space_id": "cafe",
        "author_id": "bob",
        "doc_type": "post",
    }
    assert hit["highlights"]["title"] == ["Bienvenue : la <b>sécurité</b> au bureau"]
    assert set(body["facets"]) == {"kind", "space_id", "author_id", "month"}


def test_facets_are_counted_only_when_asked_for(seeded, as_user) -> None:
    plain = seeded.get(SEARCH, params={"q": "sécurité"}, headers=as_user("david")).json()
    some = seeded.get(
        SEARCH, params={"q": "sécurité", "facets": " month,kind,kind"}, headers=as_user("david")
    ).json()

    assert plain["facets"] == {}
    # "welcome", and "release" through the vocabulary (sécurité | security).
    assert plain["total"] == some["total"] == 2
    assert some["facets"] == {
        "kind": [{"value": "social", "count": 2}],
        "month": [{"value": some["facets"]["month"][0]["value"], "count": 2}],
    }


def test_unknown_facet_is_400(seeded, as_user) -> None:
    response = seeded.get(
        SEARCH, params={"q": "sécurité", "facets": "kind,readers"}, headers=as_user("david")
    )

    assert "readers" in _problem(response, 400, "unknown-facet")["detail"]


def test_english_and_french_in_one_query(seeded, as_user) -> None:
    body = seeded.get(SEARCH, params={"q": "security"}, headers=as_user("david")).json()
    french = seeded.get(SEARCH, params={"q": "sécurité"}, headers=as_user("david")).json()

    # The English post matches exactly; the French one only within one typo, lower.
    assert [hit["id"] for hit in body["hits"]] == ["release", "welcome"]
    assert body["hits"][0]["score"] > body["hits"][1]["score"]
    assert french["hits"][0]["id"] == "welcome"


def test_non_member_sees_no_hit_count_facet_or_highlight(seeded, as_user) -> None:
    body = seeded.get(
        SEARCH, params={"q": "salaires", "facets": ALL_FACETS}, headers=as_user("david")
    ).json()

    assert body == {
        "total": 0,
        "hits": [],
        "facets": {"kind": [], "space_id": [], "author_id": [], "month": []},
        "next_cursor": None,
        "did_you_mean": None,
        "search_id": None,
    }
    broad = seeded.get(
        SEARCH, params={"q": "sécurité", "facets": ALL_FACETS}, headers=as_user("david")
    ).json()
    # The readable French post and, through the vocabulary, the English one.
    assert broad["total"] == 2
    assert {b["value"] for b in broad["facets"]["space_id"]} == {"cafe", "engineering"}
    assert {b["value"] for b in broad["facets"]["kind"]} == {"social"}
    assert "salaires" not in str(broad["hits"])


def test_member_finds_the_restricted_post(seeded, as_user) -> None:
    body = seeded.get(
        SEARCH, params={"q": "salaires", "facets": "space_id"}, headers=as_user("chloe")
    ).json()

    assert [hit["id"] for hit in body["hits"]] == ["salaries"]
    assert body["facets"]["space_id"] == [{"value": "hr-confidential", "count": 1}]
    assert body["hits"][0]["highlights"]["title"] == ["Sécurité des <b>salaires</b>"]


def test_subject_unknown_to_policy_reads_nothing(seeded, as_user) -> None:
    response = seeded.get(SEARCH, headers=as_user("stranger"))

    assert response.status_code == 200
    assert (response.json()["total"], response.json()["hits"]) == (0, [])


def test_inactive_subject_reads_nothing(seeded, as_user, policy) -> None:
    policy.inactive.add("david")

    body = seeded.get(SEARCH, headers=as_user("david")).json()

    assert (body["total"], body["hits"]) == (0, [])


class _Clock:
    """The time the principals cache expires by, moved by the test."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_revoked_membership_is_seen_after_the_cache_expires(
    search_settings, events, as_service, as_user, policy
) -> None:
    clock = _Clock()
    app = create_app(
        search_settings, policy_transport=httpx.MockTransport(policy.handle), clock=clock
    )
    with TestClient(app, raise_server_exceptions=False) as client:
        members_only = ["auditor:org", "space:hr-confidential"]
        batch = events.batch(events.upsert("salaries", title="salaires", readers=members_only))
        client.post(BULK, json=batch.model_dump(mode="json"), headers=as_service())
        found = client.get(SEARCH, params={"q": "salaires"}, headers=as_user("chloe"))
        assert found.json()["total"]

        policy.directory["chloe"] = ["org", "user:chloe"]
        # Still cached: the answer stands until the cache's time is up.
        cached = client.get(SEARCH, params={"q": "salaires"}, headers=as_user("chloe"))
        assert cached.json()["total"]
        clock.now += search_settings.principals_cache_seconds

        body = client.get(SEARCH, params={"q": "salaires"}, headers=as_user("chloe")).json()
        assert body["total"] == 0


def test_empty_query_lists_readable_newest_first_with_facets(seeded, as_user) -> None:
    body = seeded.get(SEARCH, params={"facets": "space_id"}, headers=as_user("david")).json()

    assert [hit["id"] for hit in body["hits"]] == ["release", "welcome"]
    assert body["facets"]["space_id"] == [
        {"value": "cafe", "count": 1},
        {"value": "engineering", "count": 1},
    ]


def test_filters(seeded, as_user) -> None:
    def found(**params: str) -> list[str]:
        body = seeded.get(SEARCH, params=params, headers=as_user("olivier")).json()
        return sorted(hit["id"] for hit in body["hits"])

    assert found(kind="official") == ["salaries"]
    assert found(space="engineering") == ["release"]
    assert found(author="bob") == ["welcome"]
    assert found(q="sécurité", kind="social") == ["release", "welcome"]
    assert found(q="sécurité", kind="official") == ["salaries"]


def test_highlights_are_html_safe(seeded, as_user) -> None:
    body = seeded.get(SEARCH, params={"q": "badges"}, headers=as_user("david")).json()

    assert body["hits"][0]["highlights"]["body"] == [
        "Les <b>badges</b> &lt;b&gt;doivent&lt;/b&gt; être portés."
    ]


def test_principals_come_from_policy_with_a_service_token(seeded, as_user, policy) -> None:
    seeded.get(SEARCH, headers=as_user("david"))

    assert policy.calls == ["david"]
    # The revision check and the principals: both with the service's own token.
    assert set(policy.audiences) == {"townhall-internal"}


def test_principals_are_cached_briefly(seeded, as_user, policy) -> None:
    for _ in range(3):
        seeded.get(SEARCH, headers=as_user("david"))

    assert policy.calls == ["david"]


def test_policy_down_is_503(seeded, as_user, policy) -> None:
    policy.down = True

    response = seeded.get(SEARCH, params={"q": "x"}, headers=as_user("david"))

    _problem(response, 503, "dependency-unavailable")


# -- pagination ----------------------------------------------------------------------------


@pytest.fixture
def many(client, events, as_service):
    batch = events.batch(
        *(
            events.upsert(f"p{n:02}", title=f"Compte rendu {n}", created_at=events.at(n))
            for n in range(25)
        )
    )
    client.post(BULK, json=batch.model_dump(mode="json"), headers=as_service())
    return client


def test_cursor_walks_every_hit_once(many, as_user) -> None:
    seen: list[str] = []
    params = {"q": "compte rendu", "limit": "10"}
    pages = 0
    while True:
        body = many.get(SEARCH, params=params, headers=as_user("david")).json()
        assert body["total"] == 25
        seen += [hit["id"] for hit in body["hits"]]
        pages += 1
        if body["next_cursor"] is None:
            break
        params["cursor"] = body["next_cursor"]

    assert pages == 3
    assert sorted(seen) == sorted(f"p{n:02}" for n in range(25))


def test_default_limit_is_20(many, as_user) -> None:
    body = many.get(SEARCH, headers=as_user("david")).json()

    assert len(body["hits"]) == 20
    assert body["next_cursor"]


def test_forged_cursor_is_400(many, as_user) -> None:
    response = many.get(
        SEARCH, params={"cursor": "eyJvIjo1LCJtIjoiYWJjIn0"}, headers=as_user("david")
    )

    _problem(response, 400, "invalid-cursor")


def test_cursor_of_another_query_is_400(many, as_user) -> None:
    cursor = many.get(SEARCH, params={"limit": 5}, headers=as_user("david")).json()["next_cursor"]

    response = many.get(SEARCH, params={"q": "compte", "cursor": cursor}, headers=as_user("david"))

    _problem(response, 400, "invalid-cursor")


def test_cursor_of_another_user_is_400(many, as_user) -> None:
    cursor = many.get(SEARCH, params={"limit": 5}, headers=as_user("david")).json()["next_cursor"]

    response = many.get(SEARCH, params={"cursor": cursor}, headers=as_user("alice"))

    _problem(response, 400, "invalid-cursor")


@pytest.mark.parametrize("cursor", ["garbage!", "%00", "e30", "W10"])
def test_malformed_cursor_is_400(many, as_user, cursor: str) -> None:
    response = many.get(SEARCH, params={"cursor": cursor}, headers=as_user("david"))

    _problem(response, 400, "invalid-cursor")


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["0", "101", "-1", "ten"])
def test_limit_out_of_range_is_422(client, as_user, limit: str) -> None:
    response = client.get(SEARCH, params={"limit": limit}, headers=as_user("david"))

    _problem(response, 422, "validation-failed")


def test_query_over_1000_chars_is_422(client, as_user) -> None:
    response = client.get(SEARCH, params={"q": "a" * 1001}, headers=as_user("david"))

    _problem(response, 422, "validation-failed")


def test_query_of_1000_chars_is_fine(client, as_user) -> None:
    response = client.get(SEARCH, params={"q": "mot " * 250}, headers=as_user("david"))

    assert response.status_code == 200


def test_query_of_too_many_different_words_is_a_400_problem(client, as_user) -> None:
    words = " ".join(f"mot{n}" for n in range(65))

    response = client.get(SEARCH, params={"q": words}, headers=as_user("david"))

    problem = _problem(response, 400, "query-too-complex")
    assert "64" in problem["detail"]


def test_query_of_sixty_four_different_words_is_fine(client, as_user) -> None:
    words = " ".join(f"mot{n}" for n in range(64))

    response = client.get(SEARCH, params={"q": words}, headers=as_user("david"))

    assert response.status_code == 200


def test_unknown_kind_is_422(client, as_user) -> None:
    response = client.get(SEARCH, params={"kind": "secret"}, headers=as_user("david"))

    _problem(response, 422, "validation-failed")


@pytest.mark.parametrize(
    "q",
    ['"sécurité', "sécurité\x1f\x7f", "Note: sécurité", "((( AND", "\\", "'", "*", "-"],
)
def test_malformed_query_text_is_never_a_500(seeded, as_user, q: str) -> None:
    response = seeded.get(SEARCH, params={"q": q}, headers=as_user("david"))

    assert response.status_code == 200
    assert "salaries" not in response.text


def test_service_token_is_403(client, as_service) -> None:
    _problem(client.get(SEARCH, headers=as_service()), 403, "forbidden")


def test_missing_token_is_401(client) -> None:
    _problem(client.get(SEARCH), 401, "unauthenticated")


def test_malformed_authorization_is_401(client) -> None:
    response = client.get(SEARCH, headers={"Authorization": "Bearer not.a.jwt"})

    _problem(response, 401, "unauthenticated")


def test_expired_user_token_is_401(client, token_issuer) -> None:
    expired = token_issuer.user_token("david", ttl_seconds=-60)

    response = client.get(SEARCH, headers={"Authorization": f"Bearer {expired}"})

    _problem(response, 401, "unauthenticated")
