"""`allowed_subjects`: a whole audience asked in requests of at most the contract's limit."""

from __future__ import annotations

import json

import httpx

from townhall_clients import PolicyClient
from townhall_contracts.policy import MAX_ALLOWED_SUBJECTS


def test_a_large_audience_is_asked_in_chunks_and_answered_in_order() -> None:
    asked: list[list[str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        asked.append(body["subjects"])
        # Policy allows the even-numbered subjects.
        allowed = [s for s in body["subjects"] if int(s.removeprefix("u")) % 2 == 0]
        answer = {"action": body["action"], "domain": body["domain"], "subjects": allowed}
        return httpx.Response(200, json=answer | {"policy_revision": 3})

    client = PolicyClient(
        "http://policy", token=lambda: "t", transport=httpx.MockTransport(handler)
    )
    subjects = [f"u{n}" for n in range(2 * MAX_ALLOWED_SUBJECTS + 5)]

    allowed = client.allowed_subjects([*subjects, "u0", "u2"], "read", "space:general")

    assert [len(chunk) for chunk in asked] == [MAX_ALLOWED_SUBJECTS, MAX_ALLOWED_SUBJECTS, 5]
    assert allowed == subjects[::2]
