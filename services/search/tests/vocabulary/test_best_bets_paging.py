"""A best bet is shown once: first and marked on the first page, and never again as an
ordinary hit on a later page; the pages together hold every hit once and the total
counts each once. On both engines, through the API."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

BULK = "/internal/v1/index/bulk"
SEARCH = "/v1/search"
VOCABULARY = "/v1/search/vocabulary"
POSTS = 7


def _pages(client: TestClient, headers: dict[str, str], **params: Any) -> list[dict[str, Any]]:
    pages = [client.get(SEARCH, params=params, headers=headers).json()]
    while pages[-1]["next_cursor"]:
        asked = {**params, "cursor": pages[-1]["next_cursor"]}
        pages.append(client.get(SEARCH, params=asked, headers=headers).json())
    return pages


def test_a_best_bet_never_comes_back_on_a_later_page(
    engine_client: TestClient, events: Any, as_user: Any, as_service: Any
) -> None:
    # The bet itself matches the query well (its title holds the word twice), so that
    # without the fix it would also rank among the ordinary hits.
    upserts = [
        events.upsert("bet", title="Cantine cantine", body="Cantine.", kind="official"),
        *(
            events.upsert(f"post-{n}", title=f"Note {n}", body=f"La cantine, note {n}.")
            for n in range(POSTS)
        ),
    ]
    batch = events.batch(*upserts)
    assert engine_client.post(BULK, json=batch.model_dump(mode="json"), headers=as_service())
    bets = [{"keywords": ["cantine"], "post_ids": ["bet"]}]
    written = engine_client.put(
        VOCABULARY, json={"version": 0, "groups": [], "best_bets": bets}, headers=as_user("claire")
    )
    assert written.status_code == 200, written.text

    pages = _pages(engine_client, as_user("david"), q="cantine", limit=3)

    hits = [(hit["id"], hit["best_bet"]) for page in pages for hit in page["hits"]]
    assert hits[0] == ("bet", True)
    assert [hit_id for hit_id, _ in hits].count("bet") == 1
    assert sorted(hit_id for hit_id, _ in hits[1:]) == [f"post-{n}" for n in range(POSTS)]
    assert all(page["total"] == POSTS + 1 for page in pages)
    assert [len(page["hits"]) for page in pages] == [3, 3, 2]
