"""The vocabulary API: who may read and replace it, versions and conflicts, and what a
search does with it (expansion at once, best bets first, "did you mean"), never
revealing what the caller may not read."""

from __future__ import annotations

import pytest

BULK = "/internal/v1/index/bulk"
SEARCH = "/v1/search"
VOCABULARY = "/v1/search/vocabulary"
PROBLEM = "application/problem+json"
HR_ONLY = ["space:hr-confidential"]


@pytest.fixture
def seeded(client, events, as_service):
    batch = events.batch(
        events.upsert(
            "cantine",
            title="Horaires de la cantine",
            body="La cantine ouvre à 11 h 30.",
            kind="official",
            readers=["org"],
        ),
        events.upsert("menu", title="Menu de la semaine", body="Lasagnes jeudi.", readers=["org"]),
        events.upsert(
            "plan",
            title="Plan social de la cantine",
            body="Réorganisation confidentielle du restaurant.",
            kind="official",
            readers=HR_ONLY,
        ),
    )
    assert client.post(BULK, json=batch.model_dump(mode="json"), headers=as_service()).is_success
    return client


def _problem(response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"].endswith("/" + slug)


def test_communicators_read_the_shipped_default(client, as_user) -> None:
    body = client.get(VOCABULARY, headers=as_user("claire")).json()
    assert body["version"] == 0
    assert any("télétravail" in group for group in body["groups"])
    assert body["best_bets"] == []


@pytest.mark.parametrize("method", ["get", "put"])
def test_who_may_not_manage_it_gets_403(client, as_user, method: str) -> None:
    kwargs = {"json": {"version": 0, "groups": []}} if method == "put" else {}
    response = getattr(client, method)(VOCABULARY, headers=as_user("david"), **kwargs)
    _problem(response, 403, "permission-denied")
    _problem(
        client.get(VOCABULARY + "/history", headers=as_user("david")), 403, "permission-denied"
    )
    assert client.get(VOCABULARY).status_code == 401


def test_a_new_version_applies_to_the_next_search(seeded, as_user) -> None:
    assert (
        seeded.get(SEARCH, params={"q": "refectory"}, headers=as_user("david")).json()["total"] == 0
    )
    written = seeded.put(
        VOCABULARY,
        json={"version": 0, "groups": [["refectory", "cantine", "Cantine"], ["seul"]]},
        headers=as_user("claire"),
    )
    assert written.status_code == 200, written.text
    # Repeated terms and one-term groups are dropped.
    assert written.json()["groups"] == [["refectory", "cantine"]]
    assert written.json()["version"] == 1
    assert written.json()["updated_by"] == "claire"
    body = seeded.get(SEARCH, params={"q": "refectory"}, headers=as_user("david")).json()
    # The reader's hit only: the restricted post stays unseen, in hits and total.
    assert [hit["id"] for hit in body["hits"]] == ["cantine"]
    assert body["total"] == 1
    history = seeded.get(VOCABULARY + "/history", headers=as_user("claire")).json()
    assert [v["version"] for v in history["versions"]] == [1, 0]


def test_a_stale_version_is_a_conflict(client, as_user) -> None:
    first = {"version": 0, "groups": [["a1", "b1"]]}
    assert client.put(VOCABULARY, json=first, headers=as_user("claire")).status_code == 200
    _problem(client.put(VOCABULARY, json=first, headers=as_user("claire")), 409, "stale-vocabulary")
    assert client.get(VOCABULARY, headers=as_user("claire")).json()["groups"] == [["a1", "b1"]]


@pytest.mark.parametrize(
    "body",
    [
        {"version": 0},
        {"version": -1, "groups": []},
        {"version": 0, "groups": [[""]]},
        {"version": 0, "groups": [["ok", "x" * 101]]},
        {"version": 0, "groups": [[f"t{n}" for n in range(51)]]},
        {"version": 0, "groups": [], "extra": 1},
        {"version": 0, "groups": [], "best_bets": [{"keywords": [], "post_ids": ["p"]}]},
    ],
)
def test_bad_bodies_are_422(client, as_user, body) -> None:
    _problem(client.put(VOCABULARY, json=body, headers=as_user("claire")), 422, "validation-failed")


def test_best_bets_lead_for_readers_who_may_read_them(seeded, as_user) -> None:
    bets = [{"keywords": ["déjeuner"], "post_ids": ["plan", "cantine"]}]
    written = seeded.put(
        VOCABULARY,
        json={"version": 0, "groups": [], "best_bets": bets},
        headers=as_user("claire"),
    )
    assert written.status_code == 200, written.text
    body = seeded.get(SEARCH, params={"q": "déjeuner lasagnes"}, headers=as_user("david")).json()
    assert [(h["id"], h["best_bet"]) for h in body["hits"]] == [
        ("cantine", True),
        ("menu", False),
    ]
    hr = seeded.get(SEARCH, params={"q": "déjeuner"}, headers=as_user("chloe")).json()
    assert [(h["id"], h["best_bet"]) for h in hr["hits"]][:2] == [("plan", True), ("cantine", True)]


def test_did_you_mean_offers_readable_words_only(seeded, as_user) -> None:
    body = seeded.get(SEARCH, params={"q": "cantnie horaires"}, headers=as_user("david")).json()
    assert body["did_you_mean"] == "cantine horaires"
    # "réorganisation" is only in a post David cannot read: no suggestion reveals it.
    body = seeded.get(SEARCH, params={"q": "réorganisatoin"}, headers=as_user("david")).json()
    assert body["total"] == 0
    assert body["did_you_mean"] is None
    body = seeded.get(SEARCH, params={"q": "cantine"}, headers=as_user("david")).json()
    assert body["did_you_mean"] is None
