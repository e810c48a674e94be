"""A cursor taken before a rebuild's switch: a clear 400, never an empty page (issue 19).

A rebuild indexes every document anew, so the snapshot a cursor reads (documents
indexed up to its first page) does not exist in the new index: before, the next page
answered `total 0`. On both engines.
"""

from __future__ import annotations

BULK = "/internal/v1/index/bulk"
SEARCH = "/v1/search"


def test_a_cursor_from_before_a_switch_is_refused(engine_client, events, as_service, as_user):
    upserts = [events.upsert(f"p{n:02}", title=f"Compte rendu {n}") for n in range(15)]
    loaded = engine_client.post(
        BULK, json=events.batch(*upserts).model_dump(mode="json"), headers=as_service()
    )
    assert loaded.status_code == 200, loaded.text
    first = engine_client.get(SEARCH, params={"limit": "10"}, headers=as_user("david")).json()
    cursor = first["next_cursor"]
    # The cursor still works while nothing switched.
    second = engine_client.get(
        SEARCH, params={"limit": "10", "cursor": cursor}, headers=as_user("david")
    )
    assert second.status_code == 200 and second.json()["total"] == 15

    index = engine_client.app.state.index
    index.start_rebuild()
    index.load_rebuild(upserts)
    index.finish_rebuild(documents=len(upserts))

    after = engine_client.get(
        SEARCH, params={"limit": "10", "cursor": cursor}, headers=as_user("david")
    )
    assert after.status_code == 400, after.text
    assert after.headers["content-type"].startswith("application/problem+json")
    assert after.json()["type"].endswith("/cursor-expired")
    assert "search again from the first page" in after.json()["detail"]
    # A new first page pages through the new index.
    again = engine_client.get(SEARCH, params={"limit": "10"}, headers=as_user("david")).json()
    resumed = engine_client.get(
        SEARCH, params={"limit": "10", "cursor": again["next_cursor"]}, headers=as_user("david")
    )
    assert resumed.status_code == 200 and len(resumed.json()["hits"]) == 5
