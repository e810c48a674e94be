"""A NUL character inside a JSON string is invalid input: 422, never a 500 (PostgreSQL
text cannot hold NUL), and nothing is written."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

with_nul = st.builds(
    lambda before, after: f"{before}\x00{after}", st.text(max_size=20), st.text(max_size=20)
)

# (method, path, valid body, user or None for the service): NUL goes into one string.
WRITES: list[tuple[str, str, dict[str, Any], str | None]] = [
    (
        "POST",
        "/v1/grants",
        {"subject": "hugo", "role": "member", "domain": "space:cafe", "justification": "J"},
        "paul",
    ),
    (
        "POST",
        "/v1/suspensions",
        {"subject": "hugo", "domain": "org", "action": "comment", "justification": "J"},
        "paul",
    ),
    ("POST", "/v1/decisions", {"subject": "hugo", "action": "read", "domain": "org"}, None),
    (
        "PUT",
        "/internal/v1/domains/space:nul",
        {"kind": "community", "visibility": "public", "on_behalf_of": "hugo"},
        None,
    ),
]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(write=st.sampled_from(WRITES), text=with_nul, data=st.data())
def test_nul_in_any_string_of_a_write_is_422(
    api: Any, write: tuple[str, str, dict[str, Any], str | None], text: str, data: st.DataObject
) -> None:
    method, path, valid, user = write
    field = data.draw(st.sampled_from(sorted(valid)))
    revision = api.revision()

    response = api.client.request(
        method,
        path,
        json={**valid, field: text},
        headers=api.service if user is None else api.user(user),
    )

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["location"] == ["body"]
    assert api.revision() == revision
