"""A NUL character inside a JSON string is invalid input: 422, never a 500.

PostgreSQL text cannot hold NUL, so a title, body or justification carrying `\\u0000`
used to fail in the database. The platform refuses it before any code sees the body;
this fuzz sends strings with NUL to every write endpoint of publishing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.anyio

Auth = Callable[[str], dict[str, str]]

# Text holding at least one NUL, anywhere.
with_nul = st.builds(
    lambda before, after: f"{before}\x00{after}",
    st.text(max_size=20),
    st.text(max_size=20),
)


# Write endpoints and a valid body for each; the fuzz puts NUL into one string field.
WRITES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/v1/posts", {"space_id": "engineering", "kind": "social", "title": "T", "body": "B"}),
    ("POST", "/v1/spaces", {"id": "nul", "name": "N", "kind": "community", "visibility": "public"}),
    ("PATCH", "/v1/spaces/engineering", {"name": "Engineering"}),
    (
        "POST",
        "/v1/posts/00000000-0000-0000-0000-000000000000/comments",
        {"body": "Hi"},
    ),
]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(write=st.sampled_from(WRITES), text=with_nul, data=st.data())
async def test_nul_in_any_string_of_a_write_is_422(
    client: httpx.AsyncClient,
    auth: Auth,
    write: tuple[str, str, dict[str, Any]],
    text: str,
    data: st.DataObject,
) -> None:
    method, path, valid = write
    field = data.draw(st.sampled_from(sorted(valid)))
    body = {**valid, field: text}

    response = await client.request(method, path, json=body, headers=auth("bob"))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["location"] == ["body"]


async def test_the_text_backslash_u0000_is_no_nul(client: httpx.AsyncClient, auth: Auth) -> None:
    body = {"space_id": "engineering", "kind": "social", "title": "\\u0000", "body": "B"}

    response = await client.post("/v1/posts", json=body, headers=auth("alice"))

    assert response.status_code == 201, response.text
    assert response.json()["title"] == "\\u0000"
