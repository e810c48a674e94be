"""POST /internal/v1/index/bulk: service tokens only, strict bodies, idempotent events."""

from __future__ import annotations

import json

import pytest

from townhall_platform.auth import TokenIssuer

BULK = "/internal/v1/index/bulk"
PROBLEM = "application/problem+json"


def _body(batch) -> dict:
    return batch.model_dump(mode="json")


def _problem(response, status: int, slug: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    problem = response.json()
    assert problem["status"] == status
    assert problem["type"].endswith("/" + slug)
    return problem


def test_applies_a_batch_and_makes_it_searchable(client, events, as_service, as_user) -> None:
    batch = events.batch(events.upsert("p1", title="Sécurité des données"), events.delete("p2", 1))

    response = client.post(BULK, json=_body(batch), headers=as_service("publishing"))

    assert response.status_code == 200
    assert response.json() == {"applied": 2, "skipped": 0, "last_event_id": 2}
    found = client.get("/v1/search", params={"q": "securite"}, headers=as_user("david"))
    assert [hit["id"] for hit in found.json()["hits"]] == ["p1"]


def test_redelivered_and_stale_events_are_skipped(client, events, as_service) -> None:
    newer = events.upsert("p1", version=2)
    older = events.upsert("p1", version=1)
    client.post(BULK, json=_body(events.batch(newer)), headers=as_service())

    response = client.post(BULK, json=_body(events.batch(newer, older)), headers=as_service())

    assert response.json() == {"applied": 0, "skipped": 2, "last_event_id": older.event_id}


def test_deleted_document_stays_deleted_after_an_old_upsert(
    client, events, as_service, as_user
) -> None:
    old = events.upsert("p1", version=1, title="fantôme")
    client.post(BULK, json=_body(events.batch(old, events.delete("p1", 2))), headers=as_service())

    again = client.post(BULK, json=_body(events.batch(old)), headers=as_service())
    found = client.get("/v1/search", params={"q": "fantôme"}, headers=as_user("olivier"))

    assert again.json()["skipped"] == 1
    assert found.json()["total"] == 0


def test_searchable_as_soon_as_the_batch_is_answered(client, events, as_service, as_user) -> None:
    client.post(
        BULK, json=_body(events.batch(events.upsert("p1", title="frais"))), headers=as_service()
    )
    found = client.get("/v1/search", params={"q": "frais"}, headers=as_user("david"))

    assert found.json()["total"] == 1


def test_upsert_without_document_refuses_the_whole_batch(
    client, events, as_service, as_user
) -> None:
    good = _body(events.batch(events.upsert("p1", title="valide")))["events"][0]
    broken = {"event_id": 99, "op": "upsert", "doc_id": "p2", "version": 1}

    response = client.post(BULK, json={"events": [good, broken]}, headers=as_service())

    problem = _problem(response, 422, "invalid-index-event")
    assert problem["errors"] == [{"event_id": 99, "message": "event 99: upsert needs a document"}]
    found = client.get("/v1/search", params={"q": "valide"}, headers=as_user("david"))
    assert found.json()["total"] == 0


def test_document_id_must_match_the_event(client, events, as_service) -> None:
    event = _body(events.batch(events.upsert("p1")))["events"][0]
    event["doc_id"] = "p2"

    response = client.post(BULK, json={"events": [event]}, headers=as_service())

    _problem(response, 422, "invalid-index-event")


# -- bad input -----------------------------------------------------------------------------


def test_unknown_field_is_422(client, events, as_service) -> None:
    body = _body(events.batch(events.upsert("p1")))
    body["events"][0]["document"]["colour"] = "red"

    problem = _problem(client.post(BULK, json=body, headers=as_service()), 422, "validation-failed")

    assert "colour" in problem["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"events": []},
        {"events": [{"event_id": 1, "op": "move", "doc_id": "p1", "version": 1}]},
        {"events": [{"event_id": 1, "op": "delete", "doc_id": "p1", "version": 0}]},
        {"events": [{"event_id": -1, "op": "delete", "doc_id": "p1", "version": 1}]},
    ],
)
def test_invalid_batches_are_422(client, as_service, body: dict) -> None:
    _problem(client.post(BULK, json=body, headers=as_service()), 422, "validation-failed")


def test_malformed_json_is_400(client, as_service) -> None:
    response = client.post(
        BULK,
        content=b'{"events": [',
        headers={**as_service(), "Content-Type": "application/json"},
    )

    _problem(response, 400, "malformed-body")


def test_oversized_body_is_413(client, events, as_service) -> None:
    body = _body(events.batch(events.upsert("p1", body="x" * 300_000)))

    response = client.post(
        BULK, content=json.dumps(body), headers={**as_service(), "Content-Type": "application/json"}
    )

    _problem(response, 413, "payload-too-large")


def test_user_token_is_403(client, events, as_user) -> None:
    response = client.post(
        BULK, json=_body(events.batch(events.upsert("p1"))), headers=as_user("alice")
    )

    _problem(response, 403, "forbidden")


def test_missing_token_is_401(client, events) -> None:
    response = client.post(BULK, json=_body(events.batch(events.upsert("p1"))))

    _problem(response, 401, "unauthenticated")
    assert response.headers["www-authenticate"] == "Bearer"


def test_forged_token_is_401(client, events, as_service) -> None:
    header, payload, signature = as_service()["Authorization"].split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"

    response = client.post(
        BULK, json=_body(events.batch(events.upsert("p1"))), headers={"Authorization": forged}
    )

    _problem(response, 401, "unauthenticated")


def test_token_from_another_key_is_401(client, events, tmp_path) -> None:
    from townhall_platform.auth import ensure_signing_key

    stranger = TokenIssuer(
        ensure_signing_key(tmp_path / "other.pem"),
        issuer="townhall-dev",
        user_audience="townhall",
        service_audience="townhall-internal",
    )

    response = client.post(
        BULK,
        json=_body(events.batch(events.upsert("p1"))),
        headers={"Authorization": f"Bearer {stranger.service_token('publishing')}"},
    )

    _problem(response, 401, "unauthenticated")


def test_expired_token_is_401(client, events, token_issuer) -> None:
    expired = token_issuer.service_token("publishing", ttl_seconds=-60)

    response = client.post(
        BULK,
        json=_body(events.batch(events.upsert("p1"))),
        headers={"Authorization": f"Bearer {expired}"},
    )

    problem = _problem(response, 401, "unauthenticated")
    assert "expired" in problem["detail"]
